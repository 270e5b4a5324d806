"""Session commands: ``sessions`` (list) and ``export``.

    fieldapp sessions [--workspace DB] [--json]
    fieldapp export SESSION [--format csv] --out F|- [--workspace DB]

``--workspace`` may also come before the command (``fieldapp --workspace DB sessions``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from fieldapp.cli import CliError
from fieldapp.cli.common import add_workspace_arg, workspace_from
from fieldapp.export_csv import iso_utc
from fieldapp.exporters import EXPORTERS, export_session
from fieldapp.safe_write import STDOUT, to_stdout
from fieldapp.store import SessionInfo, Store, StoreError, UnknownSession


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sessions", help="list the recorded sessions of the workspace")
    p.add_argument("--json", action="store_true", help="a JSON list instead of a table")
    add_workspace_arg(p)
    p.set_defaults(func=cmd_sessions)

    p = sub.add_parser("export", help="export one session to a file")
    p.add_argument("session", type=int, metavar="SESSION", help="session id (see `fieldapp sessions`)")
    p.add_argument("--format", choices=sorted(EXPORTERS), default="csv", help="default: csv")
    p.add_argument("--out", required=True, metavar="F",
                   help="file to write (- for standard output); an existing link, FIFO or device is refused")
    p.add_argument("--include-personal", action="store_true",
                   help="keep IMSI/IMEI and the case's subscriber numbers (masked by default, as in reports)")
    add_workspace_arg(p)
    p.set_defaults(func=cmd_export)


def _open(path: Path) -> Store:
    try:
        return Store.open(path, create=False)
    except StoreError as exc:
        raise CliError(str(exc)) from exc


# --------------------------------------------------------------------------- sessions


def session_json(info: SessionInfo) -> dict[str, Any]:
    return {"id": info.id, "start": iso_utc(info.start_utc), "end": iso_utc(info.end_utc),
            "samples": info.samples, "events": info.events, "case": info.case_id,
            "source": info.source, "interrupted": info.interrupted}


def _status(info: SessionInfo) -> str:
    if info.interrupted:
        return "interrupted"
    return "open" if info.end_utc is None else "ended"


def session_table(infos: list[SessionInfo]) -> str:
    """An aligned text table: numbers right-aligned, text left-aligned."""
    head = ("ID", "START (UTC)", "END (UTC)", "STATUS", "SAMPLES", "EVENTS", "CASE", "SOURCE")
    right = {0, 4, 5, 6}
    rows = [head]
    for i in infos:
        rows.append((str(i.id), iso_utc(i.start_utc, "seconds") or "?", iso_utc(i.end_utc, "seconds") or "-",
                     _status(i), str(i.samples), str(i.events), "-" if i.case_id is None else str(i.case_id),
                     i.source))
    widths = [max(len(r[c]) for r in rows) for c in range(len(head))]
    lines = []
    for r in rows:
        cells = [r[c].rjust(widths[c]) if c in right else r[c].ljust(widths[c]) for c in range(len(head))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def cmd_sessions(args: argparse.Namespace) -> int:
    path = workspace_from(args)
    if path.exists():
        store = _open(path)
        try:
            infos = store.sessions()
        finally:
            store.close()
    else:
        infos = []  # no workspace yet: nothing recorded, and a listing creates none
    if args.json:
        print(json.dumps([session_json(i) for i in infos], indent=2))
    elif infos:
        print(session_table(infos))
    else:
        print(f"no sessions in {path}")
    return 0


# --------------------------------------------------------------------------- export


def _export(store: Store, args: argparse.Namespace, out: Path) -> int:
    """The export, with identities masked unless --include-personal (the reports' default):
    IMSI/IMEI anywhere, and the numbers and name of the session's case."""
    if args.include_personal:
        return export_session(store, args.session, out, args.format)
    import tempfile

    from fieldapp.cases.model import Case
    from fieldapp.report.mask import Masker
    from fieldapp.report.pack import masked_session_file
    from fieldapp.safe_write import replacing

    info = store.session(args.session)
    row = store.get_case(info.case_id) if info is not None and info.case_id is not None else None
    masker = Masker(Case.from_store(row) if row else Case())
    with tempfile.TemporaryDirectory(prefix="fieldapp-export-") as tmp_name:
        raw = Path(tmp_name) / out.name
        count = export_session(store, args.session, raw, args.format)
        for made in sorted(Path(tmp_name).iterdir()):  # the export and its companions
            payload = made.read_bytes()
            if made.name.endswith(".fieldapp.jsonl") or args.format == "native":
                payload = masked_session_file(payload, ".fieldapp.jsonl", masker)
            elif args.format == "kml":
                payload = masker.text(payload.decode("utf-8")).encode("utf-8")
            with replacing(out.with_name(made.name)) as target:
                target.write_bytes(payload)
    return count


def cmd_export(args: argparse.Namespace) -> int:
    path = workspace_from(args)
    out = Path(args.out)
    store = _open(path)
    try:
        if args.out == STDOUT:  # the file is made privately, then its bytes go to stdout
            suffix = {"native": ".fieldapp.jsonl", "kml": ".kml"}.get(args.format, ".csv")
            with to_stdout(f"session-{args.session}{suffix}") as tmp:
                count = _export(store, args, tmp)
        else:
            count = _export(store, args, out)
    except UnknownSession as exc:
        raise CliError(f"{exc} ({path})") from exc
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror or exc}") from exc
    finally:
        store.close()
    print(f"session {args.session}: {count} records written to "
          f"{'standard output' if args.out == STDOUT else out} ({args.format})",
          file=sys.stderr if args.out == STDOUT else sys.stdout)
    return 0
