"""Helpers shared by the command modules."""

from __future__ import annotations

import argparse
from pathlib import Path

from fieldapp.paths import workspace_path


def add_workspace_arg(parser: argparse.ArgumentParser) -> None:
    """``--workspace DB`` on a sub-command. SUPPRESS keeps the global ``fieldapp --workspace X``
    value when the sub-command does not repeat it."""
    parser.add_argument("--workspace", default=argparse.SUPPRESS,
                        help="workspace database (default: the user data directory)")


def workspace_from(args: argparse.Namespace) -> Path:
    return workspace_path(getattr(args, "workspace", None))
