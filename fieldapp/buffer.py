"""The hand-over point between producer threads and consumers (the GUI timer, the recorder).

Producers (a handset reader thread, the simulator, a replay clock) ``put`` records; a consumer
``drain``s everything that arrived since its last call. Bounded: when a consumer stalls, the
oldest records are dropped and counted rather than growing memory without end (the recorder
has its own buffer, so the store never misses what the GUI drops).
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any


class RecordBuffer:
    def __init__(self, maxlen: int = 100_000) -> None:
        self._items: deque[Any] = deque()
        self._maxlen = maxlen
        self._lock = threading.Lock()
        self._not_empty = threading.Condition(self._lock)
        self.dropped = 0

    def put(self, record: Any) -> None:
        with self._lock:
            if len(self._items) >= self._maxlen:
                self._items.popleft()
                self.dropped += 1
            self._items.append(record)
            self._not_empty.notify()

    def drain(self, max_items: int | None = None) -> list[Any]:
        with self._lock:
            if max_items is None or max_items >= len(self._items):
                out = list(self._items)
                self._items.clear()
            else:
                out = [self._items.popleft() for _ in range(max_items)]
            return out

    def wait(self, timeout: float) -> bool:
        """Block until something is there (or the timeout); True when not empty."""
        with self._lock:
            if self._items:
                return True
            return self._not_empty.wait(timeout)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
