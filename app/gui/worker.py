"""A generator worker on its own thread, after superqt's ``thread_worker``.

Each item the generator yields reaches the GUI thread as ``yielded``; an exception arrives as
``errored`` (with a one-line message); ``finished`` always comes last. ``stop()`` and ``pause()``
are checked between items, so a stop never interrupts a half-processed frame.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

from PyQt6.QtCore import QObject, QThread, pyqtSignal, pyqtSlot

from pose.estimator import ModelError
from pose.sources import SourceError

log = logging.getLogger(__name__)


class GeneratorWorker(QObject):
    yielded = pyqtSignal(object)
    errored = pyqtSignal(str)
    finished = pyqtSignal()

    def __init__(self, make_items: Callable[[], Iterator[Any]]) -> None:
        super().__init__()
        self._make_items = make_items
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self.thread: QThread | None = None
        self.stopped_by_user = False

    # ---------------------------------------------------------------- control (any thread)
    def start(self) -> None:
        """Move to a fresh thread and run there."""
        self.thread = QThread()
        self.moveToThread(self.thread)
        self.thread.started.connect(self.run)
        self.finished.connect(self.thread.quit)
        self.thread.start()

    def stop(self) -> None:
        self.stopped_by_user = True
        self._stop.set()
        self._running.set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def wait(self, timeout_ms: int = 5000) -> bool:
        if self.thread is None:
            return True
        return self.thread.wait(timeout_ms)

    # ---------------------------------------------------------------- the worker thread
    @pyqtSlot()
    def run(self) -> None:
        items = None
        try:
            items = self._make_items()
            for item in items:
                while not self._running.wait(0.05):
                    if self._stop.is_set():
                        break
                if self._stop.is_set():
                    break
                self.yielded.emit(item)
        except (SourceError, ModelError) as exc:  # expected (no camera, a bad file): one line, no traceback
            log.warning("worker stopped: %s", exc)
            self.errored.emit(str(exc) or type(exc).__name__)
        except Exception as exc:  # every failure reaches the GUI as a message, never a dead thread
            log.exception("worker failed")
            self.errored.emit(str(exc) or type(exc).__name__)
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # closing a broken source must not hide the first error
                    log.exception("closing the worker's generator failed")
            self.finished.emit()
