"""Join a position track (e.g. an NMEA log) to another log's samples by time.

Both inputs are in time order; the join streams (no list of the whole file): each Sample
without a position gets the latest fix at most ``max_age_s`` older than it. A fix *after*
the sample is never used (the car had not got there yet). The positions themselves are
emitted too, merged in time order, so the track shows on the map on its own.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Iterable, Iterator

from fieldapp import model

MAX_AGE_S = 5.0


def attach_positions(records: Iterable[model.Record], positions: Iterable[model.Position],
                     max_age_s: float = MAX_AGE_S) -> Iterator[model.Record]:
    last: model.Position | None = None
    # Positions sort before records of the same instant so a fix at t applies to a sample at t.
    tagged_pos = ((p.ts_utc, 0, p) for p in positions)
    tagged_rec = ((r.ts_utc, 1, r) for r in records)
    for _ts, _order, rec in heapq.merge(tagged_pos, tagged_rec, key=lambda t: (t[0], t[1])):
        if isinstance(rec, model.Position):
            last = rec
        elif isinstance(rec, model.Sample) and rec.position is None and last is not None \
                and 0 <= rec.ts_utc - last.ts_utc <= max_age_s:
            rec = dataclasses.replace(rec, position=last)
        yield rec
