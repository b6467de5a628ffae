"""The Progress tab, offscreen, on the hand-written fixture history (tests/history_fixture.py).

Every expected number below is worked out by hand from the fixture's stated rules (its module
docstring), not read back from app.coach.store.progress.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta

import numpy as np
import pytest

from app.gui.progress_charts import day_x
from app.gui.progress_page import ProgressPage
from tests import history_fixture as fx

TODAY = fx.START + timedelta(days=13)  # Sunday 15 Nov 2026, the day after the last session
K = range(10)


@pytest.fixture
def conn(tmp_path):
    connection = sqlite3.connect(fx.build_history(tmp_path / "history.sqlite3"))
    yield connection
    connection.close()


@pytest.fixture
def page(qtbot, conn):
    widget = ProgressPage(lambda: (conn, fx.PROFILE), today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.resize(1300, 800)
    widget.refresh()
    return widget


def bars(item) -> tuple[list[float], list[float], list[float]]:
    opts = item.opts
    n = len(opts["height"])
    y0 = opts.get("y0")
    y0 = [0.0] * n if y0 is None else list(np.broadcast_to(np.asarray(y0, float), (n,)))
    return list(np.asarray(opts["x"], float)), list(np.asarray(opts["height"], float)), y0


def ys(curve) -> np.ndarray:
    """The y values a curve draws (empty when it draws nothing)."""
    y = curve.getData()[1]
    return np.array([] if y is None else y, dtype=float)


def same(a, b) -> bool:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape == b.shape and bool(np.all((np.isnan(a) & np.isnan(b)) | np.isclose(a, b)))


def test_glute_bridge_over_all_time_matches_the_fixture(page):
    page.set_exercise("glute_bridge")
    page.set_range(None)
    # reps: 6 + k // 3, plus a second set of 4 in session 3
    reps = [6, 6, 6, 11, 7, 7, 8, 8, 8, 9]
    # holds: rep 1 of each set 3.0 s, the rest 5.0 s
    holds = [(3 + 5 * (n - 1)) / n for n in reps]
    holds[3] = (2 * 3.0 + 9 * 5.0) / 11
    # peaks: odd reps 160 + k, even reps 158 + k
    peaks = []
    for k in K:
        sets = [6 + k // 3] + ([4] if k == 3 else [])
        values = [160.0 + k if i % 2 else 158.0 + k for size in sets for i in range(1, size + 1)]
        peaks.append(sum(values) / len(values))
    # faults per rep: hold_short on rep 1 of each set, hips_low on rep 2 (first set and the extra one) when k < 5
    faults = [(2 if k < 5 else 1) / n for k, n in zip(K, reps)]
    faults[3] = 4 / 11
    data = page.data
    assert data.days == list(fx.TRAINED_DAYS)
    assert data.reps == reps
    assert same(data.hold_s, holds)
    assert same(data.peak_deg, peaks)
    assert same(data.faults_per_rep, faults)
    # ...and those are the arrays the charts draw.
    x, height, y0 = bars(page.chart_panel.bars_both)
    assert same(x, [day_x(d) for d in fx.TRAINED_DAYS]) and same(height, reps) and same(y0, [0] * 10)
    assert bars(page.chart_panel.bars_left)[1] == [] and bars(page.chart_panel.bars_right)[1] == []
    assert same(ys(page.chart_panel.hold_curve), holds)
    assert same(ys(page.chart_panel.peak_curve), peaks)
    assert same(ys(page.chart_panel.fault_curve), faults)
    assert np.isnan(page.data.peak_asymmetry_pct).all() and len(ys(page.chart_panel.peak_asym_curve)) == 0  # two-sided
    assert page.chart_panel.hold_target.isVisible() and page.chart_panel.hold_target.value() == 5.0


def test_straight_leg_raise_stacks_left_and_right_and_shows_the_asymmetry(page):
    page.set_exercise("straight_leg_raise")
    page.set_range(30)
    left = [8] * 10
    right = [6 if k < 5 else 8 for k in K]
    right_peak = [14.0 + 0.5 * k for k in K]
    data = page.data
    assert data.days == list(fx.TRAINED_DAYS)
    x, height, y0 = bars(page.chart_panel.bars_left)
    assert same(height, left) and same(y0, [0] * 10)
    x, height, y0 = bars(page.chart_panel.bars_right)
    assert same(height, right) and same(y0, left)  # right stacked on top of left
    assert bars(page.chart_panel.bars_both)[1] == []
    assert same(ys(page.chart_panel.peak_left_curve), [18.0] * 10)
    assert same(ys(page.chart_panel.peak_right_curve), right_peak)
    # (left - right) / larger side, + when the left is larger: reps 8 vs 6 is 25 %; peaks 18 vs 14 + k/2,
    # so the right side passes the left on the last day (18.5)
    assert same(ys(page.chart_panel.count_asym_curve), [25.0 if k < 5 else 0.0 for k in K])
    assert same(ys(page.chart_panel.peak_asym_curve), [100 * (18.0 - p) / max(18.0, p) for p in right_peak])
    assert ys(page.chart_panel.peak_asym_curve)[-1] < 0
    # holds: 8 left at 5.0 s; right at 4.0 s when k < 3, else 5.0 s
    holds = [(8 * 5.0 + r * (4.0 if k < 3 else 5.0)) / (8 + r) for k, r in zip(K, right)]
    assert same(ys(page.chart_panel.hold_curve), holds)


def test_the_last_seven_days_of_squats(page):
    page.set_exercise("squat")
    page.set_range(7)  # 9..15 Nov: sessions 5..9 (offsets 7, 8, 10, 11, 12)
    assert page.data.days == [fx.START + timedelta(days=o) for o in (7, 8, 10, 11, 12)]
    assert page.data.reps == [5, 2, 5, 5, 5]  # session 6 stopped for sharp pain after 2
    # rep i bottoms out at 110 - 2k + (i - 1): the day's mean is 110 - 2k + (n - 1) / 2
    means = [110.0 - 2 * k + (n - 1) / 2 for k, n in zip(range(5, 10), [5, 2, 5, 5, 5])]
    assert same(ys(page.chart_panel.peak_curve), means)
    assert same(ys(page.chart_panel.fault_curve), [0.0] * 5)  # "shallow" only in sessions 0 and 1
    assert not page.chart_panel.hold_target.isVisible()
    # the x axis spans exactly the seven days
    low, high = page.chart_panel.plots["reps"].viewRange()[0]
    assert low < day_x(TODAY - timedelta(days=6)) < day_x(TODAY) < high
    assert high - low < 8 * 86400


def test_calendar_highlights_exactly_the_trained_days(page):
    # the empty session (5 Nov) and the other profile do not count; session 9 counts on the day it began
    assert page.highlighted_days() == set(fx.TRAINED_DAYS)
    assert fx.EMPTY_SESSION_DAY not in page.highlighted_days()
    # this week = Mon 9 .. Sun 15 Nov: offsets 7, 8, 10, 11, 12; this month: all ten
    assert page.days_label.text() == "Days trained: 5 this week · 10 this month"


def test_recent_sessions_table_newest_first_with_pain(page):
    table = page.table
    assert table.rowCount() == 10  # ten sessions; the empty one (5 Nov, no set: it never started) is left out
    assert [table.horizontalHeaderItem(c).text() for c in range(4)] == ["Date", "Reps", "Pain", "Exercises (reps)"]
    cells = [[table.item(r, c).text() for c in range(4)] for r in range(table.rowCount())]
    # session 9 (newest): bridge 9 + raises 8 + 8 + squats 5; pain 1 -> 0
    assert cells[0][:3] == ["Sat 14 Nov, 23:50", "30", "1 → 0"]
    assert "Glute bridge 9" in cells[0][3] and "Squat 5" in cells[0][3]
    # session 6 (fourth row): pain 2 -> 4 and the sharp-pain stop
    assert cells[3][:3] == ["Tue 10 Nov, 08:00", str(8 + 16 + 2), "2 → 4 · sharp pain"]
    # only that session's pain is marked (every other session's pain fell by 1)
    marked = [r for r in range(table.rowCount()) if table.item(r, 2).foreground().color().red() == 190]
    assert marked == [3]
    assert not [row for row in cells if row[0].startswith("Thu 05 Nov")]


def test_pain_chart_shows_before_and_after_each_session(page):
    page.set_range(None)
    before = [fx.pain_before(k) for k in K]  # 5,5,4,4,3,3,2,2,1,1
    after = [fx.pain_after(k) for k in K]  # one less, but 2 -> 4 in session 6
    assert same(ys(page.chart_panel.pain_before_curve), before) and same(ys(page.chart_panel.pain_after_curve), after)
    # each session at its own start time (08:00, the last at 23:50), one stroke from before to after
    starts = [fx.session_start(k) for k in K]
    want_x = [datetime(t.year, t.month, t.day, t.hour, t.minute).timestamp() for t in starts]
    assert same(page.chart_panel.pain_after_curve.getData()[0], want_x)
    x, y = page.chart_panel.pain_change.getData()
    assert same(x, np.repeat(want_x, 2)) and same(y, [v for pair in zip(before, after) for v in pair])
    assert "pain" in page.chart_panel.shown_charts()
    page.set_exercise("squat")  # pain is per session, whatever the exercise
    assert same(ys(page.chart_panel.pain_after_curve), after)
    page.set_range(7)  # 9..15 Nov: sessions 5..9
    assert same(ys(page.chart_panel.pain_before_curve), before[5:])


def test_empty_charts_collapse_to_one_line(page):
    page.set_range(None)
    page.set_exercise("straight_leg_raise")
    assert page.chart_panel.shown_charts() == ["reps", "pain", "peak", "hold", "faults", "asym"]
    assert page.chart_panel.nothing_note.isHidden()
    page.set_exercise("squat")  # no hold, both sides together
    assert page.chart_panel.shown_charts() == ["reps", "pain", "peak", "faults"]
    assert page.chart_panel.plot_widgets["hold"].isHidden() and page.chart_panel.plot_widgets["asym"].isHidden()
    assert page.chart_panel.nothing_note.text() == (
        "Nothing to chart yet: hold time (this exercise has no hold); "
        "left / right difference (both sides move together)."
    )
    page.set_exercise("hip_abduction")  # never done: only pain is left (it is per session)
    assert page.chart_panel.shown_charts() == ["pain"]
    assert page.chart_panel.nothing_note.text() == (
        "Nothing to chart yet: reps; range of motion; hold time (this exercise has "
        "no hold); form faults; left / right difference."
    )
    # a lone chart takes the whole row
    index = page.chart_panel.chart_grid.indexOf(page.chart_panel.plot_widgets["pain"])
    assert page.chart_panel.chart_grid.getItemPosition(index) == (0, 0, 1, 2)


def test_legends_sit_beside_the_titles_not_on_the_data(page):
    page.set_exercise("straight_leg_raise")
    for key, plot in page.chart_panel.plots.items():
        assert plot.legend is None, key  # no legend box inside any plot
    assert page.chart_panel.chart_titles["reps"] == "Reps per day  ■ left  ■ right, on top"
    assert page.chart_panel.chart_titles["pain"] == "Pain per session (0–10)  ○ before  ● after"  # the markers drawn
    page.set_exercise("glute_bridge")
    assert (
        page.chart_panel.chart_titles["reps"] == "Reps per day"
        and page.chart_panel.chart_titles["peak"] == "Range of motion (mean peak)"
    )


def test_the_day_count_follows_the_month_shown(page):
    assert page.calendar.monthShown() == 11 and page.calendar.yearShown() == 2026  # opens on "today"
    assert page.days_label.text() == "Days trained: 5 this week · 10 this month"
    page.calendar.setCurrentPage(2026, 10)
    assert page.days_label.text() == "Days trained in October 2026: 0"
    page.calendar.setCurrentPage(2026, 11)
    assert page.days_label.text() == "Days trained: 5 this week · 10 this month"


def test_no_history_shows_the_friendly_empty_state(qtbot, tmp_path):
    conn = sqlite3.connect(tmp_path / "empty.sqlite3")
    fx.create_schema(conn)
    opened: list = [None]
    page = ProgressPage(lambda: opened[0], today=lambda: TODAY)
    qtbot.addWidget(page)
    page.refresh()
    assert page.is_empty
    opened[0] = (conn, 1)
    page.refresh()
    assert page.is_empty and "No sessions yet" in page.empty.text()
    assert page.highlighted_days() == set()
    fx.write_history(sqlite3.connect(tmp_path / "full.sqlite3"))
    opened[0] = (sqlite3.connect(tmp_path / "full.sqlite3"), fx.PROFILE)
    page.refresh()
    assert not page.is_empty and page.highlighted_days() == set(fx.TRAINED_DAYS)
    conn.close()


# ---------------------------------------------------------------------------------------- export


@pytest.fixture
def fixture_store(tmp_path, monkeypatch):
    from app.coach.store import HistoryStore

    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(tmp_path))
    store = HistoryStore.open(fx.build_history(tmp_path / "history.sqlite3"))
    yield store
    store.close()


def export(qtbot, store, scope: str, suffix: str, out, **dates):
    from app.gui.data_dialog import ExportDialog

    dialog = ExportDialog(store, fx.PROFILE)
    qtbot.addWidget(dialog)
    dialog.set_scope(scope, **dates)
    dialog.set_format(suffix)
    failed: list[str] = []
    dialog.failed.connect(failed.append)
    with qtbot.waitSignal(dialog.saved, timeout=60_000) as saved:
        dialog.export_to(out)
        # export_to returned at once: the worker's results reach the GUI thread only through the event loop
        assert not dialog.busy.isHidden() and not dialog.export_button.isEnabled()
    assert not failed, failed
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled(), timeout=5000)
    assert dialog.busy.isHidden() and not dialog.open_button.isHidden()
    assert dialog.status.text() == f"Saved to {out}"
    assert saved.args[0] == out
    return dialog


def test_export_writes_each_format(qtbot, fixture_store, tmp_path):
    import csv
    import json

    out = tmp_path / "out"
    out.mkdir()
    # The last session (k = 9): bridge 9 reps, leg raises 8 + 8, squats 5.
    dialog = export(qtbot, fixture_store, "session", "csv", out / "session.csv")
    assert dialog.selection() == {"since": None, "until": None, "session_id": 10}
    rows = list(csv.DictReader((out / "session.csv").open(newline="")))
    assert len(rows) == 9 + 16 + 5 and {r["session_id"] for r in rows} == {"10"}
    # A date range: the first week (sessions 0..4).
    export(qtbot, fixture_store, "range", "json", out / "week.json", since=fx.START, until=fx.START + timedelta(days=6))
    data = json.loads((out / "week.json").read_text())
    # bridges 6 + 6 + 6 + (7 + 4) + 7, leg raises 5 x (8 + 6), squats 5 x 5
    assert data["total_reps"] == 36 + 70 + 25
    assert data["days_trained"] == [d.isoformat() for d in fx.TRAINED_DAYS[:5]]
    export(qtbot, fixture_store, "all", "html", out / "all.html")
    html = (out / "all.html").read_text()
    assert html.lstrip().lower().startswith(("<!doctype html", "<html")) and "</html>" in html.lower()
    assert "Glute bridge" in html and "<svg" in html
    export(qtbot, fixture_store, "all", "pdf", out / "all.pdf")
    pdf = (out / "all.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-1024:]


def test_export_adds_every_rep_only_when_ticked(qtbot, fixture_store, tmp_path):
    dialog = export(qtbot, fixture_store, "all", "html", tmp_path / "short.html")
    assert not dialog.per_rep_box.isChecked()  # off by default
    assert 'class="reps"' not in (tmp_path / "short.html").read_text()
    dialog.set_format("csv")
    assert not dialog.per_rep_box.isEnabled()  # CSV is every rep anyway
    dialog.set_format("html")
    dialog.per_rep_box.setChecked(True)
    with qtbot.waitSignal(dialog.saved, timeout=20000):
        dialog.export_to(tmp_path / "long.html")
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled(), timeout=5000)
    # one rep table per set: ten sessions of three sets, and session 3's second bridge set
    assert (tmp_path / "long.html").read_text().count('<table class="reps">') == 10 * 3 + 1


def test_export_refuses_a_backwards_date_range(qtbot, fixture_store, tmp_path):
    from app.gui.data_dialog import ExportDialog

    dialog = ExportDialog(fixture_store, fx.PROFILE)
    qtbot.addWidget(dialog)
    dialog.set_scope("range", since=fx.START + timedelta(days=5), until=fx.START)
    with qtbot.waitSignal(dialog.failed) as failed:
        dialog.export_to(tmp_path / "x.html")
    assert "after the end date" in failed.args[0]
    assert not (tmp_path / "x.html").exists()


# ---------------------------------------------------------------------------------------- in the window


def test_window_menus_open_the_progress_tab_and_refresh_it_when_a_session_ends(qtbot, tmp_path, monkeypatch):
    from PyQt6.QtGui import QKeySequence

    from app.gui.window import MainWindow
    from exercises.events import RepRecord

    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(tmp_path))
    win = MainWindow(model="lite", enable_speech=False, checkins=False)
    qtbot.addWidget(win)
    shortcuts = {
        a.shortcut().toString(QKeySequence.SequenceFormat.PortableText): a.text()
        for a in (win.progress_action, win.settings_action, win.export_action)
    }
    assert shortcuts == {"Ctrl+G": "&Progress", "Ctrl+,": "&Settings…", "Ctrl+E": "&Export report…"}
    menus = {m.text(): [a.text() for a in m.menu().actions()] for m in win.menuBar().actions()}
    assert "&Progress" in menus["&View"] and "&Settings…" in menus["&Tools"]
    assert "&Export report…" in menus["&File"] and "Where is my data?" in menus["&Help"]

    win.progress_action.trigger()
    page = win.progress_page
    assert win.tabs.currentWidget() is page and page.is_empty
    store, pid = win.history()
    assert store.path.parent == tmp_path
    sid = store.start_session(pid)
    set_id = store.start_set(sid, "bridge_march", 15)
    for i, side in enumerate(("left", "right", "left"), start=1):
        store.add_rep(set_id, RepRecord(i, side, 3.0 * i, 3.0 * i + 2, 12.0, None, []))
    store.end_set(set_id, "done")
    store.end_session(sid, "done")
    win.live.session_ended.emit(None)  # what the live page sends when a session ends
    assert not page.is_empty
    page.set_exercise("bridge_march")
    today = date.today()
    assert page.data.days == [today] and page.data.reps_left == [2] and page.data.reps_right == [1]
    assert page.highlighted_days() == {today}
    assert page.table.rowCount() == 1 and page.table.item(0, 1).text() == "3"
    dialog = win.export_report()
    assert dialog.session_id == sid and dialog.this_session.isChecked()
    dialog.reject()


def test_where_is_my_data_names_the_folder(qtbot, tmp_path, monkeypatch):
    from PyQt6.QtWidgets import QMessageBox

    from app.gui.window import MainWindow

    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(tmp_path))
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text() + "\n" + box.informativeText()) or 0)
    win = MainWindow(model="lite", enable_speech=False, checkins=False)
    qtbot.addWidget(win)
    win.where_action.trigger()
    assert len(shown) == 1 and str(tmp_path) in shown[0] and "on this computer only" in shown[0]
