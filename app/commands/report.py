"""``hipcoach report --out FILE``: a session or a date range of the history, for a physiotherapist."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.commands.shared import CliError
from app.outputs import OutputFile


def run(args: argparse.Namespace) -> int:
    """Write the report of the history (read-only) to ``--out``; exit status."""
    import sqlite3

    from app.coach.report import ReportError, report_kind, write_report

    since, until = _day_arg(args.since, "--from"), _day_arg(args.until, "--to")
    session_id = _session_arg(args.session)
    history = _history_path(args.data_dir)
    try:
        report_kind(Path(args.out))
        # The history (and SQLite's side files) is read, never written; checked before it is opened.
        reads = [history] + [history.with_name(history.name + side) for side in ("-wal", "-shm", "-journal")]
        out = OutputFile(args.out, reads, "--out")
        with out:
            store, profile_id = _open_history(history, session_id)
            conn = store.connection
            try:
                write_report(
                    conn, profile_id, out, since=since, until=until, session_id=session_id, per_rep=args.per_rep
                )
            finally:
                store.close()
    except ReportError as exc:
        raise CliError(str(exc)) from None
    except sqlite3.Error as exc:  # damage the store's time-bounded check on open did not reach
        from app.coach.store import explain

        raise CliError(str(explain(exc, history))) from None
    print(f"report written to {args.out}")
    return 0


# SQLite's INTEGER is 64-bit signed; a larger number is no session id.
_MAX_ID = 2**63 - 1


def _session_arg(text: str | None) -> int | None:
    """``--session N``: ASCII digits only ('²' and '٣' are digits to str.isdigit, not to int)."""
    if text is None:
        return None
    if not (text.isascii() and text.isdigit()) or int(text) > _MAX_ID:
        raise CliError(f"--session must be a session number, got {text!r}")
    return int(text)


def _day_arg(text: str | None, option: str):
    from datetime import date

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CliError(f"{option} {text!r} is not a date; expected YYYY-MM-DD") from None


def _history_path(data_dir: str | None) -> Path:
    from app.coach.store import DB_NAME
    from app.coach.store import data_dir as default_dir

    return (Path(data_dir).expanduser() if data_dir else default_dir()) / DB_NAME


def _open_history(path: Path, session_id: int | None):
    """The history read-only and the profile to report on, both from the store (an older schema is
    upgraded in memory, never on disk; the session's own profile, else the app's)."""
    from app.coach.store import StoreError, open_for_report

    try:
        return open_for_report(path, session_id)
    except StoreError as exc:
        raise CliError(str(exc)) from None
