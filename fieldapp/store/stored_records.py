"""A stored session's records for replay, with the samples rebuilt only when they are needed.

Opening an 8-hour session (28,800 samples, 58,322 records) in the replay window used to rebuild
every sample from its ``record_json`` first: ~230,000 Cell objects, ~1.2 s before the window
could show anything (issue 15 point 4). What the window needs at open for the whole session is
much less: when each record is and what kind it is (the timeline and the replay clock), the
events (markers), and where the route goes (the dimmed route on the map). Those come in bulk,
one query each, from the samples' plain query columns (``ts_utc``, ``lat``, ``lon``) and the
events, positions and scans tables; a Sample itself is rebuilt from its row when the replay
plays it, seeks next to it or refills the views with it.

``StoredRecords`` is that sequence. Its order is ``export_logs.session_records``'s exactly:
samples, events, positions and scans merged by time (samples first at equal times, then events,
positions, scans; within a kind in store order; a scan at its end time), so replaying it is
replaying the eager list, record for record.

Samples are read in blocks of ``block`` consecutive samples (one ``WHERE id IN (...)`` query)
and the last ``cache_blocks`` blocks are kept, least recently used dropped: memory stays
bounded however long the session, and playing or seeking near the playhead reads a block
once. The blocks are read on a connection of their own, opened on first use and usable from
any thread (the replay thread plays, the GUI thread seeks) behind a lock.

The cost moves, it does not vanish: a jump forwards that files hours of samples into the views
rebuilds them then (~4 µs a sample with six neighbours through the store's compiled reader,
rows.py; ~15 µs in Python): a jump to the middle of an 8-hour session right after opening
rebuilds 14,600 samples in ~0.13 s of its ~0.3 s CPU (bench/open_bench.py ``seek_half_s``).
A jump backwards rebuilds only the samples at the new position: the views are cut there
(``ui.history.History.trim``), not filled again from the start. The replay window reads the
session ahead in idle steps once it is open (``fieldapp.app.ReplayApp``), so that a long jump
forwards made after that rebuilds nothing either.
"""

from __future__ import annotations

import heapq
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from itertools import count, repeat
from pathlib import Path
from typing import Any, overload

from fieldapp.model import Event, Position, Record, Sample, Scan
from fieldapp.store.rows import SampleReader, loads
from fieldapp.store.schema import StoreError

BLOCK = 256  # samples read and rebuilt together (~9 ms with six neighbours each)
CACHE_BLOCKS = 16  # blocks kept: 4,096 samples around the playhead (~14 MB)

# The index: served by samples_by_session (session_id, ts_utc), in the order Store.samples reads.
_SELECT_INDEX = "SELECT id, ts_utc, lat, lon FROM samples WHERE session_id = ? ORDER BY ts_utc, id"
_SELECT_BLOCK = "SELECT id, " + ", ".join(SampleReader.COLUMNS) + " FROM samples WHERE id IN ({})"


def session_header(source: str, device: dict[str, Any] | None) -> dict[str, Any]:
    """What a log reader's ``header`` says of the device, from a stored session's device JSON,
    so that a stored session's replay names its device as replaying the file does:

    - an import keeps the log's header: ``{"device": "Qualcomm", "product": "NEMO OUTDOOR
      7.8.0.8", "format": "nemo", ...}`` → device "Qualcomm", product "NEMO OUTDOOR 7.8.0.8",
      source "nemo";
    - a recording keeps the handset's identity: ``{"family": "quectel", "manufacturer":
      "Quectel", "model": "EC25", "firmware": ..., "port": ...}`` → device "Quectel EC25",
      source "quectel".
    """
    d = device or {}
    if "format" in d:
        return {"source": d["format"], "device": d.get("device"), "product": d.get("product")}
    name = " ".join(str(d[k]) for k in ("manufacturer", "model") if d.get(k)) or None
    return {"source": d.get("family") or source.split(":", 1)[0], "device": name}


class StoredRecords(Sequence[Record]):
    """``StoredRecords(conn, connect, session_id, events, position_rows, scans)``: built by
    ``Store.replay_records(session_id)``, which reads the events, positions (as tuples of
    Position's fields) and scans; ``connect()`` opens the connection that reads sample blocks.

    Besides the Sequence protocol it offers, without rebuilding any sample:

    - ``times_utc``: each record's ``ts_utc``, in order;
    - ``types``: each record's class (``Sample``, ``Event``, ``Position``, ``Scan``);
    - ``route_latlon``: ``(lat, lon)`` of every Sample with a position and every Position, in
      order (the samples' from their ``lat``/``lon`` query columns);
    - ``cached_samples()``: how many rebuilt samples are held now (≤ block × cache_blocks);
    - ``samples_rebuilt``: how many samples were rebuilt from their rows so far (a block read
      again counts again): what a replay's jumps cost.
    """

    def __init__(self, conn: sqlite3.Connection, connect: Callable[[], sqlite3.Connection], session_id: int,
                 events: list[Event], positions: list[tuple], scans: list[Scan], *,
                 block: int = BLOCK, cache_blocks: int = CACHE_BLOCKS) -> None:
        if block < 1 or cache_blocks < 1:
            raise ValueError("block and cache_blocks must be at least 1")
        self.session_id = session_id
        self.header: dict[str, Any] = {}  # the device, as a log reader's header says it (session_header)
        self._connect = connect
        self._block = block
        self._cache_blocks = cache_blocks
        self._cache: OrderedDict[int, list[Sample]] = OrderedDict()
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self.samples_rebuilt = 0
        layouts = {int(r[0]): loads(r[1]) for r in conn.execute("SELECT id, layout FROM record_layouts")}
        self._build = SampleReader(layouts).sample
        cur = conn.cursor()
        cur.row_factory = None
        index = cur.execute(_SELECT_INDEX, (session_id,)).fetchall()  # (id, ts_utc, lat, lon)
        self._ids = [r[0] for r in index]
        # The merge of export_logs.session_records, on keys alone: (time, kind, index in kind).
        keys = list(heapq.merge(
            zip([r[1] for r in index], repeat(0), count()),
            zip([e.ts_utc for e in events], repeat(1), count()),
            zip([p[0] for p in positions], repeat(2), count()),
            zip([c.ts_utc for c in scans], repeat(3), count()),
        ))
        others = (None, events, positions, scans)
        kinds = (Sample, Event, Position, Scan)
        # A sample is held as its index among the session's samples (an int), a position as the
        # tuple of its fields (built when read: 28,800 frozen dataclasses cost ~80 ms), an event
        # or a scan as itself (few, read whole above).
        items = [i if kind == 0 else others[kind][i] for _ts, kind, i in keys]
        times = [k[0] for k in keys]
        types = [kinds[k[1]] for k in keys]
        # The route: samples' query columns (NULL without a position) and the positions.
        route = [(index[i][2], index[i][3]) if kind == 0 else (positions[i][1], positions[i][2])
                 for _ts, kind, i in keys if kind == 2 or (kind == 0 and index[i][2] is not None
                                                           and index[i][3] is not None)]
        self._items = items
        self.times_utc = times
        self.types = types
        self.route_latlon = route

    # ------------------------------------------------------------------ the Sequence
    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> Record: ...

    @overload
    def __getitem__(self, index: slice) -> list[Record]: ...

    def __getitem__(self, index: int | slice) -> Record | list[Record]:
        if isinstance(index, slice):
            return [self._record(i) for i in range(*index.indices(len(self._items)))]
        return self._record(index)

    def __iter__(self) -> Iterator[Record]:
        for i in range(len(self._items)):
            yield self._record(i)

    def _record(self, i: int) -> Record:
        item = self._items[i]  # IndexError as a list's
        kind = type(item)
        if kind is int:
            return self._sample(item)
        if kind is tuple:
            return Position(*item)
        return item

    # ------------------------------------------------------------------ sample blocks
    def cached_samples(self) -> int:
        with self._lock:
            return sum(len(b) for b in self._cache.values())

    def _sample(self, k: int) -> Sample:
        b, at = divmod(k, self._block)
        with self._lock:
            block = self._cache.get(b)
            if block is None:
                block = self._read_block(b)
                self._cache[b] = block
                while len(self._cache) > self._cache_blocks:
                    self._cache.popitem(last=False)
            else:
                self._cache.move_to_end(b)
        return block[at]

    def _read_block(self, b: int) -> list[Sample]:
        ids = self._ids[b * self._block:(b + 1) * self._block]
        if self._conn is None:
            self._conn = self._connect()
        cur = self._conn.cursor()
        cur.row_factory = None
        try:
            rows = {r[0]: r[1:] for r in cur.execute(_SELECT_BLOCK.format(", ".join("?" * len(ids))), ids)}
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read session {self.session_id}'s samples: {exc}") from exc
        if len(rows) != len(ids):
            raise StoreError(f"session {self.session_id}: {len(ids) - len(rows)} samples are no longer in the "
                             "workspace (deleted while it was replayed?)")
        build = self._build
        self.samples_rebuilt += len(ids)
        return [build(rows[i]) for i in ids]

    def close(self) -> None:
        """Close the block connection and drop the cache (a later read opens it again)."""
        with self._lock:
            self._cache.clear()
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def reader_connection(path: Path, uri_flags: str | None, busy_timeout_s: float) -> sqlite3.Connection:
    """Another connection to a workspace, for reading only, usable from any thread (its user
    holds a lock). ``uri_flags``: how a read-only workspace was opened (``mode=ro`` or
    ``immutable=1``), None for a writable one."""
    from urllib.parse import quote

    try:
        if uri_flags is None:
            conn = sqlite3.connect(str(path), isolation_level=None, timeout=busy_timeout_s, check_same_thread=False)
        else:
            conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?{uri_flags}", uri=True,
                                   isolation_level=None, timeout=busy_timeout_s, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        conn.execute("PRAGMA query_only = 1")  # this connection never writes
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {path} for reading: {exc}") from exc
    return conn
