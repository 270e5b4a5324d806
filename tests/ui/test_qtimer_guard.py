"""The QTimer-leak guard every UI test runs under (tests/ui/conftest.py) catches a timer left
running and lets a stopped or deleted one pass."""

from __future__ import annotations

import pytest

from tests.ui.conftest import qtimer_guard


def test_a_timer_left_running_fails_the_test_and_is_stopped(qtbot):
    from PySide6.QtCore import QTimer

    timer = QTimer()
    leak = r"timers left running: QTimer every 250 ms, started at test_qtimer_guard"
    with pytest.raises(AssertionError, match=leak), qtimer_guard():
        timer.start(250)
    assert not timer.isActive()


def test_a_stopped_or_deleted_timer_passes(qtbot):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QWidget

    with qtimer_guard():
        stopped = QTimer()
        stopped.start(100)
        stopped.stop()
        owner = QWidget()
        owned = QTimer(owner)
        owned.start(100)
        owner.deleteLater()
        del owned, owner
