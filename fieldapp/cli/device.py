"""Device commands: ``ports``, ``probe``, ``record``, ``parse-at``.

    fieldapp ports
    fieldapp probe PORT [--baud N] [--family NAME] [--json]
    fieldapp record PORT [--baud N] [--rate S] [--duration S] [--case ID] [--workspace DB] [--reconnect]
    fieldapp parse-at FILE [--family NAME]
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from pathlib import Path

from fieldapp.cli import CliError
from fieldapp.cli.common import add_workspace_arg, workspace_from

DEFAULT_BAUD = 115200


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ports", help="list serial ports (description, USB ids)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ports)

    p = sub.add_parser("probe", help="identify the handset on PORT: family, model, firmware, capabilities")
    p.add_argument("port")
    p.add_argument("--baud", type=int, default=DEFAULT_BAUD)
    p.add_argument("--family", default=None, help="force a modem family instead of detecting it")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_probe)

    p = sub.add_parser("record", help="record a session from the handset on PORT (Ctrl-C ends it)")
    p.add_argument("port")
    p.add_argument("--baud", type=int, default=DEFAULT_BAUD)
    p.add_argument("--family", default=None)
    p.add_argument("--rate", type=float, default=1.0, help="poll period in seconds (default 1)")
    p.add_argument("--duration", type=float, default=None, help="stop after S seconds")
    p.add_argument("--case", type=int, default=None, help="record into this complaint case")
    p.add_argument("--reconnect", action="store_true",
                   help="when the device vanishes, wait for it and continue the same session")
    p.add_argument("--gps", default=None, metavar="PORT|gpsd[:HOST[:PORT]]",
                   help="GPS: an NMEA serial port (/dev/ttyACM0) or gpsd (host:port)")
    p.add_argument("--gps-baud", type=int, default=4800)
    p.add_argument("--data-test", type=int, default=0, metavar="N",
                   help="a packet data test: N attempts of GPRS attach + PDP activation, one line each, then stop")
    p.add_argument("--data-every", type=float, default=5.0, metavar="S", help="seconds between data attempts")
    p.add_argument("--apn", default="internet", help="APN of the data test's PDP context (default internet)")
    add_workspace_arg(p)
    p.set_defaults(func=cmd_record)

    p = sub.add_parser("parse-at", help="parse an AT transcript file; one JSON object per record")
    p.add_argument("file")
    p.add_argument("--family", default=None)
    p.set_defaults(func=cmd_parse_at)


# --------------------------------------------------------------------------- ports


def cmd_ports(args: argparse.Namespace) -> int:
    from drivers.transport import list_ports

    ports = list_ports()
    if args.json:
        print(json.dumps(ports, indent=2))
        return 0
    if not ports:
        print("no serial ports found (a USB handset shows up as /dev/ttyUSB* or /dev/ttyACM*; "
              "`fieldapp simulate` makes a simulated one)")
        return 0
    for p in ports:
        ids = f"{p['vid']:04x}:{p['pid']:04x}" if p.get("vid") is not None and p.get("pid") is not None else "-"
        print(f"{p['device']:<22} {ids:<10} {p.get('description') or ''}")
    return 0


# --------------------------------------------------------------------------- probe


def _open_source(args: argparse.Namespace, **kwargs):
    from drivers.handset import HandsetSource, NoAtResponse, Unsupported
    from drivers.transport import DeviceGone, PortError

    source = HandsetSource(args.port, args.baud, family=args.family, **kwargs)
    try:
        caps = source.open()
    except (PortError, NoAtResponse, Unsupported, DeviceGone) as exc:
        raise CliError(str(exc), 2) from None
    return source, caps


def cmd_probe(args: argparse.Namespace) -> int:
    source, caps = _open_source(args)
    try:
        if args.json:
            out = caps.to_json()
            out["simulator"] = source.simulator
            print(json.dumps(out, indent=2))
        else:
            print(format_capabilities(caps, source.simulator))
    finally:
        source.stop()
    return 0


def format_capabilities(caps, simulator=None) -> str:
    lines = [
        f"family:       {caps.family}",
        f"manufacturer: {caps.manufacturer or 'not reported'}",
        f"model:        {caps.model or 'not reported'}",
        f"firmware:     {caps.firmware or 'not reported'}",
        f"call state:   {'URCs' if caps.call_state_by == 'urc' else 'polling AT+CLCC'}",
        f"ARFCN lock:   {'yes' if caps.can_lock_arfcn else 'not available'}",
        f"band scan:    {caps.scan.get('text') or 'not available'}",
    ]
    if simulator:
        lines.append(f"simulator:    scenario {simulator.get('scenario')}")
    lines.append("measures:")
    for name, ok in caps.fields.items():
        lines.append(f"  {name:<12} {'yes' if ok else 'not available'}")
    for note in caps.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- record


def cmd_record(args: argparse.Namespace) -> int:
    from drivers.transport import PortError
    from fieldapp.cli.progress import TerminalProgress
    from fieldapp.model import Event, Sample
    from fieldapp.positioning import PositionJoiner, open_gps, parse_gps_address
    from fieldapp.session import Recorder
    from fieldapp.store import StoreError

    source, caps = _open_source(args, rate_s=args.rate, reconnect=args.reconnect)
    device = caps.to_json()
    device.update(port=args.port, baud=args.baud, simulator=source.simulator)
    try:
        recorder = Recorder(workspace_from(args), source.name, device=device, case_id=args.case,
                            on_error=_once_per_message("fieldapp: workspace: "))
    except (StoreError, OSError) as exc:
        source.stop()
        raise CliError(f"cannot record into {workspace_from(args)}: {exc}", 2) from None
    if source.simulator:
        _adopt_scenario_plan(workspace_from(args), source.simulator.get("scenario") or "")
    print(f"recording session {recorder.session_id} from {args.port} ({caps.family}"
          f"{', ' + caps.model if caps.model else ''}); Ctrl-C ends it", file=sys.stderr)

    stop = threading.Event()

    def on_term(signum, frame):  # SIGTERM ends the recording like Ctrl-C
        stop.set()

    old_term = signal.signal(signal.SIGTERM, on_term)
    joiner = PositionJoiner()
    gps = None
    if args.gps:
        kind, address = parse_gps_address(args.gps)
        gps = open_gps(kind, address, args.gps_baud)

    last_cell: dict[str, str] = {}  # where the handset is, for the data test's lines
    progress = TerminalProgress(sys.stderr)  # one live line on a terminal, nothing in a pipe

    def sink(record) -> None:
        record = joiner.feed(record)
        recorder.sink(record)
        serving = getattr(record, "serving", None)
        if serving is not None and getattr(serving, "ci", None) is not None:
            last_cell["cell"] = f"LAC {serving.lac} CI {serving.ci}"
        if isinstance(record, Event):
            progress.events += 1
            progress.message(f"{time.strftime('%H:%M:%S', time.gmtime(record.ts_utc))} {record.kind}: {record.text}")
        elif isinstance(record, Sample):
            progress.samples += 1
            progress.last = record

    interrupted = False
    try:
        if gps is not None:
            try:
                gps.start(sink)
            except (PortError, OSError) as exc:
                print(f"fieldapp: GPS {args.gps}: {exc}; recording without positions", file=sys.stderr)
                gps = None
        source.start(sink)
        if args.data_test > 0:
            _data_test(args, source, sink, stop, last_cell)
            stop.set()
        deadline = None if args.duration is None else time.monotonic() + args.duration
        while not stop.is_set():
            if deadline is not None and time.monotonic() >= deadline:
                break
            if source.finished.wait(0.2):
                interrupted = True  # the device vanished and did not come back
                break
            progress.show()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, old_term)
        progress.end()
        source.stop()
        if gps is not None:
            gps.stop()
        recorder.close(interrupted=interrupted)
    counts = recorder.counts
    if interrupted:
        print(f"fieldapp: {args.port} disappeared; session kept up to the last second "
              "(marked interrupted)", file=sys.stderr)
    skipped = source.stats.get("skipped_lines", 0)
    too_long = source.stats.get("too_long_lines", 0)
    if skipped:
        print(f"{skipped} garbled lines skipped" + (f" ({too_long} too long)" if too_long else ""),
              file=sys.stderr)
    if gps is not None:
        bad_gps = getattr(gps, "bad_sentences", 0) or getattr(gps, "bad_lines", 0)
        if bad_gps:
            print(f"GPS {args.gps}: {bad_gps} bad sentences skipped", file=sys.stderr)
    if recorder.failure:  # a full disk is a failure: the session is marked interrupted
        print(f"fieldapp: {recorder.failure}; session marked interrupted", file=sys.stderr)
    elif recorder.write_failures:
        print(f"fieldapp: the workspace refused writes {recorder.write_failures} times; "
              "every record was written once it took them again", file=sys.stderr)
    print(f"session {recorder.session_id}: {counts.get('samples', 0)} samples, {counts.get('events', 0)} events")
    return 1 if interrupted or recorder.failure else 0


def _data_test(args: argparse.Namespace, source, sink, stop: threading.Event, last: dict[str, str]) -> None:
    """``record --data-test N``: attach + PDP activation N times, one line per attempt on stdout."""
    from fieldapp.cqt import data_test

    attempts = []
    time.sleep(min(2.0, args.data_every))  # a first sample for the cell
    for seq in range(1, args.data_test + 1):
        if stop.is_set():
            break
        a = data_test.attempt(source.command, seq, apn=args.apn, cell=last.get("cell"), emit=sink)
        attempts.append(a)
        print(a.line(), flush=True)
        if seq < args.data_test and stop.wait(args.data_every):
            break
    print(data_test.summary(attempts), flush=True)


def _once_per_message(prefix: str):
    """An on_error that prints a message once, not at every retry of a failing write (a full
    disk is retried every second)."""
    seen: set[str] = set()

    def report(exc: BaseException) -> None:
        text = str(exc)
        if text not in seen:
            seen.add(text)
            print(f"{prefix}{text}" + ("; retrying every second" if "full" in text else ""), file=sys.stderr)

    return report


def _adopt_scenario_plan(workspace, scenario: str) -> None:
    """Recording from the simulator: its scenario's cells become the workspace's plan (names on
    the map, TRXs for CQT, distances for the diagnosis) unless a real plan was imported."""
    from fieldapp.cellplan import adopt_plan
    from fieldapp.live import scenario_plan
    from fieldapp.store import Store

    found = scenario_plan(scenario)
    if found is None:
        return
    with Store.open(workspace) as store:
        adopt_plan(store, *found)


# --------------------------------------------------------------------------- parse-at


def cmd_parse_at(args: argparse.Namespace) -> int:
    from drivers.families import get_family, parse_lines
    from drivers.transcript import read_transcript

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}", 2) from None
    family = None
    if args.family:
        family = get_family(args.family)
        if family is None:
            from drivers.families import family_names

            raise CliError(f"unknown family {args.family!r} (known: {', '.join(family_names())})", 2)
    text = data.decode("utf-8", errors="replace")
    skipped = too_long = 0
    reasons: dict[str, list[str]] = {}
    out = sys.stdout
    for exchange in read_transcript(text):
        result = parse_lines(exchange.lines, family, command=exchange.command)
        skipped += result.skipped
        too_long += result.too_long
        for line, reason in result.skips:
            reasons.setdefault(reason, []).append(line)
        for rec in result.records:
            out.write(json.dumps(rec.to_json(), ensure_ascii=False) + "\n")
    out.flush()
    # First line stays "<n> lines skipped" (scripts read the number); then one line per reason
    # with its count and the first line it hit, so nothing is dropped without a name.
    print(f"{skipped} lines skipped" + (f" ({too_long} too long)" if too_long else ""), file=sys.stderr)
    for reason, lines in sorted(reasons.items(), key=lambda kv: -len(kv[1])):
        print(f"  {len(lines)} {reason}: {lines[0][:80]!r}", file=sys.stderr)
    return 0
