"""Reports of the fixture history: every type is valid and shows what the fixture holds; the CLI's errors."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import zlib
from datetime import date, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest

from app import cli
from app.coach import charts
from app.coach.report import CSV_COLUMNS, ReportError, write_report
from app.coach.report.data import clock, stamp
from app.coach.schema import MIGRATIONS
from tests import history_fixture as fx

TOTAL_REPS = sum(fx.bridge_reps(k) + 8 + fx.slr_right_reps(k) + fx.squat_reps(k) for k in range(10)) + 4
PAIN_SESSION_ID = fx.PAIN_SESSION + 1  # sessions 1..10 are Alex's trained days, in order
PAIN_SESSION_REPS = fx.bridge_reps(fx.PAIN_SESSION) + 8 + fx.slr_right_reps(fx.PAIN_SESSION) + 2


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    return fx.build_history(folder / "history.sqlite3")


@pytest.fixture()
def conn(db):
    c = sqlite3.connect(db)
    yield c
    c.close()


class _Html(HTMLParser):
    """Collects what the tests look at: tags, text, the rep tables' body rows, SVG rect fills."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.rep_rows = 0
        self.fills: list[str] = []
        self._table_class: list[str] = []
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "table":
            self._table_class.append(a.get("class") or "")
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body and self._table_class and self._table_class[-1] == "reps":
            self.rep_rows += 1
        elif tag == "rect":
            self.fills.append(a.get("fill", ""))

    def handle_endtag(self, tag):
        if tag == "table":
            self._table_class.pop()
        elif tag == "tbody":
            self._in_body = False

    def handle_data(self, data):
        self.text.append(data)


def _parse_html(path: Path) -> _Html:
    parser = _Html()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def _pdf_text(path: Path) -> tuple[int, str]:
    """Page count and the text of every (deflated) content stream."""
    raw = path.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page\b", raw))
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", raw, re.S):
        try:
            chunks.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            chunks.append(stream.decode("latin-1"))
    return pages, "\n".join(chunks)


# ----------------------------------------------------------------------------- HTML


def test_html_has_charts_calendar_and_a_row_per_rep(conn, tmp_path):
    out = write_report(conn, fx.PROFILE, tmp_path / "r.html", per_rep=True)
    page = _parse_html(out)
    text = " ".join(page.text)
    # calendar, reps per day, fault rate, pain, and one range-of-motion chart per exercise (3)
    assert page.tags.count("svg") == 4 + 3
    assert page.rep_rows == TOTAL_REPS
    # the calendar fills exactly the ten days trained
    assert page.fills.count(charts.TRAINED_COLOUR) == len(fx.TRAINED_DAYS)
    for words in (
        "Glute bridge",
        "Straight leg raise",
        "Squat",
        "hold too short",
        "knee bent",
        "not deep enough",
        "body partly out of frame",
        "sharp pain reported during Squat",
        "stopped for pain",
    ):
        assert words in text, words
    assert "hold_short" not in text and "glute_bridge" not in text  # plain words, not codes
    assert f"{TOTAL_REPS} repetitions" in text and "on 10 days" in text


def test_html_escapes_text(conn, tmp_path):
    out = write_report(conn, fx.PROFILE, tmp_path / "r.html")
    raw = out.read_text(encoding="utf-8")
    assert "<physio" not in raw
    assert "Alex &lt;physio test&gt; &amp; co" in raw
    assert "Alex <physio test> & co" in " ".join(_parse_html(out).text)


def test_html_is_self_contained(conn, tmp_path):
    raw = write_report(conn, fx.PROFILE, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<style>" in raw
    assert not re.search(r"<(script|link|img)\b", raw)
    assert "http://" not in raw.replace('xmlns="http://www.w3.org/2000/svg"', "")


# ----------------------------------------------------------------------------- PDF


def test_pdf_is_a_pdf_with_the_same_content(conn, tmp_path):
    out = write_report(conn, fx.PROFILE, tmp_path / "r.pdf", per_rep=True)
    assert out.read_bytes().startswith(b"%PDF-")
    pages, text = _pdf_text(out)
    assert pages >= 10  # summary + details + 273 rep rows at about 40 a page
    for words in (
        "Glute bridge",
        "Straight leg raise",
        "Squat",
        "hold too short",
        "Pain before and after",
        "Days trained",
        "November 2026",
        "range of motion",
    ):
        assert words in text or words.replace(" ", "") in text, words


def test_session_pdf_is_shorter(conn, tmp_path):
    full, _ = _pdf_text(write_report(conn, fx.PROFILE, tmp_path / "r.pdf"))
    one, text = _pdf_text(write_report(conn, fx.PROFILE, tmp_path / "s.pdf", session_id=PAIN_SESSION_ID))
    assert 1 <= one < full
    assert "session report" in text


# ----------------------------------------------------------------------------- CSV and JSON


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
        return list(reader)


def test_csv_has_one_row_per_rep(conn, tmp_path):
    rows = _csv(write_report(conn, fx.PROFILE, tmp_path / "r.csv"))
    assert len(rows) == TOTAL_REPS
    assert sum(r["exercise"] == "squat" for r in rows) == sum(fx.squat_reps(k) for k in range(10))
    # session 1 (k = 0), set 2: 8 left reps, then the first right rep with knee_bent and hold_short
    first_right = [r for r in rows if r["session_id"] == "1" and r["set_number"] == "2"][8]
    assert first_right["side"] == "right" and first_right["rep"] == "9"
    assert float(first_right["peak_angle_deg"]) == 14.0
    assert first_right["faults"] == "knee_bent;hold_short"
    assert first_right["exercise_title"] == "Straight leg raise"
    assert {r["day"] for r in rows} == {d.isoformat() for d in fx.TRAINED_DAYS}


def test_csv_for_a_range_and_a_session(conn, tmp_path):
    ranged = _csv(
        write_report(conn, fx.PROFILE, tmp_path / "r.csv", since=date(2026, 11, 12), until=date(2026, 11, 13))
    )
    assert len(ranged) == sum(fx.bridge_reps(k) + 8 + fx.slr_right_reps(k) + 5 for k in (7, 8))
    one = _csv(write_report(conn, fx.PROFILE, tmp_path / "s.csv", session_id=PAIN_SESSION_ID))
    assert len(one) == PAIN_SESSION_REPS
    assert {r["session_id"] for r in one} == {str(PAIN_SESSION_ID)}


def test_json_round_trips_the_history(conn, tmp_path):
    data = json.loads(write_report(conn, fx.PROFILE, tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["schema"] == 1
    assert data["profile"] == {"id": fx.PROFILE, "name": "Alex <physio test> & co"}
    assert data["total_reps"] == TOTAL_REPS
    assert data["days_trained"] == [d.isoformat() for d in fx.TRAINED_DAYS]
    sessions = [s for s in data["sessions"] if s["sets"]]
    assert [(s["pain_before"], s["pain_after"]) for s in sessions] == [
        (fx.pain_before(k), fx.pain_after(k)) for k in range(10)
    ]
    assert sessions[fx.PAIN_SESSION]["sharp_pain"] == ["squat"]
    reps = [r for s in data["sessions"] for st in s["sets"] for r in st["reps"]]
    assert len(reps) == TOTAL_REPS
    first = next(d for d in data["daily"] if d["day"] == "2026-11-02" and d["exercise"] == "glute_bridge")
    assert first["reps"] == 6 and first["faults"] == 2 and first["fault_rate"] == pytest.approx(1 / 3)
    assert data["asymmetry"][0]["reps_left"] == 80 and data["asymmetry"][0]["reps_right"] == 70
    spans = data["sessions"][0]["sets"][0]["status"]
    assert spans == [{"code": "out_of_frame", "start_s": 2.0, "end_s": 3.5}]


# ----------------------------------------------------------------------------- empty and wrong


@pytest.mark.parametrize("suffix", [".html", ".pdf", ".csv", ".json"])
def test_empty_history_says_so(tmp_path, suffix):
    c = sqlite3.connect(":memory:")
    fx.create_schema(c)
    out = write_report(c, 1, tmp_path / f"empty{suffix}")
    if suffix == ".html":
        assert "No exercise sessions are recorded" in " ".join(_parse_html(out).text)
    elif suffix == ".pdf":
        pages, text = _pdf_text(out)
        assert pages == 1 and "No exercise sessions are recorded" in text
    elif suffix == ".csv":
        assert _csv(out) == []
    else:
        data = json.loads(out.read_text())
        assert data["sessions"] == [] and data["daily"] == [] and data["total_reps"] == 0


def test_report_errors(conn, tmp_path):
    with pytest.raises(ReportError, match="unknown report type"):
        write_report(conn, fx.PROFILE, tmp_path / "r.docx")
    with pytest.raises(ReportError, match="no session"):
        write_report(conn, fx.PROFILE, tmp_path / "r.json", session_id=12)  # Sam's session, not Alex's
    with pytest.raises(ReportError, match="after the end date"):
        write_report(conn, fx.PROFILE, tmp_path / "r.json", since=date(2026, 11, 9), until=date(2026, 11, 2))


# ----------------------------------------------------------------------------- CLI


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["report", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_writes_a_report(db, tmp_path, capsys):
    out = tmp_path / "cli.csv"
    code, stdout, err = _run(capsys, "--out", str(out), "--data-dir", str(db.parent), "--from", "2026-11-14")
    assert code == 0, err
    assert str(out) in stdout
    assert len(_csv(out)) == fx.bridge_reps(9) + 8 + 8 + 5


def test_cli_session_report_uses_the_sessions_profile(db, tmp_path, capsys):
    out = tmp_path / "sam.json"
    code, _, err = _run(capsys, "--out", str(out), "--data-dir", str(db.parent), "--session", "12")
    assert code == 0, err
    data = json.loads(out.read_text())
    assert data["profile"]["name"] == "Sam" and data["total_reps"] == 3


def test_cli_reads_the_data_dir_from_the_environment(db, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(db.parent))
    out = tmp_path / "env.json"
    code, _, err = _run(capsys, "--out", str(out))
    assert code == 0, err
    assert json.loads(out.read_text())["total_reps"] == TOTAL_REPS


@pytest.mark.parametrize(
    "args, message",
    [
        (["--from", "2026-02-30"], "--from '2026-02-30' is not a date"),
        (["--to", "yesterday"], "--to 'yesterday' is not a date"),
        (["--from", "2026-11-10", "--to", "2026-11-01"], "after the end date"),
        (["--session", "999"], "no session 999"),
        (["--session", "two"], "--session must be a session number"),
    ],
)
def test_cli_bad_arguments(db, tmp_path, capsys, args, message):
    code, _, err = _run(capsys, "--out", str(tmp_path / "r.html"), "--data-dir", str(db.parent), *args)
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "r.html").exists()


def test_cli_missing_database_and_unknown_suffix(db, tmp_path, capsys):
    code, _, err = _run(capsys, "--out", str(tmp_path / "r.html"), "--data-dir", str(tmp_path / "nowhere"))
    assert code == 2 and "no history at" in err and err.count("\n") == 1
    code, _, err = _run(capsys, "--out", str(tmp_path / "r.txt"), "--data-dir", str(db.parent))
    assert code == 2 and "unknown report type '.txt'" in err


def test_cli_rejects_a_file_that_is_not_a_history(tmp_path, capsys):
    (tmp_path / "history.sqlite3").write_bytes(b"this is not a database at all" * 100)
    code, _, err = _run(capsys, "--out", str(tmp_path / "r.json"), "--data-dir", str(tmp_path))
    assert code == 2 and "HipCoach history" in err and err.count("\n") == 1


def test_cli_reads_an_older_schema_without_changing_it(tmp_path, capsys):
    path = tmp_path / "history.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(MIGRATIONS[0])
    old.execute("PRAGMA user_version = 1")
    old.execute("INSERT INTO profiles (id, name, created_at) VALUES (1, 'Old', '2025-01-01T09:00:00+00:00')")
    old.execute("INSERT INTO sessions (id, profile_id, started_at) VALUES (1, 1, '2025-01-02T09:00:00+00:00')")
    old.execute(
        "INSERT INTO sets (id, session_id, exercise, started_at) "
        "VALUES (1, 1, 'bridge_march', '2025-01-02T09:01:00+00:00')"
    )
    for idx, side in enumerate(("left", "right", "left"), start=1):
        old.execute(
            "INSERT INTO reps (set_id, idx, side, start_s, end_s, peak_angle_deg, faults, recorded_at) "
            "VALUES (1, ?, ?, ?, ?, 12.0, ?, '2025-01-02T09:01:30+00:00')",
            (idx, side, idx * 3.0, idx * 3.0 + 2.0, '["hips_drop"]' if idx == 2 else "[]"),
        )
    old.commit()
    old.close()
    out = tmp_path / "old.json"
    code, _, err = _run(capsys, "--out", str(out), "--data-dir", str(tmp_path))
    assert code == 0, err
    data = json.loads(out.read_text())
    assert data["total_reps"] == 3
    assert data["asymmetry"][0]["reps_left"] == 2 and data["asymmetry"][0]["reps_right"] == 1
    (set_,) = data["sessions"][0]["sets"]
    assert set_["faults"] == [{"code": "hips_drop", "rep": 2, "t_s": 8.0, "cue": ""}]  # v2 moved it to a row
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == 1  # the file itself was not migrated
    check.close()


def test_an_exercise_without_angles_still_reports(tmp_path):
    # the guided glute squeeze records no peak angle (a squeeze is invisible): NULL peaks
    c = sqlite3.connect(":memory:")
    fx.create_schema(c)
    c.execute("INSERT INTO profiles (id, name, created_at) VALUES (1, 'Kim', '2026-11-01T08:00:00+01:00')")
    c.execute("INSERT INTO sessions (id, profile_id, started_at) VALUES (1, 1, '2026-11-02T08:00:00+01:00')")
    c.execute(
        "INSERT INTO sets (id, session_id, exercise, started_at) "
        "VALUES (1, 1, 'glute_squeeze', '2026-11-02T08:01:00+01:00')"
    )
    for idx in (1, 2, 3):
        c.execute(
            "INSERT INTO reps (set_id, idx, start_s, end_s, hold_s, recorded_at) "
            "VALUES (1, ?, ?, ?, 5.0, '2026-11-02T08:01:30+01:00')",
            (idx, 8.0 * idx, 8.0 * idx + 5),
        )
    page = _parse_html(write_report(c, 1, tmp_path / "k.html", per_rep=True))
    text = " ".join(page.text)
    # the range-of-motion chart has no value: one line instead of an empty frame (calendar + reps + faults)
    assert "Glute squeeze: range of motion, rep by rep: nothing recorded yet." in text
    assert page.tags.count("svg") == 1 and "no values recorded" not in text
    assert page.rep_rows == 3
    _, pdf_text = _pdf_text(write_report(c, 1, tmp_path / "k.pdf"))
    assert "Glute squeeze" in pdf_text
    data = json.loads(write_report(c, 1, tmp_path / "k.json").read_text())
    assert data["daily"][0]["peak_deg_mean"] is None and data["daily"][0]["hold_s_mean"] == 5.0


def test_cli_reads_a_live_store_history(tmp_path, capsys):
    # written through the real store (WAL) and read by the CLI while the app still has it open
    from app.coach.store import HistoryStore
    from exercises.events import RepRecord

    store = HistoryStore.open(tmp_path / "history.sqlite3")
    try:
        profile = store.ensure_profile("Me")
        session = store.start_session(profile)
        store.add_pain(session, "before", 3)
        set_id = store.start_set(session, "hip_abduction", 10)
        for i, side in enumerate(("left", "right", "left", "right", "left"), start=1):
            store.add_rep(
                set_id, RepRecord(i, side, 2.0 * i, 2.0 * i + 1.5, 30.0 + i, None, ["too_fast"] if i == 5 else [])
            )
        out = tmp_path / "live.json"
        code, _, err = _run(capsys, "--out", str(out), "--data-dir", str(tmp_path))
        assert code == 0, err
    finally:
        store.close()
    data = json.loads(out.read_text())
    (day,) = data["daily"]
    assert (day["exercise"], day["reps"], day["reps_left"], day["reps_right"], day["faults"]) == (
        "hip_abduction",
        5,
        3,
        2,
        1,
    )
    assert day["peak_deg_left_mean"] == pytest.approx((31 + 33 + 35) / 3)
    assert data["sessions"][0]["pain_before"] == 3 and data["sessions"][0]["pain_after"] is None


# ----------------------------------------------------------------------------- summary first, every rep last


def _pdf_pages(path: Path) -> list[str]:
    """The text of each page: fpdf2 writes one deflated content stream per page, in page order."""
    raw = path.read_bytes()
    return [zlib.decompress(s).decode("latin-1") for s in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", raw, re.S)]


def _summary_cells(raw_html: str) -> list[list[str]]:
    summary = raw_html[raw_html.index('<section id="summary">') : raw_html.index("</section>")]
    table = summary[summary.index("<tbody>") : summary.index("</tbody>")]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", table)]


def test_html_leads_with_the_summary_and_leaves_out_every_rep(conn, tmp_path):
    raw = write_report(conn, fx.PROFILE, tmp_path / "r.html").read_text(encoding="utf-8")
    page = _parse_html(tmp_path / "r.html")
    assert page.rep_rows == 0 and "Every rep" not in raw and "--per-rep" in raw
    order = [raw.index(f"<h2>{name}</h2>") for name in ("Summary", "Details", "Sessions")]
    assert order == sorted(order)
    # by hand: bridge 6,6,6,7(+4),7,7,8,8,8,9 = 76 reps; holds 11 x 3.0 + 65 x 5.0 = 358 s -> 4.7 s;
    # best 160 + 9; faults 11 hold_short + 6 hips_low = 17 (22 %). Leg raises: 80 left, 70 right;
    # holds (400 + 3 x 24 + 2 x 30 + 5 x 40) / 150 = 4.88; best 14 + 4.5 = 18.5; faults 10 + 18 = 28 (19 %).
    # Squats 5 x 9 + 2 = 47, deepest 110 - 18, faults 10 shallow (21 %).
    assert _summary_cells(raw) == [
        ["Glute bridge", "10", "11", "76", "–", "–", "4.7 s", "169.0°", "17 (22 %)"],
        ["Straight leg raise", "10", "10", "150", "80", "70", "4.9 s", "18.5°", "28 (19 %)"],
        ["Squat", "10", "10", "47", "–", "–", "–", "92.0°", "10 (21 %)"],
    ]
    text = " ".join(page.text)
    for words in (
        "Pain before exercise went from 5 to 1 (0-10) over 10 sessions.",
        "lower in 9, the same in 0 and higher in 1 of 10; mean change -0.7",
        "Hold too short (Straight leg raise): 18 reps of 273",
        "Hold too short (Glute bridge): 11 reps of 273",
        "Warning-sign screening: none answered in this range.",
        "Sharp pain stopped exercise in 1 session: 10 Nov (Squat).",
        "Pain rose by 2 or more during 1 session: 10 Nov (2 to 4).",
    ):
        assert words in text, words


def test_html_every_rep_comes_last_when_asked(conn, tmp_path):
    raw = write_report(conn, fx.PROFILE, tmp_path / "r.html", per_rep=True).read_text(encoding="utf-8")
    assert raw.index("<h2>Sessions</h2>") < raw.index('<section id="every-rep"><h2>Every rep</h2>')
    assert raw.index("Every rep</h2>") < raw.index('<table class="reps">')


def test_pdf_summary_is_one_page_and_every_rep_is_optional(conn, tmp_path):
    short = write_report(conn, fx.PROFILE, tmp_path / "short.pdf")
    long_ = write_report(conn, fx.PROFILE, tmp_path / "long.pdf", per_rep=True)
    pages = _pdf_pages(short)
    assert len(pages) <= 5 < len(_pdf_pages(long_))
    first = pages[0]
    for words in (
        "Summary",
        "Reps per exercise and side",
        "Pain before and after each session",
        "Faults most seen",
        "Safety",
        "Sharp pain stopped exercise in 1 session",
    ):
        assert words in first, words
    assert "Details" not in first and "Details" in pages[1]
    assert "Every rep" not in "".join(pages) and "Every rep" in "".join(_pdf_pages(long_))


def test_safety_answers_are_in_the_summary(tmp_path):
    c = sqlite3.connect(":memory:")
    fx.write_history(c)
    c.execute(
        "INSERT INTO screenings (profile_id, answered_at, answers, any_yes) VALUES (1, ?, ?, 1)",
        ("2026-11-03T07:00:00+01:00", '{"fever": true, "weight_loss": true, "severe_pain": false}'),
    )
    c.execute(
        "INSERT INTO screenings (profile_id, answered_at, answers, any_yes) VALUES (1, ?, ?, 0)",
        ("2026-11-10T07:00:00+01:00", '{"fever": false, "weight_loss": false, "severe_pain": false}'),
    )
    text = " ".join(_parse_html(write_report(c, fx.PROFILE, tmp_path / "s.html")).text)
    assert "answered 2 times; the last, on 10 Nov, no to all 3 warning signs." in text
    assert "Earlier, on 3 Nov: yes to fever and weight loss." in text


def test_sessions_that_failed_to_start_are_left_out(conn, tmp_path):
    data = json.loads(write_report(conn, fx.PROFILE, tmp_path / "r.json").read_text())
    assert [s["day"] for s in data["sessions"]] == [d.isoformat() for d in fx.TRAINED_DAYS]  # not 5 Nov's
    raw = write_report(conn, fx.PROFILE, tmp_path / "r.html").read_text(encoding="utf-8")
    sessions = raw.split("<h2>Sessions</h2>")[1]
    assert "<td>5 Nov</td>" not in sessions and "<td>4 Nov</td>" in sessions


def test_cli_per_rep_flag(db, tmp_path, capsys):
    plain, full = tmp_path / "plain.html", tmp_path / "full.html"
    assert _run(capsys, "--out", str(plain), "--data-dir", str(db.parent))[0] == 0
    assert _run(capsys, "--out", str(full), "--data-dir", str(db.parent), "--per-rep")[0] == 0
    assert _parse_html(plain).rep_rows == 0 and _parse_html(full).rep_rows == TOTAL_REPS


def test_chart_legend_stays_off_the_plot():
    series = [
        charts.Series(name, colour, ((0, 1.0), (1, 2.0)))
        for name, colour in (
            ("Glute bridge", "#000000"),
            ("Straight leg raise", "#111111"),
            ("Prone hip extension", "#222222"),
        )
    ]
    drawing = charts.line_chart(
        "A long title for a chart with many series",
        ["a", "b"],
        series,
        "reps",
        "A note about the chart that is rather long as well, running across the width.",
    )
    top = 56.0  # the plot area's top (charts._TOP)
    legend = [
        t
        for t in drawing.items
        if isinstance(t, charts.Text) and t.text in {"Glute bridge", "Straight leg raise", "Prone hip extension"}
    ]
    assert len(legend) == 3 and all(t.y < top for t in legend)
    title_end = 4 + len(drawing.title) * 13 * 0.6
    assert all(t.y > 16 or t.x > title_end for t in legend)  # not over the title either


# ----------------------------------------------------------------------------- dates and times


def test_stored_timestamps_are_read_as_written():
    offset = timezone(timedelta(hours=1))
    assert stamp("2026-11-02T08:01:30+01:00") == datetime(2026, 11, 2, 8, 1, 30, tzinfo=offset)
    assert stamp("2026-11-02T08:01:30") == datetime(2026, 11, 2, 8, 1, 30)  # older rows: no offset
    assert stamp("2026-11-02 08:01:30.250000") == datetime(2026, 11, 2, 8, 1, 30, 250000)
    assert stamp(None) is None and stamp("") is None and stamp("yesterday") is None
    # the local time it was written in, never converted to this machine's zone
    assert clock(stamp("2026-11-02T23:50:00-05:00")) == "23:50"
    assert clock(stamp("2026-11-02T08:01:30.9+01:00"), seconds=True) == "08:01:30"
    assert clock(None) == "–"


def test_times_in_the_report_come_from_the_timestamps(conn, tmp_path):
    text = " ".join(_parse_html(write_report(conn, fx.PROFILE, tmp_path / "r.html", per_rep=True)).text)
    last = fx.TRAINED_DAYS[9]
    # session 9 starts at 23:50 and ends after midnight: the clock times as recorded, the day it started
    assert f"{last.day} November {last.year}, 23:50-00:20" in text
    assert "Set 1: Glute bridge, started 23:51" in text
    made = re.search(r"Made (\d{4}-\d\d-\d\d \d\d:\d\d) by HipCoach", text)
    assert made is not None
    assert abs(datetime.strptime(made.group(1), "%Y-%m-%d %H:%M") - datetime.now()) < timedelta(minutes=2)
    data = json.loads(write_report(conn, fx.PROFILE, tmp_path / "r.json").read_text())
    generated = datetime.fromisoformat(data["generated_at"])
    assert generated.utcoffset() is not None and generated.microsecond == 0
    assert data["sessions"][-1]["started_at"] == fx.session_start(9).isoformat()  # stored text, unchanged


def test_an_unreadable_time_shows_a_dash(tmp_path):
    c = sqlite3.connect(":memory:")
    fx.create_schema(c)
    c.execute("INSERT INTO profiles (id, name, created_at) VALUES (1, 'Kim', '2026-11-01T08:00:00+01:00')")
    c.execute("INSERT INTO sessions (id, profile_id, started_at) VALUES (1, 1, '2026-11-02T08:00:00+01:00')")
    c.execute("INSERT INTO sets (id, session_id, exercise, started_at) VALUES (1, 1, 'glute_bridge', 'soon')")
    c.execute(
        "INSERT INTO reps (set_id, idx, start_s, end_s, peak_angle_deg, recorded_at) VALUES (1, 1, 1.0, 3.0, 150, '')"
    )
    page = _parse_html(write_report(c, 1, tmp_path / "k.html", per_rep=True))
    text = " ".join(page.text)
    assert "Set 1: Glute bridge, started –" in text and page.rep_rows == 1


def test_a_new_section_is_one_edit(conn, tmp_path, monkeypatch):
    # a section written once shows in both the HTML page and the PDF, after the others
    from app.coach.report import sections
    from app.coach.report.blocks import Heading, Paragraph, Section, Table

    def goals(data):
        return Section(
            "Goals", (Heading("This month", 3), Paragraph("Walk 20 minutes."), Table(("Goal",), (("stairs",),)))
        )

    monkeypatch.setattr(sections, "SECTIONS", (*sections.SECTIONS, goals))
    raw = write_report(conn, fx.PROFILE, tmp_path / "r.html").read_text(encoding="utf-8")
    assert raw.index("<h2>Sessions</h2>") < raw.index("<section><h2>Goals</h2>")
    assert "Walk 20 minutes." in raw and "<td>stairs</td>" in raw
    _, text = _pdf_text(write_report(conn, fx.PROFILE, tmp_path / "r.pdf"))
    assert "Goals" in text and "Walk 20 minutes." in text and "stairs" in text
