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


class SampleReader:
    """Rebuilds Samples and neighbour Cells from plain tuple rows of the two queries of
    ``Store.samples``, given their column names once: positions are looked up once, not per
    row (name lookups on sqlite3.Row over ~100 columns cost more than the query itself)."""

    def __init__(self, sample_names: Sequence[str], neighbour_names: Sequence[str]) -> None:
        pos = {name: i for i, name in enumerate(sample_names)}
        n_pos = {name: i for i, name in enumerate(neighbour_names)}

        def parts(mapping: dict[str, str], where: dict[str, int]) -> list[tuple[str, int, bool]]:
            return [(attr, where[col], col in _BOOL_COLUMNS) for attr, col in mapping.items()]

        self._own = parts(SAMPLE_OWN, pos)
        self._serving = parts(SERVING_CELL, pos)
        self._channel = parts(CHANNEL, pos)
        self._signal = parts(SIGNAL, pos)
        self._registration = parts(REGISTRATION, pos)
        self._position = parts(POSITION, pos)
        self._n_cell = parts(NEIGHBOUR_CELL, n_pos)
        self._n_channel = parts(CHANNEL, n_pos)
        self._has = {name: pos[name] for name in ("has_serving", "has_channel", "has_signal",
                                                  "has_registration", "has_position")}
        self._n_has_channel = n_pos["has_channel"]

    @staticmethod
    def _kwargs(row: Sequence[Any], part: list[tuple[str, int, bool]]) -> dict[str, Any]:
        out = {}
        for attr, i, is_bool in part:
            value = row[i]
            out[attr] = bool(value) if is_bool and value is not None else value
        return out

    def neighbour(self, row: Sequence[Any]) -> Cell:
        channel = Channel(**self._kwargs(row, self._n_channel)) if row[self._n_has_channel] else None
        return Cell(**self._kwargs(row, self._n_cell), channel=channel)

    def sample(self, row: Sequence[Any], neighbours: tuple[Cell, ...]) -> Sample:
        has = self._has
        serving = None
        if row[has["has_serving"]]:
            channel = Channel(**self._kwargs(row, self._channel)) if row[has["has_channel"]] else None
            serving = Cell(**self._kwargs(row, self._serving), channel=channel)
        return Sample(
            **self._kwargs(row, self._own),
            serving=serving,
            neighbours=neighbours,
            signal=Signal(**self._kwargs(row, self._signal)) if row[has["has_signal"]] else None,
            registration=(Registration(**self._kwargs(row, self._registration))
                          if row[has["has_registration"]] else None),
            position=Position(**self._kwargs(row, self._position)) if row[has["has_position"]] else None,
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
