"""Which reader opens a file: each format module registers ``can_read(path) -> bool`` and a
priority; ``pick_reader`` asks them all (highest priority first) or takes the one named.

Two kinds of reader exist:
- ``timeline``: ``open(path, **options)`` returns an iterable of model records (Sample,
  Event, Position in time order) with ``.stats`` (logs.stats.ReaderStats) and ``.header``
  (a dict: source, device, start_utc, ...).
- ``cells``: ``open(path)`` returns ``list[model.PlanCell]`` for the workspace's cell plan.
- ``stats`` / ``alarms`` (network statistics, issue 14): ``open(path)`` returns a
  ``stats_records.StatsFile`` of ``CounterRow`` / ``AlarmRecord``. ``pick_reader`` offers them
  only when asked for (``kinds=(STATS,)``), so a counter CSV is never taken for a drive-test log.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TIMELINE = "timeline"
CELLS = "cells"
STATS = "stats"
ALARMS = "alarms"

# The format modules that register themselves on import (kept here so a plain
# ``pick_reader`` works without the caller importing every module first).
BUILTIN_MODULES = (
    "logs.nemo", "logs.gnettrack", "logs.nmea_log", "logs.native",
    "logs.cellfile_tems", "logs.cellfile_clf", "logs.cellfile_csv",
    "logs.stats_tabular", "logs.stats_3gpp", "logs.stats_alarms",
)


@dataclass(frozen=True)
class ReaderInfo:
    name: str  # what --format takes: "nemo", "gnettrack", ...
    description: str
    produces: str  # TIMELINE or CELLS
    can_read: Callable[[Path], bool]
    open: Callable[..., Any]
    priority: int = 0  # higher is asked first (a precise sniff beats a loose one)


class UnknownFormat(Exception):
    pass


_READERS: dict[str, ReaderInfo] = {}
_loaded = False


def register(info: ReaderInfo) -> ReaderInfo:
    _READERS[info.name] = info
    return info


def _load_builtin() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for name in BUILTIN_MODULES:
        importlib.import_module(name)


def readers() -> list[ReaderInfo]:
    """All readers, highest priority first (ties by name, so the order is stable)."""
    _load_builtin()
    return sorted(_READERS.values(), key=lambda r: (-r.priority, r.name))


def get_reader(name: str) -> ReaderInfo:
    _load_builtin()
    try:
        return _READERS[name]
    except KeyError:
        known = ", ".join(sorted(_READERS))
        raise UnknownFormat(f"unknown format {name!r} (known: {known})") from None


SNIFF_BYTES = 64 * 1024


def _long_line_in_head(path: Path) -> int | None:
    """The number of a line in the first SNIFF_BYTES that does not end there (None: none)."""
    try:
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError:
        return None
    if len(head) < SNIFF_BYTES:
        return None
    lines = head.split(b"\n")
    return len(lines) if len(lines[-1]) > SNIFF_BYTES // 2 else None


def pick_reader(path: str | Path, format: str | None = None,  # noqa: A002
                kinds: tuple[str, ...] = (TIMELINE, CELLS)) -> ReaderInfo:
    """The reader named by ``format``, else the first one of ``kinds`` whose ``can_read`` says yes."""
    if format:
        return get_reader(format)
    p = Path(path)
    for info in readers():
        if info.produces not in kinds:
            continue
        try:
            if info.can_read(p):
                return info
        except OSError:
            continue
    what = "a statistics or alarm export" if set(kinds) & {STATS, ALARMS} else "a log or cell file format"
    long_line = _long_line_in_head(p)
    if long_line:
        raise UnknownFormat(f"{p.name}: line {long_line} is longer than {SNIFF_BYTES // 1024} KB, so the format "
                            f"cannot be told from the start of the file (a damaged file?); name it with --format, "
                            f"one of: {', '.join(r.name for r in readers() if r.produces in kinds)}")
    raise UnknownFormat(f"{p.name}: not {what} I know "
                        f"(try --format, one of: {', '.join(r.name for r in readers() if r.produces in kinds)})")


def head_text(path: Path, n_bytes: int = 4096) -> str:
    """The first bytes of a file as text (for sniffing); '' when it cannot be read."""
    try:
        with open(path, "rb") as f:
            data = f.read(n_bytes)
    except OSError:
        return ""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="replace")
