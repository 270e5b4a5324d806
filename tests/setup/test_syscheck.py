"""The pre-flight check of `make demo`/`make test` (fieldapp/syscheck.py): over a fake loader
result, and for real with a library hidden in a private mount namespace (root only, as in CI).
The library list was taken from the NEEDED entries of the PySide6 6.x wheel (objdump -p)."""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from fieldapp import syscheck

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "fieldapp" / "syscheck.py"


def loader(missing: dict[str, str]):
    """A fake loader: None (loads) unless the soname is in ``missing`` (then its error text)."""
    return lambda soname: missing.get(soname)


def test_every_library_loads_means_nothing_to_do():
    report = syscheck.build_report(syscheck.WINDOW, load=loader({}))
    assert report.ok and report.findings == [] and report.packages == []


def test_a_missing_library_gives_one_line_naming_its_debian_package():
    err = "libxcb-cursor.so.0: cannot open shared object file: No such file or directory"
    report = syscheck.build_report(syscheck.WINDOW, load=loader({"libxcb-cursor.so.0": err}))
    assert not report.ok
    assert [f.line for f in report.findings] == [
        "missing libxcb-cursor.so.0 (Qt's X11 window plugin): Debian package libxcb-cursor0"]
    assert report.packages == ["libxcb-cursor0"]


def test_headless_commands_do_not_need_the_window_libraries():
    err = "libxcb-cursor.so.0: cannot open shared object file: No such file or directory"
    assert syscheck.build_report(syscheck.HEADLESS, load=loader({"libxcb-cursor.so.0": err})).ok
    egl = "libEGL.so.1: cannot open shared object file: No such file or directory"
    report = syscheck.build_report(syscheck.HEADLESS, load=loader({"libEGL.so.1": egl}))
    assert report.packages == ["libegl1"]


def test_the_library_the_loader_blames_is_the_one_named():
    # libEGL itself is there, but what it links against is not: name libglvnd0, once.
    missing = {"libEGL.so.1": "libGLdispatch.so.0: cannot open shared object file: No such file or directory",
               "libGLdispatch.so.0": "libGLdispatch.so.0: cannot open shared object file: No such file",
               "libGL.so.1": "libGLdispatch.so.0: cannot open shared object file: No such file"}
    report = syscheck.build_report(syscheck.HEADLESS, load=loader(missing))
    assert report.packages == ["libglvnd0"]
    assert len(report.findings) == 1


def test_several_missing_give_one_line_each_and_one_install_line():
    missing = {s: f"{s}: cannot open shared object file" for s in
               ("libfontconfig.so.1", "libxkbcommon.so.0", "libxcb-icccm.so.4")}
    report = syscheck.build_report(syscheck.WINDOW, load=loader(missing))
    assert report.packages == ["libfontconfig1", "libxkbcommon0", "libxcb-icccm4"]
    assert syscheck.install_line(report.packages) == \
        "sudo apt-get install -y libfontconfig1 libxkbcommon0 libxcb-icccm4"


def test_the_t64_rename_follows_what_apt_knows():
    lib = syscheck.lib_by_soname("libglib-2.0.so.0")
    assert syscheck.pick_package(lib.packages, known=lambda p: p == "libglib2.0-0t64") == "libglib2.0-0t64"
    assert syscheck.pick_package(lib.packages, known=lambda p: p == "libglib2.0-0") == "libglib2.0-0"
    assert syscheck.pick_package(lib.packages, known=None) == "libglib2.0-0"


def test_python_without_ensurepip_names_python3_venv():
    report = syscheck.build_report(syscheck.HEADLESS, load=loader({}), venv_ok=False, venv_pkg="python3-venv")
    assert report.packages == ["python3-venv"]
    assert "no ensurepip" in report.findings[0].line


def test_fonts_are_installed_for_the_window_only_mentioned_for_headless():
    win = syscheck.build_report(syscheck.WINDOW, load=loader({}), font_files=[])
    assert win.packages == ["fonts-dejavu-core"] and not win.ok
    headless = syscheck.build_report(syscheck.HEADLESS, load=loader({}), font_files=[])
    assert headless.ok and headless.packages == [] and "shipped with fieldapp" in headless.findings[0].line


def test_the_package_for_a_missing_library_in_an_import_error():
    line = syscheck.explain_load_error("libEGL.so.1: cannot open shared object file: No such file or directory")
    assert "libEGL.so.1" in line and "apt-get install -y libegl1" in line
    assert syscheck.explain_load_error("No module named 'foo'") is None


def test_as_non_root_it_prints_the_one_apt_line_and_stops(monkeypatch, capsys):
    err = "libxcb-cursor.so.0: cannot open shared object file"
    monkeypatch.setattr(syscheck, "check_system", lambda need, have_venv=False: syscheck.build_report(
        need, load=loader({"libxcb-cursor.so.0": err}), known=None))
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    assert syscheck.main(["--need", "window"]) == 1
    err_text = capsys.readouterr().err
    assert "missing libxcb-cursor.so.0" in err_text
    assert err_text.strip().splitlines()[-1].strip() == "sudo apt-get install -y libxcb-cursor0"


def test_as_root_it_installs_with_apt_get_and_says_so(monkeypatch, capsys):
    state = {"installed": False}
    err = "libxcb-cursor.so.0: cannot open shared object file"

    def check(need, have_venv=False):
        gone = {} if state["installed"] else {"libxcb-cursor.so.0": err}
        return syscheck.build_report(need, load=loader(gone), known=None)

    calls = []

    def fake_run(cmd, **kw):  # apt-get itself is not run in a test
        calls.append(cmd)
        if "install" in cmd:
            state["installed"] = True
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(syscheck, "check_system", check)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(syscheck.subprocess, "run", fake_run)
    assert syscheck.main(["--need", "window"]) == 0
    assert "installing with apt-get (running as root): libxcb-cursor0" in capsys.readouterr().err
    assert calls[0][:2] == ["apt-get", "update"]
    assert calls[1][:2] == ["apt-get", "install"] and calls[1][-1] == "libxcb-cursor0"


def _real_path(soname: str) -> str:
    """The file the loader opens for ``soname`` (from this process's memory map)."""
    ctypes.CDLL(soname)
    for line in Path("/proc/self/maps").read_text().splitlines():
        if line.rstrip().endswith("/" + soname) or f"/{soname}." in line or line.rstrip().endswith(soname):
            return line.split()[-1]
    pytest.skip(f"{soname} not found in /proc/self/maps")


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0 or not shutil.which("unshare"),
                    reason="needs root and unshare (a private mount namespace)")
def test_a_library_hidden_for_real_is_named_with_its_package():
    """A private mount namespace where /dev/null sits over libxcb-cursor: the real loader fails
    on it, the script names libxcb-cursor0 and, told not to install, stops with exit 1."""
    try:
        target = _real_path("libxcb-cursor.so.0")
    except OSError:
        pytest.skip("libxcb-cursor0 is not installed here")
    script = (f"mount --bind /dev/null {target} && "
              f"exec {sys.executable} {SCRIPT} --need window --no-install")
    run = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=60)
    if "mount" in run.stderr and "permission denied" in run.stderr.lower():
        pytest.skip(f"no mount namespace here: {run.stderr.strip()}")
    assert run.returncode == 1, run.stderr
    lines = run.stderr.strip().splitlines()
    assert any(ln.startswith("fieldapp: missing libxcb-cursor.so.0") and ln.endswith("Debian package libxcb-cursor0")
               for ln in lines), lines
    assert lines[-1].strip() == "sudo apt-get install -y libxcb-cursor0"
    # The headless check does not need it.
    headless = subprocess.run(["unshare", "-m", "sh", "-c", script.replace("--need window", "--need headless")],
                              capture_output=True, text=True, timeout=60)
    assert headless.returncode == 0, headless.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0 or not shutil.which("unshare"),
                    reason="needs root and unshare (a private mount namespace)")
def test_without_libegl_a_headless_command_says_which_package_instead_of_a_traceback(tmp_path):
    """`fieldapp case report` imports Qt's GUI module; without libEGL it used to die with a
    traceback. With the library hidden it exits 2 with one line naming libegl1."""
    try:
        target = _real_path("libEGL.so.1")
    except OSError:
        pytest.skip("libegl1 is not installed here")
    fieldapp = [sys.executable, "-m", "fieldapp", "--workspace", str(tmp_path / "ws.db")]
    new = subprocess.run(fieldapp + ["case", "new", "--title", "x"], capture_output=True, text=True, timeout=60,
                         cwd=ROOT)
    case_id = new.stdout.strip() or "1"
    cmd = " ".join(fieldapp + ["case", "report", case_id, "--out", str(tmp_path / "r.pdf")])
    run = subprocess.run(["unshare", "-m", "sh", "-c", f"mount --bind /dev/null {target} && exec {cmd}"],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith("fieldapp: Qt cannot load libEGL.so.1"), run.stderr
    assert "apt-get install -y libegl1" in run.stderr


def test_make_removes_a_half_made_venv_before_using_it(tmp_path):
    """`python3 -m venv` without python3-venv leaves a venv without pip; make then failed with
    "No module named pip" forever. Now make says so, removes it, and the stamp rule rebuilds."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    (venv / ".installed").touch()  # even a stamp from an earlier run does not save it
    run = subprocess.run(["make", "-n", "-C", str(ROOT), f"VENV={venv}", "test"], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert f"{venv} is half-made (its python has no pip): removing it" in run.stderr
    assert not venv.exists()
    assert f"-m venv {venv}" in run.stdout  # the rule that rebuilds it runs


def test_a_working_venv_is_left_alone(tmp_path):
    assert syscheck.venv_problem(Path(sys.prefix)) is None
    assert syscheck.venv_problem(tmp_path / "absent") is None
    (tmp_path / "v" / "bin").mkdir(parents=True)
    assert syscheck.venv_problem(tmp_path / "v") is None  # no pyvenv.cfg: not a venv, never removed
    (tmp_path / "v" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    assert syscheck.venv_problem(tmp_path / "v") == "it has no python"


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0 or not shutil.which("unshare"),
                    reason="needs root and unshare (a private mount namespace)")
def test_the_window_without_libxcb_cursor_names_the_package_instead_of_aborting(tmp_path):
    """Qt aborts in its xcb plugin (naming the plugin, not the package) when libxcb-cursor0 is
    missing; the window checks first and exits 2 with the Debian package."""
    try:
        target = _real_path("libxcb-cursor.so.0")
    except OSError:
        pytest.skip("libxcb-cursor0 is not installed here")
    cmd = f"{sys.executable} -m fieldapp --workspace {tmp_path / 'ws.db'} --exit-after 1"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env["DISPLAY"] = ":97"  # never reached: the check comes before Qt
    run = subprocess.run(["unshare", "-m", "sh", "-c", f"mount --bind /dev/null {target} && exec {cmd}"],
                         capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)
    assert run.returncode == 2, run.stderr
    line = run.stderr.strip().splitlines()
    assert len(line) == 1 and line[0].startswith("fieldapp: missing libxcb-cursor.so.0"), run.stderr
    assert "sudo apt-get install -y libxcb-cursor0" in line[0]


@pytest.mark.skipif(not os.path.isdir("/usr/lib/python3/dist-packages") or os.geteuid() != 0
                    or not shutil.which("unshare") or not os.access("/usr/bin/python3", os.X_OK),
                    reason="needs Debian's python3, root and unshare")
def test_debians_python3_without_python3_venv_names_the_package(tmp_path):
    """Debian ships ensurepip in python3.X-venv; with its folder emptied in a private mount
    namespace, the check run by Debian's python3 asks for python3-venv."""
    probe = subprocess.run(["/usr/bin/python3", "-c", "import ensurepip, sys; print(ensurepip.__file__)"],
                           capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        pytest.skip("Debian's python3 has no ensurepip here")
    folder = str(Path(probe.stdout.strip()).parent)
    empty = tmp_path / "empty"
    empty.mkdir()
    run = subprocess.run(["unshare", "-m", "sh", "-c", f"mount --bind {empty} {folder} && "
                          f"exec /usr/bin/python3 {SCRIPT} --need headless --no-install"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1, run.stderr
    assert "python cannot make a virtual environment with pip (no ensurepip): Debian package python3-venv" \
        in run.stderr
    assert run.stderr.strip().splitlines()[-1].strip().startswith("sudo apt-get install -y python3-venv")


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0 or not shutil.which("unshare")
                    or not shutil.which("setpriv") or not os.access("/usr/bin/python3", os.X_OK),
                    reason="needs root, unshare and setpriv")
def test_make_as_a_user_prints_the_apt_line_and_stops():
    """`make demo`'s pre-flight as an ordinary user (nobody) on a machine without
    libxcb-cursor0: one line for the library, the one apt-get line, and make stops before
    touching the venv."""
    try:
        target = _real_path("libxcb-cursor.so.0")
    except OSError:
        pytest.skip("libxcb-cursor0 is not installed here")
    folder = Path(tempfile.mkdtemp(prefix="fieldapp-make-"))
    try:
        (folder / "fieldapp").mkdir()
        shutil.copy(ROOT / "Makefile", folder / "Makefile")
        shutil.copy(SCRIPT, folder / "fieldapp" / "syscheck.py")
        for p in (folder, folder / "fieldapp"):
            p.chmod(0o755)
        make = (f"mount --bind /dev/null {target} && exec setpriv --reuid=65534 --regid=65534 --clear-groups "
                f"make -C {folder} PY=/usr/bin/python3 demo")
        run = subprocess.run(["unshare", "-m", "sh", "-c", make], capture_output=True, text=True, timeout=120)
        assert run.returncode == 2, run.stdout + run.stderr
        err = [ln for ln in run.stderr.splitlines() if ln.startswith(("fieldapp:", "    sudo"))]
        assert err[0].startswith("fieldapp: missing libxcb-cursor.so.0") and "libxcb-cursor0" in err[0]
        assert err[-1].strip() == "sudo apt-get install -y libxcb-cursor0"
        assert "installing with apt-get" not in run.stderr
        assert not (folder / ".venv").exists()  # stopped before making the venv
    finally:
        shutil.rmtree(folder, ignore_errors=True)
