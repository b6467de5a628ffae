"""The review's summary: the count, then why anything else did not count, in plain words (Qt-free).

With Auto the count is said per segment ("Squat 0:00–0:21: 4 reps. Glute bridge 0:24–0:50: 3 reps."),
and a recognition in doubt says so.
"""

from __future__ import annotations

from app.clip_report import ClipReport
from app.review_data import note_words
from app.review_segments import recognition_doubt, review_segments
from exercises.vocabulary import partial_reason
from exercises.vocabulary import status_message as status_words


def _count_sentences(report: ClipReport) -> list[str]:
    """What was counted: one sentence, or with Auto one per segment (and the total for several)."""
    reps = report.reps
    counted = f"{reps} repetition{'s' if reps != 1 else ''}"
    if report.segments is None:  # the exercise was chosen by hand
        return [f"{counted} counted."]
    segments = review_segments(report)
    text = [f"{segment.heading}." for segment in segments]
    doubt = recognition_doubt(report)
    if doubt:
        text.append(doubt)
    if len(segments) > 1:
        text.append(f"{counted} in all.")
    elif not segments:
        text.append(f"{counted} counted.")
    return text


def summary_text(report: ClipReport) -> str:
    """The count, then why anything else did not count, in plain words."""
    reps = report.reps
    text = _count_sentences(report)
    partials = report.partial_reps
    if partials:
        reasons = dict.fromkeys(partial_reason(p.reason) for p in partials)
        n = len(partials)
        text.append(f"{n} movement{'s' if n != 1 else ''} did not count: {'; '.join(reasons)}.")
    seconds: dict[str, float] = {}
    for span in report.status:
        seconds[span.code] = seconds.get(span.code, 0.0) + span.end_s - span.start_s
    for code, secs in sorted(seconds.items(), key=lambda kv: -kv[1]):
        text.append(f"Not counting for {secs:.1f} s: {status_words(code)}.")
    for note in dict.fromkeys(note_words(n.code, n.detail) for n in report.notes):
        text.append(f"Note: {note}.")
    if reps == 0 and not partials and not report.status:
        text.append("No movement that looked like a repetition was seen.")
    return " ".join(text)
