"""One installed import namespace: the wheel puts only ``fieldapp`` at the top of
site-packages, with drivers/logs/ui inside it (fieldapp/_layers), and ``import drivers.x``
still works once fieldapp is imported, each module loaded once under its usual name.
(CI also installs the wheel in a clean venv and runs packaging/smoke.py: `make smoke-wheel`.)"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory):
    """The wheel built from this tree, unpacked as a site-packages folder.

    Built once per test run: pytest-xdist workers share the run's temporary folder, and a lock
    makes the others wait for the first one's wheel (two setuptools builds at once in the same
    tree's build/ folder fail each other)."""
    tmp = tmp_path_factory.mktemp("wheel")
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's folder, above each worker's popen-gwN
    dist = shared / "fieldapp-wheel"
    with open(shared / "fieldapp-wheel.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not list(dist.glob("fieldapp-*.whl")):
            build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                                    "-w", str(dist), str(ROOT)], capture_output=True, text=True, timeout=300)
            assert build.returncode == 0, build.stderr
    wheel = next(dist.glob("fieldapp-*.whl"))
    site = tmp / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    return site


def _run(site: Path, code: str) -> subprocess.CompletedProcess:
    # Only the unpacked wheel and the dependencies of this venv; not the source tree.
    deps = [p for p in sys.path if p.endswith("site-packages")]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), *deps]), PYTHONNOUSERSITE="1")
    return subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path[:0] = {[str(site), *deps]!r}\n" + code],
                          capture_output=True, text=True, timeout=120, cwd=site.parent, env=env)


def test_only_fieldapp_at_the_top_of_the_wheel(unpacked):
    tops = sorted(p.name for p in unpacked.iterdir() if not p.name.endswith(".dist-info"))
    assert tops == ["fieldapp"]
    for layer in ("drivers", "logs", "ui"):
        assert (unpacked / "fieldapp" / "_layers" / layer / "__init__.py").is_file()
    assert (unpacked / "fieldapp" / "_layers" / "drivers" / "sim" / "scenarios" / "demo-drive.json").is_file()
    assert (unpacked / "fieldapp" / "fonts" / "DejaVuSans.ttf").is_file()
    top_level = next(unpacked.glob("*.dist-info")) / "top_level.txt"
    assert top_level.read_text().split() == ["fieldapp"]


def test_drivers_logs_ui_import_from_inside_fieldapp(unpacked):
    res = _run(unpacked, """
import importlib.util
assert importlib.util.find_spec("drivers") is None, "a top-level drivers is visible without fieldapp"
import fieldapp, drivers.transport, logs.registry, ui
from drivers.sim import list_scenarios
print(drivers.transport.__file__)
print(logs.registry.__name__, ui.__file__)
print(len(list_scenarios()))
print(sorted(m for m in sys.modules if m.startswith("fieldapp._layers.")))
""")
    assert res.returncode == 0, res.stderr
    transport, names, count, aliases = res.stdout.splitlines()
    assert Path(transport) == unpacked / "fieldapp" / "_layers" / "drivers" / "transport.py"
    assert names.startswith("logs.registry ") and "_layers/ui/__init__.py" in names.replace(os.sep, "/")
    assert int(count) >= 7  # the shipped scenarios (data files found beside the modules)
    assert aliases == "[]"  # no module loaded twice, under a second name


def test_the_command_line_runs_from_the_unpacked_wheel(unpacked):
    res = _run(unpacked, "from fieldapp.cli import main; sys.exit(main(['--version']))")
    assert res.returncode == 0 and res.stdout.strip().startswith("fieldapp "), res.stderr
