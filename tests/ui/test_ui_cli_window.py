"""`fieldapp demo` and the window options end to end: a real process, the simulator on a real
pty, the real driver, a PNG of the whole window, a recorded demo session."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from PySide6.QtGui import QImage

FIELDAPP = [sys.executable, "-m", "fieldapp"]


def _env(tmp_path, **extra):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", FIELDAPP_SETTINGS=str(tmp_path / "s.ini"))
    env.update(extra)
    return env


def test_demo_saves_a_screenshot_and_records_a_session(tmp_path):
    shot, ws = tmp_path / "shot.png", tmp_path / "demo.db"
    res = subprocess.run(FIELDAPP + ["demo", "--workspace", str(ws), "--speed", "10", "--screenshot", str(shot),
                                     "--exit-after", "4.5"],
                         capture_output=True, text=True, timeout=90, env=_env(tmp_path))
    assert res.returncode == 0, res.stderr
    image = QImage(str(shot))
    assert not image.isNull() and image.width() >= 800 and image.height() >= 600
    listed = json.loads(subprocess.run(FIELDAPP + ["sessions", "--workspace", str(ws), "--json"],
                                       capture_output=True, text=True, timeout=30).stdout)
    assert len(listed) == 1 and listed[0]["samples"] >= 2 and listed[0]["interrupted"] is False


def test_window_without_a_display_says_so_and_exits_2(tmp_path):
    env = _env(tmp_path)
    for key in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(key, None)
    res = subprocess.run(FIELDAPP + ["--workspace", str(tmp_path / "ws.db")], capture_output=True, text=True,
                         timeout=30, env=env)
    assert res.returncode == 2
    assert res.stderr.strip().startswith("fieldapp: no display to open the window on")


def test_window_screenshot_option_on_the_main_command(tmp_path):
    shot = tmp_path / "window.png"
    res = subprocess.run(FIELDAPP + ["--workspace", str(tmp_path / "ws.db"), "--screenshot", str(shot),
                                     "--exit-after", "0.5"],
                         capture_output=True, text=True, timeout=60, env=_env(tmp_path))
    assert res.returncode == 0, res.stderr
    assert not QImage(str(shot)).isNull()


def test_demo_refuses_an_unknown_scenario_or_family_before_opening_a_window(tmp_path):
    for args, words in ((["--scenario", "nowhere"], "nowhere"), (["--family", "nokia"], "unknown family")):
        res = subprocess.run(FIELDAPP + ["demo", "--workspace", str(tmp_path / "d.db"), *args],
                             capture_output=True, text=True, timeout=30, env=_env(tmp_path))
        assert res.returncode == 2 and words in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_window_with_port_connects_to_that_handset_at_start(tmp_path):
    """`fieldapp --port P` (what `make demo PORT=P` runs) opens the window on a real port."""
    from tests.drivers.test_handset_source import quectel_table
    from tests.support.peer import AtPeer

    shot, ws = tmp_path / "shot.png", tmp_path / "ws.db"
    with AtPeer(quectel_table()) as modem:
        res = subprocess.run(FIELDAPP + ["--port", modem.port, "--workspace", str(ws), "--screenshot", str(shot),
                                         "--exit-after", "2.5"],
                             capture_output=True, text=True, timeout=90, env=_env(tmp_path))
    assert res.returncode == 0, res.stderr
    assert any(cmd.upper().startswith('AT+QENG="SERVINGCELL"') for cmd in modem.received), modem.received
    assert not QImage(str(shot)).isNull()
