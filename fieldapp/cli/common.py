"""Helpers shared by the command modules."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from fieldapp.paths import workspace_path


def add_workspace_arg(parser: argparse.ArgumentParser) -> None:
    """``--workspace DB`` on a sub-command. SUPPRESS keeps the global ``fieldapp --workspace X``
    value when the sub-command does not repeat it."""
    parser.add_argument("--workspace", default=argparse.SUPPRESS,
                        help="workspace database (default: the user data directory)")


def workspace_from(args: argparse.Namespace) -> Path:
    return workspace_path(getattr(args, "workspace", None))


def positive_seconds(text: str) -> float:
    """argparse type for a time in seconds: a finite number above 0 (``--rate 0`` would poll
    without pause, ``inf`` never, a negative ``--duration`` would end before starting)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of seconds above 0")
    if value > 7 * 86400:
        raise argparse.ArgumentTypeError(f"{text!r}: more than a week")
    return value


def non_negative_seconds(text: str) -> float:
    """Like ``positive_seconds`` but 0 allowed (a pause that may be none)."""
    if text.strip() in ("0", "0.0"):
        return 0.0
    return positive_seconds(text)

