"""Fixtures of the UI tests: a main window with settings in a temporary INI file, the bridge,
and the synthetic drive (tests/ui/synthetic.py)."""

from __future__ import annotations

import pytest

from tests.ui import synthetic


@pytest.fixture
def settings_path(tmp_path):
    return str(tmp_path / "fieldapp-test.ini")


@pytest.fixture
def plan_cells():
    return synthetic.plan()


@pytest.fixture
def window(qtbot, settings_path):
    from ui.main_window import MainWindow
    from ui.settings import WindowSettings

    win = MainWindow(WindowSettings(settings_path), family_names=["generic", "quectel"],
                     scenarios=["demo-drive"])
    qtbot.addWidget(win)
    yield win
    win.close()


@pytest.fixture
def bridge(qtbot):
    from ui.bridge import RecordBridge

    b = RecordBridge(tick_ms=20)
    b.start()
    yield b
    b.stop()
