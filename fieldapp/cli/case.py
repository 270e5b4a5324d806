"""Case commands: ``fieldapp case ...`` (all take ``--workspace DB``).

    fieldapp case new --json FILE | --subscriber-name "A B" --category "weak signal" ...
                                             prints the new case id alone on stdout
    fieldapp case list [--status S] [--category C] [--due-before DATE] [--search TEXT] [--json]
    fieldapp case show ID [--json]
    fieldapp case edit ID --FIELD VALUE ...
    fieldapp case status ID STATUS [--note TEXT] [--FIELD VALUE ...]   (e.g. "facts collected")
    fieldapp case reopen ID --reason TEXT [--to STATUS]
    fieldapp case note ID TEXT
    fieldapp case attach ID --session S | --cqt R | --file F | --note TEXT [--role before|after]
    fieldapp case mark ATTACHMENT --role before|after|none
    fieldapp case diagnose ID [--json]
    fieldapp case report ID --out FILE.pdf|.html [--include-personal]
    fieldapp case pack ID --out FILE.zip [--include-personal]

The field names (JSON keys; options with dashes) are listed in docs/case-fields.md and in
``fieldapp case new --help``. Invalid input exits with code 2 and one line naming the field.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fieldapp.cases.desk import CaseDesk
from fieldapp.cases.diagnose import Finding
from fieldapp.cases.evidence import ROLES, EvidenceError
from fieldapp.cases.model import FIELDS, Case
from fieldapp.cases.validate import CaseInvalid
from fieldapp.cases.workflow import STATUS_LABELS, STATUSES, WorkflowError
from fieldapp.cli import CliError
from fieldapp.cli.common import add_workspace_arg, workspace_from
from fieldapp.export_csv import iso_utc
from fieldapp.store import StoreError

_FIELD_HELP = "; ".join(f"{f.name}" for f in FIELDS)


def _add_field_options(p: argparse.ArgumentParser) -> None:
    group = p.add_argument_group("case fields (JSON keys are the same names with underscores)")
    for spec in FIELDS:
        extra = f" ({', '.join(spec.choices)})" if spec.choices and spec.name != "category" else ""
        group.add_argument("--" + spec.name.replace("_", "-"), dest=f"field_{spec.name}", default=None,
                           metavar="VALUE", help=spec.help + extra)


def _add_author(p: argparse.ArgumentParser) -> None:
    p.add_argument("--author", default=None, help="who makes the change (default: the login name)")


def register(sub: argparse._SubParsersAction) -> None:
    case = sub.add_parser("case", help="complaint cases: intake, workflow, evidence, diagnosis, report",
                          description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    cs = case.add_subparsers(dest="case_command", metavar="ACTION", required=True)

    p = cs.add_parser("new", help="create a case; prints its id",
                      description="Create a complaint case and print its id alone on stdout. Required: "
                                  "subscriber_number and category (the rest of the intake before 'facts collected'). Categories: "
                                  + "; ".join(FIELDS[[f.name for f in FIELDS].index("category")].choices) + ".")
    p.add_argument("--json", metavar="FILE", default=None, help="a JSON object of field: value ('-' = stdin)")
    _add_field_options(p)
    _add_author(p)
    add_workspace_arg(p)
    p.set_defaults(func=cmd_new)

    p = cs.add_parser("list", help="list cases")
    p.add_argument("--status", action="append", default=None, metavar="S",
                   help=f"only this status (repeatable): {', '.join(STATUSES)}; or 'open' for all but closed")
    p.add_argument("--category", default=None)
    p.add_argument("--due-before", default=None, metavar="YYYY-MM-DD")
    p.add_argument("--search", default=None, metavar="TEXT", help="text anywhere in the case")
    p.add_argument("--json", action="store_true")
    _add_include_personal(p)
    add_workspace_arg(p)
    p.set_defaults(func=cmd_list)

    p = cs.add_parser("show", help="a case's facts, history, evidence and findings")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--json", action="store_true")
    _add_include_personal(p)
    add_workspace_arg(p)
    p.set_defaults(func=cmd_show)

    p = cs.add_parser("edit", help="change some facts of a case")
    p.add_argument("id", type=int, metavar="ID")
    _add_field_options(p)
    _add_author(p)
    add_workspace_arg(p)
    p.set_defaults(func=cmd_edit)

    p = cs.add_parser("status", help="move a case to another status")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("to", metavar="STATUS", help=", ".join(STATUSES))
    p.add_argument("--note", default="")
    _add_field_options(p)
    _add_author(p)
    add_workspace_arg(p)
    p.set_defaults(func=cmd_status)

    p = cs.add_parser("reopen", help="reopen a closed case")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--reason", required=True)
    p.add_argument("--to", default="analysing", metavar="STATUS")
    _add_author(p)
    add_workspace_arg(p)
    p.set_defaults(func=cmd_reopen)

    p = cs.add_parser("note", help="add a note to the case history")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("text")
    _add_author(p)
    add_workspace_arg(p)
    p.set_defaults(func=cmd_note)

    p = cs.add_parser("attach", help="attach a session, a CQT run, a file or a note")
    p.add_argument("id", type=int, metavar="ID")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--session", type=int, metavar="S")
    what.add_argument("--cqt", type=int, metavar="R")
    what.add_argument("--file", metavar="F")
    what.add_argument("--note", metavar="TEXT")
    p.add_argument("--role", choices=ROLES, default=None, help="mark it as the before or after test")
    _add_author(p)
    add_workspace_arg(p)
    p.set_defaults(func=cmd_attach)

    p = cs.add_parser("mark", help="mark an attachment as the before or after test")
    p.add_argument("attachment", type=int, metavar="ATTACHMENT")
    p.add_argument("--role", choices=(*ROLES, "none"), required=True)
    _add_author(p)
    add_workspace_arg(p)
    p.set_defaults(func=cmd_mark)

    p = cs.add_parser("diagnose", help="run the diagnosis rules on the case's evidence")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--json", action="store_true")
    add_workspace_arg(p)
    p.set_defaults(func=cmd_diagnose)

    p = cs.add_parser("report", help="write the case report (PDF or HTML)")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.pdf or FILE.html")
    p.add_argument("--include-personal", action="store_true", help="do not mask the subscriber's identity")
    add_workspace_arg(p)
    p.set_defaults(func=cmd_report)

    p = cs.add_parser("pack", help="write the evidence pack (zip: report, session exports, checksums)")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.zip")
    p.add_argument("--include-personal", action="store_true", help="do not mask the subscriber's identity")
    add_workspace_arg(p)
    p.set_defaults(func=cmd_pack)


# --------------------------------------------------------------------------- helpers


def _desk(args: argparse.Namespace, *, must_exist: bool = True) -> CaseDesk:
    path = workspace_from(args)
    if must_exist and not path.exists():
        raise CliError(f"no workspace at {path}")
    return CaseDesk(path, author=getattr(args, "author", None))


def _fields_from_options(args: argparse.Namespace) -> dict[str, Any]:
    return {spec.name: getattr(args, f"field_{spec.name}") for spec in FIELDS
            if getattr(args, f"field_{spec.name}", None) is not None}


def _run(func, *a, **kw):
    """Domain errors → one line, exit 2."""
    try:
        return func(*a, **kw)
    except (CaseInvalid, WorkflowError, EvidenceError, StoreError, ValueError) as exc:
        raise CliError(str(exc)) from exc
    except OSError as exc:
        raise CliError(f"{getattr(exc, 'filename', None) or 'file'}: {exc.strerror or exc}") from exc


def _writing(out: Path, func, *a, **kw):
    """``_run`` for a command that writes ``out``: a file system error names the --out file."""
    try:
        return func(*a, **kw)
    except OSError as exc:
        raise CliError(f"out: cannot write {out}: {exc.strerror or exc}") from exc
    except (CaseInvalid, WorkflowError, EvidenceError, StoreError, ValueError) as exc:
        raise CliError(str(exc)) from exc


def _read_json(name: str) -> dict[str, Any]:
    import sys

    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"json: cannot read {name}: {exc.strerror or exc}") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CliError(f"json: {name} is not valid JSON ({exc})") from exc
    except RecursionError:  # [[[[...]]]] thousands deep: not a case (issue 16)
        raise CliError(f"json: {name} is nested too deeply to be a case") from None
    if not isinstance(data, dict):
        raise CliError(f"json: {name} must hold one object of field: value")
    return data


def _add_include_personal(p: argparse.ArgumentParser) -> None:
    p.add_argument("--include-personal", action="store_true",
                   help="show the subscriber's name, numbers, IMSI/IMEI and a private spot "
                        "(masked by default, as in reports)")


def _masker(case: Case, args: argparse.Namespace):
    from fieldapp.report.mask import Masker

    return Masker(case, getattr(args, "include_personal", False))


def case_json(case: Case, masker=None) -> dict[str, Any]:
    out = asdict(case)
    if masker is not None:
        out = {k: masker.field(k, v) for k, v in out.items()}
    out["cells"] = list(case.cells)
    out["created"] = iso_utc(case.created_utc)
    return out


def _finding_json(f: Finding) -> dict[str, Any]:
    return {"rule": f.rule, "title": f.title, "severity": f.severity, "summary": f.summary,
            "next_step": f.next_step, "cites": [c.line() for c in f.cites], "data": f.data}


# --------------------------------------------------------------------------- commands


def cmd_new(args: argparse.Namespace) -> int:
    raw = _read_json(args.json) if args.json else {}
    raw.update(_fields_from_options(args))
    if not raw:
        raise CliError("no case fields given: use --json FILE or --subscriber-number ... --category ... "
                       "--description ...")
    desk = _desk(args, must_exist=False)
    case_id = _run(desk.create, raw)
    print(case_id)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    desk = _desk(args, must_exist=False)
    statuses: tuple[str, ...] = ()
    for s in args.status or ():
        statuses += tuple(x for x in STATUSES if x != "closed") if s.strip().lower() == "open" else (s,)
    cases = _run(desk.cases, statuses=statuses, category=args.category, due_before=args.due_before, text=args.search)
    if args.json:
        print(json.dumps([case_json(c, _masker(c, args)) for c in cases], indent=2, ensure_ascii=False))
        return 0
    if not cases:
        print(f"no cases in {desk.workspace}")
        return 0
    head = ("ID", "STATUS", "PRIORITY", "DUE", "CATEGORY", "TITLE")
    rows = [head] + [(str(c.id), STATUS_LABELS.get(c.status, c.status).split(" (")[0], c.priority, c.due_date or "-",
                      c.category or "-", _masker(c, args).text(c.display_title())) for c in cases]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head) - 1)]
    for r in rows:
        print("  ".join([r[0].rjust(widths[0])] + [r[i].ljust(widths[i]) for i in range(1, len(head) - 1)] + [r[-1]]))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    desk = _desk(args)
    case = _run(desk.get, args.id)
    history = desk.history(args.id)
    items = desk.evidence(args.id)
    findings = _run(desk.findings, args.id)
    m = _masker(case, args)  # the same masking default as reports (--include-personal)
    imports = desk.stat_imports(args.id)  # statistics and alarm exports (issue 14)
    stat_rows = [{"import": i["id"], "kind": i["kind"], "file": i["source"], "vendor": i["vendor"],
                  "objects": len(i["summary"].get("objects", [])), "periods": len(i["summary"].get("periods", [])),
                  "alarms": i["summary"].get("alarms")} for i in imports]
    if args.json:
        print(json.dumps({"case": case_json(case, m), "statistics": stat_rows,
                          "history": [{"time": iso_utc(h.ts_utc), "author": h.author, "kind": h.kind,
                                       "from": h.from_status, "to": h.to_status, "text": m.text(h.text)}
                                      for h in history],
                          "evidence": [{"attachment": i.attachment_id, "kind": i.kind, "ref": m.text(i.ref),
                                        "role": i.role, "label": m.text(i.label), "sha256": i.sha256} for i in items],
                          "findings": [m.data(_finding_json(f)) for f in findings]}, indent=2, ensure_ascii=False))
        return 0
    print(f"Case {case.id}: {m.text(case.display_title())}")
    print(f"  status {STATUS_LABELS.get(case.status, case.status)}, priority {case.priority}, "
          f"due {case.due_date or '-'}, engineer {case.engineer or '-'}")
    for spec in FIELDS:
        value = getattr(case, spec.name)
        if value not in (None, "", ()) and spec.name != "title":
            value = m.field(spec.name, value)
            shown = ", ".join(map(str, value)) if isinstance(value, (tuple, list)) else value
            print(f"  {spec.label + ':':22} {shown}")
    missing = case.missing_intake()
    if missing:
        print(f"  intake facts missing: {', '.join(missing)}")
    print("History:")
    for h in history:
        print(f"  {iso_utc(h.ts_utc, 'seconds')}  {h.author}: {m.text(h.text)}")
    print("Evidence:" if items else "Evidence: none")
    for i in items:
        att = "-" if i.attachment_id is None else str(i.attachment_id)
        print(f"  [{att}] {i.kind}{' (' + i.role + ')' if i.role else ''}: {m.text(i.label)}")
    if stat_rows:
        print("Statistics and alarms:")
    for r in stat_rows:
        what = (f"{r['alarms']} alarms" if r["kind"] == "alarms" else f"{r['objects']} objects, {r['periods']} periods")
        print(f"  [{r['import']}] {r['kind']}: {r['file']} ({r['vendor'] or '?'}; {what})")
    print("Findings:" if findings else "Findings: none")
    for f in findings:
        print(f"  * {f.title}: {m.text(f.summary)}\n    next: {f.next_step}")
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    changes = _fields_from_options(args)
    if not changes:
        raise CliError("nothing to change: give --FIELD VALUE options")
    _run(_desk(args).edit, args.id, changes)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    case = _run(_desk(args).transition, args.id, args.to, note=args.note, facts=_fields_from_options(args))
    print(f"case {case.id}: {STATUS_LABELS[case.status]}")
    return 0


def cmd_reopen(args: argparse.Namespace) -> int:
    case = _run(_desk(args).reopen, args.id, args.reason, to=args.to)
    print(f"case {case.id}: {STATUS_LABELS[case.status]}")
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    _run(_desk(args).note, args.id, args.text)
    return 0


def cmd_attach(args: argparse.Namespace) -> int:
    desk = _desk(args)
    if args.session is not None:
        att = _run(desk.attach_session, args.id, args.session, role=args.role)
    elif args.cqt is not None:
        att = _run(desk.attach_cqt, args.id, args.cqt)
    elif args.file is not None:
        att = _run(desk.attach_file, args.id, args.file, role=args.role)
    else:
        att = _run(desk.attach_note, args.id, args.note)
    print(att)
    return 0


def cmd_mark(args: argparse.Namespace) -> int:
    _run(_desk(args).mark, args.attachment, None if args.role == "none" else args.role)
    return 0


def cmd_diagnose(args: argparse.Namespace) -> int:
    findings = _run(_desk(args).findings, args.id)
    if args.json:
        print(json.dumps([_finding_json(f) for f in findings], indent=2, ensure_ascii=False))
        return 0
    if not findings:
        print("no findings: no rule fired on the evidence (attach sessions or CQT runs of the spot)")
    for f in findings:
        print(f"* {f.title}\n  {f.summary}")
        for c in f.cites:
            print(f"    - {c.line()}")
        print(f"  next: {f.next_step}")
    return 0


def _out_path(text: str, suffixes: tuple[str, ...], what: str) -> Path:
    out = Path(text)
    if out.suffix.lower() not in suffixes:
        raise CliError(f"out: {what} file {out} must end in {' or '.join(suffixes)}")
    return out


def cmd_report(args: argparse.Namespace) -> int:
    out = _out_path(args.out, (".pdf", ".html", ".htm"), "report")
    desk = _desk(args)
    from fieldapp.report import gather_report, write_report

    with desk.store(create=False) as st:
        data = _run(gather_report, st, args.id)
        _writing(out, write_report, data, out, include_personal=args.include_personal)
    print(out)
    return 0


def cmd_pack(args: argparse.Namespace) -> int:
    out = _out_path(args.out, (".zip",), "pack")
    desk = _desk(args)
    from fieldapp.report import write_pack

    with desk.store(create=False) as st:
        names = _writing(out, write_pack, st, args.id, out, include_personal=args.include_personal)
    print(f"{out}: {len(names)} files ({', '.join(names)})")
    return 0
