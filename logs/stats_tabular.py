"""Counter tables of Huawei (MAE/U2000 query results, PRS reports, DB dumps) and Ericsson (ENIQ
``DC_E_BSS_*`` extracts), CSV or XLSX: one ``CounterRow`` per object and period, streamed.

Column roles are found by name (case-insensitive); every other column is a counter, mapped to
its canonical name by ``stats_counters.csv`` or kept under its own name (listed as unknown).
A column that never holds a number (``Integrity``, ``Site Name``...) is an attribute, not a
counter. Rows that do not parse (a footer, a bad time) are skipped and counted as bad lines.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from logs import registry
from logs.stats_map import load_map, split_header
from logs.stats_records import CounterRow, StatsFile
from logs.stats_table import (
    add_time_of_day,
    composite,
    find_header,
    number,
    parse_time,
    sniff_text,
    table_rows,
)

ROLE_NAMES = {
    "time": ("start time", "result time", "datetime_id", "utc_datetime_id", "date_id", "date", "begin time",
             "period start time", "start_time"),
    "time_of_day": ("time", "hour_id", "hour"),
    "minute": ("min_id",),
    "period": ("period", "granularity period", "period_duration", "granularity", "period (min)"),
    "bsc": ("ne name", "gbsc", "bsc", "bsc name", "bsc_name", "bscname", "ne", "bsc_id"),
    "cell": ("gcell", "cell_name", "cell name", "cell", "cellname", "cell_label"),
    "object": ("object name", "object", "mo name"),
    "trx": ("gtrx", "trx", "trx_id", "trx name", "trxid", "trx id", "trx index", "mo", "trx_name"),
    "neighbour": ("neighbour", "neighbor", "n_cell_name", "cell_name_neighbour", "ncell", "nbr_cell_name",
                  "target cell", "neighbour cell", "neighbor cell", "neighbour_cell_name", "adjacent cell"),
    "cgi": ("cgi", "cell cgi", "cell_cgi"),
}
# Columns that describe a row and are never counters.
ATTRIBUTES = frozenset({
    "end time", "reliability", "integrity", "site name", "site index", "cell ci", "cellindex", "cell index",
    "ne type", "rowstatus", "dc_release", "dc_source", "dc_timezone", "dc_suspectflag", "oss_id", "sn", "moid",
    "timelevel", "session_id", "batch_id", "year_id", "month_id", "day_id", "week_id", "site_name", "site",
    "vendor", "technology", "lac", "ci", "site no.", "cell index (gcell)", "cell_id", "site_id", "rop",
    "object type", "ne id", "ne_id", "cell id", "site id", "bts name", "bts", "bsc type", "region", "area",
    "cluster", "city", "district", "status"})

_HUAWEI_HINTS = re.compile(r"(^|,)\"?(gcell|gtrx|gbsc|result time|object name)\"?(,|$)|[A-Z]{1,3}\d{3,4}[A-Z]?:[^,]+",
                           re.I | re.M)
_ERICSSON_HINTS = re.compile(r"(^|,)\"?(datetime_id|date_id|cell_name|utc_datetime_id)\"?(,|$)", re.I | re.M)


def detect_vendor(text: str) -> str | None:
    if _HUAWEI_HINTS.search(text):
        return "huawei"
    if _ERICSSON_HINTS.search(text):
        return "ericsson"
    return None


def _roles(header: list[str]) -> tuple[dict[str, int], list[int]]:
    roles: dict[str, int] = {}
    counters = []
    for i, name in enumerate(header):
        low = name.strip().lower()
        if not low:
            continue
        role = next((r for r, names in ROLE_NAMES.items() if low in names), None)
        if role is not None and role not in roles:
            roles[role] = i
        elif low in ATTRIBUTES or role is not None:
            continue
        else:
            counters.append(i)
    if "time" not in roles and "time_of_day" in roles and header[roles["time_of_day"]].lower() == "time":
        roles["time"] = roles.pop("time_of_day")  # "Time" alone holds the whole timestamp
    return roles, counters


def _cell(row: list[str], i: int | None) -> str:
    return row[i].strip().strip('"').strip() if i is not None and i < len(row) else ""


def _object(row: list[str], roles: dict[str, int]) -> dict[str, str | None]:
    out: dict[str, str | None] = {"bsc": None, "cell": None, "trx": None, "neighbour": None, "cgi": None}
    out["bsc"] = _cell(row, roles.get("bsc")) or None
    for role in ("object", "cell", "trx"):
        text = _cell(row, roles.get(role))
        if not text:
            continue
        if "=" in text:
            kv = composite(text)
            out["cell"] = out["cell"] or kv.get("label") or kv.get("cellname") or kv.get("gcell") or kv.get("cell")
            out["cgi"] = out["cgi"] or kv.get("cgi")
            trx = kv.get("trxid") or kv.get("trxindex") or kv.get("trxno") or kv.get("trxname") or kv.get("trx")
            if trx is not None and role in ("trx", "object"):
                out["trx"] = out["trx"] or trx
            if role == "object" and "/" in text and out["bsc"] is None:
                out["bsc"] = text.split("/", 1)[0].strip() or None
        elif role == "cell":
            out["cell"] = text
        elif role == "trx":
            out["trx"] = text
        elif role == "object":
            out["cell"] = out["cell"] or text
    out["neighbour"] = _cell(row, roles.get("neighbour")) or None
    out["cgi"] = out["cgi"] or _cell(row, roles.get("cgi")) or None
    return out


def _period_s(text: str) -> int | None:
    """A period column: minutes (60, 15), or "60 min", "1 hour", "PT3600S"."""
    t = text.strip().lower()
    m = re.match(r"^pt(\d+)s$", t)
    if m:
        return int(m.group(1))
    m = re.match(r"^(\d+(?:\.\d+)?)\s*(min|mins|minutes|m|h|hour|hours|s|sec)?$", t)
    if not m:
        return None
    value, unit = float(m.group(1)), m.group(2) or "min"
    scale = {"h": 3600, "hour": 3600, "hours": 3600, "s": 1, "sec": 1}.get(unit, 60)
    return int(value * scale) or None


def read_counter_table(path: str | Path, vendor: str | None = None) -> StatsFile:
    p = Path(path)
    vendor = vendor or detect_vendor(sniff_text(p)) or "huawei"
    sf = StatsFile(iter(()), {"vendor": vendor, "layout": "xlsx" if p.suffix.lower() == ".xlsx" else "csv",
                              "source": p.name})
    sf._rows = _rows(p, vendor, sf)
    return sf


def _rows(p: Path, vendor: str, sf: StatsFile) -> Iterator[CounterRow]:
    cmap = load_map()
    stats = sf.stats
    rows = table_rows(p)
    n, header, rest = find_header(rows)
    stats.lines = n
    if header is None:
        stats.bad(n, "no header row (no Start Time / Date / DATE_ID / DATETIME_ID column)", "")
        return
    sf.header["preamble_lines"] = n - 1
    all_names: dict[str, bool] = {}

    def columns(head: list[str]) -> tuple[dict[str, int], list[int], list[tuple[str, bool]]]:
        roles, counter_cols = _roles(head)
        names = []  # per counter column: (name to store under, known)
        for i in counter_cols:
            ident, _long, unit = split_header(head[i])
            mapped = cmap.canonical(vendor, ident)
            if mapped is not None:
                names.append((mapped.canonical, True))
                sf.units[mapped.canonical] = mapped.unit
            else:
                names.append((ident, False))
                sf.units.setdefault(ident, unit)
            all_names[names[-1][0]] = names[-1][1]
        return roles, counter_cols, names

    roles, counter_cols, names = columns(header)
    numeric_seen: Counter = Counter()
    buffered: list[tuple[float, dict[str, Any], dict[str, float | None], int | None, bool]] = []
    period_fixed: int | None = None
    inferred: int | None = None
    times: set[float] = set()

    def emit(item) -> CounterRow:
        start, obj, values, period, has_tod = item
        per = period or period_fixed or inferred or (None if has_tod else 86400)
        kind = "trx" if obj["trx"] else "ncell" if obj["neighbour"] else "cell" if obj["cell"] else "bsc"
        stats.records[kind + "s"] += 1
        return CounterRow(start_utc=start, period_s=per, kind=kind, bsc=obj["bsc"], cell=obj["cell"],
                          trx=obj["trx"], neighbour=obj["neighbour"], cgi=obj["cgi"], values=values)

    line_no = n
    for row in rest:
        line_no += 1
        stats.lines = line_no
        if not any(c.strip() for c in row):
            continue
        text = ",".join(row)
        when = parse_time(_cell(row, roles.get("time")))
        if when is None:
            cells = {c.strip().strip('"').strip().lower() for c in row}
            if any(h in cells for h in ROLE_NAMES["time"]) and sum(1 for c in row if c.strip()) >= 2:
                # a header again: the next sheet of a workbook, or a second query pasted below
                roles, counter_cols, names = columns([c.strip().strip('"').strip() for c in row])
                continue
            stats.bad(line_no, "no period start time (footer or bad time)", text)
            continue
        start, has_tod = when
        if not has_tod and "time_of_day" in roles:
            tod = _cell(row, roles["time_of_day"])
            start2 = add_time_of_day(start, tod) if tod else None
            if start2 is not None:
                start, has_tod = start2, True
                minute = _cell(row, roles.get("minute"))
                if minute.isdigit():
                    start += 60 * int(minute)
        obj = _object(row, roles)
        if obj["cell"] is None and obj["bsc"] is None:
            stats.bad(line_no, "no object (cell or BSC) in the row", text)
            continue
        values: dict[str, float | None] = {}
        bad_value = False
        for (name, known), i in zip(names, counter_cols):
            cell = row[i] if i < len(row) else ""
            try:
                v = number(cell)
            except ValueError:
                v = None
                if known:
                    bad_value = True
            if v is not None:
                numeric_seen[name] += 1
            if name in values and values[name] is not None:
                values[name] = values[name] + v if v is not None else values[name]
            else:
                values[name] = v  # several vendor counters of one canonical are summed; NIL stays None
        if bad_value:
            stats.bad(line_no, "a counter value that is not a number (kept as missing)", text)
        period = _period_s(_cell(row, roles["period"])) if "period" in roles else None
        item = (start, obj, values, period, has_tod)
        if period is None and inferred is None and period_fixed is None and has_tod:
            buffered.append(item)
            times.add(start)
            if len(buffered) >= 5000:
                inferred = _step(times)
                yield from (emit(b) for b in buffered)
                buffered.clear()
            continue
        if period is not None:
            period_fixed = period
        yield emit(item)
    if buffered:
        inferred = _step(times)
        yield from (emit(b) for b in buffered)
    for name, known in all_names.items():
        if not known and numeric_seen[name]:
            sf.unknown[name] += numeric_seen[name]
        elif not known:
            sf.units.pop(name, None)  # a text column (an attribute), not a counter


def _step(times: set[float]) -> int | None:
    ordered = sorted(times)
    steps = [b - a for a, b in zip(ordered, ordered[1:]) if b > a]
    return int(min(steps)) if steps else None


def _can_read(vendor: str):
    def can_read(path: Path) -> bool:
        if path.suffix.lower() not in (".csv", ".txt", ".xlsx", ".tsv"):
            return False
        return detect_vendor(sniff_text(path)) == vendor
    return can_read


registry.register(registry.ReaderInfo(
    name="stats-huawei", description="Huawei MAE/U2000/PRS counter export (CSV/XLSX)",
    produces=registry.STATS, can_read=_can_read("huawei"),
    open=lambda path, **kw: read_counter_table(path, "huawei"), priority=20))
registry.register(registry.ReaderInfo(
    name="stats-ericsson", description="Ericsson ENIQ counter table (CSV/XLSX)",
    produces=registry.STATS, can_read=_can_read("ericsson"),
    open=lambda path, **kw: read_counter_table(path, "ericsson"), priority=20))
