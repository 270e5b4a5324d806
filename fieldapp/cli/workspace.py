"""``fieldapp workspace check [--recover [--out NEW]]``: is the workspace file sound, and if
not, a new file with what is readable of it (issue 16)."""

from __future__ import annotations

import argparse
from pathlib import Path

from fieldapp.cli import CliError
from fieldapp.cli.common import add_workspace_arg, workspace_from


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("workspace", help="workspace file maintenance")
    ws = p.add_subparsers(dest="workspace_command", metavar="ACTION", required=True)
    c = ws.add_parser("check", help="SQLite's integrity check of the workspace; --recover copies what is readable")
    c.add_argument("--recover", action="store_true",
                   help="copy every readable row into a new workspace (the damaged file is left as it is)")
    c.add_argument("--out", default=None, metavar="NEW.db",
                   help="the new workspace for --recover (default: <workspace>-recovered.db beside it)")
    add_workspace_arg(c)
    c.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    from fieldapp.store import StoreError
    from fieldapp.store.recover import check, recover

    path = workspace_from(args)
    try:
        problems = check(path)
    except StoreError as exc:
        raise CliError(str(exc)) from None
    if not problems:
        print(f"{path}: ok")
    else:
        print(f"{path}: damaged ({len(problems)} problems)")
        for line in problems[:20]:
            print(f"  {line}")
    if not args.recover:
        if problems:
            print(f"`fieldapp workspace check --recover --workspace {path}` copies what is readable into a new file")
        return 1 if problems else 0
    out = Path(args.out) if args.out else path.with_name(f"{path.stem}-recovered{path.suffix or '.db'}")
    try:
        results = recover(path, out)
    except StoreError as exc:
        raise CliError(str(exc)) from None
    total = 0
    for r in results:
        total += r.copied
        if r.copied or r.error:
            note = f" ({r.failed_reads} unreadable stretches: {r.error})" if r.error else ""
            print(f"  {r.table}: {r.copied} rows{note}")
    print(f"recovered {total} rows into {out}")
    return 0 if total else 1
