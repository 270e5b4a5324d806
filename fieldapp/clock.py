"""Time as the domain reads it: wall time for stamps, a monotonic clock for deadlines, and a
wait that a wake-up event cuts short. The real one is ``SYSTEM_CLOCK``; a test hands a
simulated one (``tests/support/fake_clock.py``) to the CQT runner so a 30 s setup timeout runs
in a fraction of a second.

    clock.wait(event, 0.05)      # True when ``event`` was set, like threading.Event.wait
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def time(self) -> float: ...

    def monotonic(self) -> float: ...

    def wait(self, event: threading.Event, seconds: float) -> bool: ...


class SystemClock:
    """The computer's own clock."""

    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def wait(self, event: threading.Event, seconds: float) -> bool:
        return event.wait(seconds)


SYSTEM_CLOCK = SystemClock()
