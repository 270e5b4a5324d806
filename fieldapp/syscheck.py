"""What a fresh Debian/Ubuntu machine lacks before fieldapp can run: python3-venv, the shared
libraries Qt loads, fonts. Standard library only, because the Makefile runs it with the system
``python3`` before ``.venv`` exists:

    $ python3 fieldapp/syscheck.py --need window
    fieldapp: missing libxcb-cursor.so.0 (Qt's X11 window plugin): Debian package libxcb-cursor0
    fieldapp: run as root: apt-get install -y libxcb-cursor0

Run as root it installs the packages with apt-get (and says so) instead of stopping.
``fieldapp doctor`` shows the same findings. The checks are pure functions over a loader
(``load(soname) -> error or None``), so a test can hand them a fake loader result.

The library lists come from the NEEDED entries of the PySide6 wheel (``objdump -p``):
QtCore/QtGui/QtWidgets and the offscreen plugin for headless commands (reports, tests), plus
the xcb platform plugin (``libqxcb.so`` → ``libQt6XcbQpa.so.6``) for a window on X11.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

HEADLESS = "headless"
WINDOW = "window"


@dataclass(frozen=True)
class Lib:
    soname: str
    packages: tuple[str, ...]  # Debian package names, newest naming first (t64 renames)
    why: str


# QtCore, QtGui (also for PDF reports: fonts, painting, QPdfWriter) and the offscreen plugin.
HEADLESS_LIBS: tuple[Lib, ...] = (
    Lib("libglib-2.0.so.0", ("libglib2.0-0t64", "libglib2.0-0"), "Qt core event loop"),
    Lib("libgthread-2.0.so.0", ("libglib2.0-0t64", "libglib2.0-0"), "Qt core"),
    Lib("libdbus-1.so.3", ("libdbus-1-3",), "Qt GUI (D-Bus)"),
    Lib("libEGL.so.1", ("libegl1",), "Qt GUI (EGL)"),
    Lib("libGL.so.1", ("libgl1",), "Qt GUI (OpenGL)"),
    Lib("libfreetype.so.6", ("libfreetype6",), "Qt fonts"),
    Lib("libfontconfig.so.1", ("libfontconfig1",), "Qt fonts"),
    Lib("libX11.so.6", ("libx11-6",), "Qt GUI"),
    Lib("libxkbcommon.so.0", ("libxkbcommon0",), "Qt keyboard handling"),
)

# Only for a window on X11 (the xcb platform plugin); Wayland sessions use XWayland by default.
WINDOW_LIBS: tuple[Lib, ...] = (
    Lib("libxcb.so.1", ("libxcb1",), "Qt's X11 window plugin"),
    Lib("libX11-xcb.so.1", ("libx11-xcb1",), "Qt's X11 window plugin"),
    Lib("libxkbcommon-x11.so.0", ("libxkbcommon-x11-0",), "Qt's X11 window plugin"),
    Lib("libxcb-cursor.so.0", ("libxcb-cursor0",), "Qt's X11 window plugin"),
    Lib("libxcb-icccm.so.4", ("libxcb-icccm4",), "Qt's X11 window plugin"),
    Lib("libxcb-util.so.1", ("libxcb-util1",), "Qt's X11 window plugin"),
    Lib("libxcb-image.so.0", ("libxcb-image0",), "Qt's X11 window plugin"),
    Lib("libxcb-keysyms.so.1", ("libxcb-keysyms1",), "Qt's X11 window plugin"),
    Lib("libxcb-randr.so.0", ("libxcb-randr0",), "Qt's X11 window plugin"),
    Lib("libxcb-render.so.0", ("libxcb-render0",), "Qt's X11 window plugin"),
    Lib("libxcb-render-util.so.0", ("libxcb-render-util0",), "Qt's X11 window plugin"),
    Lib("libxcb-shape.so.0", ("libxcb-shape0",), "Qt's X11 window plugin"),
    Lib("libxcb-shm.so.0", ("libxcb-shm0",), "Qt's X11 window plugin"),
    Lib("libxcb-sync.so.1", ("libxcb-sync1",), "Qt's X11 window plugin"),
    Lib("libxcb-xfixes.so.0", ("libxcb-xfixes0",), "Qt's X11 window plugin"),
    Lib("libxcb-xkb.so.1", ("libxcb-xkb1",), "Qt's X11 window plugin"),
)

# Not needed by Qt itself but by what it loads: named when the loader blames them
# ("libEGL.so.1: libGLdispatch.so.0: cannot open shared object file"). Not checked on their
# own: a Mesa libEGL built without glvnd does not use libGLdispatch.
DEPENDENCY_LIBS: tuple[Lib, ...] = (
    Lib("libGLdispatch.so.0", ("libglvnd0",), "OpenGL dispatch under libEGL/libGL"),
)

FONT_PACKAGE = "fonts-dejavu-core"
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".pfb", ".pcf.gz", ".pcf")

_SONAME_IN_ERROR = re.compile(r"(lib[\w.+-]+\.so(?:\.\d+)*)")


def libs_for(need: str) -> tuple[Lib, ...]:
    return HEADLESS_LIBS + (WINDOW_LIBS if need == WINDOW else ())


def lib_by_soname(soname: str) -> Lib | None:
    for lib in HEADLESS_LIBS + WINDOW_LIBS + DEPENDENCY_LIBS:
        if lib.soname == soname:
            return lib
    return None


# --------------------------------------------------------------------------- findings


@dataclass
class Finding:
    """One thing missing: ``line`` is what the user reads, ``packages`` what apt-get installs."""

    what: str  # "library", "python3-venv", "fonts"
    line: str
    packages: tuple[str, ...] = ()
    required: bool = True
    soname: str | None = None  # the library that does not load


@dataclass
class Report:
    need: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def packages(self) -> list[str]:
        """Debian packages to install, each once, in order of the findings."""
        out: list[str] = []
        for f in self.findings:
            for p in f.packages:
                if p not in out:
                    out.append(p)
        return out

    @property
    def ok(self) -> bool:
        return not any(f.required for f in self.findings)

    def to_json(self) -> dict:
        return {"need": self.need, "ok": self.ok, "packages": self.packages,
                "findings": [asdict(f) for f in self.findings]}


def dlopen_error(soname: str) -> str | None:
    """The real loader: None when ``soname`` loads, else the loader's one-line reason."""
    try:
        ctypes.CDLL(soname)
    except OSError as exc:
        return str(exc).splitlines()[0] if str(exc) else "cannot be loaded"
    return None


def pick_package(candidates: Sequence[str], known: Callable[[str], bool] | None) -> str:
    """The first candidate apt knows as a real package (``libglib2.0-0t64`` on Debian 13 and
    Ubuntu 24.04, ``libglib2.0-0`` before); the last (oldest) name when apt knows none."""
    if known is not None:
        for name in candidates:
            if known(name):
                return name
    return candidates[-1]


def check_libraries(need: str, load: Callable[[str], str | None] = dlopen_error,
                    known: Callable[[str], bool] | None = None) -> list[Finding]:
    """One finding per library that does not load. When the loader says another library is
    what is missing (``libEGL.so.1: libGLdispatch.so.0: cannot open...``), that one's package
    is named instead."""
    findings: list[Finding] = []
    seen: set[str] = set()
    for lib in libs_for(need):
        error = load(lib.soname)
        if error is None:
            continue
        culprit = lib
        for name in _SONAME_IN_ERROR.findall(error):
            other = lib_by_soname(name)
            if other is not None and other.soname != lib.soname:
                culprit = other
                break
        package = pick_package(culprit.packages, known)
        if culprit.soname in seen:
            continue
        seen.add(culprit.soname)
        reason = _short_reason(error, culprit.soname)
        findings.append(Finding("library", f"missing {culprit.soname} ({culprit.why}{reason}): "
                                           f"Debian package {package}", (package,), soname=culprit.soname))
    return findings


def _short_reason(error: str, soname: str) -> str:
    """'' for the usual "cannot open shared object file", else the loader's words (a damaged
    file says "file too short", "invalid ELF header")."""
    if "cannot open shared object file" in error or "No such file" in error:
        return ""
    tail = error.rsplit(":", 1)[-1].strip()
    return f"; {tail}" if tail else ""


def explain_load_error(text: str) -> str | None:
    """One line for an ImportError/OSError that is really a missing system library, e.g.
    "libEGL.so.1: cannot open shared object file: No such file or directory" (importing
    PySide6.QtGui on a machine without libegl1); None for any other error."""
    for name in _SONAME_IN_ERROR.findall(text or ""):
        lib = lib_by_soname(name)
        if lib is not None:
            package = lib.packages[-1]
            return (f"Qt cannot load {name} ({lib.why}): install the Debian package {package} "
                    f"(sudo apt-get install -y {package}); `fieldapp doctor` checks the rest")
        if "cannot open shared object file" in text and not name.startswith(("libQt6", "libpyside", "libshiboken")):
            return (f"cannot load the system library {name}: install the package that provides it "
                    "(apt-file search " + name + "); `fieldapp doctor` checks the rest")
    return None


def venv_available() -> bool:
    """``python -m venv`` can make a venv with pip: Debian splits ensurepip into python3-venv."""
    try:
        import ensurepip
        import venv  # noqa: F401
    except ImportError:
        return False
    return callable(getattr(ensurepip, "version", None))  # not an empty namespace folder


def venv_package(executable: str = sys.executable, version: tuple[int, int] = sys.version_info[:2]) -> str:
    """``python3-venv`` for Debian's default python3, ``python3.N-venv`` for another one."""
    try:
        default = os.path.realpath("/usr/bin/python3")
        if os.path.realpath(executable) == default:
            return "python3-venv"
    except OSError:
        pass
    return f"python{version[0]}.{version[1]}-venv"


def check_venv(available: bool, package: str) -> list[Finding]:
    if available:
        return []
    return [Finding("python3-venv", f"python cannot make a virtual environment with pip "
                                    f"(no ensurepip): Debian package {package}", (package,))]


def system_font_files(dirs: Iterable[str] = FONT_DIRS, limit: int = 1) -> list[str]:
    """Up to ``limit`` font files fontconfig would find in the usual directories."""
    found: list[str] = []
    for d in dirs:
        root = Path(os.path.expanduser(d))
        if not root.is_dir():
            continue
        for dirpath, _dirs, files in os.walk(root):
            for name in files:
                if name.lower().endswith(FONT_SUFFIXES):
                    found.append(os.path.join(dirpath, name))
                    if len(found) >= limit:
                        return found
    return found


def check_fonts(need: str, font_files: Sequence[str]) -> list[Finding]:
    """Reports and the window use the font shipped inside fieldapp, so no system font is
    needed for them; a window still wants one for the file dialogs and other programs'
    text, so it is installed with the libraries for ``window`` and only mentioned otherwise."""
    if font_files:
        return []
    if need == WINDOW:
        return [Finding("fonts", f"no system fonts (fieldapp brings its own; the file dialogs need one): "
                                 f"Debian package {FONT_PACKAGE}", (FONT_PACKAGE,))]
    return [Finding("fonts", "no system fonts: reports use the DejaVu Sans shipped with fieldapp",
                    (), required=False)]


def build_report(need: str, *, load: Callable[[str], str | None] = dlopen_error,
                 venv_ok: bool = True, venv_pkg: str = "python3-venv",
                 font_files: Sequence[str] = ("?",), known: Callable[[str], bool] | None = None) -> Report:
    return Report(need, check_venv(venv_ok, venv_pkg) + check_libraries(need, load, known)
                  + check_fonts(need, font_files))


def check_system(need: str, *, have_venv: bool = False) -> Report:
    """This machine, for this interpreter: the loader, ensurepip (unless a working venv is
    already there) and the font directories. Shared libraries are a Linux matter: the Windows
    and macOS Qt wheels carry theirs."""
    venv_ok = have_venv or venv_available()
    if not sys.platform.startswith("linux"):
        return Report(need, check_venv(venv_ok, venv_package()))
    known = apt_knows if shutil.which("apt-cache") else None
    return build_report(need, venv_ok=venv_ok, venv_pkg=venv_package(),
                        font_files=system_font_files(), known=known)


# --------------------------------------------------------------------------- apt


def apt_knows(package: str) -> bool:
    """apt has a candidate version of ``package`` (a purely virtual name has none)."""
    try:
        out = subprocess.run(["apt-cache", "policy", package], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    match = re.search(r"Candidate:\s*(\S+)", out.stdout)
    return bool(match and match.group(1) != "(none)")


def install_line(packages: Sequence[str]) -> str:
    return "sudo apt-get install -y " + " ".join(packages)


def apt_install(packages: Sequence[str], run: Callable[..., subprocess.CompletedProcess] | None = None) -> bool:
    run = run or subprocess.run
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    update = run(["apt-get", "update", "-qq"], env=env)
    if update.returncode != 0:
        print("fieldapp: apt-get update failed; trying the install with the lists present", file=sys.stderr)
    done = run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages], env=env)
    return done.returncode == 0


# --------------------------------------------------------------------------- a half-made .venv


def venv_problem(venv: Path) -> str | None:
    """Why an existing ``venv`` cannot be used (None when it is fine or absent): no python in
    it, or a python without pip (what ``python3 -m venv`` leaves when python3-venv is missing:
    "No module named pip" forever after)."""
    if not (venv / "pyvenv.cfg").is_file():
        return None  # absent, or not a venv at all: never removed
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    if not os.access(python, os.X_OK):
        return "it has no python"
    try:
        probe = subprocess.run([str(python), "-c", "import pip"], capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"its python does not run ({exc})"
    if probe.returncode != 0:
        return "its python has no pip"
    return None


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="syscheck", description=__doc__.split("\n\n")[0])
    parser.add_argument("--need", choices=(HEADLESS, WINDOW), default=None,
                        help="what will run: headless commands and tests, or the window")
    parser.add_argument("--no-install", action="store_true", help="never run apt-get, even as root")
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    parser.add_argument("--venv", default=None, help="remove this venv when it is half-made (prints why)")
    args = parser.parse_args(argv)

    if args.venv:
        problem = venv_problem(Path(args.venv))
        if problem and os.access(args.venv, os.W_OK):
            print(f"fieldapp: {args.venv} is half-made ({problem}): removing it, it is rebuilt next",
                  file=sys.stderr)
            shutil.rmtree(args.venv, ignore_errors=True)
        elif problem:
            print(f"fieldapp: {args.venv} cannot be used ({problem}) and is not yours to remove",
                  file=sys.stderr)
        if args.need is None:
            return 0
    have_venv = bool(args.venv) and Path(args.venv).exists()
    report = check_system(args.need or HEADLESS, have_venv=have_venv)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
        return 0 if report.ok else 1
    for f in report.findings:
        print(f"fieldapp: {f.line}", file=sys.stderr)
    if report.ok:
        return 0
    packages = report.packages
    can_apt = sys.platform.startswith("linux") and shutil.which("apt-get") is not None
    if not can_apt:
        print("fieldapp: install the packages above (Debian names; your system's may differ), then run again",
              file=sys.stderr)
        return 1
    if hasattr(os, "geteuid") and os.geteuid() == 0 and not args.no_install:
        print(f"fieldapp: installing with apt-get (running as root): {' '.join(packages)}", file=sys.stderr)
        if not apt_install(packages):
            print(f"fieldapp: apt-get failed; install by hand: {install_line(packages)}", file=sys.stderr)
            return 1
        again = check_system(args.need or HEADLESS, have_venv=have_venv)
        for f in again.findings:
            if f.required:
                print(f"fieldapp: still {f.line}", file=sys.stderr)
        return 0 if again.ok else 1
    print(f"fieldapp: run this, then the same make command again:\n    {install_line(packages)}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
