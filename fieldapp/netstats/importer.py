"""Import a counter or alarm export into the workspace: streamed from the reader into the
store in batches, all in one write transaction (a failure or a file with nothing readable
leaves the workspace exactly as it was).

The summary is what ``fieldapp stats import --json`` prints: ``objects``, ``periods``,
``counters``, ``unknown_counters``, ``skipped`` (plus the import id, vendor, layout, counts and
the first bad lines).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldapp.cases.workflow import default_author
from fieldapp.export_csv import iso_utc
from fieldapp.store import Store
from logs import registry
from logs.stats_map import VENDORS

BATCH = 500  # counter rows per store call


class StatsImportError(Exception):
    """The file cannot be imported (one line for the user); nothing was written."""


@dataclass
class Opened:
    reader: Any
    name: str


def open_export(path: Path, kind: str, vendor: str | None = None) -> Opened:
    if not path.is_file():
        raise StatsImportError(f"{path}: no such file")
    with open(path, "rb") as fh:
        if fh.read(4) == b"\xd0\xcf\x11\xe0":
            raise StatsImportError(f"{path.name}: an Excel 97-2003 .xls workbook: save it as .xlsx or .csv")
    if kind == registry.STATS and vendor is not None:
        if vendor not in VENDORS:
            raise StatsImportError(f"--vendor must be one of {', '.join(VENDORS)}, not {vendor!r}")
        head = registry.head_text(path, 512).lstrip()
        if vendor == "3gpp" or head.startswith("<"):
            from logs.stats_3gpp import read_xml
            return Opened(read_xml(path, None if vendor == "3gpp" else vendor), "stats-3gpp")
        from logs.stats_tabular import read_counter_table
        return Opened(read_counter_table(path, vendor), f"stats-{vendor}")
    try:
        info = registry.pick_reader(path, kinds=(kind,))
    except registry.UnknownFormat:
        what = "a counter export" if kind == registry.STATS else "an alarm export"
        other, command = ((registry.ALARMS, "alarms") if kind == registry.STATS else (registry.STATS, "stats"))
        try:  # the other kind of OSS export given to the wrong command: say which command reads it
            registry.pick_reader(path, kinds=(other,))
        except registry.UnknownFormat:
            pass
        else:
            other_what = "an alarm list" if other == registry.ALARMS else "a counter export"
            raise StatsImportError(f"{path.name}: {other_what}, not {what}: import it with "
                                   f"`fieldapp {command} import {path.name}`") from None
        hint = " (try --vendor huawei|ericsson|3gpp)" if kind == registry.STATS else ""
        raise StatsImportError(f"{path.name}: not {what} I recognise{hint}") from None
    return Opened(info.open(path), info.name)


def _iso(ts: float) -> str:
    return (iso_utc(ts, "seconds") or "").replace("+00:00", "Z")


def import_stats(store: Store, path: str | Path, *, vendor: str | None = None,
                 case_id: int | None = None) -> dict[str, Any]:
    p = Path(path)
    opened = open_export(p, registry.STATS, vendor)
    sf = opened.reader
    if case_id is not None and store.get_case(case_id) is None:
        raise StatsImportError(f"no case {case_id} in the workspace")
    objects: dict[str, str] = {}
    cells: dict[str, str | None] = {}  # cell name -> CGI, to tie them to the cell plan
    periods: set[float] = set()
    counters: set[str] = set()
    n_rows = n_values = 0
    import_id = store.create_stat_import("stats", p.name, vendor=sf.header.get("vendor"),
                                         layout=sf.header.get("layout"), case_id=case_id)
    try:
        batch = []
        for row in sf:
            batch.append(row)
            objects.setdefault(row.object_name, row.kind)
            if row.cell:
                cells.setdefault(row.cell, row.cgi)
            periods.add(row.start_utc)
            counters.update(k for k, v in row.values.items())
            if len(batch) >= BATCH:
                n_values += store.put_counter_rows(import_id, batch)
                n_rows += len(batch)
                batch = []
        if batch:
            n_values += store.put_counter_rows(import_id, batch)
            n_rows += len(batch)
        if n_rows == 0:
            first = sf.stats.bad_lines[0] if sf.stats.bad_lines else None
            raise StatsImportError(f"{p.name}: no counter rows found" + (f" ({first})" if first else ""))
        unknown = sorted(sf.unknown)
        summary = {
            "import_id": import_id, "file": p.name, "reader": opened.name,
            "vendor": sf.header.get("vendor"), "layout": sf.header.get("layout"),
            "objects": sorted(objects), "periods": [_iso(t) for t in sorted(periods)],
            "counters": sorted(c for c in counters if c not in sf.unknown), "unknown_counters": unknown,
            "skipped": sf.stats.bad_count, "rows": n_rows, "values": n_values,
            "object_kinds": {k: sum(1 for v in objects.values() if v == k) for k in sorted(set(objects.values()))},
            "bad_lines": [{"line": b.line_no, "reason": b.reason, "text": b.text} for b in sf.stats.bad_lines],
            "case_id": case_id,
        }
        summary.update(_plan_match(store, cells))
        store.finish_stat_import(import_id, summary, {k: v for k, v in sf.units.items() if k in counters})
    except BaseException:
        store.rollback()
        raise
    if case_id is not None:
        _history(store, case_id, f"statistics imported: {p.name} ({summary['vendor']}, {len(objects)} objects, "
                                 f"{len(periods)} periods)", import_id)
    return summary


def _history(store: Store, case_id: int, text: str, import_id: int) -> None:
    store.add_case_history(case_id, default_author(), "evidence", text=text, data={"stat_import": import_id})


def _plan_match(store: Store, cells: dict[str, str | None]) -> dict[str, Any]:
    """Which of the export's cells the workspace's cell plan knows, by name or by CGI
    (Huawei's ``46000A1B2C3D4``: MCC, MNC, LAC and CI in hex)."""
    plan = store.cell_plan()
    if not plan:
        return {"in_plan": None, "not_in_plan": []}
    names = {c.name for c in plan}
    by_lac_ci = {(c.lac, c.ci) for c in plan if c.lac is not None and c.ci is not None}
    missing = []
    for name, cgi in sorted(cells.items()):
        if name in names:
            continue
        try:
            key = (int(cgi[-8:-4], 16), int(cgi[-4:], 16)) if cgi and len(cgi) >= 12 else None
        except ValueError:
            key = None
        if key is None or key not in by_lac_ci:
            missing.append(name)
    return {"in_plan": len(cells) - len(missing), "not_in_plan": missing}


def import_alarms(store: Store, path: str | Path, *, case_id: int | None = None) -> dict[str, Any]:
    p = Path(path)
    opened = open_export(p, registry.ALARMS)
    sf = opened.reader
    if case_id is not None and store.get_case(case_id) is None:
        raise StatsImportError(f"no case {case_id} in the workspace")
    records = list(sf)  # alarm lists are short; the vendor is known once the header is read
    if not records and sf.stats.bad_count:
        raise StatsImportError(f"{p.name}: no alarm rows found ({sf.stats.bad_lines[0]})")
    import_id = store.create_stat_import("alarms", p.name, vendor=sf.header.get("vendor"), layout="alarms",
                                         case_id=case_id)
    try:
        store.put_alarms(import_id, records)
        active = sum(1 for a in records if a.cleared_utc is None)
        summary = {
            "import_id": import_id, "file": p.name, "vendor": sf.header.get("vendor"),
            "alarms": len(records), "active": active, "cleared": len(records) - active,
            "objects": sorted({a.managed_object for a in records}),
            "severities": {s: sum(1 for a in records if (a.severity or "unknown") == s)
                           for s in sorted({a.severity or "unknown" for a in records})},
            "skipped": sf.stats.bad_count,
            "bad_lines": [{"line": b.line_no, "reason": b.reason, "text": b.text} for b in sf.stats.bad_lines],
            "case_id": case_id,
        }
        store.finish_stat_import(import_id, summary, {})
    except BaseException:
        store.rollback()
        raise
    if case_id is not None:
        _history(store, case_id, f"alarms imported: {p.name} ({len(records)} alarms, {active} active)", import_id)
    return summary
