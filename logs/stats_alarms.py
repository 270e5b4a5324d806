"""Alarm exports (CSV or XLSX): Huawei MAE/U2000 alarm lists and a generic list of the
3GPP Alarm IRP / ITU-T X.733 fields (docs/network-statistics.md §4). Each alarm
becomes an ``AlarmRecord`` with its active interval, tied to the BSC, cell, TRX or board.

    Huawei (about 7 preamble rows; times may carry a ``DST`` tag):
    Severity,Alarm ID,Name,NE Type,Alarm Source,MO Name,Location Information,Occurred On (NT),Cleared On (NT)
    Warning,4122,Radio link prompt alarm,BSC6900,BSC6900_SOUTH,STH0456,"Site No.=56, Board Type=DTRU, ...",2024-03-11 06:40:12,

    3GPP / X.733 (a CLEARED row closes the open alarm of the same object and problem):
    perceivedSeverity,eventTime,managedObjectInstance,specificProblem,probableCause,additionalText
    MINOR,2024-03-11 06:41:03,BSC_NORTH1/RXOTRX-12-1,CELL LOGICAL CHANNEL AVAILABILITY SUPERVISION,unavailable,CELL=NTH0123B
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from logs import registry
from logs.stats_records import AlarmRecord, StatsFile
from logs.stats_table import composite, find_header, parse_time, sniff_text, table_rows

ALARM_TIME_HEADERS = ("occurred on (nt)", "occurred on", "occurred on (st)", "first occurred (nt)", "eventtime",
                      "event time", "event_time", "raised", "raised on", "alarm raised time", "time")
COLUMNS = {
    "severity": ("severity", "perceivedseverity", "perceived severity", "alarm severity"),
    "alarm_id": ("alarm id", "alarmid", "alarm_id", "alarm code", "specific problem id"),
    "name": ("name", "alarm name", "alarm_name", "title"),
    "source": ("alarm source", "ne name", "ne", "bsc"),
    "mo": ("mo name", "managedobjectinstance", "managed object instance", "managed object", "mo", "object"),
    "location": ("location information", "location info", "location"),
    "raised": ALARM_TIME_HEADERS,
    "cleared": ("cleared on (nt)", "cleared on", "cleared on (st)", "clearedtime", "cleared time", "ceasetime",
                "cease time", "clear time", "cleared"),
    "probable_cause": ("probablecause", "probable cause"),
    "specific_problem": ("specificproblem", "specific problem"),
    "text": ("additionaltext", "additional text", "additional information"),
    "cell": ("cell", "cell name", "cell_name"),
}
SEVERITY_WORDS = {"critical": "critical", "major": "major", "minor": "minor", "warning": "warning",
                  "indeterminate": "indeterminate", "cleared": "cleared", "clear": "cleared",
                  # X.733 / Alarm IRP numeric perceivedSeverity
                  "1": "indeterminate", "2": "critical", "3": "major", "4": "minor", "5": "warning", "6": "cleared"}
TRX_BOARDS = ("DTRU", "GTRU", "DRRU", "DRFU", "GRFU", "MRFU", "TRX", "QTRU", "DDRM", "BTRU")


def severity(text: str) -> str | None:
    t = text.strip().lower()
    for word in (t, t.split()[0] if t else ""):
        if word in SEVERITY_WORDS:
            return SEVERITY_WORDS[word]
    return None


def tie(source: str, mo: str, location: str, text: str, cell_col: str) -> dict[str, str | None]:
    """BSC, cell, TRX and board of an alarm from its source, managed object, location and text."""
    out: dict[str, str | None] = {"bsc": source or None, "cell": cell_col or None, "trx": None, "board": None}
    parts = [p.strip() for p in re.split(r"[/,]", mo) if p.strip()]
    for p in parts:  # Ericsson FDN-ish: BSC_NORTH1/RXOTRX-12-1
        if re.match(r"^RXOTRX-\d+-\d+$", p, re.I) or re.match(r"^TRX[-_ ]?\d", p, re.I):
            out["trx"] = p
        elif re.match(r"^RXO(TG|CF|TX|RX|TS)-", p, re.I):
            out["board"] = p
    kv = composite(",".join([location, mo.replace("/", ","), text.replace(" ", ",")]))
    out["cell"] = out["cell"] or kv.get("cellname") or kv.get("cell") or kv.get("label") or kv.get("gcell")
    trx = kv.get("trxno.") or kv.get("trxno") or kv.get("trxid") or kv.get("trx")
    if trx and out["trx"] is None:
        out["trx"] = f"TRX {trx}"
    board_type = kv.get("boardtype")
    board_no = kv.get("boardno.") or kv.get("boardno")
    if board_type or board_no:
        out["board"] = " ".join(x for x in (board_type, board_no) if x)
    if out["bsc"] is None and len(parts) > 1 and "=" not in parts[0]:
        out["bsc"] = parts[0]
    if out["cell"] is None and mo and "=" not in mo and "/" not in mo and not out["trx"]:
        out["cell"] = mo.strip()  # Huawei MO Name: the cell (or site) the alarm is on
    out["site"] = kv.get("sitename")
    return out


def read_alarms(path: str | Path) -> StatsFile:
    p = Path(path)
    sf = StatsFile(iter(()), {"layout": "alarms", "source": p.name})
    sf._rows = _rows(p, sf)
    return sf


def _rows(p: Path, sf: StatsFile) -> Iterator[AlarmRecord]:
    stats = sf.stats
    n, header, rest = find_header(table_rows(p), ALARM_TIME_HEADERS)
    stats.lines = n
    if header is None:
        stats.bad(n, "no header row (no Occurred On / eventTime column)", "")
        return
    low = [h.lower() for h in header]
    col = {role: next((low.index(n) for n in names if n in low), None) for role, names in COLUMNS.items()}
    sf.header["vendor"] = "huawei" if col["location"] is not None or "alarm source" in low else "3gpp"

    def get(row: list[str], role: str) -> str:
        i = col[role]
        return row[i].strip() if i is not None and i < len(row) else ""

    open_by_key: dict[tuple, int] = {}
    pending: list[AlarmRecord] = []
    line_no = n
    for row in rest:
        line_no += 1
        stats.lines = line_no
        if not any(c.strip() for c in row):
            continue
        raised = parse_time(get(row, "raised"))
        if raised is None:
            stats.bad(line_no, "no alarm time (footer or bad time)", ",".join(row))
            continue
        cleared = parse_time(get(row, "cleared")) if get(row, "cleared") else None
        sev = severity(get(row, "severity"))
        mo = get(row, "mo")
        where = tie(get(row, "source"), mo, get(row, "location"), get(row, "text"), get(row, "cell"))
        problem = get(row, "specific_problem") or None
        key = (mo, problem or get(row, "name"), get(row, "probable_cause"))
        if sev == "cleared" and key in open_by_key:  # X.733: the clearing notification
            i = open_by_key.pop(key)
            pending[i] = replace(pending[i], cleared_utc=raised[0])
            continue
        if sev == "cleared":
            stats.bad(line_no, "a clearing notification without its alarm in the file", ",".join(row))
            continue
        name = get(row, "name") or problem or get(row, "probable_cause") or "alarm"
        rec = AlarmRecord(raised_utc=raised[0], cleared_utc=cleared[0] if cleared else None, severity=sev,
                          alarm_id=get(row, "alarm_id") or None, name=name, bsc=where["bsc"], cell=where["cell"],
                          trx=where["trx"], board=where["board"], managed_object=mo,
                          probable_cause=get(row, "probable_cause") or None, specific_problem=problem,
                          text=get(row, "location") or get(row, "text") or None)
        if cleared is None:
            open_by_key[key] = len(pending)
        pending.append(rec)
        stats.records["alarms"] += 1
    yield from pending


def _can_read(path: Path) -> bool:
    if path.suffix.lower() not in (".csv", ".txt", ".xlsx", ".tsv"):
        return False
    text = sniff_text(path).lower()
    return ("occurred on" in text and "alarm" in text) or ("perceivedseverity" in text and "eventtime" in text)


registry.register(registry.ReaderInfo(
    name="alarms", description="alarm export (Huawei MAE/U2000 or 3GPP/X.733 fields, CSV/XLSX)",
    produces=registry.ALARMS, can_read=_can_read, open=lambda path, **kw: read_alarms(path), priority=20))
