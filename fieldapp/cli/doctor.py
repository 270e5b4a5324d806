"""``fieldapp doctor``: checks this machine for a field session and says how to fix what is
wrong, one line each (``--json`` for scripts). Exit 0 when nothing failed (warnings allowed),
1 when a check failed.

    $ fieldapp doctor
    ok    python     Python 3.11.2 (/usr/bin/python3)
    ok    qt         Qt 6.9.1 (PySide6 6.9.1), GUI libraries load
    FAIL  port       /dev/ttyUSB0 (EC25): permission denied (the port belongs to group dialout) -- fix: sudo usermod -aG dialout anna, then log out and back in

JSON: ``{"ok": bool, "checks": [{"name", "status" (ok/warn/fail/info), "detail", "fix"}]}``.
"""

from __future__ import annotations

import argparse
import json

from fieldapp.cli.common import add_workspace_arg
from fieldapp.paths import default_workspace


def register(sub) -> None:
    doc = sub.add_parser(
        "doctor", help="check Python, Qt, display, fonts, serial ports, ModemManager, gpsd and the workspace",
        description="Checks what a field session needs on this machine and prints one line per check "
                    "with the fix: Python and Qt versions, the display/platform plugin, fonts, serial "
                    "ports and permission to open them, a process (ModemManager) holding a port, gpsd, "
                    "the workspace's folder and free space.")
    doc.add_argument("--json", action="store_true", help="print the checks as JSON")
    doc.add_argument("--port", action="append", default=[], metavar="PORT",
                     help="also check this port (a pty, a symlink); repeatable")
    add_workspace_arg(doc)
    doc.set_defaults(func=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    from pathlib import Path

    from fieldapp.doctor import run_doctor

    ws = getattr(args, "workspace", None)
    report = run_doctor(Path(ws) if ws else default_workspace(), extra_ports=args.port)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        for line in report.lines():
            print(line)
    return 0 if report.ok else 1
