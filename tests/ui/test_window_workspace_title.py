"""Issue 13 §9: the window says where it records. The demo and the CLI keep separate default
workspaces (a demo must not fill the real one); the live window's title bar names the workspace
file it records into, for the demo and for `fieldapp` alike."""

from __future__ import annotations

import pytest

from fieldapp.app import LiveApp, demo_workspace
from fieldapp.paths import default_workspace

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def test_the_title_bar_names_the_workspace_the_window_records_into(qtbot, tmp_path, settings_path):
    for title in ("fieldapp", "fieldapp — demo (bus-stop-tilt13)"):
        app = LiveApp(tmp_path / "ws.db", settings_path=settings_path, title=title)
        try:
            assert app.window.windowTitle() == f"{title} — recording into {tmp_path / 'ws.db'}"
        finally:
            app.window.close()
            app.close()


def test_the_demo_workspace_sits_beside_the_cli_default(tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDAPP_WORKSPACE", str(tmp_path / "workspace.db"))
    assert default_workspace() == tmp_path / "workspace.db"
    assert demo_workspace(None) == tmp_path / "demo-workspace.db"
    assert demo_workspace(str(tmp_path / "mine.db")) == tmp_path / "mine.db"
