"""The case form: one editor per field of ``fieldapp.cases.model.FIELDS`` (text, choices, long
text, yes/no/unknown), grouped as the intake procedure lists them. ``values()`` gives raw text
for ``fieldapp.cases.validate``; problems come back with ``show_problems`` and are shown next
to their fields, so a bad phone number or a position off the globe is fixed where it was typed.

``CaseFormDialog`` wraps it for a new case (``new_case_here`` on the map pre-fills the position).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fieldapp.cases.model import FIELDS, Case, FieldSpec
from fieldapp.cases.validate import Problem, problems

GROUP_TITLES = {"subscriber": "Subscriber", "complaint": "Complaint", "place": "Place",
                "when": "When and how often", "handset": "Handset", "handling": "Handling", "outcome": "Outcome"}
_BOOL_ITEMS = (("unknown", None), ("yes", "yes"), ("no", "no"))
ERROR_STYLE = "border: 1px solid #c62828; background: #fff3f3;"


class CaseForm(QWidget):
    def __init__(self, *, with_outcome: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(4, 4, 4, 4)
        for group, title in GROUP_TITLES.items():
            if group == "outcome" and not with_outcome:
                continue
            box = QGroupBox(title)
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for spec in FIELDS:
                if spec.group != group:
                    continue
                editor = self._editor(spec)
                error = QLabel("")
                error.setStyleSheet("color: #c62828;")
                error.setWordWrap(True)
                error.hide()
                cell = QWidget()
                lay = QVBoxLayout(cell)
                lay.setContentsMargins(0, 0, 0, 0)
                lay.setSpacing(1)
                lay.addWidget(editor)
                lay.addWidget(error)
                label = spec.label + (" *" if spec.name in ("subscriber_number", "category") else "")
                form.addRow(label, cell)
                self.editors[spec.name] = editor
                self.errors[spec.name] = error
            column.addWidget(box)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        self.summary = QLabel("")
        self.summary.setStyleSheet("color: #c62828;")
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.summary)

    @staticmethod
    def _editor(spec: FieldSpec) -> QWidget:
        if spec.kind == "long":
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)  # Tab moves on to the next field, as in every form
            edit.setFixedHeight(54)
            edit.setToolTip(spec.help)
            return edit
        if spec.kind == "bool":
            combo = QComboBox()
            for text, data in _BOOL_ITEMS:
                combo.addItem(text, data)
            combo.setToolTip(spec.help)
            return combo
        if spec.kind == "choice":
            combo = QComboBox()
            combo.addItem("", None)
            for choice in spec.choices:
                combo.addItem(choice, choice)
            if spec.name == "priority":
                combo.setCurrentText("normal")
            if spec.name == "occurs":  # the procedure's words, or the subscriber's own
                combo.setEditable(True)
            combo.setToolTip(spec.help)
            return combo
        edit = QLineEdit()
        edit.setPlaceholderText(spec.help)
        edit.setToolTip(spec.help)
        return edit

    # ------------------------------------------------------------------ values
    def values(self) -> dict[str, Any]:
        """Raw values of every field (empty text = unknown), for ``validate``."""
        out: dict[str, Any] = {}
        for name, editor in self.editors.items():
            if isinstance(editor, QPlainTextEdit):
                out[name] = editor.toPlainText().strip() or None
            elif isinstance(editor, QComboBox) and editor.isEditable():
                out[name] = editor.currentText().strip() or None
            elif isinstance(editor, QComboBox):
                out[name] = editor.currentData()
            else:
                out[name] = editor.text().strip() or None
        return out

    def set_value(self, name: str, value: Any) -> None:
        editor = self.editors[name]
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, (list, tuple)):
            value = ", ".join(value)
        elif isinstance(value, float):
            value = f"{value:.6f}".rstrip("0").rstrip(".")
        if isinstance(editor, QPlainTextEdit):
            editor.setPlainText("" if value is None else str(value))
        elif isinstance(editor, QComboBox):
            index = editor.findData(value)
            if index < 0 and editor.isEditable() and value:
                editor.setEditText(str(value))
            else:
                editor.setCurrentIndex(max(0, index))
        else:
            editor.setText("" if value is None else str(value))

    def set_case(self, case: Case) -> None:
        for name in self.editors:
            self.set_value(name, getattr(case, name))
        self.show_problems([])

    def show_problems(self, found: list[Problem]) -> None:
        by_field = {p.field: p.message for p in found}
        for name, label in self.errors.items():
            message = by_field.get(name)
            label.setText(message or "")
            label.setVisible(bool(message))
            self.editors[name].setStyleSheet(ERROR_STYLE if message else "")
        self.summary.setText("; ".join(str(p) for p in found))

    def check(self, *, creating: bool) -> list[Problem]:
        found = problems({k: v for k, v in self.values().items() if v is not None}, creating=creating)
        self.show_problems(found)
        return found


class CaseFormDialog(QDialog):
    """A new case: the form, OK refused (with the problems shown) until it validates."""

    def __init__(self, parent: QWidget | None = None, *, initial: dict[str, Any] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New complaint case")
        self.resize(560, 720)
        self.form = CaseForm(with_outcome=False)
        for name, value in (initial or {}).items():
            self.form.set_value(name, value)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create case")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        hint = QLabel("* required. The rest of the intake is needed before “facts collected”.")
        hint.setStyleSheet("color: #606060;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.form, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(hint, 1, Qt.AlignmentFlag.AlignLeft)
        bottom.addWidget(buttons)
        layout.addLayout(bottom)

    def raw(self) -> dict[str, Any]:
        return {k: v for k, v in self.form.values().items() if v is not None}

    def accept(self) -> None:
        if self.form.check(creating=True):
            return
        super().accept()
