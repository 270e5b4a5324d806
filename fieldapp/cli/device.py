"""Device commands: ``ports``, ``probe``, ``record``, ``parse-at``.

    fieldapp ports
    fieldapp probe PORT [--baud N] [--family NAME] [--json]
    fieldapp record PORT [--baud N] [--rate S] [--duration S] [--case ID] [--workspace DB] [--reconnect]
                         [--gps PORT|gpsd[:HOST[:PORT]]]

``record`` builds a ``ConnectRequest``, runs a ``fieldapp.live.LiveSession`` with a recording
and prints what happens; the session owns probing, GPS, the scenario's plan and the recorder.
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
from fieldapp.cli.common import add_workspace_arg, positive_seconds, workspace_from

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
    p.add_argument("--rate", type=positive_seconds, default=1.0, help="poll period in seconds (default 1)")
    p.add_argument("--duration", type=positive_seconds, default=None, help="stop after S seconds")
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


PROBE_POLL_S = 0.5  # the probe's poll period while it looks at the first answers
PROBE_WAIT_S = 10.0


def cmd_probe(args: argparse.Namespace) -> int:
    """Identify the handset, then poll it a few times: the capabilities printed are what the
    device answered (a level from +CSQ only is RSSI, a +CREG without LAC/CI gives none)."""
    source, caps = _open_source(args, rate_s=PROBE_POLL_S)
    try:
        source.start(lambda record: None)
        deadline = time.monotonic() + PROBE_WAIT_S
        while not source.capabilities_learnt and time.monotonic() < deadline:
            time.sleep(0.05)
        caps = source.capabilities or caps
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
    """Build a request, run the live session with a recording, print what happens."""
    from fieldapp.cli.progress import TerminalProgress
    from fieldapp.live import ConnectRequest, LinkStatus, LiveSession
    from fieldapp.model import Event, Sample
    from fieldapp.positioning import parse_gps_address

    gps_kind, gps_address = "none", None
    if args.gps:
        try:
            gps_kind, gps_address = parse_gps_address(args.gps)
        except ValueError as exc:
            raise CliError(f"--gps: {exc}", 2) from None
    request = ConnectRequest("handset", port=args.port, baud=args.baud, family=args.family, rate_s=args.rate,
                             reconnect=args.reconnect, gps=gps_kind, gps_address=gps_address,
                             gps_baud=args.gps_baud)
    messages: set[str] = set()  # a workspace message once, not at every retry of a failing write
    last_cell: dict[str, str] = {}  # where the handset is, for the data test's lines
    progress = TerminalProgress(sys.stderr)  # one live line on a terminal, nothing in a pipe

    def show(record) -> None:
        serving = getattr(record, "serving", None)
        if serving is not None and getattr(serving, "ci", None) is not None:
            last_cell["cell"] = f"LAC {serving.lac} CI {serving.ci}"
        if isinstance(record, Event):
            progress.events += 1
            if "data_test" in (record.data or {}):
                return  # the data test prints its own line on stdout: not a second time on stderr
            progress.message(f"{time.strftime('%H:%M:%S', time.gmtime(record.ts_utc))} {record.kind}: {record.text}")
        elif isinstance(record, Sample):
            progress.samples += 1
            progress.last = record
        elif isinstance(record, LinkStatus) and (record.message or "").startswith("workspace:") \
                and record.message not in messages:
            messages.add(record.message)
            print(f"fieldapp: {record.message}" + ("; retrying every second" if "full" in record.message else ""),
                  file=sys.stderr)

    workspace = workspace_from(args)
    session = LiveSession(show, workspace)
    stop = threading.Event()

    def on_term(signum, frame):  # SIGTERM ends the recording like Ctrl-C
        stop.set()

    old_term = signal.signal(signal.SIGTERM, on_term)
    interrupted = False
    try:
        session.connect(request, record=True, case_id=args.case)
        session.wait_idle()
        status = session.status()
        if status.state == "error":
            raise CliError(status.message or f"cannot open {args.port}", 2)
        if not status.recording:
            raise CliError(status.message or f"cannot record into {workspace}", 2)
        caps = status.capabilities
        model = getattr(caps, "model", None)
        print(f"recording session {status.session_id} from {args.port} ({status.family}"
              f"{', ' + model if model else ''}); Ctrl-C ends it", file=sys.stderr)
        if args.data_test > 0:
            _data_test(args, session, stop, last_cell)
            stop.set()
        deadline = None if args.duration is None else time.monotonic() + args.duration
        while not stop.wait(0.2):
            if deadline is not None and time.monotonic() >= deadline:
                break
            if session.status().state == "lost" and not args.reconnect:
                interrupted = True  # the device vanished and is not waited for
                break
            progress.show()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, old_term)
        progress.end()
        session.stop_recording(interrupted=interrupted)
        session.shutdown()
    summary = session.last_recording
    if summary is None:
        raise CliError(f"cannot record into {workspace}", 2)
    if interrupted:
        print(f"fieldapp: {args.port} disappeared; session kept up to the last second "
              "(marked interrupted)", file=sys.stderr)
    stats = session.source_stats
    skipped, too_long = stats.get("skipped_lines", 0), stats.get("too_long_lines", 0)
    if skipped:
        print(f"{skipped} garbled lines skipped" + (f" ({too_long} too long)" if too_long else ""),
              file=sys.stderr)
    if stats.get("gps_bad_sentences"):
        print(f"GPS {args.gps}: {stats['gps_bad_sentences']} bad sentences skipped", file=sys.stderr)
    if summary.failure:  # a full disk is a failure: the session is marked interrupted
        print(f"fieldapp: {summary.failure}; session marked interrupted", file=sys.stderr)
    elif summary.write_failures:
        print(f"fieldapp: the workspace refused writes {summary.write_failures} times; "
              "every record was written once it took them again", file=sys.stderr)
    counts = summary.counts
    print(f"session {summary.session_id}: {counts.get('samples', 0)} samples, {counts.get('events', 0)} events")
    return 1 if interrupted or summary.failure else 0


def _data_test(args: argparse.Namespace, session, stop: threading.Event, last: dict[str, str]) -> None:
    """``record --data-test N``: attach + PDP activation N times, one line per attempt on stdout
    (the commands are the data test's, sent through the session's handset)."""
    from fieldapp.cqt import data_test

    attempts = []
    time.sleep(min(2.0, args.data_every))  # a first sample for the cell
    for seq in range(1, args.data_test + 1):
        if stop.is_set() or session.source is None:
            break
        a = data_test.attempt(session.source.command, seq, apn=args.apn, cell=last.get("cell"), emit=session.record)
        attempts.append(a)
        print(a.line(), flush=True)
        if seq < args.data_test and stop.wait(args.data_every):
            break
    print(data_test.summary(attempts), flush=True)


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
