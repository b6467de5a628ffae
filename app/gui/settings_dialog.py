"""Tools ▸ Settings: the routine, strictness and a physiotherapist's per-exercise overrides, your data.

Everything is stored in the profile's settings (``HistoryStore.save_profile_settings``). Keys this
dialog owns: ``strictness`` (one of ``exercises.personalise.STRICTNESS``) and ``overrides``
(``{exercise_id: {"target_reps": int, "hold_target_s": float, "limits": {fault_code: float}}}``, as
``personalise`` takes them; parsed by ``app.coach.override_text``). The routine is written by
``app.coach.routine.routine_to_settings``; the recording keys (``record_video`` and how long
recordings are kept) by ``app.coach.recordings.settings_into``. Other keys are kept as they were.
"Delete my data" removes the recordings with the history.
"""

from __future__ import annotations

import copy
import logging
from pathlib import Path

from PyQt6.QtCore import QUrl, pyqtSignal
from PyQt6.QtGui import QDesktopServices
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.coach import recordings
from app.coach.override_text import OverrideError, parse_overrides
from app.coach.routine import DEFAULT_ROUTINE, RoutineItem, routine_from_settings, routine_to_settings
from app.gui.style import big_font
from exercises.personalise import STRICTNESS
from exercises.registry import EXERCISE_IDS, get_exercise

log = logging.getLogger(__name__)

STRICTNESS_HELP = {
    "gentle": "Gentle: form faults only when clearly off (good for the first weeks or a painful day).",
    "standard": "Standard: the form rules as written.",
    "strict": "Strict: tighter form rules, for when the exercises feel easy.",
}
ROUTINE_COLUMNS = ("In", "Exercise", "Target reps", "Sets", "Rest (s)")
KEEP_CHOICES = (("days", "days"), ("GB", "gb"))  # what the retention's number counts, as shown and stored


def _spin(low: int, high: int, value: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    return box


class SettingsDialog(QDialog):
    """The profile's settings; Save writes them, and a bad override keeps the dialog open with its message.

    ``data_deleted`` is emitted (with the data folder) after "Delete my data" removed the database;
    the dialog then closes and the window opens a fresh, empty history.
    """

    data_deleted = pyqtSignal(Path)

    def __init__(self, store, profile_id: int, parent: QWidget | None = None, can_delete: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.store = store
        self.profile_id = profile_id
        self.can_delete = can_delete
        self.settings = copy.deepcopy(store.profile_settings(profile_id))
        self._override_texts: dict[str, dict] = self._texts_from(self.settings.get("overrides", {}))
        self._shown_override: str | None = None
        self.tabs = QTabWidget()
        self.tabs.addTab(self._routine_tab(), "Routine")
        self.tabs.addTab(self._coaching_tab(), "Coaching")
        self.tabs.addTab(self._data_tab(), "Privacy && data")
        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c0392b; font-weight: bold;")
        self.error_label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.resize(760, 560)

    # ------------------------------------------------------------------ routine
    def _routine_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        note = QLabel(
            "Tick the exercises you do each day. Reps are per side for one-sided exercises. "
            "The first week starts gentler and steps up by itself."
        )
        note.setWordWrap(True)
        self.routine_table = QTableWidget(0, len(ROUTINE_COLUMNS))
        self.routine_table.setHorizontalHeaderLabels(ROUTINE_COLUMNS)
        self.routine_table.verticalHeader().setVisible(False)
        header = self.routine_table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        reset = QPushButton("Reset to the standard routine")
        reset.clicked.connect(lambda: self.set_routine(DEFAULT_ROUTINE))
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(reset)
        layout.addWidget(note)
        layout.addWidget(self.routine_table, 1)
        self.eased_label = QLabel(self._eased_text())
        self.eased_label.setWordWrap(True)
        self.eased_label.setVisible(bool(self.eased_label.text()))
        layout.addWidget(self.eased_label)
        layout.addLayout(row)
        self.set_routine(routine_from_settings(self.settings))
        return page

    def _eased_text(self) -> str:
        """Which targets the coach lowered after pain (``app.coach.safety.apply_pain_easing`` records them)."""
        from app.coach.safety import EASING_KEY

        records = self.settings.get(EASING_KEY)
        if not isinstance(records, dict):
            return ""
        lines = []
        for ex_id, rec in records.items():
            if ex_id not in EXERCISE_IDS or not isinstance(rec, dict):
                continue
            when = str(rec.get("at", ""))[:10]
            lines.append(
                f"{get_exercise(ex_id).title}: {rec.get('target_reps_before')} → "
                f"{rec.get('target_reps_after')} reps (after pain{', ' + when if when else ''})"
            )
        return "Eased after pain: " + "; ".join(lines) + "." if lines else ""

    def set_routine(self, items: tuple[RoutineItem, ...]) -> None:
        """Show ``items`` in the table; exercises missing from them are listed unticked at the end."""
        items = list(items)
        listed = {item.exercise for item in items}
        defaults = {item.exercise: item for item in DEFAULT_ROUTINE}
        for ex_id in EXERCISE_IDS:
            if ex_id not in listed:
                base = defaults.get(ex_id) or RoutineItem(ex_id, get_exercise(ex_id).target_reps or 10)
                items.append(RoutineItem(ex_id, base.target_reps, base.sets, base.rest_s, enabled=False))
        table = self.routine_table
        table.setRowCount(len(items))
        for r, item in enumerate(items):
            check = QCheckBox()
            check.setChecked(item.enabled)
            table.setCellWidget(r, 0, check)
            name = QTableWidgetItem(get_exercise(item.exercise).title)
            name.setData(0x0100, item.exercise)  # Qt.ItemDataRole.UserRole
            name.setFlags(name.flags() & ~name.flags().ItemIsEditable)
            table.setItem(r, 1, name)
            table.setCellWidget(r, 2, _spin(1, 100, item.target_reps))
            table.setCellWidget(r, 3, _spin(1, 10, item.sets))
            table.setCellWidget(r, 4, _spin(0, 600, item.rest_s))
        table.resizeColumnToContents(0)

    def routine(self) -> tuple[RoutineItem, ...]:
        """The routine as edited in the table (table order, unticked rows kept as not enabled)."""
        table = self.routine_table
        items = []
        for r in range(table.rowCount()):
            items.append(
                RoutineItem(
                    exercise=table.item(r, 1).data(0x0100),
                    target_reps=table.cellWidget(r, 2).value(),
                    sets=table.cellWidget(r, 3).value(),
                    rest_s=table.cellWidget(r, 4).value(),
                    enabled=table.cellWidget(r, 0).isChecked(),
                )
            )
        return tuple(items)

    # ------------------------------------------------------------------ strictness and overrides
    def _coaching_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        strict_box = QGroupBox("How strict should the coach be about form?")
        strict_layout = QFormLayout(strict_box)
        self.strictness_box = QComboBox()
        for name in STRICTNESS:
            self.strictness_box.addItem(name.capitalize(), name)
        current = self.settings.get("strictness", "standard")
        self.strictness_box.setCurrentIndex(STRICTNESS.index(current) if current in STRICTNESS else 1)
        self.strictness_help = QLabel("")
        self.strictness_help.setWordWrap(True)
        self.strictness_box.currentIndexChanged.connect(
            lambda _i: self.strictness_help.setText(STRICTNESS_HELP[self.strictness_box.currentData()])
        )
        self.strictness_help.setText(STRICTNESS_HELP[self.strictness_box.currentData()])
        strict_layout.addRow("Strictness:", self.strictness_box)
        strict_layout.addRow(self.strictness_help)

        over_box = QGroupBox("Physiotherapist's overrides (leave empty to use the defaults)")
        over_layout = QVBoxLayout(over_box)
        self.override_exercise = QComboBox()
        for ex_id in EXERCISE_IDS:
            self.override_exercise.addItem(get_exercise(ex_id).title, ex_id)
        self.override_exercise.currentIndexChanged.connect(
            lambda _i: self._show_override(self.override_exercise.currentData())
        )
        self.override_form = QFormLayout()
        self.override_fields: dict[str, QLineEdit] = {}
        over_layout.addWidget(self.override_exercise)
        over_layout.addLayout(self.override_form)
        self.overridden_label = QLabel("")
        self.overridden_label.setWordWrap(True)
        over_layout.addWidget(self.overridden_label)
        layout.addWidget(strict_box)
        layout.addWidget(over_box, 1)
        self._show_override(EXERCISE_IDS[0])
        return page

    @staticmethod
    def _texts_from(overrides: dict) -> dict[str, dict]:
        texts: dict[str, dict] = {}
        for ex_id, entry in overrides.items():
            if ex_id not in EXERCISE_IDS or not isinstance(entry, dict):
                continue
            texts[ex_id] = {
                "target_reps": "" if entry.get("target_reps") is None else f"{entry['target_reps']}",
                "hold_target_s": "" if entry.get("hold_target_s") is None else f"{entry['hold_target_s']:g}",
                "limits": {code: f"{value:g}" for code, value in (entry.get("limits") or {}).items()},
            }
        return texts

    def _keep_override_texts(self) -> None:
        ex_id = self._shown_override
        if ex_id is None:
            return
        fields = self.override_fields
        self._override_texts[ex_id] = {
            "target_reps": fields["target_reps"].text(),
            "hold_target_s": fields["hold_target_s"].text() if "hold_target_s" in fields else "",
            "limits": {key[len("limit:") :]: edit.text() for key, edit in fields.items() if key.startswith("limit:")},
        }

    def _show_override(self, ex_id: str) -> None:
        """Swap the override fields to ``ex_id`` (the texts typed for the previous exercise are kept)."""
        self._keep_override_texts()
        while self.override_form.rowCount():
            self.override_form.removeRow(0)
        definition = get_exercise(ex_id)
        texts = self._override_texts.get(ex_id, {})
        fields: dict[str, QLineEdit] = {}
        per_side = " per side" if definition.unilateral else ""
        reps = QLineEdit(texts.get("target_reps", ""))
        reps.setPlaceholderText(f"routine's target{per_side}")
        fields["target_reps"] = reps
        self.override_form.addRow(f"Target reps{per_side}:", reps)
        if definition.has_hold:
            hold = QLineEdit(texts.get("hold_target_s", ""))
            hold.setPlaceholderText(f"{definition.hold_target_s:g} s")
            fields["hold_target_s"] = hold
            self.override_form.addRow("Hold seconds:", hold)
        for rule in definition.rules:
            if f"limit:{rule.code}" in fields:
                continue
            edit = QLineEdit(texts.get("limits", {}).get(rule.code, ""))
            edit.setPlaceholderText(f"{rule.limit:g}")
            edit.setToolTip(f"{rule.cue}: a fault when {rule.measure.replace('_', ' ')} is {rule.fault_if} this")
            fields[f"limit:{rule.code}"] = edit
            name = rule.code.replace("_", " ").capitalize()
            self.override_form.addRow(f"{name}: a fault {rule.fault_if} (°):", edit)
        self.override_fields = fields
        self._shown_override = ex_id
        self._update_overridden_note()

    def _update_overridden_note(self) -> None:
        names = [
            get_exercise(e).title
            for e, t in self._override_texts.items()
            if e != self._shown_override
            and (t.get("target_reps") or t.get("hold_target_s") or any(t.get("limits", {}).values()))
        ]
        self.overridden_label.setText("Also overridden: " + ", ".join(names) if names else "")

    def set_override_text(self, ex_id: str, field_name: str, text: str) -> None:
        """Type ``text`` into an override field (``target_reps``, ``hold_target_s`` or ``limit:<code>``)."""
        self.override_exercise.setCurrentIndex(EXERCISE_IDS.index(ex_id))
        self.override_fields[field_name].setText(text)

    # ------------------------------------------------------------------ privacy and data
    def _data_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        data = QGroupBox("Your data")
        data_layout = QVBoxLayout(data)
        stays = QLabel("Everything HipCoach records stays on this computer, in this folder:")
        stays.setWordWrap(True)
        self.folder_label = QLabel(str(Path(self.store.path).parent))
        self.folder_label.setFont(big_font(11))
        self.folder_label.setTextInteractionFlags(self.folder_label.textInteractionFlags().TextSelectableByMouse)
        self.folder_label.setWordWrap(True)
        buttons = QHBoxLayout()
        open_folder = QPushButton("Open folder")
        open_folder.clicked.connect(self.open_folder)
        self.delete_button = QPushButton("Delete my data…")
        self.delete_button.setStyleSheet("QPushButton { color: #b03a2e; }")
        self.delete_button.clicked.connect(self.confirm_delete)
        self.delete_button.setEnabled(self.can_delete)
        if not self.can_delete:
            self.delete_button.setToolTip("Stop the session first")
        buttons.addWidget(open_folder)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        data_layout.addWidget(stays)
        data_layout.addWidget(self.folder_label)
        data_layout.addLayout(buttons)
        layout.addWidget(data)
        layout.addWidget(self._recording_group())
        layout.addStretch(1)
        return page

    def _recording_group(self) -> QGroupBox:
        """Record each live set (the camera's picture as it was, with its analysis) and how long to keep them."""
        chosen = recordings.settings_from(self.settings)
        group = QGroupBox("Recordings")
        form = QVBoxLayout(group)
        self.record_video = QCheckBox("Record video of my sessions")
        self.record_video.setChecked(chosen.record)
        hint = QLabel(
            "Each set is saved as a video with its analysis, so you or your physiotherapist can review it "
            "(Progress ▸ Review recording). They stay on this computer, in the folder above."
        )
        hint.setWordWrap(True)
        keep = QHBoxLayout()
        keep.addWidget(QLabel("Keep recordings of the last"))
        self.keep_amount = _spin(1, 1000, max(1, round(chosen.retention.amount)))
        self.keep_unit = QComboBox()
        for label, unit in KEEP_CHOICES:
            self.keep_unit.addItem(label, unit)
        self.keep_unit.setCurrentIndex(self.keep_unit.findData(chosen.retention.unit))
        keep.addWidget(self.keep_amount)
        keep.addWidget(self.keep_unit)
        keep.addWidget(QLabel("(older ones are deleted)"))
        keep.addStretch(1)
        for widget in (self.keep_amount, self.keep_unit):
            widget.setEnabled(chosen.record)
            self.record_video.toggled.connect(widget.setEnabled)
        form.addWidget(self.record_video)
        form.addWidget(hint)
        form.addLayout(keep)
        return group

    def recording_settings(self) -> recordings.RecordingSettings:
        retention = recordings.Retention(self.keep_unit.currentData(), float(self.keep_amount.value()))
        return recordings.RecordingSettings(self.record_video.isChecked(), retention)

    def _recordings_folder(self) -> Path:
        return recordings.folder_in(Path(self.store.path).parent)

    def open_folder(self) -> bool:
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(self.store.path).parent)))

    def deletion_summary(self) -> str:
        """What "Delete my data" removes, in words (counts read from the database)."""
        count = self.store.record_counts()
        path = Path(self.store.path)
        return (
            f"This deletes {path.name} in {path.parent}:\n"
            f"• {count['sessions']} session(s) with {count['reps']} rep(s) and their form faults\n"
            f"• {count['pain_scores']} pain score(s) and {count['screenings']} screening answer(s)\n"
            f"• {len(recordings.list_recordings(self._recordings_folder()))} recorded video(s) and their analyses\n"
            f"• your calibration, routine and settings\n\n"
            "It cannot be undone. HipCoach keeps running with an empty history."
        )

    def confirm_delete(self) -> None:
        answer = QMessageBox.warning(
            self,
            "Delete my data",
            self.deletion_summary(),
            QMessageBox.StandardButton.Cancel | QMessageBox.StandardButton.Yes,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_data()

    def delete_data(self) -> Path | None:
        """Delete the database now (no questions), emit ``data_deleted`` and close without saving."""
        from app.coach.store import StoreError

        videos = self._recordings_folder()
        try:
            folder = self.store.delete_all_data()
            recordings.delete_all(videos)
        except (StoreError, OSError) as exc:
            QMessageBox.warning(self, "Delete my data", f"Could not delete your data: {exc}")
            return None
        self.store = None
        self.data_deleted.emit(Path(folder))
        self.reject()
        return Path(folder)

    # ------------------------------------------------------------------ save
    def collected_settings(self) -> dict:
        """The settings as edited; raises :class:`OverrideError` for an override that cannot be used."""
        self._keep_override_texts()
        strictness = self.strictness_box.currentData()
        settings = copy.deepcopy(self.settings)
        settings["strictness"] = strictness
        settings["overrides"] = parse_overrides(self._override_texts, strictness)
        recordings.settings_into(settings, self.recording_settings())
        return routine_to_settings(self.routine(), settings)

    def save(self) -> bool:
        """Validate and store; on a bad value show it (and its exercise) and keep the dialog open."""
        try:
            settings = self.collected_settings()
        except OverrideError as exc:
            self.show_error(str(exc))
            self.tabs.setCurrentIndex(1)
            self.override_exercise.setCurrentIndex(EXERCISE_IDS.index(exc.exercise))
            bad = self.override_fields.get(exc.field or "")
            if bad is not None:
                bad.setStyleSheet("QLineEdit { border: 2px solid #c0392b; }")
                bad.setFocus()
            return False
        if self.store is None:
            return False
        self.store.save_profile_settings(self.profile_id, settings)
        self.settings = settings
        self.error_label.hide()
        self.accept()
        return True

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
