"""``fieldapp scan PORT``: band scans with the handset's survey command, recorded in a session.

    fieldapp scan /dev/ttyUSB0 --band GSM900 --repeat 3 --case 4 --json

Each scan pauses nothing else (no polling runs in this command), reports progress on stderr and
is cancelled by Ctrl-C: the carriers heard so far are kept and recorded (marked incomplete).
``--json`` prints every carrier of every scan: ``arfcn``, ``rxlev_dbm``, ``bsic`` (null when not
decoded), ``mcc``, ``mnc``, ``lac``, ``ci`` and ``cell`` (the planned cell's name, or null).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time

from fieldapp.cli import CliError
from fieldapp.cli.common import add_workspace_arg, workspace_from

DEFAULT_BAUD = 115200


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scan", help="band scan with the handset on PORT (survey command), recorded in a session")
    p.add_argument("port")
    p.add_argument("--baud", type=int, default=DEFAULT_BAUD)
    p.add_argument("--family", default=None, help="force a modem family instead of detecting it")
    p.add_argument("--band", default="all", help="GSM850, GSM900, DCS1800, PCS1900 or all (default)")
    p.add_argument("--arfcn", default=None, metavar="A-B", help="only ARFCNs A to B")
    p.add_argument("--repeat", type=int, default=1, metavar="N", help="scan N times (a waterfall)")
    p.add_argument("--case", type=int, default=None, help="record into this complaint case")
    p.add_argument("--json", action="store_true", help="print the carriers as JSON")
    add_workspace_arg(p)
    p.set_defaults(func=cmd_scan)


def cmd_scan(args: argparse.Namespace) -> int:
    from drivers.handset import HandsetSource, NoAtResponse, Unsupported
    from drivers.scan import ScanCancelled, ScanNotAvailable, band_name, parse_arfcn_range, wanted_ranges
    from drivers.transport import DeviceGone, PortError
    from fieldapp.live import adopt_scenario_plan
    from fieldapp.model import EV_INFO, Event, RawTraffic
    from fieldapp.scans import scans_json
    from fieldapp.store import Store, StoreError

    try:
        band = band_name(args.band)
        arfcn_range = parse_arfcn_range(args.arfcn) if args.arfcn else None
        wanted_ranges(band, arfcn_range)
    except ValueError as exc:
        raise CliError(str(exc), 2) from None
    if args.repeat < 1:
        raise CliError("--repeat must be 1 or more", 2)
    workspace = workspace_from(args)
    try:
        with Store.open(workspace) as store:
            if args.case is not None and store.get_case(args.case) is None:
                raise CliError(f"no case {args.case} in {workspace}", 2)
    except (StoreError, OSError) as exc:
        raise CliError(f"cannot use workspace {workspace}: {exc}", 2) from None

    source = HandsetSource(args.port, args.baud, family=args.family)
    try:
        caps = source.open()
    except (PortError, NoAtResponse, Unsupported, DeviceGone) as exc:
        raise CliError(str(exc), 2) from None
    if not caps.scan.get("available"):
        source.stop()
        raise CliError(f"band scan {caps.scan.get('text', 'not available')}", 2)
    plan_version = None  # the scenario's plan version, kept by the session (another program may load its own)
    if source.simulator:
        plan_version = adopt_scenario_plan(workspace, source.simulator.get("scenario") or "")

    events: list[Event] = []
    raw: list[RawTraffic] = []  # the serial traffic of the scans, kept with the session like `record` does

    def sink(record) -> None:
        if isinstance(record, Event):
            events.append(record)
        elif isinstance(record, RawTraffic):
            raw.append(record)

    source._sink = sink  # noqa: SLF001  (no poll thread runs here: the scans are the only traffic)
    scans = []
    cancel = threading.Event()
    failure: list[BaseException] = []

    def progress(p, k: int) -> None:
        print(f"scan {k}/{args.repeat}: {p.done_arfcns}/{p.total_arfcns} ARFCNs, {p.carriers} carriers",
              file=sys.stderr)

    def work() -> None:
        for k in range(1, args.repeat + 1):
            if cancel.is_set():
                return
            try:
                scans.append(source.scan(band, arfcn_range, progress=lambda p, k=k: progress(p, k), cancel=cancel))
            except (ScanNotAvailable, ScanCancelled, DeviceGone, OSError) as exc:
                failure.append(exc)
                return

    worker = threading.Thread(target=work, name="scan", daemon=True)
    started = time.time()
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.2)
    except KeyboardInterrupt:
        cancel.set()
        print("fieldapp: cancelling the scan (the carriers heard so far are kept)", file=sys.stderr)
        worker.join(30)
    finally:
        source.stop()

    if scans:
        device = caps.to_json()
        device.update(port=args.port, baud=args.baud, simulator=source.simulator)
        try:
            with Store.open(workspace) as store:
                sid = store.create_session(source.name, device=device, case_id=args.case, start_utc=started,
                                           plan_version=plan_version)
                store.add_scans(sid, scans)
                store.add_events(sid, events or [Event(started, EV_INFO, "scan")])
                store.add_raw(sid, raw)
                store.end_session(sid, scans[-1].end_utc)
                store.commit()
                plan = store.cell_plan()
        except (StoreError, OSError) as exc:
            raise CliError(f"cannot record into {workspace}: {exc}", 1) from None
        n = sum(len(s.carriers) for s in scans)
        print(f"session {sid}: {len(scans)} scan(s), {n} carriers", file=sys.stderr)
        if args.json:
            print(json.dumps(scans_json(scans, plan), indent=1))
        else:
            for row in scans_json(scans[-1:], plan):
                bsic = "--" if row["bsic"] is None else f"{row['bsic'] // 8}{row['bsic'] % 8}"
                level = "?" if row["rxlev_dbm"] is None else f"{row['rxlev_dbm']:.0f}"
                print(f"ARFCN {row['arfcn']:>4}  {level:>5} dBm  BSIC {bsic}  {row['cell'] or ''}")
    if failure and not scans:
        raise CliError(str(failure[0]), 2 if not isinstance(failure[0], OSError) else 1)
    if failure:
        print(f"fieldapp: {failure[0]}", file=sys.stderr)
    return 0 if scans and not failure else 1
