"""The history: the single owner of HipCoach's database on disk. Qt-free.

Everything that touches the history goes through this package: where it lives and how it stays
private (:mod:`.files`), what can go wrong in words (:mod:`.errors`), the schema probe, integrity
check and migrations (:mod:`.opening`), every write (:mod:`.writes`) and read (:mod:`.reads`) of
:class:`HistoryStore` (:mod:`.history`), and opening it for a window or a report (:mod:`.startup`).
The names below are its public face; the modules are their homes.
"""

from app.coach.store.errors import (
    HistoryBusy,
    HistoryDamaged,
    HistoryInUse,
    HistoryNewer,
    HistoryReadOnly,
    StoreError,
    explain,
)
from app.coach.store.files import DB_NAME, LOCK_NAME, data_dir, move_aside
from app.coach.store.history import HistoryStore
from app.coach.store.startup import WindowHistory, open_for_report, open_for_window

__all__ = [
    "DB_NAME",
    "LOCK_NAME",
    "HistoryBusy",
    "HistoryDamaged",
    "HistoryInUse",
    "HistoryNewer",
    "HistoryReadOnly",
    "HistoryStore",
    "StoreError",
    "WindowHistory",
    "data_dir",
    "explain",
    "move_aside",
    "open_for_report",
    "open_for_window",
]
