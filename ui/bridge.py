"""The one hand-over point from worker threads to the GUI thread.

Worker threads (handset source, GPS reader, simulator, controller) call ``put(record)``: a
lock-protected append to a bounded ``RecordBuffer``, safe from any thread and never blocking
on the GUI. A QTimer in the GUI thread drains the buffer about ten times a second and emits
``records_arrived`` once with the whole batch, so the views redraw once per tick however many
records came in (coalesced redraw, as in PlotJuggler). Nothing else in ``ui`` touches threads.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal

from fieldapp.buffer import RecordBuffer

TICK_MS = 100  # ~10 Hz: fast enough to feel live, slow enough to batch a burst of records


class RecordBridge(QObject):
    """``records_arrived(list)`` fires in the GUI thread with everything put since last tick."""

    records_arrived = Signal(list)

    def __init__(self, parent: QObject | None = None, tick_ms: int = TICK_MS,
                 buffer: RecordBuffer | None = None) -> None:
        super().__init__(parent)
        self.buffer = buffer if buffer is not None else RecordBuffer()
        self.last_drain_monotonic: float | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.drain_now)

    # Called from any thread.
    def put(self, record: object) -> None:
        self.buffer.put(record)

    @property
    def dropped(self) -> int:
        """Records dropped because the GUI fell behind (the recorder keeps its own copy)."""
        return self.buffer.dropped

    # GUI thread.
    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def is_running(self) -> bool:
        return self._timer.isActive()

    def drain_now(self) -> int:
        """Drain and emit at once (the timer calls this; tests may too). Returns the count."""
        batch = self.buffer.drain()
        self.last_drain_monotonic = time.monotonic()
        if batch:
            self.records_arrived.emit(batch)
        return len(batch)
