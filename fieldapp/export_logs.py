"""Session exporters backed by the ``logs`` package: the native session format and KML.

Both stream from the store (samples are an iterator) and have the exporter signature of
``fieldapp.exporters``: ``func(store, session_id, path) -> records written``.
"""

from __future__ import annotations

import heapq
from pathlib import Path
from typing import Any

from fieldapp.export_csv import samples_or_track
from fieldapp.store import Store, UnknownSession
from logs.kml import write_kml
from logs.native import write_session


def session_header(store: Store, session_id: int) -> dict[str, Any]:
    info = store.session(session_id)
    if info is None:
        raise UnknownSession(session_id)
    return {"session_id": info.id, "source": info.source, "device": info.device, "start_utc": info.start_utc,
            "end_utc": info.end_utc, "case_id": info.case_id, "interrupted": info.interrupted,
            "note": info.note}


def session_records(store: Store, session_id: int):
    """Samples, events, positions and scans merged in time order (samples first at equal
    times; a scan sits at its end time)."""
    streams = (
        ((s.ts_utc, 0, i, s) for i, s in enumerate(store.samples(session_id))),
        ((e.ts_utc, 1, i, e) for i, e in enumerate(store.events(session_id))),
        ((p.ts_utc, 2, i, p) for i, p in enumerate(store.positions(session_id))),
        ((c.ts_utc, 3, i, c) for i, c in enumerate(store.scans(session_id))),
    )
    for *_key, rec in heapq.merge(*streams, key=lambda t: t[:3]):
        yield rec


def export_session_native(store: Store, session_id: int, path: str | Path) -> int:
    counts = write_session(path, session_header(store, session_id), session_records(store, session_id))
    return sum(counts.values())


def export_session_kml(store: Store, session_id: int, path: str | Path) -> int:
    info = store.session(session_id)
    if info is None:
        raise UnknownSession(session_id)
    return write_kml(path, f"fieldapp session {session_id} ({info.source})", samples_or_track(store, session_id),
                     store.events(session_id), store.positions(session_id), store.cell_plan())
