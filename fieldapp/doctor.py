"""``fieldapp doctor``: what stands between this machine and a working field session, one line
per check with the fix. The same report is in the window's Help menu.

    ok    python     Python 3.11.2 (/usr/bin/python3)
    ok    qt         Qt 6.9.1 (PySide6 6.9.1), GUI libraries load
    FAIL  port       /dev/ttyUSB2: permission denied (group dialout) -- fix: sudo usermod -aG dialout $USER, then log out and in
    warn  port       /dev/ttyUSB3: held by ModemManager (pid 612) -- fix: ...

Gathering facts (``gather_*``) touches the machine; judging them (``*_check``) is pure, so the
tests feed facts and read the verdicts. Qt is probed in a child process: a missing library or
platform plugin makes Qt abort the whole process, and the doctor must live to say why.
"""

from __future__ import annotations

import os
import platform
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from fieldapp import syscheck
from fieldapp.compiled_parts import python_asked

try:  # POSIX only; on Windows a COM port has no owner group
    import grp
    import pwd
except ImportError:  # pragma: no cover - Windows
    grp = pwd = None  # type: ignore[assignment]
from fieldapp.fonts import bundled_font_files

OK, WARN, FAIL, INFO = "ok", "warn", "fail", "info"
MIN_PYTHON = (3, 10)
GPSD_ADDRESS = ("127.0.0.1", 2947)
LOW_SPACE_BYTES = 1 << 30     # warn below 1 GiB: an hour's session with raw traffic is ~50 MB
NO_SPACE_BYTES = 100 << 20    # fail below 100 MiB: a recording would stop within minutes
MM_NAMES = ("ModemManager",)  # the process that probes every new serial modem on Linux desktops


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok / warn / fail / info
    detail: str
    fix: str | None = None

    def line(self) -> str:
        label = "FAIL" if self.status == FAIL else self.status
        text = f"{label:<5} {self.name:<10} {self.detail}"
        return f"{text} -- fix: {self.fix}" if self.fix else text


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(c.status == FAIL for c in self.checks)

    def lines(self) -> list[str]:
        return [c.line() for c in self.checks]

    def to_json(self) -> dict:
        return {"ok": self.ok, "checks": [asdict(c) for c in self.checks]}


# --------------------------------------------------------------------------- python and Qt


def python_check(version: Sequence[int], executable: str) -> Check:
    text = f"Python {'.'.join(str(v) for v in version[:3])} ({executable})"
    if tuple(version[:2]) < MIN_PYTHON:
        return Check("python", FAIL, f"{text}: fieldapp needs {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer",
                     "install a newer Python (e.g. sudo apt-get install python3) and rebuild the venv")
    return Check("python", OK, text)


# Run in a child: prints Qt's version, then loads the GUI and widget libraries (what every
# report and the window need), then, when asked, starts a QGuiApplication on the platform plugin.
QT_PROBE = """
import sys
import PySide6
from PySide6 import QtCore
print("qt", QtCore.qVersion(), PySide6.__version__, flush=True)
from PySide6 import QtGui, QtWidgets
print("gui ok", flush=True)
if sys.argv[1:] == ["platform"]:
    app = QtGui.QGuiApplication(sys.argv[:1])
    print("platform", app.platformName(), flush=True)
"""


@dataclass(frozen=True)
class QtFacts:
    qt_version: str | None
    pyside_version: str | None
    gui_loads: bool
    error: str | None  # the last line of the child's stderr when something failed
    platform: str | None = None  # the plugin a QGuiApplication got (when probed)
    platform_error: str | None = None


def gather_qt(with_platform: bool, python: str = sys.executable, timeout_s: float = 30) -> QtFacts:
    if getattr(sys, "frozen", False):  # a desktop bundle: sys.executable is fieldapp itself
        return gather_qt_here()
    args = [python, "-c", QT_PROBE] + (["platform"] if with_platform else [])
    try:
        run = subprocess.run(args, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return QtFacts(None, None, False, f"the Qt probe did not finish in {timeout_s:g} s")
    except OSError as exc:
        return QtFacts(None, None, False, f"cannot run {python}: {exc.strerror or exc}")
    out = run.stdout.split("\n")
    err_lines = [ln for ln in run.stderr.strip().splitlines() if ln.strip()]
    qt_v = pyside_v = None
    platform_name = None
    for ln in out:
        parts = ln.split()
        if parts[:1] == ["qt"] and len(parts) >= 3:
            qt_v, pyside_v = parts[1], parts[2]
        if parts[:1] == ["platform"] and len(parts) >= 2:
            platform_name = parts[1]
    gui_ok = "gui ok" in out
    error = _qt_error(err_lines) if run.returncode != 0 or not gui_ok else None
    platform_error = None
    if with_platform and gui_ok and platform_name is None:
        platform_error, error = _qt_error(err_lines), None
    return QtFacts(qt_v, pyside_v, gui_ok, error, platform_name, platform_error)


def gather_qt_here() -> QtFacts:
    """Qt probed in this process (a bundle carries its own Qt libraries, so a missing system
    library is unlikely; the platform plugin is not started here, it could abort)."""
    import importlib

    try:
        core = importlib.import_module("PySide6.QtCore")
        version = importlib.import_module("PySide6").__version__
    except ImportError as exc:
        return QtFacts(None, None, False, f"{type(exc).__name__}: {exc}")
    try:
        importlib.import_module("PySide6.QtGui")
        importlib.import_module("PySide6.QtWidgets")
    except ImportError as exc:
        return QtFacts(core.qVersion(), version, False, f"{type(exc).__name__}: {exc}")
    return QtFacts(core.qVersion(), version, True, None)


def _qt_error(lines: list[str]) -> str:
    """The telling line of a failed probe: an ImportError's last line, or Qt's plugin message."""
    for ln in lines:
        if "Could not load the Qt platform plugin" in ln or "could not connect to display" in ln:
            return ln.strip()
    return lines[-1].strip() if lines else "the Qt probe failed without a message"


def missing_soname(error: str) -> str | None:
    """``libEGL.so.1`` from "ImportError: libEGL.so.1: cannot open shared object file ..."."""
    for name in syscheck._SONAME_IN_ERROR.findall(error or ""):
        if not name.startswith("libQt6") and not name.startswith("libpyside") and not name.startswith("libshiboken"):
            return name
    return None


def package_fix(sonames: Iterable[str]) -> str | None:
    packages: list[str] = []
    for soname in sonames:
        lib = syscheck.lib_by_soname(soname)
        name = lib.packages[-1] if lib else None
        if name and name not in packages:
            packages.append(name)
    return syscheck.install_line(packages) if packages else None


def qt_check(facts: QtFacts) -> Check:
    if facts.qt_version is None:
        detail = f"PySide6 does not import: {facts.error}" if facts.error else "PySide6 does not import"
        return Check("qt", FAIL, detail, "reinstall the venv (make clean; make demo)")
    text = f"Qt {facts.qt_version} (PySide6 {facts.pyside_version})"
    if not facts.gui_loads:
        soname = missing_soname(facts.error or "")
        lib = syscheck.lib_by_soname(soname) if soname else None
        what = f"missing {soname}" + (f" (Debian package {lib.packages[-1]})" if lib else "") if soname \
            else (facts.error or "unknown error")
        fix = package_fix([soname]) if soname else None
        if soname and not fix:
            fix = f"install the package that provides {soname} (apt-file search {soname})"
        return Check("qt", FAIL, f"{text}, but its GUI libraries do not load: {what}", fix)
    return Check("qt", OK, f"{text}, GUI libraries load")


# --------------------------------------------------------------------------- display and plugin


def display_check(system: str, env: dict[str, str], missing_window_libs: Sequence[str],
                  facts: QtFacts | None) -> Check:
    """Where the window would open. ``facts`` carries the platform probe when there was a
    display to probe; ``missing_window_libs`` the xcb plugin's libraries that do not load."""
    forced = env.get("QT_QPA_PLATFORM")
    if system != "Linux":
        return Check("display", OK, f"{system}: Qt's native platform plugin")
    if forced and forced.split(":")[0] in ("offscreen", "minimal"):
        return Check("display", INFO, f"QT_QPA_PLATFORM={forced}: no window is shown (headless commands work)")
    has_display = bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))
    x11 = forced == "xcb" or (not forced and not env.get("WAYLAND_DISPLAY"))
    if missing_window_libs and x11:
        libs = ", ".join(missing_window_libs)
        where = "" if has_display or forced == "xcb" else " (and there is no display now)"
        status = FAIL if has_display or forced == "xcb" else WARN
        return Check("display", status, f"Qt's X11 window plugin (xcb) cannot load: missing {libs}{where}",
                     package_fix(missing_window_libs))
    if not has_display and not forced:
        return Check("display", WARN, "no display (DISPLAY/WAYLAND_DISPLAY unset): the window cannot open; "
                     "headless commands work",
                     "run from a desktop session, or QT_QPA_PLATFORM=offscreen for --screenshot")
    if facts is not None and facts.platform_error:
        return Check("display", FAIL, f"Qt cannot open the display: {facts.platform_error}",
                     "check DISPLAY / WAYLAND_DISPLAY, or QT_QPA_PLATFORM=xcb")
    name = facts.platform if facts is not None and facts.platform else (forced or "xcb")
    where = env.get("WAYLAND_DISPLAY") or env.get("DISPLAY") or forced
    return Check("display", OK, f"platform plugin {name} on {where}")


# --------------------------------------------------------------------------- fonts


def fonts_check(bundled: Sequence[Path], system_fonts: Sequence[str]) -> Check:
    present = [p for p in bundled if Path(p).is_file()]
    if not present:
        return Check("fonts", FAIL, "the DejaVu Sans shipped with fieldapp is missing: reports fall back "
                     "to system fonts", "reinstall fieldapp (pip install --force-reinstall fieldapp)")
    names = ", ".join(Path(p).name for p in present)
    if not system_fonts:
        return Check("fonts", WARN, f"bundled {names}; no system fonts (file dialogs may show boxes)",
                     f"sudo apt-get install -y {syscheck.FONT_PACKAGE}")
    return Check("fonts", OK, f"bundled {names} for reports and the window; system fonts present")


# --------------------------------------------------------------------------- serial ports


@dataclass(frozen=True)
class PortFacts:
    device: str
    exists: bool
    can_open: bool                   # read+write permission for this process
    group: str | None = None         # the device's group (dialout on Debian, uucp on Arch)
    group_mode: bool = False         # the group has rw on it
    in_group_now: bool = False       # this process runs with that group
    in_group_db: bool = False        # /etc/group lists the user (active after a new login)
    holders: tuple[tuple[int, str], ...] = ()  # (pid, process name) holding it open
    description: str | None = None
    vid: int | None = None
    pid: int | None = None


def port_checks(ports: Sequence[PortFacts], system: str, user: str) -> list[Check]:
    if not ports:
        where = "COM ports" if system == "Windows" else "serial ports"
        return [Check("ports", INFO, f"no {where} found (plug in the handset; `fieldapp ports` lists them)")]
    return [port_check(p, user) for p in ports]


def port_check(p: PortFacts, user: str) -> Check:
    label = p.device + (f" ({p.description})" if p.description and p.description != "n/a" else "")
    if not p.exists:
        return Check("port", FAIL, f"{p.device}: no such device", "plug it in; `fieldapp ports` lists what is there")
    if not p.can_open:
        group = p.group or "dialout"
        if p.in_group_db and not p.in_group_now:
            return Check("port", FAIL, f"{label}: permission denied; {user} is in group {group} but this "
                         "login session is older than that", "log out and back in (or run: newgrp " + group + ")")
        if p.group_mode:
            return Check("port", FAIL, f"{label}: permission denied (the port belongs to group {group})",
                         f"sudo usermod -aG {group} {user}, then log out and back in")
        return Check("port", FAIL, f"{label}: permission denied (group {group} has no access)",
                     f"a udev rule giving group {group} rw (MODE=\"0660\", GROUP=\"{group}\"), or run as its owner")
    mm = [(pid, name) for pid, name in p.holders if name in MM_NAMES]
    if mm:
        pid, name = mm[0]
        return Check("port", WARN, f"{label}: held by {name} (pid {pid}), which probes modems and "
                     "sends its own AT commands", _mm_fix(p))
    if p.holders:
        who = ", ".join(f"{name} (pid {pid})" for pid, name in p.holders)
        return Check("port", WARN, f"{label}: held open by {who}; fieldapp opens a port exclusively",
                     f"close that program (kill {p.holders[0][0]} if it is stale)")
    return Check("port", OK, f"{label}: readable and writable, not held by another process")


def _mm_fix(p: PortFacts) -> str:
    if p.vid is not None and p.pid is not None:
        match = f'ATTRS{{idVendor}}=="{p.vid:04x}", ATTRS{{idProduct}}=="{p.pid:04x}", '
    else:
        match = f'KERNEL=="{Path(p.device).name}", '
    return ("tell ModemManager to leave the test handset alone: echo '" + match
            + 'ENV{ID_MM_DEVICE_IGNORE}="1"\' | sudo tee /etc/udev/rules.d/99-fieldapp-handset.rules; '
            "sudo udevadm control --reload; replug (for now: sudo systemctl stop ModemManager, "
            "or mmcli -L then sudo mmcli -m N --disable)")


def modemmanager_check(running: Sequence[tuple[int, str]], system: str) -> Check | None:
    if system != "Linux":
        return None
    mm = [(pid, name) for pid, name in running if name in MM_NAMES]
    if not mm:
        return Check("modemmgr", OK, "ModemManager is not running")
    return Check("modemmgr", INFO, f"ModemManager runs (pid {mm[0][0]}): it probes a new serial modem for "
                 "~30 s after plug-in", "a udev rule with ENV{ID_MM_DEVICE_IGNORE}=\"1\" for the test "
                 "handset (see the port line when it holds one)")


def gather_port(device: str, info: dict | None = None, holders: dict[str, list[tuple[int, str]]] | None = None,
                ) -> PortFacts:
    info = info or {}
    try:
        st = os.stat(device)
    except OSError:
        return PortFacts(device, exists=False, can_open=False, description=info.get("description"))
    group = None
    try:
        group = grp.getgrgid(st.st_gid).gr_name if grp else None
    except KeyError:
        pass
    user = _user_name()
    in_db = False
    if group:
        try:
            entry = grp.getgrnam(group)
            in_db = user in entry.gr_mem or pwd.getpwnam(user).pw_gid == entry.gr_gid
        except (KeyError, AttributeError):
            in_db = False
    in_now = st.st_gid in os.getgroups() or st.st_gid == os.getegid()
    real = os.path.realpath(device)
    return PortFacts(device, exists=True, can_open=os.access(device, os.R_OK | os.W_OK), group=group,
                     group_mode=bool(st.st_mode & stat.S_IRGRP and st.st_mode & stat.S_IWGRP),
                     in_group_now=in_now, in_group_db=in_db,
                     holders=tuple((holders or {}).get(real, ())), description=info.get("description"),
                     vid=info.get("vid"), pid=info.get("pid"))


def open_files_by_process(proc: Path = Path("/proc")) -> tuple[dict[str, list[tuple[int, str]]], list[tuple[int, str]]]:
    """(device path → [(pid, name)] holding it, every (pid, name)), from /proc/*/fd. Processes
    of other users are visible only to root; their fds are skipped otherwise."""
    holders: dict[str, list[tuple[int, str]]] = {}
    processes: list[tuple[int, str]] = []
    if not proc.is_dir():
        return holders, processes
    me = os.getpid()
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            name = (entry / "comm").read_text().strip()
        except OSError:
            continue
        processes.append((pid, name))
        if pid == me:
            continue
        try:
            fds = list((entry / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("/dev/"):
                holders.setdefault(target, [])
                if (pid, name) not in holders[target]:
                    holders[target].append((pid, name))
    return holders, processes


def _user_name() -> str:
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except (KeyError, AttributeError):
        return os.environ.get("USER") or os.environ.get("USERNAME") or "$USER"


# --------------------------------------------------------------------------- gpsd and workspace


def gpsd_check(reachable: bool, address: tuple[str, int] = GPSD_ADDRESS, error: str | None = None,
               system: str = "Linux") -> Check:
    where = f"{address[0]}:{address[1]}"
    if reachable:
        return Check("gpsd", OK, f"gpsd answers on {where} (--gps {where})")
    detail = (f"gpsd not reachable on {where}" + (f" ({error})" if error else "")
              + ": only needed for --gps host:port; an NMEA GPS on a serial port works without it")
    if system == "Windows":  # no gpsd there: the GPS puck is a COM port
        return Check("gpsd", INFO, detail, "give the GPS's COM port itself (--gps COM4)")
    return Check("gpsd", INFO, detail, "sudo apt-get install -y gpsd, or give the GPS port itself (--gps /dev/ttyACM0)")


def gather_gpsd(address: tuple[str, int] = GPSD_ADDRESS, timeout_s: float = 0.5) -> tuple[bool, str | None]:
    try:
        with socket.create_connection(address, timeout=timeout_s):
            return True, None
    except OSError as exc:
        return False, exc.strerror or str(exc)


@dataclass(frozen=True)
class WorkspaceFacts:
    path: Path
    writable: bool
    free_bytes: int | None
    error: str | None = None


def gather_workspace(path: Path) -> WorkspaceFacts:
    """Can a workspace be written where it lives: make its directory, write and remove a file."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".doctor-", dir=folder)
        os.close(fd)
        os.unlink(probe)
        if path.exists() and not os.access(path, os.R_OK | os.W_OK):
            return WorkspaceFacts(path, False, _free(folder), f"{path.name} is not writable")
    except OSError as exc:
        return WorkspaceFacts(path, False, _free(folder), exc.strerror or str(exc))
    return WorkspaceFacts(path, True, _free(folder))


def _free(folder: Path) -> int | None:
    for p in (folder, *folder.parents):
        try:
            return shutil.disk_usage(p).free
        except OSError:
            continue
    return None


def workspace_check(facts: WorkspaceFacts) -> Check:
    free = facts.free_bytes
    free_text = f"{free / (1 << 30):.1f} GiB free" if free is not None else "free space unknown"
    if not facts.writable:
        return Check("workspace", FAIL, f"{facts.path}: cannot write ({facts.error}); {free_text}",
                     "give --workspace a writable path, or set FIELDAPP_WORKSPACE")
    if free is not None and free < NO_SPACE_BYTES:
        return Check("workspace", FAIL, f"{facts.path}: writable but only {free >> 20} MiB free",
                     "free disk space or move the workspace (--workspace / FIELDAPP_WORKSPACE)")
    if free is not None and free < LOW_SPACE_BYTES:
        return Check("workspace", WARN, f"{facts.path}: writable, {free >> 20} MiB free (an hour of "
                     "recording with raw traffic takes ~50 MB)", "free disk space")
    return Check("workspace", OK, f"{facts.path}: writable, {free_text}")


@dataclass(frozen=True)
class CompiledPart:
    """A compiled part (fieldapp/compiled_parts.py), as the doctor names it."""

    line: str  # the doctor's line
    module: str
    source: str
    pure_env: str
    does: str  # what it does, for "<does> by the compiled part"
    python: str  # what the Python twin costs


STORE_PART = CompiledPart("store", "fieldapp.store._rowpack", "fieldapp/store/_rowpack.c", "FIELDAPP_PURE_STORE",
                          "samples packed", "the same rows, imports store them about half as fast")
NEMO_PART = CompiledPart("logs", "logs._nemoline", "logs/_nemoline.c", "FIELDAPP_PURE_READERS",
                         "Nemo cell and GPS lines read", "the same records, Nemo imports take about a fifth longer")


def compiled_part_check(part: CompiledPart, state: str, system: str) -> Check:
    """Whether a compiled part (built at install where a C compiler is found) runs, or its
    Python twin: the same results, slower."""
    if state == "compiled":
        return Check(part.line, OK, f"{part.does} by the compiled part ({part.module})")
    if state == "stale":
        return Check(part.line, WARN, f"the compiled part was built from an older {part.source}: {part.does} in "
                     f"Python ({part.python}) until it is rebuilt", "rm .venv/.installed; make demo (or: pip install -e .)")
    if python_asked(part.pure_env):
        return Check(part.line, INFO, f"{part.does} in Python ({part.pure_env} is set): {part.python}")
    fix = ("sudo apt-get install -y build-essential python3-dev, then reinstall (rm .venv/.installed; make demo)"
           if system == "Linux" else "install a C compiler for Python extensions, then reinstall fieldapp")
    return Check(part.line, INFO, f"{part.does} in Python (the compiled part was not built: no C compiler at "
                 f"install): {part.python}", fix)


def store_check(packing: str, system: str) -> Check:
    """Whether the store packs samples with its compiled part (fieldapp/store/_rowpack.c) or in
    Python: the same rows, but imports and recordings store samples about half as fast."""
    return compiled_part_check(STORE_PART, packing, system)


# --------------------------------------------------------------------------- the whole report


def run_doctor(workspace: Path, extra_ports: Sequence[str] = (), env: dict[str, str] | None = None,
               *, qt_facts: QtFacts | None = None, gpsd_address: tuple[str, int] = GPSD_ADDRESS) -> Report:
    """Every check on this machine. ``extra_ports``: devices to check beyond the OS's list
    (a pty, a symlink). ``qt_facts``: what the running window knows about Qt (else a child
    process probes it)."""
    env = dict(os.environ) if env is None else env
    system = platform.system()
    report = Report()
    report.checks.append(python_check(sys.version_info, sys.executable))

    missing_window: list[str] = []
    if system == "Linux":
        window_only = {lib.soname for lib in syscheck.WINDOW_LIBS}  # GUI libraries: the qt line
        missing_window = [f.soname for f in syscheck.check_libraries(syscheck.WINDOW) if f.soname in window_only]
    want_platform = system == "Linux" and bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")
                                               or env.get("QT_QPA_PLATFORM")) and not missing_window
    facts = qt_facts if qt_facts is not None else gather_qt(with_platform=want_platform)
    report.checks.append(qt_check(facts))
    report.checks.append(display_check(system, env, missing_window, facts))
    report.checks.append(fonts_check(bundled_font_files(), syscheck.system_font_files()))

    from drivers.transport import list_ports

    holders, processes = open_files_by_process() if system == "Linux" else ({}, [])
    listed = {row["device"]: row for row in list_ports()}
    devices = list(listed) + [p for p in extra_ports if p not in listed]
    if system == "Windows":
        facts_list = [PortFacts(d, True, True, description=listed.get(d, {}).get("description")) for d in devices]
    else:
        facts_list = [gather_port(d, listed.get(d), holders) for d in devices]
    report.checks.extend(port_checks(facts_list, system, _user_name()))
    mm = modemmanager_check(processes, system)
    if mm:
        report.checks.append(mm)

    reachable, error = gather_gpsd(gpsd_address)
    report.checks.append(gpsd_check(reachable, gpsd_address, error, system))
    from fieldapp.store.rows import PACKING
    from logs.nemo_fast import READING

    report.checks.append(store_check(PACKING, system))
    report.checks.append(compiled_part_check(NEMO_PART, READING, system))
    report.checks.append(workspace_check(gather_workspace(workspace)))
    return report
