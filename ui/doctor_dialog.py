"""Help → System check: the ``fieldapp doctor`` report in a window (one line per check with its
fix, as on the command line), with Re-check and Copy. The composition root hands in the
function that runs the checks; this module only shows lines."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout

MONO_FAMILY = "DejaVu Sans Mono"  # shipped with fieldapp (fieldapp/fonts)


class DoctorDialog(QDialog):
    def __init__(self, run_checks: Callable[[], tuple[bool, list[str]]], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("fieldapp — system check")
        self._run = run_checks
        self.summary = QLabel()
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        font = QFont(MONO_FAMILY)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.text.setFont(font)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.recheck = QPushButton("Re-check")
        self.copy = QPushButton("Copy")
        buttons.addButton(self.recheck, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.recheck.clicked.connect(self.refresh)
        self.copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text.toPlainText()))
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.resize(980, 420)
        self.refresh()

    def refresh(self) -> None:
        ok, lines = self._run()
        self.summary.setText("Nothing failed." if ok else "Something failed: see the FAIL lines and their fix.")
        self.text.setPlainText("\n".join(lines))
