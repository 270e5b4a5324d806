"""Writers of counter and alarm exports in the vendor layouts the readers take (the
simulator's ``--stats-out``; docs/network-statistics.md §1, §4):

- Huawei: MAE query CSV (7 preamble lines, ``Start Time,Period,NE Name,GCELL,K3000:... (None)``);
  TRX counters go to a second file ``<stem>_trx<suffix>`` with a ``GTRX`` object column.
- Ericsson: ENIQ-style CSV (``DATETIME_ID,BSC,CELL_NAME`` + short STS names); STS has no
  per-TRX counters, so TRX rows are not written.
- 3GPP: TS 32.435 XML, one measInfo for cells and one for TRXs (a counter without a TS 52.402
  name is written under its Huawei ID, as a Huawei NBI file would).
- Alarms: the Huawei alarm list, or a 3GPP/X.733 field list.

Rows are plain dicts with canonical counter names (``start_utc``, ``period_s``, ``kind``,
``bsc``, ``cell``, ``trx``, ``cgi``, ``values``). Counters a vendor has no name for are left out.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from logs.stats_map import load_map

# Long names of the Huawei counters written (docs/network-statistics.md §2, source [H1]), for ``ID:Name (Unit)`` headers.
HUAWEI_NAMES = {
    "CA300A": "Channel Requests (Call Type)", "K3000": "SDCCH Seizure Requests",
    "K3001": "Failed SDCCH Seizures due to Busy SDCCH", "K3003": "Successful SDCCH Seizures",
    "CM30": "Call Drops on SDCCH", "K3010A": "TCH Seizure Requests (Traffic Channel)",
    "K3011A": "Failed TCH Seizures due to Busy TCH (Traffic Channel)",
    "K3013A": "Successful TCH Seizures (Traffic Channel)", "K3014": "Traffic Volume on TCH",
    "K3015": "Number of Available TCHs", "K3016": "Number of Configured TCHs", "CM33": "Call Drops on Traffic Channel",
    "CH310": "Outgoing Internal Inter-Cell Handover Requests", "CH313": "Successful Outgoing Internal Inter-Cell Handovers",
    "CH323": "Successful Incoming Internal Inter-Cell Handovers", "S3655": "Number of Configured TRXs in a Cell",
    "S3656": "Number of Available TRXs in a Cell", "A9001": "Number of Uplink GPRS TBF Establishment Attempts",
    "A9003": "Number of Failed Uplink GPRS TBF Establishments due to No Channel",
    "A9103": "Number of Failed Downlink GPRS TBF Establishments due to No Channel",
    "R4400A": "Number of Immediate Assignment Commands on SDCCH", "R4409A": "Number of Immediate Assignment Commands on TCH",
    "R4419A": "Number of Assignment Commands on TCH",
    **{f"AS4207{c}": f"Mean Number of TCHFs in Interference Band {i}" for i, c in enumerate("ABCDE", 1)},
    **{f"NCS413{c}": f"Number of UL TCHF MRs with RxQual {i}" for i, c in enumerate("ABCDEFGH")},
}
PREAMBLE = ("Query Result", "Report Type: Performance Query", "Object Type: {objtype}", "Time Zone: UTC",
            "Granularity: 60 minutes", "Created by: fieldapp simulator (fieldapp simulate --stats-out)",
            "Scenario: {scenario}")
ERICSSON_SCANS = 360  # a 1-hour ROP with 10 s scans (docs/network-statistics.md §2)


def _names(vendor: str) -> dict[str, str]:
    """canonical -> the first vendor counter (in map order) that carries it."""
    out: dict[str, str] = {}
    for name, mapped in load_map().by_vendor.get(vendor, {}).items():
        if name.isdigit():
            continue  # NBI numeric IDs: XML only
        out.setdefault(mapped.canonical, name)
    return out


def _time(ts: float, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime(fmt)


def _fmt(v: float | None) -> str:
    if v is None:
        return "NIL"
    return str(int(v)) if float(v).is_integer() else f"{v:.3f}"


def _columns(rows: list[dict[str, Any]], names: dict[str, str]) -> list[str]:
    seen: dict[str, None] = {}
    for r in rows:
        for k in r["values"]:
            if k in names:
                seen.setdefault(k, None)
    return list(seen)


def write_huawei(rows: Iterable[dict[str, Any]], path: str | Path, scenario: str = "") -> list[Path]:
    p = Path(path)
    names = _names("huawei")
    units = {m.canonical: m.unit for m in load_map().by_vendor["huawei"].values()}
    rows = list(rows)
    written = []
    for kind, target in (("cell", p), ("trx", p.with_name(f"{p.stem}_trx{p.suffix or '.csv'}"))):
        part = [r for r in rows if r["kind"] == kind]
        if not part:
            continue
        cols = _columns(part, names)
        obj = "GCELL" if kind == "cell" else "GTRX"
        with open(target, "w", encoding="utf-8", newline="") as fh:
            for line in PREAMBLE:
                fh.write(line.format(objtype=obj, scenario=scenario) + "\n")
            w = csv.writer(fh, lineterminator="\n")
            head = []
            for c in cols:
                ident = names[c]
                unit = units.get(c, "count")
                head.append(f"{ident}:{HUAWEI_NAMES.get(ident, c.replace('_', ' '))} "
                            f"({'None' if unit == 'count' else unit})")
            w.writerow(["Start Time", "Period", "NE Name", obj, *head])
            for r in part:
                label = f"LABEL={r['cell']}, CellIndex={int(r['cgi'][-4:], 16) if r.get('cgi') else 0}"
                label += f", CGI={r['cgi']}" if kind == "cell" and r.get("cgi") else f", TRXID={r['trx']}"
                w.writerow([_time(r["start_utc"]), r["period_s"] // 60, r["bsc"], label,
                            *(_fmt(r["values"].get(c)) for c in cols)])
        written.append(target)
    return written


def _ericsson_values(values: dict[str, float | None]) -> dict[str, float | None]:
    """Means back into STS accumulators and scans (Erlang -> TFTRALACC/TFNSCAN, ...)."""
    out = dict(values)
    erl = out.pop("tch_traffic_erl", None)
    if erl is not None:
        out["tch_fr_traffic_acc"], out["tch_fr_scans"] = round(erl * ERICSSON_SCANS), ERICSSON_SCANS
    avail = out.pop("tch_available", None)
    if avail is not None:
        out["tch_available_acc"], out["tch_available_scans"] = avail * ERICSSON_SCANS, ERICSSON_SCANS
        out["tch_defined"] = out.pop("tch_configured", avail)
    if "tch_busy_failures" in out and "tch_rel_congestion" not in out:
        out["tch_rel_congestion"] = out.pop("tch_busy_failures")
    return out


def write_ericsson(rows: Iterable[dict[str, Any]], path: str | Path) -> list[Path]:
    p = Path(path)
    names = _names("ericsson")
    part = [{**r, "values": _ericsson_values(r["values"])} for r in rows if r["kind"] == "cell"]
    cols = _columns(part, names)
    with open(p, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["DATETIME_ID", "BSC", "CELL_NAME", *(names[c] for c in cols)])
        for r in part:
            w.writerow([_time(r["start_utc"]), r["bsc"], r["cell"], *(_fmt(r["values"].get(c)) for c in cols)])
    return [p]


def write_3gpp(rows: Iterable[dict[str, Any]], path: str | Path, sender: str = "fieldapp simulator") -> list[Path]:
    p = Path(path)
    names = {**{k: v for k, v in _names("huawei").items()}, **_names("3gpp")}
    rows = list(rows)
    if not rows:
        raise ValueError("no counter rows to write")
    begin = min(r["start_utc"] for r in rows)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<measCollecFile xmlns="http://www.3gpp.org/ftp/specs/archive/32_series/32.435#measCollec">',
             f'  <fileHeader fileFormatVersion="32.435 V10.0" vendorName={quoteattr(sender)}>',
             f'    <measCollec beginTime="{_time(begin, "%Y-%m-%dT%H:%M:%S+00:00")}"/>', "  </fileHeader>",
             "  <measData>"]
    by_bsc: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_bsc.setdefault(r["bsc"], []).append(r)
    for bsc, part in by_bsc.items():
        lines.append(f"    <managedElement localDn={quoteattr(bsc)}/>")
        for kind in ("cell", "trx"):
            of_kind = [r for r in part if r["kind"] == kind]
            for start in sorted({r["start_utc"] for r in of_kind}):
                at = [r for r in of_kind if r["start_utc"] == start]
                cols = _columns(at, names)
                period = at[0]["period_s"]
                lines.append(f'    <measInfo measInfoId="{"GsmCell" if kind == "cell" else "GsmTrx"}">')
                lines.append(f'      <granPeriod duration="PT{period}S" '
                             f'endTime="{_time(start + period, "%Y-%m-%dT%H:%M:%S+00:00")}"/>')
                lines.extend(f'      <measType p="{i}">{names[c]}</measType>' for i, c in enumerate(cols, 1))
                for r in at:
                    ldn = f"{bsc},GsmCell={r['cell']}" + (f",GsmTrx={r['trx']}" if kind == "trx" else "")
                    vals = "".join(f'<r p="{i}">{_fmt(r["values"].get(c))}</r>' for i, c in enumerate(cols, 1))
                    lines.append(f"      <measValue measObjLdn={quoteattr(ldn)}>{vals}</measValue>")
                lines.append("    </measInfo>")
    end = max(r["start_utc"] + r["period_s"] for r in rows)
    lines += ["  </measData>", f'  <fileFooter><measCollec endTime="{_time(end, "%Y-%m-%dT%H:%M:%S+00:00")}"/>'
              "</fileFooter>", "</measCollecFile>", ""]
    p.write_text("\n".join(lines), encoding="utf-8")
    return [p]


def write_alarms_huawei(alarms: Iterable[Any], path: str | Path) -> Path:
    p = Path(path)
    with open(p, "w", encoding="utf-8", newline="") as fh:
        for line in ("Alarm List", "Exported by: fieldapp simulator", "Time Zone: UTC",
                     "Filter: Severity in (Critical, Major, Minor, Warning)", "", "", ""):
            fh.write(line + "\n")
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["Severity", "Alarm ID", "Name", "NE Type", "Alarm Source", "MO Name", "Location Information",
                    "Occurred On (NT)", "Cleared On (NT)"])
        for a in alarms:
            location = (f"Site Name={a.site}, Board Type=DTRU, Board No.={a.board_no}, Cell Index={a.cell_index}, "
                        f"{a.text}")
            w.writerow([a.severity.capitalize(), a.alarm_id, a.name, "BSC6900", a.bsc, a.cell, location,
                        _time(a.raised_utc, "%Y-%m-%d %H:%M:%S"),
                        _time(a.cleared_utc, "%Y-%m-%d %H:%M:%S") if a.cleared_utc else ""])
    return p


# Huawei alarm IDs that have an Ericsson / 3GPP equivalent the export would carry (specific problem,
# probable cause; docs/network-statistics.md §4). ALM-4122 (no traffic on a TRX) has none: a hung
# BCCH is silent there (§5). A dead BCCH TRX loses the cell's logical channels (class A1); a dead
# TRX is a managed object fault on its RXOTRX.
X733_EQUIVALENT: dict[str, tuple[str, str]] = {
    "1000": ("CELL LOGICAL CHANNEL AVAILABILITY SUPERVISION", "unavailable"),
    "4102": ("MANAGED OBJECT FAULT", "equipmentMalfunction"),
}


def write_alarms_x733(alarms: Iterable[Any], path: str | Path) -> Path:
    p = Path(path)
    with open(p, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["perceivedSeverity", "eventTime", "managedObjectInstance", "specificProblem", "probableCause",
                    "additionalText"])
        for a in alarms:
            if a.alarm_id not in X733_EQUIVALENT:
                continue
            problem, cause = X733_EQUIVALENT[a.alarm_id]
            w.writerow([a.severity.upper(), _time(a.raised_utc, "%Y-%m-%d %H:%M:%S"), f"{a.bsc}/{a.trx or a.cell}",
                        problem, cause, f"CELL={a.cell}"])
            if a.cleared_utc:
                w.writerow(["CLEARED", _time(a.cleared_utc, "%Y-%m-%d %H:%M:%S"), f"{a.bsc}/{a.trx or a.cell}",
                            problem, cause, ""])
    return p
