"""Records of network statistics and alarm exports (issue 14), and what a reader saw.

A ``CounterRow`` is one object (BSC, cell, TRX or neighbour relation) in one period with its
counters by canonical name (``logs/stats_counters.csv``) or, when the map does not know them,
by their own name. ``None`` is a missing value (``NIL``, ``/0``, empty): never 0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from logs.stats import ReaderStats

OBJECT_KINDS = ("bsc", "cell", "trx", "ncell")
SEVERITIES = ("critical", "major", "minor", "warning", "indeterminate", "cleared")


@dataclass(frozen=True, slots=True)
class CounterRow:
    start_utc: float  # period start (naive export times are taken as UTC)
    period_s: int | None  # None: the export did not say and it could not be inferred
    kind: str  # one of OBJECT_KINDS
    bsc: str | None
    cell: str | None
    trx: str | None = None
    neighbour: str | None = None  # the target cell of a relation (kind "ncell")
    cgi: str | None = None
    values: dict[str, float | None] = field(default_factory=dict)

    @property
    def object_name(self) -> str:
        if self.kind == "bsc":
            return self.bsc or "?"
        name = self.cell or "?"
        if self.kind == "trx":
            return f"{name}/{self.trx}"
        if self.kind == "ncell":
            return f"{name}->{self.neighbour}"
        return name


@dataclass(frozen=True, slots=True)
class AlarmRecord:
    raised_utc: float
    cleared_utc: float | None  # None: still active at export time
    severity: str | None  # lower case, one of SEVERITIES when recognised
    alarm_id: str | None
    name: str
    bsc: str | None
    cell: str | None
    trx: str | None
    board: str | None
    managed_object: str  # the object as the export wrote it
    probable_cause: str | None = None
    specific_problem: str | None = None
    text: str | None = None  # location information / additional text

    @property
    def level(self) -> str:
        if self.trx:
            return "trx"
        if self.board:
            return "board"
        if self.cell:
            return "cell"
        return "bsc"


class StatsFile:
    """What a statistics reader returns: iterate it for ``CounterRow``s (streaming); after the
    iteration ``stats`` (lines, bad lines), ``units`` (counter -> unit), ``unknown`` (counters
    the map does not know, kept under their own name) and ``header`` (vendor, layout) are set."""

    def __init__(self, rows: Iterator[Any], header: dict[str, Any]) -> None:
        self._rows = rows
        self.header = header
        self.stats = ReaderStats()
        self.units: dict[str, str | None] = {}
        self.unknown: Counter = Counter()

    def __iter__(self) -> Iterator[Any]:
        return self._rows
