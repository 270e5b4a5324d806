"""Record ↔ row mapping for samples: one row per Sample, its parts packed as JSON.

Why packed (schema v5): the views, exports, replay and diagnosis only ever read a sample whole,
and a flat row of ~90 columns plus one row per neighbour cost ~100 µs per sample to store
(issue 15: 10,000 samples/s; SQLite's cost grows with the number of bound columns). A sample is
now one JSON array of its parts, plus a few plain "query columns" copied from it so that an
engineer can still ask the workspace with plain SQL (``sqlite3 workspace.db``)::

    SELECT datetime(ts_utc, 'unixepoch'), tech, ci, arfcn, level_dbm, rxqual, lat, lon
    FROM samples WHERE session_id = 3 ORDER BY ts_utc;

``record_json`` is ``[serving, signal, registration, position, neighbours]``:

- ``serving``: ``null`` (no serving cell) or the Cell's fields in layout order and, last, its
  channel (``null`` or the Channel's fields in layout order);
- ``signal``, ``registration``, ``position``: ``null`` or the record's fields in layout order;
- ``neighbours``: a list of cells written like ``serving``.

For example (a GSM call with one neighbour; nulls shortened to ``…`` here)::

    [["serving","GSM",262,1,6699,15437,7,35,25,-85.0,…,3,null,…,"dedicated",
      [7,3,false,null,null,"TCH/F","EFR"]],
     [-85.0,5,14,25,null,null,null,null], ["cs",1,6699,15437,0,"GSM","Test Net",262,1],
     [1764325636.85,52.5201,13.4049,34.5,8.3,271.0,0.9,9,1],
     [["neighbour","GSM",null,null,6699,15438,12,21,30,-80.0,…,null]]]

"Layout order" is the field order of the model's dataclasses when the row was written. Each
row names its layout (``samples.layout`` → ``record_layouts``): a field added to the model
later does not shift the values of older rows, which are read back by name.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, fields
from operator import attrgetter
from typing import Any

from fieldapp.model import Cell, Channel, Position, Registration, Sample, Signal

# Plain columns of the samples table, in insert order. The query columns after ``neighbours_n``
# are copies of values in record_json, for SQL users: the serving cell's identity (else, for a
# handset that reports no serving cell, the registration's LAC/CI), the level the views plot
# (the serving cell's level, else the +CSQ RSSI), the quality and the position.
SAMPLE_COLUMNS: tuple[str, ...] = (
    "session_id", "ts_utc", "tech", "mode", "layout", "record_json", "neighbours_n",
    "mcc", "mnc", "lac", "ci", "arfcn", "pci", "level_dbm", "rxqual", "lat", "lon",
)
# The record parts packed in record_json, in their order there, with their classes.
PARTS: dict[str, type] = {"cell": Cell, "channel": Channel, "signal": Signal,
                          "registration": Registration, "position": Position}


def _names(record: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(record) if f.name != "channel")


# The layout this code writes: every field of every part (a Cell's channel travels separately).
LAYOUT: dict[str, list[str]] = {part: list(_names(cls)) for part, cls in PARTS.items()}
LAYOUT_JSON = json.dumps(LAYOUT, sort_keys=True, separators=(",", ":"))

_get_cell = attrgetter(*LAYOUT["cell"])
_get_channel = attrgetter(*LAYOUT["channel"])
_get_signal = attrgetter(*LAYOUT["signal"])
_get_registration = attrgetter(*LAYOUT["registration"])
_get_position = attrgetter(*LAYOUT["position"])
_CHANNEL_AT = [f.name for f in fields(Cell)].index("channel")  # the channel's place in Cell(*args)
_HOPPING = LAYOUT["channel"].index("hopping")
_NO_QUERY = (None,) * 6
# allow_nan: an infinite float (which the model can hold) goes out as Infinity and comes back
# equal; SQL reads only the plain columns.
_pack = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=True).encode


def _channel_values(channel: Channel) -> tuple[Any, ...]:
    values = _get_channel(channel)
    hopping = values[_HOPPING]
    if hopping is None or hopping is True or hopping is False:
        return values
    return values[:_HOPPING] + (bool(hopping),) + values[_HOPPING + 1:]  # a device's 0/1 as a bool


def _cell_values(cell: Cell) -> tuple[Any, ...]:
    channel = cell.channel
    return _get_cell(cell) + (None if channel is None else _channel_values(channel),)


def sample_row(session_id: int, layout_id: int, sample: Sample) -> tuple[Any, ...]:
    """The samples row of one Sample (values in SAMPLE_COLUMNS order).

    One attrgetter call per record part and one JSON encode per sample: ~10 µs a sample with
    six neighbours (bench/store_bench.py)."""
    serving, signal, registration, position = (sample.serving, sample.signal, sample.registration,
                                               sample.position)
    neighbours = sample.neighbours
    record = _pack((
        None if serving is None else _cell_values(serving),
        None if signal is None else _get_signal(signal),
        None if registration is None else _get_registration(registration),
        None if position is None else _get_position(position),
        [_cell_values(c) for c in neighbours] if neighbours else (),
    ))
    if serving is not None:
        query = (serving.mcc, serving.mnc, serving.lac, serving.ci, serving.arfcn, serving.pci)
        if registration is not None and serving.lac is None and serving.ci is None:
            query = (serving.mcc, serving.mnc, registration.lac, registration.ci, serving.arfcn, serving.pci)
    elif registration is not None:
        # A plain 27.007 handset: no serving cell, the cell from +CREG (and +COPS) only.
        query = (registration.mcc, registration.mnc, registration.lac, registration.ci, None, None)
    else:
        query = _NO_QUERY
    return ((session_id, sample.ts_utc, sample.tech, sample.mode, layout_id, record, len(neighbours))
            + query + (sample.rxlev_dbm, sample.rxqual)  # the serving level, else +CSQ's RSSI
            + ((None, None) if position is None else (position.lat, position.lon)))


class _Builder:
    """Builds the records of one layout: positionally when it is this code's layout (the fast
    path), else by field name (fields the model no longer has are dropped, new ones default)."""

    def __init__(self, layout: dict[str, list[str]]) -> None:
        self.current = layout == LAYOUT
        self.layout = layout

    def _by_name(self, part: str, values: Sequence[Any]) -> dict[str, Any]:
        known = {f.name for f in fields(PARTS[part])}
        return {n: v for n, v in zip(self.layout.get(part, ()), values) if n in known}

    def cell(self, values: list[Any]) -> Cell:
        channel = values[-1]
        if self.current:
            at = _CHANNEL_AT
            return Cell(*values[:at], None if channel is None else Channel(*channel), *values[at:-1])
        return Cell(**self._by_name("cell", values[:-1]),
                    channel=None if channel is None else Channel(**self._by_name("channel", channel)))

    def part(self, part: str, values: list[Any] | None) -> Any:
        if values is None:
            return None
        cls = PARTS[part]
        return cls(*values) if self.current else cls(**self._by_name(part, values))


class SampleReader:
    """Rebuilds Samples from rows of ``(layout, record_json, ts_utc, tech, mode)``; ``layouts``
    maps a layout id to its field lists (the record_layouts table)."""

    COLUMNS = ("layout", "record_json", "ts_utc", "tech", "mode")

    def __init__(self, layouts: dict[int, dict[str, list[str]]]) -> None:
        self._builders = {lid: _Builder(layout) for lid, layout in layouts.items()}

    def sample(self, row: Sequence[Any]) -> Sample:
        layout_id, text, ts_utc, tech, mode = row
        b = self._builders[layout_id]
        serving, signal, registration, position, neighbours = json.loads(text)
        cell = b.cell
        return Sample(ts_utc, tech, None if serving is None else cell(serving),
                      tuple(map(cell, neighbours)), b.part("signal", signal),
                      b.part("registration", registration), b.part("position", position), mode)


def _json_default(obj: Any) -> Any:
    # Device dicts may carry a Capabilities record; event data may carry tuples or bytes.
    if hasattr(obj, "__dataclass_fields__"):
        return asdict(obj)
    if isinstance(obj, bytes | bytearray):
        return obj.hex()
    if isinstance(obj, set | frozenset):
        return sorted(obj, key=str)
    return str(obj)


def dumps(obj: Any) -> str:
    """JSON text for the JSON columns (device, event data, case data)."""
    return json.dumps(obj, default=_json_default, ensure_ascii=False, sort_keys=True)


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)
