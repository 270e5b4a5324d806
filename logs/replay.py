"""Replay: a recorded session or a log file as a Source with its own clock.

``ReplaySource`` feeds a sink exactly like a live handset source does (the same records, in
the file's order), on its own thread named "replay", paced by a clock that the user drives:
play, pause, speed 0.25× to 64×, seek, previous/next event. ``TimelineModel`` is the Qt-free
model of the timeline widget: duration, event markers, position ↔ fraction for dragging.

Between samples the views hold the previous value; after a seek the source therefore sends
the last Sample and Position at or before the new position (and the events at that exact
instant) so every view shows the state at that point, not a blank.

The records are a seekable sequence: a list (a log file's records, held in memory: a day of
driving is ~100k records), or a lazy sequence that rebuilds records only when they are read
(a stored session: ``fieldapp.store.StoredRecords``). A lazy sequence also carries
``times_utc`` (each record's time), ``types`` (each record's class) and ``route_latlon`` (the
route's points), so that building the source, the timeline and the whole route, and finding
the records around a seek, read no record they do not deliver (issue 15 point 4).
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
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


def _is_lazy(records: Any) -> bool:
    """A sequence that rebuilds records on demand and knows their times and kinds beforehand."""
    return (isinstance(records, Sequence) and hasattr(records, "times_utc") and hasattr(records, "types"))


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
        self._records: Sequence[model.Record]
        if _is_lazy(records):
            self._records = records  # type: ignore[assignment]
            self._times: list[float] = records.times_utc  # type: ignore[attr-defined]
            self._types: list[type] = records.types  # type: ignore[attr-defined]
        else:
            self._records = list(records)
            self._times = [r.ts_utc for r in self._records]
            self._types = [type(r) for r in self._records]
        # Due times never go backwards (a slightly out-of-order line keeps its file place).
        self._due: list[float] = list(accumulate(self._times, max))
        records_at = self._records.__getitem__
        self._events = [records_at(i) for i, t in enumerate(self._types) if issubclass(t, model.Event)]
        # Band scans, for a view that must show the scans up to a position after a jump.
        self.scans = [records_at(i) for i, t in enumerate(self._types) if issubclass(t, model.Scan)]
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
    def records(self) -> Sequence[model.Record]:
        """Every record in order: a copy of the list, or the lazy sequence itself (read-only;
        indexing or slicing it rebuilds only the records read)."""
        return self._records if not isinstance(self._records, list) else list(self._records)

    @property
    def times_utc(self) -> list[float]:
        """Each record's ``ts_utc``, in order (the caller must not change the list)."""
        return self._times

    @property
    def route_latlon(self) -> list[tuple[float, float]]:
        """``(lat, lon)`` of every Sample with a position and every Position, in order: the
        whole route, for the map at load."""
        lazy = getattr(self._records, "route_latlon", None)
        if lazy is not None:
            return list(lazy)
        return [(p.lat, p.lon) for p in (r.position if isinstance(r, model.Sample) else r for r in self._records
                                         if isinstance(r, model.Position)
                                         or (isinstance(r, model.Sample) and r.position is not None))]

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
    def at_end(self) -> bool:
        """No record left to deliver: ``play`` would start over from the start."""
        with self._cond:
            return self._cursor >= len(self._records)

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
        close = getattr(self._records, "close", None)
        if close is not None:
            close()  # a lazy sequence's store connection (opened again if it is read after all)

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
        types, times = self._types, self._times
        for i in range(cursor - 1, -1, -1):  # kinds and times only: a record is read when it is kept
            kind = types[i]
            if kind in need:
                context.append(self._records[i])
                need.discard(kind)
            elif issubclass(kind, model.Event) and times[i] == ts:
                context.append(self._records[i])
            if not need and times[i] < ts:
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
                # Every record due by the position, also when paused: a pause between two ticks
                # (at 64x, 6 s of log apart) hands over the records up to where it stopped, so
                # the views show what the timeline says.
                pos = self._position()
                end = bisect.bisect_right(self._due, pos, self._cursor)
                if end > self._cursor:
                    try:
                        batch.extend(self._records[self._cursor:end])
                    except Exception as exc:  # a lazy sequence that cannot read its store any more
                        self.error = exc
                        self._playing = False
                        return
                    self._cursor = end
                if self._playing:
                    if end >= len(self._records):
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
