"""The session recorder: records a source's timeline into the workspace, from its own thread.

    recorder = Recorder(path, "handset:/dev/ttyUSB0", device={...})
    source.start(recorder.sink)        # the source's thread calls sink(record)
    ...
    source.stop(); recorder.close()

Producers never wait: ``put`` appends to an unbounded queue. The writer thread ("recorder")
owns its own Store connection, batches what arrived and commits within ``commit_interval_s``
of the first uncommitted record, so a crash or a pulled cable loses at most the last second.

Errors in the writer are never dropped silently: they go to ``on_error(exc)`` (called from the
writer thread) and ``last_error``. A database that cannot take writes for now (disk full,
locked by another program) keeps the batch and retries every second, reporting each failed
attempt. The records waiting meanwhile are bounded (``max_buffered``): past it the raw
serial traffic goes first, then the oldest records, counted in ``counts["lost"]`` like what
still fails when ``close()`` gives up (after 2 s). A recording that lost records is ended
interrupted, with an event giving the reason (``failure`` says it too, for the CLI's exit
code); one whose end cannot be written keeps its liveness file, so the next open of the
workspace marks it interrupted (issue 16: a full disk is a failure, never a quiet "ended"). A record the database refuses (a value SQLite cannot store) is counted in
``counts["rejected"]`` and the rest of its batch is still written.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fieldapp.clock import SYSTEM_CLOCK, Clock
from fieldapp.model import EV_INFO, Event, Position, RawTraffic, Sample, Scan
from fieldapp.store import RECORD_ERRORS, TRANSIENT_ERRORS, Store, StoreDamaged, StoreError, UnknownSession

# record type -> (counts key, Store method name)
_KINDS: dict[type, tuple[str, str]] = {
    Sample: ("samples", "add_samples"),
    Event: ("events", "add_events"),
    Position: ("positions", "add_positions"),
    RawTraffic: ("raw", "add_raw"),
    Scan: ("scans", "add_scans"),
}
RETRY_INTERVAL_S = 1.0
# Records held in memory while the workspace cannot take writes (disk full): about an hour of
# samples, events and raw lines at a 1 s poll, a few tens of MB at most.
MAX_BUFFERED = 50_000
CLOSE_RETRY_S = 2.0  # how long close() keeps retrying a failing final flush


class RecorderClosed(RuntimeError):
    pass


class _Close:
    def __init__(self, interrupted: bool, end_utc: float) -> None:
        self.interrupted = interrupted
        self.end_utc = end_utc


class Recorder:
    """Records Sample / Event / Position / RawTraffic into one session of a workspace.

    ``source`` names where the records come from ("handset:/dev/ttyUSB0", "simulator:NAME");
    ``device`` (JSON-able dict: family, model, firmware, capabilities) and ``case_id`` go on a
    new session. ``session_id`` resumes that session instead (``record --reconnect``): its end
    is cleared and the gap recorded as an EV_GAP event; ``device``/``case_id`` are then not
    changed. ``plan_version``: the cell plan version a new session is recorded under (the one
    its live session adopted); None: the workspace's current one. The constructor returns once the session exists (``session_id`` is set) and raises
    StoreError / UnknownSession when the workspace or the session cannot be used.
    ``busy_timeout_s``: how long one write waits for another program's write lock.
    ``clock`` (``fieldapp.clock``): the session's start and end stamps, the commit and retry
    intervals and close()'s patience; a simulated one in tests.
    """

    def __init__(self, store_path: str | Path, source: str, *, device: dict[str, Any] | None = None,
                 case_id: int | None = None, session_id: int | None = None, plan_version: int | None = None,
                 commit_interval_s: float = 0.5, on_error: Callable[[BaseException], None] | None = None,
                 busy_timeout_s: float = 5.0, max_buffered: int = MAX_BUFFERED,
                 clock: Clock = SYSTEM_CLOCK) -> None:
        if not 0 < commit_interval_s <= 1.0:
            raise ValueError(f"commit_interval_s must be in (0, 1] s, not {commit_interval_s}")
        self.store_path = Path(store_path)
        self.source = source
        self.commit_interval_s = commit_interval_s
        # The commit interval, the retry interval, close()'s patience and the session's end
        # read this clock (simulated in tests); SQLite's busy timeout stays real.
        self.clock = clock
        self.on_error = on_error
        self.last_error: BaseException | None = None
        self._busy_timeout_s = busy_timeout_s
        self.max_buffered = max_buffered
        self.write_failures = 0  # failed commits (disk full, I/O error), retried
        self.failure: str | None = None  # set when records were lost: why, in one line
        self._ended = False  # the session's end was written
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._wake = threading.Event()  # set by put(): ends the writer's wait for the commit time
        self._never = threading.Event()  # never set: a plain pause on the clock
        self._lock = threading.Lock()
        self._counts = {"samples": 0, "events": 0, "positions": 0, "raw": 0, "scans": 0, "rejected": 0,
                        "skipped": 0, "lost": 0}
        self._pending = 0  # records taken off the queue, not yet committed
        self._closed = False
        self._ready = threading.Event()
        self._start_error: BaseException | None = None
        self._session_id: int | None = None
        self._thread = threading.Thread(
            target=self._run, name="recorder", daemon=True,
            args=(device, case_id, session_id, plan_version))
        self._thread.start()
        self._ready.wait()
        if self._start_error is not None:
            self._thread.join()
            raise self._start_error

    # ------------------------------------------------------------------ producer side

    @property
    def session_id(self) -> int:
        assert self._session_id is not None
        return self._session_id

    def put(self, record: Sample | Event | Position | RawTraffic | Scan) -> None:
        """Queue a record for writing; never blocks. Raises TypeError for other records and
        RecorderClosed after close()."""
        if type(record) not in _KINDS:
            raise TypeError(f"the recorder stores Sample, Event, Position and RawTraffic, "
                            f"not {type(record).__name__}")
        # Under the lock so that no record can slip in behind close()'s end marker; the lock
        # is only ever held for a few counter updates, never across I/O.
        with self._lock:
            if self._closed:
                raise RecorderClosed("the recorder is closed")
            self._queue.put(record)
        self._wake.set()

    def sink(self, record: Any) -> None:
        """``put`` for a source's thread: records the recorder does not store (or that arrive
        after close) are counted in ``counts["skipped"]`` instead of raising into the source."""
        try:
            self.put(record)
        except (TypeError, RecorderClosed):
            with self._lock:
                self._counts["skipped"] += 1

    __call__ = sink

    @property
    def counts(self) -> dict[str, int]:
        """Committed records per kind, plus rejected (refused by the database), skipped (not
        storable or late), lost (still failing at close) and pending (queued, not committed)."""
        with self._lock:
            out = dict(self._counts)
            out["pending"] = self._pending + self._queue.qsize()
        return out

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def close(self, *, interrupted: bool = False, end_utc: float | None = None) -> None:
        """Write what is queued, end the session (``interrupted`` marks a recording that did
        not stop on purpose) and wait for the writer thread. Safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._queue.put(_Close(interrupted, self.clock.time() if end_utc is None else end_utc))
        self._wake.set()
        self._thread.join()

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(interrupted=exc_type is not None)

    # ------------------------------------------------------------------ writer thread

    def _report(self, exc: BaseException) -> None:
        self.last_error = exc
        if self.on_error is not None:
            try:
                self.on_error(exc)
            except Exception:  # a broken callback must not stop the recording
                pass

    def _run(self, device: dict[str, Any] | None, case_id: int | None, session_id: int | None,
             plan_version: int | None = None) -> None:
        try:
            store = Store.open(self.store_path, busy_timeout_s=self._busy_timeout_s)
        except BaseException as exc:
            self._start_error = exc
            self._ready.set()
            return
        if store.read_only:
            store.close()
            self._start_error = StoreError(f"the workspace {self.store_path} is read-only: it can be listed and "
                                           "exported, not recorded into")
            self._ready.set()
            return
        problems = store.quick_check()  # never record into a damaged file (issue 16)
        if problems != "ok":
            store.close()
            self._start_error = StoreDamaged(self.store_path, problems[:200])
            self._ready.set()
            return
        alive = None
        try:
            try:
                if session_id is None:
                    session_id = store.create_session(self.source, device=device, case_id=case_id,
                                                      plan_version=plan_version, start_utc=self.clock.time())
                else:
                    if store.session(session_id) is None:
                        raise UnknownSession(session_id)
                    store.reopen_session(session_id, now_utc=self.clock.time())
            except BaseException as exc:
                self._start_error = exc
                self._ready.set()
                return
            # Held until the session is ended: if this process dies first, the next open of
            # the workspace marks the session interrupted (fieldapp.store.liveness).
            alive = store.hold_session(session_id)
            self._session_id = session_id
            self._ready.set()
            try:
                self._loop(store)
            except Exception as exc:  # a bug here must still be heard of, and end the session
                self._report(exc)
                try:
                    store.rollback()
                    store.end_session(session_id, self.clock.time(), interrupted=True)
                except Exception:
                    pass
        finally:
            store.close()
            if alive is not None:
                # Not ended (the disk still full)? Then the file stays: the next open of the
                # workspace marks the session interrupted.
                alive.release(keep_file=not self._ended)

    def _loop(self, store: Store) -> None:
        batch: dict[type, list[Any]] = {kind: [] for kind in _KINDS}
        flush_at: float | None = None  # monotonic deadline of the oldest uncommitted record
        while True:
            if flush_at is None:
                item = self._queue.get()  # nothing to commit: wait for the next record (or close)
            else:
                # Records wait to be committed: until the commit time, or an earlier record.
                left = flush_at - self.clock.monotonic()
                if left > 0 and self._queue.empty():
                    self.clock.wait(self._wake, left)
                self._wake.clear()
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    item = None
            closing: _Close | None = None
            while item is not None:
                if isinstance(item, _Close):
                    closing = item
                    break
                batch[type(item)].append(item)
                with self._lock:
                    self._pending += 1
                    over = self._pending - self.max_buffered
                if over > 0:
                    self._shed(batch, over)
                if flush_at is None:
                    flush_at = self.clock.monotonic() + self.commit_interval_s
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    item = None
            if closing is not None:
                self._finish(store, batch, closing)
                return
            if flush_at is not None and self.clock.monotonic() >= flush_at:
                flush_at = None if self._flush(store, batch) else self.clock.monotonic() + RETRY_INTERVAL_S

    def _shed(self, batch: dict[type, list[Any]], n: int) -> None:
        """Drop ``n`` waiting records: raw serial traffic first, then the oldest."""
        dropped = 0
        order = [RawTraffic, Position, Sample, Scan, Event]  # events are few and tell the most
        for kind in order:
            take = min(n - dropped, len(batch[kind]))
            if take > 0:
                del batch[kind][:take]
                dropped += take
            if dropped >= n:
                break
        with self._lock:
            self._pending -= dropped
            first = self._counts["lost"] == 0
            self._counts["lost"] += dropped
        if first:
            self._report(RuntimeError(f"more than {self.max_buffered} records waiting for the workspace: "
                                      f"dropping the oldest (last error: {self.last_error})"))

    def _flush(self, store: Store, batch: dict[type, list[Any]]) -> bool:
        """Write and commit the batch; True when done (batch emptied), False to retry later."""
        if not any(batch.values()):
            return True
        written: dict[str, int] = {}
        try:
            for kind, records in batch.items():
                if records:
                    key, method = _KINDS[kind]
                    written[key] = self._write(store, getattr(store, method), records)
            store.commit()
        except TRANSIENT_ERRORS as exc:
            # Disk full, database locked, I/O error: nothing of the batch is kept in the
            # database (the transaction is rolled back); the records stay queued here.
            try:
                store.rollback()
            except TRANSIENT_ERRORS + RECORD_ERRORS:
                pass
            self.write_failures += 1
            self._report(exc)
            return False
        with self._lock:
            for key, n in written.items():
                self._counts[key] += n
            self._pending = 0
        for records in batch.values():
            records.clear()
        return True

    def _write(self, store: Store, add: Callable[[int, list[Any]], int], records: list[Any]) -> int:
        """Add the records; when the database refuses the batch for its content, add them one by
        one so that only the refused ones are lost (counted and reported)."""
        try:
            return add(self.session_id, records)
        except TRANSIENT_ERRORS:
            raise
        except RECORD_ERRORS:
            pass
        written = 0
        for record in list(records):
            try:
                written += add(self.session_id, [record])
            except TRANSIENT_ERRORS:
                raise
            except RECORD_ERRORS as exc:
                # Out of the batch, so that a retry of the batch does not count it twice.
                records[:] = [r for r in records if r is not record]
                with self._lock:
                    self._counts["rejected"] += 1
                    self._pending -= 1
                self._report(ValueError(f"record refused by the workspace ({exc}): {record!r}"))
        return written

    def _finish(self, store: Store, batch: dict[type, list[Any]], closing: _Close) -> None:
        deadline = self.clock.monotonic() + CLOSE_RETRY_S
        while not self._flush(store, batch):
            if self.clock.monotonic() >= deadline:
                lost = sum(len(records) for records in batch.values())
                with self._lock:
                    self._counts["lost"] += lost
                    self._pending = 0
                self._report(RuntimeError(
                    f"{lost} records could not be written before close: {self.last_error}"))
                break
            self.clock.wait(self._never, min(RETRY_INTERVAL_S, CLOSE_RETRY_S / 4))
        lost = self.counts["lost"]
        interrupted = closing.interrupted
        if lost:
            interrupted = True
            self.failure = (f"{lost} records could not be written to the workspace "
                            f"({self.last_error or 'unknown error'})")
            try:
                store.add_events(self.session_id, [Event(closing.end_utc, EV_INFO, self.failure,
                                                         {"reason": "write failed", "lost": lost,
                                                          "error": str(self.last_error)})])
            except Exception as exc:
                self._report(exc)
        try:
            store.end_session(self.session_id, closing.end_utc, interrupted=interrupted)
            self._ended = True
        except Exception as exc:
            self._report(exc)
