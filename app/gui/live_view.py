"""What the live page shows while a set runs: counts, checklist, banners, the large-type board and
the cue of the moment, in the large-type or the detailed view (D switches).

:class:`LiveView` is mixed into :class:`app.gui.live.LivePage`; it reads the page's state and
widgets and never changes the set itself.
"""

from __future__ import annotations

import time

from PyQt6.QtGui import QColor

from app.gui.live_layout import SIDE_WIDTH_PX
from app.gui.style import ACCENT, BAD, GOOD, MUTED, WARN
from app.gui.voice import PLAIN_NO_VOICE, Voice
from app.live.cues import CueKind
from exercises.texts import camera_placement, signal_caption
from exercises.vocabulary import AUTO_TITLE, recognising_words, setup_checks, status_advice, unsure_words


def voice_words(voice: Voice) -> str:
    """What the voice does, in plain words for the screen ('' when it speaks)."""
    if not voice.can_speak:
        return voice.note or PLAIN_NO_VOICE  # the voice's own reason (no speech engine, no sound output)
    if voice.muted:
        return "Voice is muted: press M to hear the cues."
    return ""


class LiveView:
    """The live page's display (mixed into LivePage)."""

    def _show_exercise(self) -> None:
        if self.definition.id != self.exercise_id and not self.recognising:
            self.definition = self._definition()
        ex = self.definition
        if self.recognising:  # Auto: the count shows, the rest waits for the exercise's name
            self.title.setText(AUTO_TITLE)
            for widget in (self.left_count, self.right_count, self.ring, self.angle):
                widget.setVisible(False)
            self.counter_caption.setText("reps")
            self.elapsed.setText("")
            self._render_counts(0, None)
            self._render_checks(None, started=False)
            return
        self.title.setText(ex.title)
        unilateral = ex.unilateral
        self.left_count.setVisible(unilateral)
        self.right_count.setVisible(unilateral)
        self.counter_caption.setText("reps, both sides" if unilateral else "reps")
        self.ring.set_hold(0.0, ex.hold_target_s, False)
        self.ring.setVisible(ex.hold_target_s is not None)
        self.angle.reset_scale()
        self.angle.set_values(None, None, None, ex.direction)
        self.elapsed.setText("")
        # A guided squeeze has no movement target: the ring is the whole story.
        self.angle.setVisible(ex.mode == "reps")
        self.angle.set_caption(signal_caption(ex.signal) + ": reach the green band")
        self._render_counts(0, {"left": 0, "right": 0} if unilateral else None)
        self._render_checks(None, started=False)

    # ------------------------------------------------------------------ rendering
    def _render_counts(self, reps: int, by_side: dict | None) -> None:
        ex = self.definition
        target = ex.target_reps
        if self.recognising:
            self.counter.setText(str(reps))
        elif ex.unilateral and by_side is not None:
            per = f" / {target}" if target else ""
            self.left_count.setText(f"L {by_side.get('left', 0)}{per}")
            self.right_count.setText(f"R {by_side.get('right', 0)}{per}")
            self.counter.setText(str(reps))
        else:
            self.counter.setText(f"{reps} / {target}" if target else str(reps))

    def _render_checks(self, status: str | None, started: bool) -> None:
        rows = []
        if started and status is None:
            # During a set one line says it all; the full list is for setting up (and fits a laptop screen).
            self.checks.setText(f"<span style='color:{GOOD.name()}'>✓</span> All set-up checks pass")
            return
        for code, label in setup_checks():
            if started and status != code:
                continue  # only what is wrong now (the banner says what to do)
            if not started or (status == "no_person" and code != "no_person"):
                mark, colour = "•", MUTED
            elif status == code:
                mark, colour = "✗", BAD
            else:
                mark, colour = "✓", GOOD
            rows.append(f"<span style='color:{colour.name()}'>{mark}</span> {label}")
        self.checks.setText("<br>".join(rows))

    def _render_state(self, state) -> None:
        if state is None:
            return
        ex = self.definition
        self._render_counts(state.reps, state.reps_by_side)
        if not self.recognising:
            ok = state.status is None and not state.faults and state.phase == "active"
            self.ring.set_hold(state.hold_s, state.hold_target_s, ok)
            self.angle.set_values(state.angle_deg, state.target_deg, state.rest_deg, ex.direction)
        self._render_checks(state.status, started=True)
        if self.paused:
            return
        if self.recognising and not state.status:
            # Auto deciding: what it thinks so far, or that it is not sure and N chooses.
            if self.unsure is not None:
                self.status_banner.show_message(unsure_words(self.unsure), WARN)
            else:
                self.status_banner.show_message(recognising_words(self.leader), ACCENT, QColor(255, 255, 255))
        elif state.status:
            advice = status_advice(state.status, ex.id)
            self.status_banner.show_message(
                f"Not counting: {state.status_message}. {advice}", BAD, QColor(255, 255, 255)
            )
        elif state.phase == "setup":
            self.status_banner.show_message(f"Get ready: {ex.cues.setup or camera_placement(ex.id)}", WARN)
        else:
            self.status_banner.show_message("")
        self._update_board()

    # ------------------------------------------------------------------ the two views
    def toggle_large_type(self) -> None:
        """D: the large-type view and the detailed view, while a set runs."""
        self.large_type = not self.large_type
        self._apply_view()

    @property
    def showing_large_type(self) -> bool:
        return self.large_type and self.running

    def _apply_view(self) -> None:
        large = self.showing_large_type
        self.side.setVisible(not large)
        self.board.setVisible(large)
        for banner in (self.status_banner, self.cue_banner):
            banner.set_suppressed(large)  # the board shows the one current cue
        if large:
            self.right.setMinimumWidth(0)
            self.right.setMaximumWidth(16777215)
            self.grid.setColumnStretch(0, 2)  # the video smaller, the big numbers larger
            self.grid.setColumnStretch(1, 3)
        else:
            self.right.setFixedWidth(SIDE_WIDTH_PX)
            self.grid.setColumnStretch(0, 1)
            self.grid.setColumnStretch(1, 0)
        self.view_button.setText("Detailed view  (D)" if large else "Large type  (D)")
        self.view_button.setVisible(self.running)
        # Summary and other messages use the whole width; the side panel is for the camera page.
        self.right.setVisible(self.stack.currentWidget() is self.video)
        self._update_board()

    def _update_board(self) -> None:
        """Give the board the count, the sides, the hold and the one cue that matters now."""
        ex = self.definition
        state = self.state
        reps = state.reps if state is not None else 0
        by_side = state.reps_by_side if state is not None else None
        target = ex.target_reps
        sides = None
        if self.recognising:
            count, caption = str(reps), "reps"
        elif ex.unilateral:
            by_side = by_side or {"left": 0, "right": 0}
            per = f" / {target}" if target else ""
            sides = (f"L {by_side.get('left', 0)}{per}", f"R {by_side.get('right', 0)}{per}")
            count, caption = str(reps), "reps, both sides"
        else:
            count = f"{reps} / {target}" if target else str(reps)
            caption = "reps"
        hold = None
        if ex.hold_target_s and not self.recognising:
            hold = (self.ring.hold_s, self.ring.target_s or ex.hold_target_s, self.ring.ok)
        self.board.set_values(count, caption, sides, hold)
        for banner in (self.status_banner, self.cue_banner):  # "not counting" first, then the cue
            if banner.message:
                self.board.set_cue(banner.message, banner.background, banner.foreground)
                break
        else:
            self.board.set_cue(AUTO_TITLE if self.recognising else ex.title, QColor(44, 47, 54), QColor(220, 220, 220))
        words = voice_words(self.voice)
        self.board.set_voice_note(words)
        self.voice_label.setText(words)
        self.voice_label.setVisible(bool(words))

    def _clear_live_values(self) -> None:
        """After a set: no angle, ring, checklist or time left over from it (the count stays: it is the result)."""
        ex = self.definition
        self.ring.set_hold(0.0, ex.hold_target_s, False)
        self.angle.reset_scale()
        self.angle.set_values(None, None, None, ex.direction)
        self._render_checks(None, started=False)
        self.elapsed.setText("")
        self.cue_banner.show_message("")
        self._cue_until = 0.0

    def _page_changed(self, _index: int) -> None:
        self.right.setVisible(self.stack.currentWidget() is self.video)
        if self.stack.currentWidget() is not self.video:
            # The other pages (summary, rest, messages) say it in their own words.
            self.cue_banner.show_message("")
            self.status_banner.show_message("")
            self._cue_until = 0.0

    def _show_cue(self, text: str, kind: CueKind = "cue", background: QColor | None = None) -> None:
        """A cue the voice delivered (or a hint the page shows), on the cue banner by its kind."""
        if self.stack.currentWidget() is not self.video:
            return
        if kind == "status":
            return  # already on the "not counting" banner, with what to do about it
        colour = background or (BAD if kind == "fault" else ACCENT)
        self.cue_banner.show_message(text, colour, QColor(255, 255, 255) if colour != WARN else QColor(20, 20, 20))
        self._cue_until = time.monotonic() + 4.0
        self._update_board()

    def _tick(self) -> None:
        if self._cue_until and time.monotonic() > self._cue_until:
            self.cue_banner.show_message("")
            self._cue_until = 0.0
        self._update_board()
        if self.session is not None and self.running:
            m, s = divmod(int(self.session.duration_s), 60)
            self.elapsed.setText(f"Time {m}:{s:02d}" + ("   (paused)" if self.paused else ""))
