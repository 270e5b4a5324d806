"""Network statistics and alarms (issue 14): ``fieldapp stats ...`` and ``fieldapp alarms ...``.

    fieldapp stats import FILE [--vendor huawei|ericsson|3gpp] [--case ID] [--json]
    fieldapp stats show --cell NAME [--kpi NAME ...] [--from T] [--to T] [--by hour|day|period] [--trx] [--json]
    fieldapp stats kpis                      the KPIs and their formulas
    fieldapp alarms import FILE [--case ID] [--json]

``stats import --json`` prints ``objects``, ``periods``, ``counters``, ``unknown_counters`` and
``skipped`` (and the import id, vendor, layout, counts, bad lines). Times are UTC (an export's
naive times are taken as UTC). A file that cannot be read exits 2 with one line; nothing is
written then.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone
from typing import Any

from fieldapp.cli import CliError
from fieldapp.cli.common import add_workspace_arg, workspace_from


def register(sub: argparse._SubParsersAction) -> None:
    stats = sub.add_parser("stats", help="network statistics (counter exports) as case evidence",
                           description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ss = stats.add_subparsers(dest="stats_command", metavar="ACTION", required=True)
    p = ss.add_parser("import", help="import a counter export (Huawei, Ericsson, 3GPP XML; CSV/XLSX/XML)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--vendor", default=None, choices=("huawei", "ericsson", "3gpp"),
                   help="the export's vendor (default: recognised from the file)")
    p.add_argument("--case", type=int, default=None, metavar="ID", help="attach the statistics to this case")
    p.add_argument("--json", action="store_true")
    add_workspace_arg(p)
    p.set_defaults(func=cmd_stats_import)

    p = ss.add_parser("show", help="KPIs of a cell per period")
    p.add_argument("--cell", required=True, metavar="NAME")
    p.add_argument("--kpi", nargs="+", action="extend", default=None, metavar="NAME",
                   help="KPIs to show, several after one --kpi or one per --kpi (default: the main ones; "
                        "`fieldapp stats kpis` lists them)")
    p.add_argument("--from", dest="from_", default=None, metavar="TIME", help="from (UTC, YYYY-MM-DD[ HH:MM])")
    p.add_argument("--to", default=None, metavar="TIME", help="up to, excluded (UTC, YYYY-MM-DD[ HH:MM])")
    p.add_argument("--by", default="hour", choices=("period", "hour", "day"), help="bins (default hour)")
    p.add_argument("--trx", action="store_true",
                   help="per TRX of the cell (where the export has TRX counters, e.g. Huawei GTRX, 3GPP TRX objects)")
    p.add_argument("--json", action="store_true")
    add_workspace_arg(p)
    p.set_defaults(func=cmd_stats_show)

    p = ss.add_parser("kpis", help="list the KPIs and their formulas")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats_kpis)

    alarms = sub.add_parser("alarms", help="alarm exports as case evidence")
    sa = alarms.add_subparsers(dest="alarms_command", metavar="ACTION", required=True)
    p = sa.add_parser("import", help="import an alarm export (Huawei or 3GPP/X.733 fields; CSV/XLSX)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--case", type=int, default=None, metavar="ID", help="attach the alarms to this case")
    p.add_argument("--json", action="store_true")
    add_workspace_arg(p)
    p.set_defaults(func=cmd_alarms_import)


TRX_KPIS = ["tch_drops_count", "ul_rxqual_bad_pct", "sdcch_imm_ass_count"]
DEFAULT_KPIS = ["call_setup_success_pct", "random_access_success_pct", "sdcch_congestion_pct", "tch_congestion_pct",
                "tch_drop_pct", "traffic_erl", "interference_band45_pct", "ul_tbf_success_pct"]


def _open_store(args: argparse.Namespace, create: bool = True):
    from fieldapp.store import Store, StoreError

    try:
        return Store.open(workspace_from(args), create=create)
    except StoreError as exc:
        raise CliError(str(exc)) from exc


def _import(args: argparse.Namespace, what: str) -> int:
    from fieldapp.netstats.importer import StatsImportError, import_alarms, import_stats
    from fieldapp.store import StoreError

    store = _open_store(args)
    try:
        if what == "stats":
            summary = import_stats(store, args.file, vendor=args.vendor, case_id=args.case)
        else:
            summary = import_alarms(store, args.file, case_id=args.case)
    except StatsImportError as exc:
        raise CliError(str(exc)) from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CliError(f"{args.file}: cannot read: {exc}") from exc
    except StoreError as exc:
        raise CliError(str(exc)) from exc
    finally:
        store.close()
    if args.json:
        print(json.dumps(summary, indent=1, ensure_ascii=False))
        return 0
    if what == "stats":
        print(f"imported {summary['file']} ({summary['vendor']}, {summary['layout']}) as statistics import "
              f"{summary['import_id']}" + (f" of case {args.case}" if args.case else ""))
        kinds = ", ".join(f"{n} {k}" for k, n in summary["object_kinds"].items())
        print(f"objects: {len(summary['objects'])} ({kinds}): {_short(summary['objects'])}")
        periods = summary["periods"]
        print(f"periods: {len(periods)}" + (f" from {periods[0]} to {periods[-1]}" if periods else ""))
        print(f"counters: {len(summary['counters'])}: {_short(summary['counters'])}")
        print(f"unknown counters (kept under their own name): {len(summary['unknown_counters'])}"
              + (f": {_short(summary['unknown_counters'])}" if summary["unknown_counters"] else ""))
        if summary.get("in_plan") is not None:
            print(f"cells in the cell plan: {summary['in_plan']}"
                  + (f"; not in it: {_short(summary['not_in_plan'])}" if summary["not_in_plan"] else ""))
    else:
        print(f"imported {summary['file']} as alarm import {summary['import_id']}"
              + (f" of case {args.case}" if args.case else ""))
        print(f"alarms: {summary['alarms']} ({summary['active']} active, {summary['cleared']} cleared) on "
              f"{len(summary['objects'])} object(s)" + (f": {_short(summary['objects'])}" if summary["objects"] else ""))
    print(f"skipped lines: {summary['skipped']}")
    for bad in summary["bad_lines"][:10]:
        print(f"  line {bad['line']}: {bad['reason']}: {bad['text']!r}")
    return 0


def _short(items: list[str], n: int = 12) -> str:
    return ", ".join(items[:n]) + (f", ... ({len(items) - n} more)" if len(items) > n else "")


def cmd_stats_import(args: argparse.Namespace) -> int:
    return _import(args, "stats")


def cmd_alarms_import(args: argparse.Namespace) -> int:
    return _import(args, "alarms")


def parse_when(text: str | None, option: str) -> float | None:
    if text is None:
        return None
    from logs.stats_table import parse_time

    got = parse_time(text)
    if got is None:
        raise CliError(f"{option}: not a time: {text!r} (YYYY-MM-DD or YYYY-MM-DD HH:MM, UTC)")
    return got[0]


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def cmd_stats_show(args: argparse.Namespace) -> int:
    from fieldapp.netstats import kpi as K
    from fieldapp.netstats.data import load

    names = args.kpi or (TRX_KPIS if args.trx else DEFAULT_KPIS)
    bad = K.unknown_kpis(names)
    if bad:
        raise CliError(f"unknown KPI {', '.join(bad)} (known: {', '.join(k.name for k in K.KPIS)})")
    start, end = parse_when(args.from_, "--from"), parse_when(args.to, "--to")
    store = _open_store(args, create=False)
    try:
        data = load(store, cells=[args.cell], from_utc=start, to_utc=end)
        if not data.objects:
            known = sorted({o["cell"] for o in store.stat_objects() if o["cell"]})
            raise CliError(f"no statistics for cell {args.cell!r} in the workspace"
                           + (f" (cells with statistics: {_short(known)})" if known else " (none imported)"))
        kind = "trx" if args.trx else "cell"
        if not args.trx and not data.object_names("cell"):
            raise CliError(f"only TRX counters for cell {args.cell!r}: use --trx (or import its cell counters)")
        if args.trx and not data.object_names("trx"):
            raise CliError(f"no TRX counters for cell {args.cell!r} (Ericsson STS has none; Huawei GTRX or 3GPP "
                           "TRX objects do)")
        table = data.kpi_table(kind, args.by, names)
        agg = K.aggregate(data.frame(kind), args.by)
    finally:
        store.close()
    objects = sorted({r["object"] for r in K.as_records(table)})
    periods = []
    for r in K.as_records(table):
        if not args.trx and r["object"] != args.cell:
            continue
        start = datetime.fromtimestamp(r["start_utc"], tz=timezone.utc)
        period: dict[str, Any] = {"start_utc": _iso(r["start_utc"])}
        if args.trx:
            period["trx"] = r["object"].split("/", 1)[1]
        period["hours"] = round(float(agg["hours"].loc[(r["object"], start)]), 3)
        period["kpis"] = {n: r[n] for n in names}
        periods.append(period)
    if args.json:
        units = {k.name: k.unit for k in K.KPIS if k.name in names}
        out = {"cell": args.cell, "by": args.by, "kpis": names, "units": units, "periods": periods}
        if args.trx:
            out["trxs"] = [o.split("/", 1)[1] for o in objects]
        print(json.dumps(out, indent=1))
        return 0
    if not periods:
        print(f"{args.cell}: no periods in the range")
        return 0
    widths = [max(len(n), 8) for n in names]
    lead = "start (UTC)        " + ("TRX           " if args.trx else "")
    print(lead + "  ".join(f"{n:>{w}}" for n, w in zip(names, widths)))
    for p in periods:
        cells = ["-" if p["kpis"][n] is None else f"{p['kpis'][n]:.2f}" for n in names]
        trx = f"{p['trx']:<14}" if args.trx else ""
        print(f"{p['start_utc'][:16].replace('T', ' '):<19}{trx}" + "  ".join(f"{c:>{w}}" for c, w in zip(cells, widths)))
    return 0


def cmd_stats_kpis(args: argparse.Namespace) -> int:
    from fieldapp.netstats import kpi as K

    if args.json:
        print(json.dumps([{"name": k.name, "title": k.title, "unit": k.unit, "formulas": list(k.formulas)}
                          for k in K.KPIS], indent=1, ensure_ascii=False))
        return 0
    for k in K.KPIS:
        print(f"{k.name} ({k.unit}): {k.title}")
        for f in k.formulas:
            print(f"    {f}")
    return 0
