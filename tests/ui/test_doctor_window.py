"""Help → System check shows the `fieldapp doctor` report in the window: the same lines as the
command line, run by the composition root."""

from __future__ import annotations

import pytest

from fieldapp.app import LiveApp

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform's note on dialogs


def test_help_menu_shows_the_doctor_report(qtbot, tmp_path, settings_path):
    app = LiveApp(tmp_path / "ws.db", settings_path=settings_path)
    try:
        titles = [a.text() for a in app.window.help_menu.actions()]
        assert titles[0] == "System check (doctor)…"
        app.window.doctor_action.trigger()
        dialog = app.window.doctor_dialog
        qtbot.addWidget(dialog)
        lines = dialog.text.toPlainText().splitlines()
        names = [ln.split()[1] for ln in lines]
        assert names[:4] == ["python", "qt", "display", "fonts"] and names[-1] == "workspace"
        assert str(tmp_path / "ws.db") in lines[-1]
        assert dialog.summary.text() == "Nothing failed."
        assert dialog.text.font().family() == "DejaVu Sans Mono"
        assert app.qapp.font().family() == "DejaVu Sans"  # the window's text is the shipped font
    finally:
        app.window.close()
        app.close()
