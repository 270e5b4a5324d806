"""Time as the domain reads it: wall time for stamps, a monotonic clock for deadlines, and a
wait that a wake-up event cuts short. The real one is ``SYSTEM_CLOCK``, the default of every
part that takes one: the handset source (poll period, silence limit, dial guard, reconnect
interval), the recorder (commit and retry intervals, close's patience), the live session (its
stamps; it hands its clock to the handset source, the recorder and the CQT runner it makes) and
the CQT runner (setup timeout, hold, gaps). A test hands them a simulated one
(``tests/support/fake_clock.py``) so a 30 s setup timeout runs in a fraction of a second.
Waits for real bytes (the AT channel's reply timeout, SQLite's busy timeout) and the bounds
on joining a thread stay on the computer's clock.

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
