"""Test hygiene shared by every test (DESIGN.md): offscreen Qt, no leftover threads.

Hardware tests are opt-in: ``pytest --handset-port /dev/ttyUSB0`` runs the tests marked
``hardware`` against a real handset; without it they are skipped.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_addoption(parser):
    parser.addoption("--handset-port", default=None, help="serial port of a real test handset")
    parser.addoption("--handset-baud", default=115200, type=int)


def pytest_collection_modifyitems(config, items):
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
