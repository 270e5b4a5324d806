"""A simulated clock for the domain's ``fieldapp.clock.Clock``: every wait advances it by the
time asked at once (after a short real pause, so the device threads on ptys and the simulator
still get to run), so a run's deadlines, holds and gaps pass in a fraction of their length."""

from __future__ import annotations

import threading
import time


class FakeClock:
    def __init__(self, start_utc: float | None = None, real_step_s: float = 0.002) -> None:
        self._now = 0.0
        self._start_utc = time.time() if start_utc is None else start_utc  # stamps near the records'
        self._real_step_s = real_step_s
        self._lock = threading.Lock()
        self.waited_s = 0.0  # simulated seconds spent waiting

    def time(self) -> float:
        return self._start_utc + self.monotonic()

    def monotonic(self) -> float:
        with self._lock:
            return self._now

    def wait(self, event: threading.Event, seconds: float) -> bool:
        if event.wait(min(seconds, self._real_step_s)):
            return True
        with self._lock:
            self._now += max(0.0, seconds)
            self.waited_s += max(0.0, seconds)
        return event.is_set()
