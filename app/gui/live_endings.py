"""How a live set ends on screen: the summary (pain first), rest after a pain rise, and the page for
a camera or video that gives no picture, with the check for one before a start.

:class:`LiveEndings` is mixed into :class:`app.gui.live.LivePage`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from PyQt6.QtGui import QColor

from app.gui.style import BAD, GOOD, WARN
from app.gui.worker import GeneratorWorker
from app.guidance import demo_clip
from app.live.pipeline import LiveSource
from app.live.session import Ending, SessionLog, ending

LEAD_COLOURS = {"good": GOOD, "neutral": QColor(230, 230, 230), "warn": WARN, "stop": BAD}


class LiveEndings:
    """The end of a set and the source problems, as pages (mixed into LivePage)."""

    def _end_reason(self) -> str:
        frames = self.session.frames if self.session else 0
        camera = self.source is not None and self.source.is_camera
        if self._error:
            if frames == 0:
                return self._error
            return f"Stopped early: {self._error}. Your session so far is kept."
        if camera:
            return "The camera stopped sending pictures (unplugged?). Your session so far is kept."
        return "The video ended."

    # ------------------------------------------------------------------ pages
    def _show_summary(self, session: SessionLog) -> None:
        pending = bool(getattr(self.hooks, "asks_pain_after", False))
        self.show_ending(session, getattr(self.hooks, "pain_before", None), None, pain_pending=pending)

    def show_ending(
        self, session: SessionLog, pain_before: int | None, pain_after: int | None, pain_pending: bool = False
    ) -> Ending:
        """The summary page: pain before/after and what it means first, then what was counted.

        After a pain rise the page offers rest, not another go.
        """
        self.cue_banner.show_message("")
        self._cue_until = 0.0
        result = self.ending = ending(session, pain_before, pain_after, pain_pending)
        if result.rest:
            actions = [("Rest now", self.show_rest)]
        else:
            actions = [("Start again", self._restart)]
        self.message.show_message(result.title, result.lines, actions, result.lead, LEAD_COLOURS[result.tone])
        self.stack.setCurrentWidget(self.message)
        return result

    def show_rest(self) -> None:
        """After a pain rise: rest, and when to see a doctor; no way to start again from here."""
        self.message.show_message(
            "Rest now",
            [
                "Lie or sit comfortably and let your hip settle.",
                "Do not exercise through pain. Next time the targets will be easier.",
                "See a doctor if the pain is very severe, gets worse day by day, or does not settle with rest.",
            ],
            [],
        )
        self.stack.setCurrentWidget(self.message)

    def show_source_problem(
        self, source: LiveSource | None, error: str, retry: Callable[[], None] | None = None
    ) -> None:
        """One page for a camera (or video) that gives no picture: what went wrong and what to do.

        ``retry`` is "Try again" (default: the same start again); nothing was recorded.
        """
        camera = source is None or source.is_camera
        lines = [f"No picture came: {error}" + ("" if error.endswith(".") else "."), ""]
        actions: list[tuple[str, object]] = [("Try again", retry or self._restart)]
        if camera:
            lines.append("•  Plug the camera in, close any program using it (a video call), then press Try again.")
        else:
            lines.append("•  Check the file: it may be damaged, or not a video HipCoach can read.")
        if self.pick_camera is not None:
            lines.append("•  Or pick another camera (File ▸ Use camera…).")
            actions.append(("Pick another camera…", self.pick_camera))
        if self.open_recording is not None:
            lines.append("•  Or use a recording: Ctrl+O reviews a video of your exercise.")
            actions.append(("Use a recording…  (Ctrl+O)", self.open_recording))
        clip = demo_clip(self.exercise_id)
        if clip is not None and camera:
            actions.append(("Play the demo clip", lambda: self.request_start(LiveSource(path=clip), self.exercise_id)))
        lines.append("Nothing was saved (no pictures, no session).")
        self.message.show_message("No camera found" if camera else "Cannot play this video", lines, actions)
        self.stack.setCurrentWidget(self.message)

    @property
    def error(self) -> str | None:
        """Why the last set's source failed (None when it did not)."""
        return self._error

    def check_source(self, source: LiveSource, done: Callable[[str | None], None]) -> None:
        """Open ``source`` and wait for one picture on a worker thread, then ``done(None)``, or
        ``done(message)`` when it cannot be opened or gives none. A second check while one runs is
        ignored (a double press of Start)."""
        if self._checking is not None:
            return
        self.stack.setCurrentWidget(self.video)
        self.video.clear(f"Looking for {source.describe()} …")
        self._check_error, self._check_done = None, done
        worker = GeneratorWorker(lambda: _first_picture(source))
        worker.errored.connect(self._source_check_error)
        worker.finished.connect(self._source_checked)
        self._checking = worker
        worker.start()

    def _source_check_error(self, message: str) -> None:
        self._check_error = message

    def _source_checked(self) -> None:
        worker, self._checking = self._checking, None
        if worker is None:
            return
        self._retired = [w for w in self._retired if not (w.thread and w.thread.isFinished())] + [worker]
        done, self._check_done = self._check_done, None
        if done is not None:
            done(self._check_error)

    def _restart(self) -> None:
        if self.source is None:
            return
        again = getattr(self.hooks, "start_again", None)
        if again is not None:
            again(self.source, self.start_choice)  # the pain answered a moment ago is not asked again
        else:
            self.request_start(self.source, self.start_choice)

    def request_start(self, source: LiveSource, exercise_id: str) -> None:
        """A start the person asked for: through the coaching layer's check-ins when there is one."""
        if self.hooks is not None:
            self.hooks.request_start(source, exercise_id)
        else:
            self.start(source, exercise_id)


def _first_picture(source: LiveSource) -> Iterator[bool]:
    """Open the source and read one picture (then close it); raises what the source raises."""
    frames = source.frames()
    try:
        next(frames)
    except StopIteration:
        raise RuntimeError(f"{source.describe()} gives no pictures") from None
    finally:
        frames.close()
    yield True
