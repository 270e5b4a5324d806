"""Log commands: ``import`` and ``replay``.

    fieldapp import FILE [--format NAME] [--case ID] [--workspace DB] [--json]
                         [--utc-offset MIN] [--date D.M.YYYY] [--track NMEA_FILE]
                         [--for-session ID ...]
    fieldapp replay SESSION|FILE [--speed X] [--format NAME] [--workspace DB] [--headless]
                                [--screenshot PNG --exit-after S]

``import`` reads a drive-test log into a new session (or a cell file into the cell plan) and
prints the session id and the counts per record kind; with ``--json`` one object with
``session``, ``counts``, ``calls`` (success/failed/dropped) and ``skipped`` (lines), plus
``format``, ``lines``, ``unknown`` and ``bad_lines``. Bad lines go to stderr with their numbers.
A failed import writes nothing. A cell file becomes a new plan version (``plan_version`` in the
JSON); ``--for-session ID`` (repeatable) also makes it the plan those sessions were recorded
under: the plan the network had then, imported afterwards (findings cite a session's version).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from fieldapp.cli import CliError
from fieldapp.cli.common import add_workspace_arg, workspace_from
from fieldapp.cli.window import add_screenshot_args

MAX_BAD_SHOWN = 20


def register(sub: argparse._SubParsersAction) -> None:
    from logs.registry import readers

    names = [r.name for r in readers()]
    p = sub.add_parser("import", help="import a drive-test log (new session) or a cell file (cell plan)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--format", choices=names, default=None, help="skip detection (default: detect)")
    p.add_argument("--case", type=int, default=None, help="attach the new session to this case")
    p.add_argument("--json", action="store_true", help="one JSON object on stdout")
    p.add_argument("--utc-offset", type=int, default=None, metavar="MIN",
                   help="minutes local time is ahead of UTC (G-NetTrack has no zone; overrides Nemo #UT)")
    p.add_argument("--date", default=None, metavar="D.M.YYYY", help="date of a Nemo file without #START")
    p.add_argument("--track", default=None, metavar="NMEA_FILE",
                   help="an NMEA log whose fixes are joined to the samples by time")
    p.add_argument("--for-session", type=int, action="append", default=None, metavar="ID",
                   help="a cell file: the plan these sessions were recorded under (repeatable)")
    add_workspace_arg(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("replay", help="replay a session or a log file in the window")
    p.add_argument("target", metavar="SESSION|FILE")
    p.add_argument("--speed", type=float, default=1.0, help="0.25 to 64 (default 1)")
    p.add_argument("--format", choices=names, default=None)
    p.add_argument("--headless", action="store_true",
                   help="no window: play to stdout (one line per event) and exit at the end")
    add_workspace_arg(p)
    add_screenshot_args(p, default=argparse.SUPPRESS)
    p.set_defaults(func=cmd_replay)


# --------------------------------------------------------------------------- import


def _reader_options(args: argparse.Namespace) -> dict[str, Any]:
    opts: dict[str, Any] = {}
    if args.utc_offset is not None:
        opts["utc_offset_min"] = args.utc_offset
    if args.date is not None:
        opts["date"] = args.date
    return opts


def cmd_import(args: argparse.Namespace) -> int:
    from fieldapp.importer import ImportFailed, import_file
    from fieldapp.store import Store, StoreError
    from logs.registry import CELLS, UnknownFormat, pick_reader

    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    if args.track and not Path(args.track).is_file():
        raise CliError(f"{args.track}: no such file")
    try:
        store = Store.open(workspace_from(args))
    except StoreError as exc:
        raise CliError(str(exc)) from exc
    try:
        if args.case is not None and store.get_case(args.case) is None:
            raise CliError(f"no case {args.case} in the workspace")
        for_sessions = args.for_session or []
        for sid in for_sessions:
            if store.session(sid) is None:
                raise CliError(f"no session {sid} in the workspace")
        if for_sessions and pick_reader(path, args.format).produces != CELLS:
            raise CliError(f"--for-session sets the cell plan of sessions: {path.name} is not a cell file")
        result = import_file(store, path, format=args.format, case_id=args.case,
                             track=args.track, options=_reader_options(args), progress=_progress_printer())
        for sid in for_sessions:
            store.set_session_plan_version(sid, result.plan_version)
    except UnknownFormat as exc:
        raise CliError(str(exc)) from exc
    except ImportFailed as exc:
        if exc.result is not None:
            _report_bad(exc.result)
        raise CliError(str(exc)) from exc
    except (OSError, StoreError) as exc:
        raise CliError(f"{path}: {exc}") from exc
    finally:
        store.close()
    _report_bad(result)
    for note in result.notes:
        print(f"fieldapp: note: {note}", file=sys.stderr)
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    elif result.session_id is None:
        print(f"cell plan: {result.counts.get('cells', 0)} cells, {result.counts.get('trxs', 0)} TRXs "
              f"from {path.name} ({result.format}); plan version {result.plan_version}")
        for sid in args.for_session or []:
            print(f"session {sid}: recorded under plan version {result.plan_version} ({path.name})")
    else:
        from fieldapp.importer import technologies_text

        counts = ", ".join(f"{n} {k}" for k, n in result.counts.items())
        calls = ", ".join(f"{n} {k}" for k, n in result.calls.items()) if result.calls_known else \
            "unknown (no _events file)"
        techs = technologies_text(result.technologies)
        print(f"session {result.session_id}: {counts}; calls: {calls}; "
              + (f"technologies: {techs}; " if techs else "")
              + f"{result.skipped} lines skipped of {result.lines} ({result.format})")
    return 0


def _progress_printer():
    """A one-line progress display on a terminal (nothing when stderr is a file or a pipe)."""
    if not sys.stderr.isatty():
        return None
    last = [0.0]

    def show(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.2 and done < total:
            return
        last[0] = now
        end = "\n" if done >= total else ""
        print(f"\rimporting {100 * done // max(total, 1):3d} % ({done / 1e6:.1f} of {total / 1e6:.1f} MB)",
              end=end, file=sys.stderr, flush=True)

    return show


def _report_bad(result: Any) -> None:
    if not result.bad_count:
        return
    print(f"fieldapp: {Path(result.path).name}: {result.bad_count} bad lines skipped"
          + (f", the first {len(result.bad_lines)}:" if result.bad_count > len(result.bad_lines) else ":"),
          file=sys.stderr)
    for bad in result.bad_lines[:MAX_BAD_SHOWN]:
        print(f"  {bad}", file=sys.stderr)


# --------------------------------------------------------------------------- replay


def build_replay(args: argparse.Namespace):
    """The ReplaySource for ``args.target``: an existing file, else a session id."""
    from logs.registry import CELLS, UnknownFormat, pick_reader
    from logs.replay import ReplaySource
    from logs.text_input import prepared

    target = Path(args.target)
    try:
        if target.is_file():
            # Read as the import reads it (a BOM, UTF-16, Latin-1, CR-only line ends made plain
            # in a temporary copy); the source takes every record before the copy goes.
            with prepared(target) as (readable, _notes):
                info = pick_reader(readable, args.format)
                if info.produces == CELLS:
                    raise CliError(f"{target.name} is a cell file ({info.name}); replay needs a log or a session")
                return ReplaySource(info.open(readable), speed=args.speed)
        if not args.target.isdigit():
            raise CliError(f"{args.target}: no such file, and not a session id")
        return ReplaySource(_session_records(args, int(args.target)), speed=args.speed)
    except UnknownFormat as exc:
        raise CliError(str(exc)) from exc
    except ValueError as exc:  # speed out of range, a file the reader refuses
        raise CliError(str(exc)) from exc
    except OSError as exc:
        raise CliError(f"{target.name}: cannot read it ({exc.strerror or exc})") from exc


def _session_records(args: argparse.Namespace, session_id: int) -> Any:
    """The stored session's records, read in bulk; each sample is rebuilt when the replay
    reaches it (``Store.replay_records``)."""
    from fieldapp.store import Store, StoreError

    try:
        store = Store.open(workspace_from(args), create=False)
    except StoreError as exc:
        raise CliError(str(exc)) from exc
    try:
        if store.session(session_id) is None:
            raise CliError(f"no session {session_id} in the workspace")
        return store.replay_records(session_id)
    except StoreError as exc:
        raise CliError(str(exc)) from exc
    finally:
        store.close()


def cmd_replay(args: argparse.Namespace) -> int:
    source = build_replay(args)
    if not source.records:
        raise CliError(f"{args.target}: nothing to replay (no records)")
    if args.headless:
        return _play_headless(source)
    try:
        import fieldapp.app as app
    except ModuleNotFoundError as exc:
        if exc.name != "fieldapp.app":
            raise
        app = None
    run_replay = getattr(app, "run_replay", None)
    if run_replay is None:
        raise CliError("the replay window is not available in this build (fieldapp.app.run_replay is "
                       "missing); use --headless to play to the terminal", code=1)
    try:
        return int(run_replay(source, args) or 0)
    except app.NoDisplay as exc:
        raise CliError(str(exc)) from exc


def _play_headless(source: Any) -> int:
    from fieldapp.model import Event

    def show(rec: Any) -> None:
        if isinstance(rec, Event):
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(rec.ts_utc))
            print(f"{stamp}Z  {rec.kind:<16} {rec.text}", flush=True)

    print(f"replaying {len(source.records)} records, {source.timeline.duration_s:.0f} s at {source.speed:g}x",
          flush=True)
    source.start(show)
    try:
        while not source.finished and source.error is None:
            time.sleep(0.05)
    finally:
        source.stop()
    if source.error is not None:
        raise CliError(f"replay stopped: {source.error}", code=1)
    print(f"end: {source.emitted} records replayed", flush=True)
    return 0
