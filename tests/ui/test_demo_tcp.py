"""`fieldapp demo --tcp`: the demo window with the simulated handset on a loopback TCP port
(what `make demo` gets where there are no pseudo-terminals), recorded through the real driver
over socket://."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from PySide6.QtGui import QImage

FIELDAPP = [sys.executable, "-m", "fieldapp"]


def test_demo_over_tcp_records_a_session_from_a_socket(tmp_path):
    shot, ws = tmp_path / "shot.png", tmp_path / "demo.db"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", FIELDAPP_SETTINGS=str(tmp_path / "s.ini"))
    res = subprocess.run(FIELDAPP + ["demo", "--tcp", "--workspace", str(ws), "--speed", "10",
                                     "--screenshot", str(shot), "--exit-after", "4.5"],
                         capture_output=True, text=True, timeout=90, env=env)
    assert res.returncode == 0, res.stderr
    assert not QImage(str(shot)).isNull()
    listed = json.loads(subprocess.run(FIELDAPP + ["sessions", "--workspace", str(ws), "--json"],
                                       capture_output=True, text=True, timeout=30).stdout)
    assert len(listed) == 1 and listed[0]["samples"] >= 2
    assert listed[0]["source"].startswith("handset:socket://127.0.0.1:")
