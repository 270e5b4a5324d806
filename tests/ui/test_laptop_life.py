"""Laptop life (issue 18 point 6): a SIGTERM, a closing terminal (SIGHUP) or the desktop
session ending closes the window's recording cleanly with its end time; a resumed laptop
(port gone and back) reconnects — the window's handset source always reconnects, tested with
an unplug in test_ui_live_sources.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise")]


def _samples_recorded(ws) -> int:
    """Samples in the workspace's first session, read in process through the store (a
    `fieldapp sessions` subprocess per poll cost a Python start-up each)."""
    from fieldapp.store import Store, StoreError

    if not ws.exists():
        return 0
    try:
        with Store.open(ws) as store:
            listed = store.sessions()
            return store.counts(listed[0].id)["samples"] if listed else 0
    except StoreError:
        return 0  # the demo is still creating it


def _sessions(ws) -> list[dict]:
    res = subprocess.run([sys.executable, "-m", "fieldapp", "sessions", "--json", "--workspace", str(ws)],
                         capture_output=True, text=True, timeout=60)
    return json.loads(res.stdout) if res.returncode == 0 and res.stdout.strip() else []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_ends_the_windows_recording_cleanly(tmp_path, signum):
    ws = tmp_path / "demo.db"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", FIELDAPP_SETTINGS=str(tmp_path / "s.ini"))
    proc = subprocess.Popen([sys.executable, "-m", "fieldapp", "demo", "--workspace", str(ws)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if _samples_recorded(ws) >= 3:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the demo recorded nothing")
        sent = time.time()
        proc.send_signal(signum)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert signal.Signals(signum).name in err
    row = _sessions(ws)[0]
    assert row["end"] is not None and not row["interrupted"], row
    end = time.mktime(time.strptime(row["end"][:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
    assert abs(end - sent) < 15


def test_the_session_ending_closes_the_recording_with_its_end_time(qtbot, tmp_path, monkeypatch):
    from fieldapp.app import LiveApp
    from fieldapp.live import SIMULATOR, ConnectRequest
    from fieldapp.store import Store

    monkeypatch.setenv("FIELDAPP_SETTINGS", str(tmp_path / "s.ini"))
    ws = tmp_path / "ws.db"
    app = LiveApp(ws)
    try:
        app.controller.connect(ConnectRequest(SIMULATOR, scenario="demo-drive", speed=4.0))
        app.controller.start_recording(None)
        qtbot.waitUntil(lambda: app.window.samples_shown() >= 3, timeout=30000)
        app.session_ending()  # what the desktop's "the session is ending" request runs
        with Store.open(ws) as store:
            info = store.sessions()[0]
        assert info.end_utc is not None and not info.interrupted
        assert not app.window.isVisible()
    finally:
        app.close()
