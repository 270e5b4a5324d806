"""Test hygiene shared by every test (docs/architecture.md): offscreen Qt, no leftover threads.

Hardware tests are opt-in: ``pytest --handset-port /dev/ttyUSB0`` runs the tests marked
``hardware`` against a real handset; without it they are skipped.

Tests that open a real pseudo-terminal, start the simulator, the live session or the app, or
run the CLI in a subprocess are marked ``slow`` here (``_SLOW_PARTS``: the test, a fixture it
uses or a helper of its module names one of them), so ``pytest -m "not slow"`` is the quick
inner loop: the parsers, the store, the models, the rules. ``@pytest.mark.slow`` by hand where
a test reaches one more indirectly.
"""

from __future__ import annotations

import inspect
import os
import re
import sys
import threading
import time

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_addoption(parser):
    parser.addoption("--handset-port", default=None, help="serial port of a real test handset")
    parser.addoption("--handset-baud", default=115200, type=int)


# Names that mean a real pty, a started simulator or session, or a child process.
_SLOW_PARTS = re.compile(r"\b(subprocess|Popen|openpty|pty_pair|AtPeer|"
                         r"start_simulator|open_port|HandsetSource|LiveSession|Controller|LiveApp|ReplayApp|"
                         r"run_window|run_demo|record_scenario|FIELDAPP|sys\.executable)\b")


def _source(obj) -> str:
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        return ""


def _slow_helpers(module) -> set[str]:
    """Functions and classes of a test module (and of the modules it imports names from) whose
    source names a slow part, or a helper that does, however deep (``findings_for`` calls
    ``recorded``, which calls ``record_scenario``): a test calling one of them is slow too."""
    cached = getattr(module, "__slow_helpers__", None)
    if cached is not None:
        return cached
    module.__slow_helpers__ = set()  # modules that import from each other: no endless recursion
    sources = {name: _source(obj) for name, obj in vars(module).items()
               if (inspect.isfunction(obj) or inspect.isclass(obj)) and not name.startswith("test_")
               and getattr(obj, "__module__", "").startswith("tests")}
    names = {name for name, text in sources.items() if _SLOW_PARTS.search(text)}
    for name in sources:  # a helper imported from a module where it reaches a slow part there
        home = sys.modules.get(getattr(vars(module)[name], "__module__", ""))
        if home is not None and home is not module and getattr(vars(module)[name], "__name__", name) \
                in _slow_helpers(home):
            names.add(name)
    while True:
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b") if names else None
        more = {name for name, text in sources.items() if name not in names and pattern and pattern.search(text)}
        if not more:
            break
        names |= more
    module.__slow_helpers__ = names
    return names


def _is_slow(item) -> bool:
    fn = getattr(item, "function", None)
    if fn is None:
        return False
    helpers = _slow_helpers(inspect.getmodule(fn))
    texts = [_source(fn)]
    for defs in getattr(item, "_fixtureinfo", None).name2fixturedefs.values() if hasattr(item, "_fixtureinfo") else []:
        texts.extend(_source(d.func) for d in defs if getattr(d.func, "__module__", "").startswith("tests"))
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, helpers)) + r")\b") if helpers else None
    return any(_SLOW_PARTS.search(t) or (pattern and pattern.search(t)) for t in texts)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "slow" not in item.keywords and _is_slow(item):
            item.add_marker(pytest.mark.slow)
    if config.getoption("--handset-port"):
        return
    skip = pytest.mark.skip(reason="needs --handset-port (real hardware)")
    for item in items:
        if "hardware" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def handset_port(request):
    return request.config.getoption("--handset-port")


def _exempt(thread: threading.Thread) -> bool:
    # Threads owned by libraries that keep a pool for the whole process.
    return thread.name.startswith(("ThreadPoolExecutor", "QThread", "Dummy-", "asyncio_"))


@pytest.fixture(autouse=True)
def no_leftover_threads():
    """Every test must stop the threads it starts (readers, recorders, simulators)."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 3.0
    while True:
        extra = [t for t in threading.enumerate()
                 if t not in before and t.is_alive() and not _exempt(t)]
        if not extra or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert not extra, f"threads left running: {[t.name for t in extra]}"
