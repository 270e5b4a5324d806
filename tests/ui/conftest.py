"""Fixtures of the UI tests: a main window with settings in a temporary INI file, the bridge,
and the synthetic drive (tests/ui/synthetic.py)."""

from __future__ import annotations

import contextlib
import weakref

import pytest

from tests.ui import synthetic


@pytest.fixture(autouse=True)
def no_leftover_qtimers():
    """Every timer a test starts is stopped (or deleted with its widget) when the test ends,
    as napari checks: a timer left running fires into a closed window in the next test.
    Autouse and independent of ``qtbot``, so it is set up first and checked last, after
    ``qtbot`` has closed the test's widgets."""
    with qtimer_guard():
        yield


@contextlib.contextmanager
def qtimer_guard():
    """Fails (AssertionError naming where each was started) when a timer started inside is
    still running at the end; stops them so the next test starts clean."""
    import shiboken6
    from PySide6.QtCore import QCoreApplication, QEvent, QTimer

    started: list[tuple[weakref.ref, str]] = []
    original = QTimer.start

    def start(self, *args):
        started.append((weakref.ref(self), _where()))
        return original(self, *args)

    QTimer.start = start
    try:
        yield
    finally:
        QTimer.start = original
    QCoreApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)  # deleteLater of closed widgets
    leftover = []
    for ref, where in started:
        timer = ref()
        if timer is not None and shiboken6.isValid(timer) and timer.isActive():
            leftover.append(f"{timer.objectName() or 'QTimer'} every {timer.interval()} ms, started at {where}")
            timer.stop()
    assert not leftover, "timers left running: " + "; ".join(dict.fromkeys(leftover))


def _where() -> str:
    """The first frame outside this file and Qt: who started the timer."""
    import sys

    frame = sys._getframe(2)
    return f"{frame.f_code.co_filename.rsplit('/', 2)[-2:][-1]}:{frame.f_lineno} ({frame.f_code.co_name})"


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
