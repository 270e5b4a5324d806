"""Record ↔ row mapping for samples: one row per Sample, its parts packed as JSON.

Why packed (schema v5): the views, exports, replay and diagnosis only ever read a sample whole,
and a flat row of ~90 columns plus one row per neighbour cost ~100 µs per sample to store
(issue 15: 10,000 samples/s; SQLite's cost grows with the number of bound columns). A sample is
now one JSON array of its parts, plus a few plain "query columns" copied from it so that an
engineer can still ask the workspace with plain SQL (``sqlite3 workspace.db``)::

    SELECT datetime(ts_utc, 'unixepoch'), tech, ci, arfcn, level_dbm, rxqual, lat, lon
    FROM samples WHERE session_id = 3 ORDER BY ts_utc;

``record_json`` is ``[serving, signal, registration, position, neighbours]``:

- ``serving``: ``null`` (no serving cell) or a cell;
- ``signal``, ``registration``, ``position``: ``null`` or the record's fields in layout order;
- ``neighbours``: a list of cells.

A cell (schema v9) is ``[form, values...]``: the code of its *form* (``CELL_FORMS``), then its
field values in that form's order up to the last one set (the trailing nulls are left out; a
missing value is None). Form 0 takes any cell: role, tech, then every other field in the model's
order. Forms 1-6 are the serving and neighbour cells of GSM, UMTS and LTE: role and tech are
implied, and the fields that technology's cells carry come first. A cell's channel is one of
its values: ``null`` or the Channel's fields in layout order. Every form names every field, so
any cell is written in its form, an unusual one only longer; nothing falls back or is lost.

For example (a GSM call with two neighbours, from tests/fieldapp/sample_records.py)::

    [[1,262,1,6699,15437,7,35,25,-85.0,5,3,[7,3,false,null,null,"TCH/F","EFR"],12,14,25,24,4,
      "Test Net","dedicated"],
     [-85.0,5,14,25,null,null,null,null], ["cs",1,6699,15437,0,"GSM","Test Net",262,1],
     [1764325636.85,52.5201,13.4049,34.5,8.3,271.0,0.9,9,1],
     [[2,12,21,30,-80.0,17,19,null,null,6699,15438], [4,10700,301,-97.0,-12.5]]]

i.e. a serving GSM cell (form 1: MCC, MNC, LAC, CI, ARFCN, BSIC, RXLEV, its dBm, RXQUAL, TA,
channel, C1, C2, ...), a GSM neighbour (form 2: ARFCN, BSIC, RXLEV, dBm, C1, C2, MCC, MNC, LAC,
CI) and a UMTS neighbour (form 4: UARFCN, PSC, RSCP, Ec/No). SQL reads a field by its place in
the form (``record_layouts`` names them)::

    SELECT json_extract(n.value, '$[1]') AS arfcn, json_extract(n.value, '$[4]') AS rxlev_dbm
    FROM samples, json_each(record_json, '$[4]') AS n
    WHERE session_id = 3 AND json_extract(n.value, '$[0]') = 2;   -- GSM neighbours

Cost (bench/store_bench.py, GSM call with six neighbours, per CPU second): v8 wrote every field
of every cell (1,026 bytes, ~39,000 samples/s); the forms pack the same sample in ~310 bytes, and
read back at ~60,000/s. Packed in Python (``record_text_python``: the 7 cells' fields read by
attrgetter, the form chosen and trimmed, the C JSON encoder) a sample costs ~14 µs and the
insert reaches ~50,000/s. ``_rowpack.c`` is its compiled twin: ``Packer.row`` builds the whole
row (the record text and the query columns, ~1.3 µs), reading the records' slots directly, and
the insert reaches 120,000-150,000/s (issue 15's goal: 100,000). It is built at install where a
C compiler is found; for any sample it is not made for (a value of another class, an int beyond
64 bits) it returns None and ``sample_row_python`` builds the row. ``Packer.sample`` reads rows
of this layout back (~3 µs a sample against ~15 through json.loads and the classes: ~230,000
samples/s) and leaves to the Python builder what it is not made for (a string with an escape,
an older layout). tests/fieldapp/test_rowpack.py: the same row for any sample, and the same
records, value and type, for any row.

"Layout order" is the field order of the model's dataclasses when the row was written. Each
row names its layout (``samples.layout`` → ``record_layouts``): a field added to the model
later, or a form changed, does not shift the values of older rows, which are read back by name.
Layouts without ``cell_forms`` are v8's (and what migration v8 made of v1-v7 rows): every cell
field in the layout's ``cell`` order, then the channel.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, fields
from json.encoder import c_make_encoder, encode_basestring
from operator import attrgetter, itemgetter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from fieldapp.compiled_parts import COMPILED, STALE, build_state
from fieldapp.model import (
    GSM,
    LTE,
    NEIGHBOUR,
    SERVING,
    UMTS,
    Cell,
    Channel,
    Position,
    Registration,
    Sample,
    Signal,
)

# Plain columns of the samples table, in insert order. The query columns after ``neighbours_n``
# are copies of values in record_json, for SQL users: the serving cell's identity (else, for a
# handset that reports no serving cell, the registration's LAC/CI), the level the views plot
# (the serving cell's level, else the +CSQ RSSI), the quality and the position.
SAMPLE_COLUMNS: tuple[str, ...] = (
    "session_id", "ts_utc", "tech", "mode", "layout", "record_json", "neighbours_n",
    "mcc", "mnc", "lac", "ci", "arfcn", "pci", "level_dbm", "rxqual", "lat", "lon",
)
# The record parts packed in record_json, with their classes.
PARTS: dict[str, type] = {"cell": Cell, "channel": Channel, "signal": Signal,
                          "registration": Registration, "position": Position}


def _names(record: type) -> list[str]:
    return [f.name for f in fields(record)]


_CELL_FIELDS = _names(Cell)  # Cell(*args) order
_CELL_REST = [n for n in _CELL_FIELDS if n not in ("role", "tech")]


def _form(role: str | None, tech: str | None, first: Sequence[str]) -> list[Any]:
    return [role, tech, [*first, *(n for n in _CELL_REST if n not in first)]]


# The cell forms, by code: [role, tech, field order]. A cell in record_json is its form's code,
# then its values in that form's order, without the trailing nulls. Form 0 holds any cell: its
# role and tech, then every other field in the model's order. Forms 1-6 are the serving and
# neighbour cells of each technology: role and tech are implied by the code, and the fields
# that technology's devices and logs set come first, so that a cell's unset fields are mostly
# trailing nulls and are left out (a 1 KB sample with six neighbours packs in ~340 bytes).
# Every form names every field: a cell with an unusual field set is still written in its form,
# only longer. Changing a form changes the layout (a new record_layouts row): rows written
# before keep theirs.
CELL_FORMS: list[list[Any]] = [
    [None, None, ["role", "tech", *_CELL_REST]],
    _form(SERVING, GSM, ("mcc", "mnc", "lac", "ci", "arfcn", "bsic", "rxlev", "rxlev_dbm", "rxqual", "ta",
                         "channel", "c1", "c2", "rxlev_full", "rxlev_sub", "rxqual_sub", "operator", "state")),
    _form(NEIGHBOUR, GSM, ("arfcn", "bsic", "rxlev", "rxlev_dbm", "c1", "c2", "mcc", "mnc", "lac", "ci")),
    _form(SERVING, UMTS, ("mcc", "mnc", "lac", "ci", "arfcn", "pci", "rscp_dbm", "ecno_db", "operator", "state")),
    _form(NEIGHBOUR, UMTS, ("arfcn", "pci", "rscp_dbm", "ecno_db", "state")),
    _form(SERVING, LTE, ("mcc", "mnc", "lac", "ci", "arfcn", "pci", "rsrp_dbm", "rsrq_db", "sinr_db", "operator",
                         "state")),
    _form(NEIGHBOUR, LTE, ("arfcn", "pci", "rsrp_dbm", "rsrq_db", "sinr_db", "state")),
]
# Where the writer tries to end a cell of each form (after the fields usually set; the first
# length whose remaining values are all None is taken, else the whole form). Writer policy
# only: the reader takes any length.
_CUTS: dict[int, tuple[int, ...]] = {1: (10, 11, 18), 2: (6, 10), 3: (8, 10), 4: (4, 5), 5: (9, 11), 6: (5, 6)}

# The layout this code writes (stored once in record_layouts, named by each row).
LAYOUT: dict[str, Any] = {"cell_forms": CELL_FORMS,
                          **{part: _names(cls) for part, cls in PARTS.items() if part != "cell"}}
LAYOUT_JSON = json.dumps(LAYOUT, sort_keys=True, separators=(",", ":"))

_get_channel = attrgetter(*LAYOUT["channel"])
_get_signal = attrgetter(*LAYOUT["signal"])
_get_registration = attrgetter(*LAYOUT["registration"])
_get_position = attrgetter(*LAYOUT["position"])
_HOPPING = LAYOUT["channel"].index("hopping")
_NO_QUERY = (None,) * 6


def _writer(code: int) -> tuple[tuple[int], Callable[[Cell], tuple[Any, ...]], tuple[tuple[int, tuple[None, ...]], ...],
                                int]:
    """(code,) to put before the values, the values' getter, the cuts with the all-None tails
    they need, the channel's place."""
    names = CELL_FORMS[code][2]
    cuts = tuple((k, (None,) * (len(names) - k)) for k in _CUTS.get(code, ()))
    return (code,), attrgetter(*names), cuts, names.index("channel")


# By tech, then role: two lookups of interned strings are ~100 ns a cell cheaper than one of a
# (role, tech) tuple.
_WRITERS: dict[str, dict[str, Any]] = {}
for _code, (_role, _tech, _) in enumerate(CELL_FORMS):
    if _code:
        _WRITERS.setdefault(_tech, {})[_role] = _writer(_code)
_WRITE_ANY = _writer(0)
_NO_WRITERS: dict[str, Any] = {}

# The standard library's C encoder, made once: json.dumps/JSONEncoder.encode build it again
# for every call (~1.5 µs a sample). No circular check (a record is tuples of plain values);
# allow_nan: an infinite float (which the model can hold) goes out as Infinity and comes back
# equal; SQL reads only the plain columns.
# A value JSON cannot hold raises the standard library's TypeError ("Object of type bytes is not
# JSON serializable").
if c_make_encoder is not None:
    _encode = c_make_encoder(None, json.JSONEncoder().default, encode_basestring, None, ":", ",", False, False,
                             True)

    def _pack(obj: Any, _encode: Any = _encode, _join: Any = "".join) -> str:
        return _join(_encode(obj, 0))
else:  # a Python without the _json accelerator
    _pack = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=True,
                             check_circular=False).encode


def _channel_values(channel: Channel) -> tuple[Any, ...]:
    values = _get_channel(channel)
    hopping = values[_HOPPING]
    if hopping is None or hopping is True or hopping is False:
        return values
    return values[:_HOPPING] + (bool(hopping),) + values[_HOPPING + 1:]  # a device's 0/1 as a bool


def _cell_values(cell: Cell) -> tuple[Any, ...]:
    code, get, cuts, channel_at = _WRITERS.get(cell.tech, _NO_WRITERS).get(cell.role, _WRITE_ANY)
    values = get(cell)
    for k, tail in cuts:
        if values[k:] == tail:
            values = values[:k]
            break
    channel = cell.channel
    if channel is not None:  # never trimmed: it is not None
        values = values[:channel_at] + (_channel_values(channel),) + values[channel_at + 1:]
    return code + values


def record_text_python(sample: Sample) -> str:
    """A Sample's record_json text, packed in Python: one attrgetter call per record part and
    one JSON encode per sample, ~12 µs with six neighbours (bench/store_bench.py)."""
    serving, signal, registration, position = (sample.serving, sample.signal, sample.registration,
                                               sample.position)
    neighbours = sample.neighbours
    return _pack((
        None if serving is None else _cell_values(serving),
        None if signal is None else _get_signal(signal),
        None if registration is None else _get_registration(registration),
        None if position is None else _get_position(position),
        [_cell_values(c) for c in neighbours] if neighbours else (),
    ))


def compiled_packer(module: Any, source: Path) -> tuple[Any, str]:
    """(the compiled twin of the Python packing made from this module's forms, cuts and field
    orders, "compiled"), or (None, why not): "python" where it was not built (setup.py: optional)
    or FIELDAPP_PURE_STORE=1 asks for the Python packing; "stale" where it was built from another
    _rowpack.c than ``source`` (a pull without a rebuild; fieldapp/compiled_parts.py) or does not
    take this code's arguments."""
    state = build_state(module, source, "FIELDAPP_PURE_STORE")
    if state != COMPILED:
        return None, state
    forms = [(role, tech, names, _CUTS.get(code, ()), names.index("channel"))
             for code, (role, tech, names) in enumerate(CELL_FORMS)]
    try:
        packer = module.Packer(Sample, Cell, Channel, Signal, Registration, Position, forms=forms,
                               channel=LAYOUT["channel"], hopping_at=_HOPPING, signal=LAYOUT["signal"],
                               registration=LAYOUT["registration"], position=LAYOUT["position"], umts=UMTS, lte=LTE)
        packer.record, packer.row, packer.sample  # noqa: B018 - the methods this module calls
    except (AttributeError, TypeError, ValueError):
        return None, STALE
    return packer, COMPILED


def _import_compiled() -> Any:
    try:  # by name from the module itself (grimp sees a package import as a circle)
        from fieldapp.store._rowpack import SOURCE_SHA256, Packer
    except ImportError:
        return None
    return SimpleNamespace(Packer=Packer, SOURCE_SHA256=SOURCE_SHA256)


_PACKER, PACKING = compiled_packer(_import_compiled(), Path(__file__).with_name("_rowpack.c"))
# Packs a sample's record_json ~6x faster than the Python code (~2 µs with six neighbours),
# for the exact model classes and plain values; for anything else it returns None and
# record_text_python packs it. tests/fieldapp/test_rowpack.py: the same text for any sample.
record_text_compiled: Callable[[Sample], str | None] | None = None if _PACKER is None else _PACKER.record
# The whole samples row (the record and the query columns), or None: sample_row_python builds it.
sample_row_compiled: Callable[[int, int, Sample], tuple[Any, ...] | None] | None = (
    None if _PACKER is None else _PACKER.row)
# Reads a row of this layout back (SampleReader), or None: the Python builder reads it.
sample_compiled: Callable[[str, float, str | None, str | None], Sample | None] | None = (
    None if _PACKER is None else _PACKER.sample)


def sample_row(session_id: int, layout_id: int, sample: Sample) -> tuple[Any, ...]:
    """The samples row of one Sample (values in SAMPLE_COLUMNS order)."""
    compiled = sample_row_compiled  # a module global: the bench and the tests switch it off
    if compiled is not None:
        row = compiled(session_id, layout_id, sample)
        if row is not None:
            return row
    return sample_row_python(session_id, layout_id, sample)


def sample_row_python(session_id: int, layout_id: int, sample: Sample) -> tuple[Any, ...]:
    """sample_row in Python (the reference the compiled row is tested against)."""
    compiled = record_text_compiled
    record = None if compiled is None else compiled(sample)
    if record is None:
        record = record_text_python(sample)
    serving, registration, position = sample.serving, sample.registration, sample.position
    neighbours = sample.neighbours
    if serving is not None:
        query = (serving.mcc, serving.mnc, serving.lac, serving.ci, serving.arfcn, serving.pci)
        if registration is not None and serving.lac is None and serving.ci is None:
            query = (serving.mcc, serving.mnc, registration.lac, registration.ci, serving.arfcn, serving.pci)
    elif registration is not None:
        # A plain 27.007 handset: no serving cell, the cell from +CREG (and +COPS) only.
        query = (registration.mcc, registration.mnc, registration.lac, registration.ci, None, None)
    else:
        query = _NO_QUERY
    query = (*query, sample.rxlev_dbm, sample.rxqual)  # the serving level, else +CSQ's RSSI
    return ((session_id, sample.ts_utc, sample.tech, sample.mode, layout_id, record, len(neighbours))
            + tuple(v if type(v) is not int or v in _SQL_INTEGER else None for v in query)
            + ((None, None) if position is None else (position.lat, position.lon)))


# SQLite's INTEGER (64 bits). A whole number beyond it (a garbled 20-digit cell id) stays in
# record_json, which holds any number; its query column, a copy for SQL, is NULL.
_SQL_INTEGER = range(-(2**63), 2**63)


class _Builder:
    """Builds the records of one layout: positionally where its field order is this code's (the
    fast path), else by field name (fields the model no longer has are dropped, new ones
    default). A layout with ``cell_forms`` writes cells as form code + values (this code); one
    without writes every cell field in its ``cell`` order, then the channel (v8, and the v1-v7
    rows migrations convert)."""

    def __init__(self, layout: dict[str, Any]) -> None:
        self.layout = layout
        self.positional = {part: layout.get(part) == _names(cls) for part, cls in PARTS.items()}
        self.positional["cell"] = layout.get("cell") == [n for n in _CELL_FIELDS if n != "channel"]  # v8
        forms = layout.get("cell_forms")
        if forms is None:
            self.cell = self._fast_v8 if self.positional["cell"] and self.positional["channel"] else self._cell_v8
        elif self.positional["channel"] and all(
                sorted({*names, "role", "tech"}) == sorted(_CELL_FIELDS) for *_, names in forms):
            self.cell = self._fast_forms(forms)
        else:
            self._forms = forms
            self.cell = self._cell_by_name

    def _by_name(self, part: str, values: Sequence[Any]) -> dict[str, Any]:
        known = {f.name for f in fields(PARTS[part])}
        return {n: v for n, v in zip(self.layout.get(part, ()), values) if n in known}

    def _channel(self, values: list[Any] | None) -> Channel | None:
        if values is None:
            return None
        return Channel(*values) if self.positional["channel"] else Channel(**self._by_name("channel", values))

    @staticmethod
    def _fast_forms(forms: list[list[Any]]) -> Callable[[list[Any]], Cell]:
        # Per form: the row is padded to the form's length with None and then the implied role
        # and tech, and one itemgetter picks Cell's arguments out of it.
        plans = []
        for role, tech, names in forms:
            full = 1 + len(names)
            at = {n: 1 + i for i, n in enumerate(names)}
            at.setdefault("role", full)
            at.setdefault("tech", full + 1)
            pads = [[None] * (full - n) + [role, tech] for n in range(full + 1)]
            plans.append((itemgetter(*(at[n] for n in _CELL_FIELDS)), pads, at["channel"]))

        def cell(row: list[Any]) -> Cell:
            get, pads, channel_at = plans[row[0]]
            row += pads[len(row)]
            channel = row[channel_at]
            if channel is not None:
                row[channel_at] = Channel(*channel)
            return Cell(*get(row))
        return cell

    def _cell_by_name(self, row: list[Any]) -> Cell:
        role, tech, names = self._forms[row[0]]
        values = dict(zip(names, row[1:]))
        values.update((n, None) for n in names[len(row) - 1:])  # the trailing nulls left out
        if role is not None or tech is not None:
            values.update(role=role, tech=tech)
        known = {f.name for f in fields(Cell)}
        channel = self._channel(values.pop("channel", None))
        return Cell(**{n: v for n, v in values.items() if n in known}, channel=channel)

    @staticmethod
    def _fast_v8(values: list[Any]) -> Cell:
        channel = values[-1]
        at = _CHANNEL_AT
        return Cell(*values[:at], None if channel is None else Channel(*channel), *values[at:-1])

    def _cell_v8(self, values: list[Any]) -> Cell:
        return Cell(**self._by_name("cell", values[:-1]), channel=self._channel(values[-1]))

    def part(self, part: str, values: list[Any] | None) -> Any:
        if values is None:
            return None
        cls = PARTS[part]
        return cls(*values) if self.positional[part] else cls(**self._by_name(part, values))


_CHANNEL_AT = _CELL_FIELDS.index("channel")  # the channel's place in Cell(*args)


class SampleReader:
    """Rebuilds Samples from rows of ``(layout, record_json, ts_utc, tech, mode)``; ``layouts``
    maps a layout id to its field lists (the record_layouts table)."""

    COLUMNS = ("layout", "record_json", "ts_utc", "tech", "mode")

    def __init__(self, layouts: dict[int, dict[str, Any]]) -> None:
        self._builders = {lid: _Builder(layout) for lid, layout in layouts.items()}
        # Rows of this code's own layout are read by the compiled reader, when there is one.
        self._compiled_layouts = frozenset(lid for lid, layout in layouts.items() if layout == LAYOUT)
        self._compiled = sample_compiled

    def sample(self, row: Sequence[Any]) -> Sample:
        layout_id, text, ts_utc, tech, mode = row
        if self._compiled is not None and layout_id in self._compiled_layouts:
            sample = self._compiled(text, ts_utc, tech, mode)
            if sample is not None:
                return sample
        return self.sample_python(row)

    def sample_python(self, row: Sequence[Any]) -> Sample:
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
