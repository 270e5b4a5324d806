"""Replay: a recorded session or a log file as a Source with its own clock.

``ReplaySource`` feeds a sink exactly like a live handset source does (the same records, in
the file's order), on its own thread named "replay", paced by a clock that the user drives:
play, pause, speed 0.25× to 64×, seek, previous/next event. ``TimelineModel`` is the Qt-free
model of the timeline widget: duration, event markers, position ↔ fraction for dragging.

Between samples the views hold the previous value; after a seek the source therefore sends
the last Sample and Position at or before the new position (and the events at that exact
instant) so every view shows the state at that point, not a blank.

The records are held in memory (a seekable list): fine for sessions of hours (a day of
driving is ~100k records); the store streams them in.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fieldapp import model

MIN_SPEED, MAX_SPEED = 0.25, 64.0
PREV_EVENT_GRACE_S = 1.0  # "previous event" within this of the position skips to the one before
TICK_S = 0.1  # longest sleep: commands (pause, seek, stop) take effect within this


@dataclass(frozen=True, slots=True)
class Marker:
    """An event marker on the timeline."""

    ts_utc: float
    kind: str
    text: str


class TimelineModel:
    """What a timeline widget needs, without Qt: span, markers, and the maths of dragging."""

    def __init__(self, start_utc: float, end_utc: float, events: Iterable[model.Event]) -> None:
        self.start_utc = start_utc
        self.end_utc = max(end_utc, start_utc)
        self.markers = [Marker(e.ts_utc, e.kind, e.text) for e in events]

    @property
    def duration_s(self) -> float:
        return self.end_utc - self.start_utc

    def fraction(self, ts_utc: float) -> float:
        """0.0 at the start, 1.0 at the end (clamped)."""
        if self.duration_s <= 0:
            return 0.0
        return min(1.0, max(0.0, (ts_utc - self.start_utc) / self.duration_s))

    def ts_at(self, fraction: float) -> float:
        """The time under a slider position (0..1, clamped)."""
        return self.start_utc + min(1.0, max(0.0, fraction)) * self.duration_s

    def markers_between(self, t0: float, t1: float) -> list[Marker]:
        return [m for m in self.markers if t0 <= m.ts_utc <= t1]


def _sink_call(sink: Any) -> Callable[[Any], None]:
    put = getattr(sink, "put", None)
    return put if callable(put) else sink


class ReplaySource:
    """``ReplaySource(records or reader, speed=1.0)``; ``start(sink)`` starts playing."""

    name = "replay"

    def __init__(self, records: Iterable[model.Record], *, speed: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.header: dict[str, Any] = dict(getattr(records, "header", {}) or {})
        self.stats = getattr(records, "stats", None)
        self._records: list[model.Record] = list(records)
        # Due times never go backwards (a slightly out-of-order line keeps its file place).
        self._due: list[float] = []
        latest = float("-inf")
        for r in self._records:
            latest = max(latest, r.ts_utc)
            self._due.append(latest)
        self._events = [r for r in self._records if isinstance(r, model.Event)]
        # Band scans, for a view that must show the scans up to a position after a jump.
        self.scans = [r for r in self._records if isinstance(r, model.Scan)]
        self._event_due = [e.ts_utc for e in self._events]
        self._clock = clock
        self._cond = threading.Condition()
        self._speed = self._check_speed(speed)
        self._cursor = 0
        self._pos = self.start_utc
        self._anchor_wall = clock()
        self._playing = False
        self._busy = False  # the thread is handing a batch to the sink
        self._stopping = False
        self._context: list[model.Record] = []
        self._thread: threading.Thread | None = None
        self._sink: Callable[[Any], None] | None = None
        self.emitted = 0
        self.error: BaseException | None = None  # what the sink raised; the replay stopped there

    # ------------------------------------------------------------------ properties
    @property
    def start_utc(self) -> float:
        return self._due[0] if self._due else 0.0

    @property
    def end_utc(self) -> float:
        return self._due[-1] if self._due else 0.0

    @property
    def events(self) -> list[model.Event]:
        return list(self._events)

    @property
    def timeline(self) -> TimelineModel:
        return TimelineModel(self.start_utc, self.end_utc, self._events)

    @property
    def records(self) -> list[model.Record]:
        return list(self._records)

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def playing(self) -> bool:
        with self._cond:
            return self._playing

    @property
    def finished(self) -> bool:
        """Every record has been delivered to the sink (the position is at the end)."""
        with self._cond:
            return self._cursor >= len(self._records) and not self._context and not self._busy

    @property
    def position_utc(self) -> float:
        with self._cond:
            return self._position()

    def _position(self) -> float:
        if not self._playing:
            return self._pos
        return min(self.end_utc, self._pos + (self._clock() - self._anchor_wall) * self._speed)

    # ------------------------------------------------------------------ source protocol
    def start(self, sink: Any) -> None:
        """Begin delivering records to ``sink`` (a callable or an object with ``put``) from the
        "replay" thread, playing from the current position."""
        if self._thread is not None:
            raise RuntimeError("replay already started")
        self._sink = _sink_call(sink)
        with self._cond:
            self._anchor_wall = self._clock()
            self._playing = True
        self._thread = threading.Thread(target=self._run, name="replay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    # ------------------------------------------------------------------ controls
    def play(self) -> None:
        with self._cond:
            if not self._playing:
                if self._cursor >= len(self._records):
                    self._seek_locked(self.start_utc)  # play at the end starts over
                self._anchor_wall = self._clock()
                self._playing = True
                self._cond.notify_all()

    def pause(self) -> None:
        with self._cond:
            if self._playing:
                self._pos = self._position()
                self._playing = False
                self._cond.notify_all()

    @staticmethod
    def _check_speed(x: float) -> float:
        if not (MIN_SPEED <= x <= MAX_SPEED):
            raise ValueError(f"speed {x} is outside {MIN_SPEED}..{MAX_SPEED}")
        return float(x)

    def set_speed(self, x: float) -> None:
        speed = self._check_speed(x)
        with self._cond:
            self._pos = self._position()
            self._anchor_wall = self._clock()
            self._speed = speed
            self._cond.notify_all()

    def seek(self, ts_utc: float) -> None:
        """Jump to ``ts_utc`` (clamped to the session). Records up to it count as past; the last
        Sample and Position before it are sent again so the views hold the right values."""
        with self._cond:
            self._seek_locked(ts_utc)
            self._cond.notify_all()

    def _seek_locked(self, ts_utc: float) -> None:
        ts = min(self.end_utc, max(self.start_utc, ts_utc))
        cursor = bisect.bisect_right(self._due, ts)
        context: list[model.Record] = []
        need = {model.Sample, model.Position}
        for i in range(cursor - 1, -1, -1):
            rec = self._records[i]
            if type(rec) in need:
                context.append(rec)
                need.discard(type(rec))
            elif isinstance(rec, model.Event) and rec.ts_utc == ts:
                context.append(rec)
            if not need and rec.ts_utc < ts:
                break
        context.reverse()
        self._context = context
        self._cursor = cursor
        self._pos = ts
        self._anchor_wall = self._clock()

    def next_event(self) -> model.Event | None:
        """Seek to the first event after the position; None (no move) when there is none."""
        with self._cond:
            i = bisect.bisect_right(self._event_due, self._position())
            if i >= len(self._events):
                return None
            ev = self._events[i]
            self._seek_locked(ev.ts_utc)
            self._cond.notify_all()
            return ev

    def prev_event(self) -> model.Event | None:
        """Seek to the event before the position (skipping one just passed, as media players
        do with "previous"); None when there is none."""
        with self._cond:
            i = bisect.bisect_left(self._event_due, self._position() - PREV_EVENT_GRACE_S) - 1
            if i < 0:
                return None
            ev = self._events[i]
            self._seek_locked(ev.ts_utc)
            self._cond.notify_all()
            return ev

    # ------------------------------------------------------------------ the thread
    def _run(self) -> None:
        sink = self._sink
        assert sink is not None
        while True:
            with self._cond:
                if self._stopping:
                    return
                batch, self._context = self._context, []
                wait_s = TICK_S
                if self._playing:
                    pos = self._position()
                    n = len(self._records)
                    end = bisect.bisect_right(self._due, pos, self._cursor)
                    batch.extend(self._records[self._cursor:end])
                    self._cursor = end
                    if end >= n:
                        self._pos = self.end_utc
                        self._playing = False  # the end: hold the last values, pause
                    else:
                        wait_s = min(TICK_S, max(0.0, (self._due[end] - pos) / self._speed))
                if not batch:
                    self._cond.wait(wait_s)
                    continue
                self._busy = True
            try:
                for rec in batch:
                    sink(rec)
                    self.emitted += 1
            except Exception as exc:  # a broken sink ends the replay instead of killing it silently
                with self._cond:
                    self.error = exc
                    self._playing = False
                    self._busy = False
                return
            finally:
                with self._cond:
                    self._busy = False
