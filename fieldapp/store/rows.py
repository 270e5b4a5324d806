"""Record ↔ row mapping for samples and neighbours (the flattened tables of schema v1).

Each mapping is ``record attribute -> column``. ``tests/fieldapp/test_store.py`` checks that
every field of the model is mapped, so a field added to the model without a column (and a
migration) fails a test instead of being dropped on the way to disk.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from fieldapp.model import Cell, Channel, Position, Registration, Sample, Signal

SAMPLE_OWN = {"ts_utc": "ts_utc", "tech": "tech", "mode": "mode"}

# The serving cell: plain names, except where the Sample has a field of the same name.
SERVING_CELL = {
    "role": "role", "tech": "cell_tech", "mcc": "mcc", "mnc": "mnc", "lac": "lac", "ci": "ci",
    "arfcn": "arfcn", "bsic": "bsic", "rxlev": "rxlev", "rxlev_dbm": "rxlev_dbm",
    "rxlev_full": "rxlev_full", "rxlev_sub": "rxlev_sub", "rxqual": "rxqual",
    "rxqual_sub": "rxqual_sub", "c1": "c1", "c2": "c2", "ta": "ta", "pci": "pci",
    "rscp_dbm": "rscp_dbm", "ecno_db": "ecno_db", "rsrp_dbm": "rsrp_dbm", "rsrq_db": "rsrq_db",
    "sinr_db": "sinr_db", "operator": "operator", "state": "cell_state",
}
NEIGHBOUR_CELL = {attr: attr for attr in SERVING_CELL}
CHANNEL = {name: name for name in ("tch_arfcn", "timeslot", "hopping", "maio", "hsn",
                                   "channel_type", "codec")}
SIGNAL = {
    "rssi_dbm": "rssi_dbm", "rxqual": "sig_rxqual", "rssi_raw": "rssi_raw", "rxlev": "sig_rxlev",
    "rscp_dbm": "sig_rscp_dbm", "ecno_db": "sig_ecno_db", "rsrq_db": "sig_rsrq_db",
    "rsrp_dbm": "sig_rsrp_dbm",
}
REGISTRATION = {name: f"reg_{name}" for name in ("domain", "stat", "lac", "ci", "act", "tech",
                                                 "operator", "mcc", "mnc")}
POSITION = {
    "ts_utc": "pos_ts_utc", "lat": "lat", "lon": "lon", "alt_m": "alt_m", "speed_mps": "speed_mps",
    "course_deg": "course_deg", "hdop": "hdop", "sats": "sats", "fix_quality": "fix_quality",
}

# Columns of the samples table written for one Sample, in a fixed order.
SAMPLE_COLUMNS: tuple[str, ...] = (
    ("session_id", *SAMPLE_OWN.values(), "has_serving", *SERVING_CELL.values(),
     "has_channel", *CHANNEL.values(), "has_signal", *SIGNAL.values(),
     "has_registration", *REGISTRATION.values(), "has_position", *POSITION.values())
)
NEIGHBOUR_COLUMNS: tuple[str, ...] = (
    ("sample_id", "idx", *NEIGHBOUR_CELL.values(), "has_channel", *CHANNEL.values())
)
# Integer columns that hold a bool in the model.
_BOOL_COLUMNS = {"hopping"}


def _flat(obj: Any, mapping: dict[str, str]) -> list[Any]:
    if obj is None:
        return [None] * len(mapping)
    return [getattr(obj, attr) for attr in mapping]


def _channel_flat(channel: Channel | None) -> list[Any]:
    values = _flat(channel, CHANNEL)
    hopping = values[2]
    values[2] = None if hopping is None else int(bool(hopping))
    return [int(channel is not None), *values]


def sample_row(session_id: int, sample: Sample) -> list[Any]:
    serving = sample.serving
    return [
        session_id, sample.ts_utc, sample.tech, sample.mode,
        int(serving is not None), *_flat(serving, SERVING_CELL),
        *_channel_flat(serving.channel if serving is not None else None),
        int(sample.signal is not None), *_flat(sample.signal, SIGNAL),
        int(sample.registration is not None), *_flat(sample.registration, REGISTRATION),
        int(sample.position is not None), *_flat(sample.position, POSITION),
    ]


def neighbour_rows(sample_id: int, cells: Sequence[Cell]) -> list[list[Any]]:
    return [[sample_id, idx, *_flat(cell, NEIGHBOUR_CELL), *_channel_flat(cell.channel)]
            for idx, cell in enumerate(cells)]


def _build(cls: type, mapping: dict[str, str], row: dict[str, Any], prefix: str = "") -> Any:
    kwargs = {}
    for attr, column in mapping.items():
        value = row[prefix + column]
        if column in _BOOL_COLUMNS and value is not None:
            value = bool(value)
        kwargs[attr] = value
    return cls(**kwargs)


def cell_from_row(row: dict[str, Any], mapping: dict[str, str], prefix: str = "") -> Cell:
    """A Cell from a row; ``prefix`` is how a joined query aliased the columns ("n_")."""
    channel = _build(Channel, CHANNEL, row, prefix) if row[prefix + "has_channel"] else None
    return Cell(**{attr: row[prefix + column] for attr, column in mapping.items()}, channel=channel)


def sample_from_row(row: dict[str, Any], neighbours: tuple[Cell, ...]) -> Sample:
    return Sample(
        ts_utc=row["ts_utc"],
        tech=row["tech"],
        mode=row["mode"],
        serving=cell_from_row(row, SERVING_CELL) if row["has_serving"] else None,
        neighbours=neighbours,
        signal=_build(Signal, SIGNAL, row) if row["has_signal"] else None,
        registration=_build(Registration, REGISTRATION, row) if row["has_registration"] else None,
        position=_build(Position, POSITION, row) if row["has_position"] else None,
    )


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
