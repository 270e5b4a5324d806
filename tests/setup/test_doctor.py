"""`fieldapp doctor`: the verdicts as pure functions over facts, and real runs against a pty
held open by another process (one of them named ModemManager), a port this user may not open,
and the CLI's --json contract."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from fieldapp import doctor
from fieldapp.doctor import FAIL, INFO, OK, WARN, PortFacts, QtFacts, WorkspaceFacts

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- pure verdicts


def test_python_version_verdict():
    assert doctor.python_check((3, 11, 2), "/usr/bin/python3").status == OK
    old = doctor.python_check((3, 9, 2), "/usr/bin/python3")
    assert old.status == FAIL and "3.10 or newer" in old.detail and old.fix


def test_qt_missing_gui_library_names_the_package():
    facts = QtFacts("6.9.1", "6.9.1", False,
                    "ImportError: libEGL.so.1: cannot open shared object file: No such file or directory")
    check = doctor.qt_check(facts)
    assert check.status == FAIL and "missing libEGL.so.1 (Debian package libegl1)" in check.detail
    assert check.fix == "sudo apt-get install -y libegl1"
    assert doctor.qt_check(QtFacts("6.9.1", "6.9.1", True, None)).status == OK
    assert doctor.qt_check(QtFacts(None, None, False, "ModuleNotFoundError: No module named 'PySide6'")).status == FAIL


def test_display_verdicts():
    assert doctor.display_check("Windows", {}, [], None).status == OK
    assert doctor.display_check("Linux", {"QT_QPA_PLATFORM": "offscreen"}, [], None).status == INFO
    none = doctor.display_check("Linux", {}, [], None)
    assert none.status == WARN and "no display" in none.detail
    xcb = doctor.display_check("Linux", {"DISPLAY": ":0"}, ["libxcb-cursor.so.0"], None)
    assert xcb.status == FAIL and xcb.fix == "sudo apt-get install -y libxcb-cursor0"
    later = doctor.display_check("Linux", {}, ["libxcb-cursor.so.0"], None)  # no display yet: a warning
    assert later.status == WARN and "libxcb-cursor.so.0" in later.detail and "libxcb-cursor0" in later.fix
    # On Wayland the X11 plugin's libraries do not matter.
    wl = doctor.display_check("Linux", {"WAYLAND_DISPLAY": "wayland-0"}, ["libxcb-cursor.so.0"],
                              QtFacts("6.9", "6.9", True, None, "wayland"))
    assert wl.status == OK and "wayland" in wl.detail
    bad = doctor.display_check("Linux", {"DISPLAY": ":9"}, [],
                               QtFacts("6.9", "6.9", True, None, None, "could not connect to display :9"))
    assert bad.status == FAIL


def test_fonts_verdicts(tmp_path):
    font = tmp_path / "DejaVuSans.ttf"
    font.write_bytes(b"x")
    assert doctor.fonts_check([font], ["/usr/share/fonts/a.ttf"]).status == OK
    assert doctor.fonts_check([font], []).status == WARN
    assert doctor.fonts_check([tmp_path / "gone.ttf"], ["a"]).status == FAIL


def test_port_verdicts():
    ok = doctor.port_check(PortFacts("/dev/ttyUSB2", True, True), "anna")
    assert ok.status == OK
    denied = doctor.port_check(PortFacts("/dev/ttyUSB2", True, False, group="dialout", group_mode=True), "anna")
    assert denied.status == FAIL and denied.fix == "sudo usermod -aG dialout anna, then log out and back in"
    arch = doctor.port_check(PortFacts("/dev/ttyUSB2", True, False, group="uucp", group_mode=True), "anna")
    assert "usermod -aG uucp anna" in arch.fix
    stale = doctor.port_check(PortFacts("/dev/ttyUSB2", True, False, group="dialout", group_mode=True,
                                        in_group_db=True, in_group_now=False), "anna")
    assert "log out and back in" in stale.fix and "newgrp dialout" in stale.fix
    mm = doctor.port_check(PortFacts("/dev/ttyUSB2", True, True, holders=((612, "ModemManager"),),
                                     vid=0x2C7C, pid=0x0125), "anna")
    assert mm.status == WARN and "ModemManager (pid 612)" in mm.detail
    assert 'ATTRS{idVendor}=="2c7c", ATTRS{idProduct}=="0125", ENV{ID_MM_DEVICE_IGNORE}="1"' in mm.fix
    assert "mmcli" in mm.fix
    other = doctor.port_check(PortFacts("/dev/ttyUSB2", True, True, holders=((77, "minicom"),)), "anna")
    assert other.status == WARN and "minicom (pid 77)" in other.detail
    assert doctor.port_check(PortFacts("/dev/ttyUSB9", False, False), "anna").status == FAIL
    assert doctor.port_checks([], "Windows", "anna")[0].detail.startswith("no COM ports")


def test_modemmanager_gpsd_and_workspace_verdicts(tmp_path):
    assert doctor.modemmanager_check([(1, "systemd")], "Linux").status == OK
    assert doctor.modemmanager_check([(612, "ModemManager")], "Linux").status == INFO
    assert doctor.modemmanager_check([], "Windows") is None
    assert doctor.gpsd_check(True).status == OK
    assert doctor.gpsd_check(False, error="Connection refused").status == INFO
    assert "--gps COM4" in doctor.gpsd_check(False, system="Windows").fix
    ws = tmp_path / "ws.db"
    assert doctor.workspace_check(WorkspaceFacts(ws, True, 50 << 30)).status == OK
    assert doctor.workspace_check(WorkspaceFacts(ws, True, 500 << 20)).status == WARN
    assert doctor.workspace_check(WorkspaceFacts(ws, True, 10 << 20)).status == FAIL
    assert doctor.workspace_check(WorkspaceFacts(ws, False, 50 << 30, "Permission denied")).status == FAIL


def test_report_is_ok_unless_something_failed():
    report = doctor.Report([doctor.Check("a", OK, "x"), doctor.Check("b", WARN, "y", "do z")])
    assert report.ok and report.lines()[1] == "warn  b          y -- fix: do z"
    report.checks.append(doctor.Check("c", FAIL, "broken"))
    assert not report.ok and report.to_json()["ok"] is False


# --------------------------------------------------------------------------- real runs


@pytest.fixture
def held_pty(tmp_path):
    """A pty whose slave another process holds open; yields (slave path, holder)."""
    master, slave = os.openpty()
    path = os.ttyname(slave)
    os.close(slave)

    def hold(name: str) -> subprocess.Popen:
        exe = tmp_path / name
        shutil.copy(shutil.which("sleep"), exe)  # the process's name is its executable's
        with open(path, "rb") as slave_end:  # the child keeps its own copy as stdin
            proc = subprocess.Popen([str(exe), "60"], stdin=slave_end, stdout=subprocess.DEVNULL)
        for _ in range(100):
            if os.path.realpath(f"/proc/{proc.pid}/fd/0") == path:
                break
            time.sleep(0.02)
        return proc

    procs: list[subprocess.Popen] = []
    yield path, lambda name: procs.append(hold(name)) or procs[-1]
    for p in procs:
        p.kill()
        p.wait()
    os.close(master)


def _doctor_json(*args: str, env=None, user: list[str] | None = None) -> dict:
    cmd = (user or []) + [sys.executable, "-m", "fieldapp", "doctor", "--json", *args]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)
    assert run.returncode in (0, 1), run.stderr
    data = json.loads(run.stdout)
    assert set(data) == {"ok", "checks"}
    assert data["ok"] == (run.returncode == 0)
    for c in data["checks"]:
        assert set(c) == {"name", "status", "detail", "fix"} and c["status"] in (OK, WARN, FAIL, INFO)
    return data


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and ptys")
def test_doctor_names_the_process_holding_a_pty(held_pty, tmp_path):
    path, hold = held_pty
    proc = hold("minicom")
    data = _doctor_json("--port", path, "--workspace", str(tmp_path / "ws.db"))
    line = [c for c in data["checks"] if c["name"] == "port" and c["detail"].startswith(path)]
    assert line and line[0]["status"] == WARN, data
    assert f"held open by minicom (pid {proc.pid})" in line[0]["detail"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and ptys")
def test_doctor_gives_the_udev_rule_when_modemmanager_holds_the_port(held_pty, tmp_path):
    path, hold = held_pty
    proc = hold("ModemManager")
    data = _doctor_json("--port", path, "--workspace", str(tmp_path / "ws.db"))
    line = [c for c in data["checks"] if c["name"] == "port" and c["detail"].startswith(path)][0]
    assert line["status"] == WARN and f"ModemManager (pid {proc.pid})" in line["detail"]
    assert "ENV{ID_MM_DEVICE_IGNORE}=\"1\"" in line["fix"] and "udevadm" in line["fix"]
    mm = [c for c in data["checks"] if c["name"] == "modemmgr"][0]
    assert mm["status"] == INFO and str(proc.pid) in mm["detail"]


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="needs root (mknod, run the doctor as nobody)")
def test_doctor_as_a_user_outside_dialout_says_usermod(tmp_path):
    """A serial device node of group dialout, mode 0660; the doctor run as nobody may not
    open it and says which group to join."""
    folder = Path(tempfile.mkdtemp(prefix="fieldapp-doctor-"))
    try:
        folder.chmod(0o777)
        dev = folder / "ttyFIELD0"
        try:
            os.mknod(dev, 0o660 | 0o020000, os.makedev(4, 70))  # a char device like /dev/ttyS6
        except OSError as exc:
            pytest.skip(f"cannot make a device node here: {exc}")
        import grp

        try:
            os.chown(dev, 0, grp.getgrnam("dialout").gr_gid)
            os.chmod(dev, 0o660)  # mknod's mode went through the umask
        except KeyError:
            pytest.skip("no dialout group")
        probe = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                sys.executable, "-c", "import fieldapp"], cwd=ROOT, capture_output=True)
        if probe.returncode != 0:
            pytest.skip(f"nobody cannot run this tree's python: {probe.stderr[-200:]!r}")
        env = dict(os.environ, HOME=str(folder))
        data = _doctor_json("--port", str(dev), "--workspace", str(folder / "ws.db"), env=env,
                            user=["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"])
        line = [c for c in data["checks"] if c["name"] == "port" and c["detail"].startswith(str(dev))][0]
        assert line["status"] == FAIL and "permission denied (the port belongs to group dialout)" in line["detail"]
        assert line["fix"] == "sudo usermod -aG dialout nobody, then log out and back in"
        assert data["ok"] is False
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_doctor_text_output_one_line_per_check(tmp_path):
    run = subprocess.run([sys.executable, "-m", "fieldapp", "doctor", "--workspace", str(tmp_path / "ws.db")],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    names = [ln.split()[1] for ln in run.stdout.splitlines()]
    assert names[:4] == ["python", "qt", "display", "fonts"]
    assert {"gpsd", "workspace"} <= set(names)
    assert run.stderr == ""


def test_an_unwritable_workspace_fails(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    facts = doctor.gather_workspace(blocker / "sub" / "ws.db")
    assert not facts.writable
    assert doctor.workspace_check(facts).status == FAIL


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0 or not shutil.which("unshare"),
                    reason="needs root and unshare (a private mount namespace)")
def test_doctor_names_the_package_of_a_missing_qt_library(tmp_path):
    """libEGL hidden in a private mount namespace: the qt line fails naming libegl1 (the
    doctor lives: Qt was probed in a child process)."""
    import ctypes

    ctypes.CDLL("libEGL.so.1")
    maps = Path("/proc/self/maps").read_text().splitlines()
    target = next((ln.split()[-1] for ln in maps if "/libEGL.so.1" in ln), None)
    if target is None:
        pytest.skip("libEGL.so.1 not mapped")
    cmd = f"{sys.executable} -m fieldapp doctor --json --workspace {tmp_path / 'ws.db'}"
    run = subprocess.run(["unshare", "-m", "sh", "-c", f"mount --bind /dev/null {target} && exec {cmd}"],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 1, run.stderr
    qt = [c for c in json.loads(run.stdout)["checks"] if c["name"] == "qt"][0]
    assert qt["status"] == FAIL and "missing libEGL.so.1 (Debian package libegl1)" in qt["detail"]
    assert qt["fix"] == "sudo apt-get install -y libegl1"
