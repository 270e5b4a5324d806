"""Session → CSV: one row per sample, for spreadsheets and other drive-test tools.

Columns, in order:
- ``time_utc`` (ISO 8601, milliseconds, "Z") and ``ts_utc`` (POSIX seconds);
- the sample's ``tech`` and ``mode``;
- the serving cell (``cell_tech``, mcc, mnc, lac, ci, arfcn, bsic, rxlev, rxlev_dbm, ...,
  ``cell_state``), its channel (tch_arfcn, timeslot, hopping 1/0, maio, hsn, channel_type,
  codec), the signal (rssi_dbm, sig_rxqual, ...), the registration (reg_*), the position
  (pos_ts_utc, lat, lon, alt_m, ...) — the names of workspace schema v1-v4's flat columns,
  kept as they were so that spreadsheets and scripts built on earlier exports keep working;
- neighbours ``n1_*`` .. ``nK_*`` (tech, arfcn, bsic, pci, rxlev, rxlev_dbm, rscp_dbm, ecno_db,
  rsrp_dbm, rsrq_db, c1, c2, lac, ci) with K = 6, or more when a sample of the session has more.

Unknown is an empty cell, never 99 or 0. Numbers are written as Python prints them.

Band scans (issue 17) do not fit one row per sample: a session that has scans also gets
``<name>.scans.csv`` beside the samples file (``export --format scans-csv`` writes it alone),
one row per carrier heard: ``scan`` (1, 2, ... in time order), ``start_utc``/``end_utc`` (ISO) and
``end_ts_utc``, ``scan_band``, ``source``, ``complete`` 1/0, ``lat``/``lon`` of the scan, then the
carrier: ``tech``, ``arfcn``, ``band``, ``rxlev_dbm``, ``bsic`` (empty: not decoded), ``mcc``,
``mnc``, ``lac``, ``ci``, ``pci``, ``rscp_dbm``, ``ecno_db``, ``rsrp_dbm``, ``rsrq_db``,
``cinr_db``, ``status``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import datetime, timezone
from itertools import chain
from pathlib import Path
from typing import Any

from fieldapp.model import Sample, Scan
from fieldapp.store import Store

# Record attribute -> CSV column, per part: plain names, except where two parts share a name.
SERVING_CELL = {
    "role": "role", "tech": "cell_tech", "mcc": "mcc", "mnc": "mnc", "lac": "lac", "ci": "ci",
    "arfcn": "arfcn", "bsic": "bsic", "rxlev": "rxlev", "rxlev_dbm": "rxlev_dbm",
    "rxlev_full": "rxlev_full", "rxlev_sub": "rxlev_sub", "rxqual": "rxqual",
    "rxqual_sub": "rxqual_sub", "c1": "c1", "c2": "c2", "ta": "ta", "pci": "pci",
    "rscp_dbm": "rscp_dbm", "ecno_db": "ecno_db", "rsrp_dbm": "rsrp_dbm", "rsrq_db": "rsrq_db",
    "sinr_db": "sinr_db", "operator": "operator", "state": "cell_state",
}
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

MIN_NEIGHBOUR_GROUPS = 6
NEIGHBOUR_FIELDS = ("tech", "arfcn", "bsic", "pci", "rxlev", "rxlev_dbm", "rscp_dbm", "ecno_db",
                    "rsrp_dbm", "rsrq_db", "c1", "c2", "lac", "ci")
# (part of the Sample, attribute -> column) for the fixed columns after time, tech and mode.
_PARTS: tuple[tuple[str, dict[str, str]], ...] = (
    ("serving", {a: c for a, c in SERVING_CELL.items() if a != "role"}),
    ("channel", CHANNEL),
    ("signal", SIGNAL),
    ("registration", REGISTRATION),
    ("position", POSITION),
)


def iso_utc(ts_utc: float | None, timespec: str = "milliseconds") -> str | None:
    """POSIX seconds → "2026-11-28T10:27:17.250Z" (None, or a time no calendar can show, → None)."""
    if ts_utc is None:
        return None
    try:
        text = datetime.fromtimestamp(ts_utc, tz=timezone.utc).isoformat(timespec=timespec)
    except (OverflowError, ValueError, OSError):
        return None
    return text.replace("+00:00", "Z")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def header(neighbour_groups: int) -> list[str]:
    columns = ["time_utc", "ts_utc", "tech", "mode"]
    for _part, mapping in _PARTS:
        columns.extend(mapping.values())
    for n in range(1, neighbour_groups + 1):
        columns.extend(f"n{n}_{name}" for name in NEIGHBOUR_FIELDS)
    return columns


def row(sample: Sample, neighbour_groups: int) -> list[str]:
    values: list[Any] = [iso_utc(sample.ts_utc), sample.ts_utc, sample.tech, sample.mode]
    parts = {"serving": sample.serving, "channel": sample.channel, "signal": sample.signal,
             "registration": sample.registration, "position": sample.position}
    for part, mapping in _PARTS:
        obj = parts[part]
        values.extend(getattr(obj, attr) if obj is not None else None for attr in mapping)
    for n in range(neighbour_groups):
        cell = sample.neighbours[n] if n < len(sample.neighbours) else None
        values.extend(getattr(cell, name) if cell is not None else None for name in NEIGHBOUR_FIELDS)
    return [_cell_text(v) for v in values]


def write_csv(samples: Iterable[Sample], path: str | Path, neighbour_groups: int) -> int:
    """Write samples to ``path``; returns the number of rows (header not counted)."""
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header(neighbour_groups))
        for sample in samples:
            writer.writerow(row(sample, neighbour_groups))
            count += 1
    return count


def export_session_csv(store: Store, session_id: int, path: str | Path) -> int:
    """One row per sample of the session; returns the number of rows written."""
    groups = max(MIN_NEIGHBOUR_GROUPS, store.max_neighbours(session_id))
    rows = write_csv(samples_or_track(store, session_id), path, groups)
    scans = store.scans(session_id)
    if scans:
        rows += write_scans_csv(scans, scans_csv_path(path))
    return rows


def samples_or_track(store: Store, session_id: int) -> Iterable[Sample]:
    """The session's samples (streamed); for a session with positions but no radio sample (an
    NMEA log, a scanner file) its track, one position-only row each (the radio columns empty)."""
    samples = iter(store.samples(session_id))
    first = next(samples, None)
    if first is not None:
        return chain((first,), samples)
    return (Sample(ts_utc=p.ts_utc, position=p) for p in store.positions(session_id))


SCAN_HEADER = ("scan", "start_utc", "end_utc", "end_ts_utc", "scan_band", "source", "complete", "lat", "lon",
               "tech", "arfcn", "band", "rxlev_dbm", "bsic", "mcc", "mnc", "lac", "ci", "pci", "rscp_dbm",
               "ecno_db", "rsrp_dbm", "rsrq_db", "cinr_db", "status")


def write_scans_csv(scans: Iterable[Scan], path: str | Path) -> int:
    """One row per carrier of every scan; returns the number of rows."""
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(SCAN_HEADER)
        for k, scan in enumerate(scans, 1):
            pos = scan.position
            head = [k, iso_utc(scan.start_utc), iso_utc(scan.end_utc), scan.end_utc, scan.band, scan.source,
                    int(scan.complete), pos.lat if pos else None, pos.lon if pos else None]
            for c in scan.carriers:
                writer.writerow(_cell_text(v) for v in (*head, c.tech, c.arfcn, c.band, c.rxlev_dbm, c.bsic, c.mcc,
                                                         c.mnc, c.lac, c.ci, c.pci, c.rscp_dbm, c.ecno_db,
                                                         c.rsrp_dbm, c.rsrq_db, c.cinr_db, c.status))
                count += 1
    return count


def scans_csv_path(samples_csv: str | Path) -> Path:
    """``drive.csv`` → ``drive.scans.csv`` (the companion written beside a session's CSV)."""
    p = Path(samples_csv)
    if p.name.endswith(".part"):  # exporters write to a temporary name first
        p = p.with_name(p.name[:-len(".part")])
    return p.with_name(p.stem + ".scans.csv")


def export_session_scans_csv(store: Store, session_id: int, path: str | Path) -> int:
    return write_scans_csv(store.scans(session_id), path)
