"""TRX × outcome counts (and rates): what the panel's matrix and ``fieldapp cqt`` print.

Rates use the denominator that fits the outcome: setup failures per call attempted, drops per
connected call, a listener verdict per connected call a listener marked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from fieldapp.cqt.calls import (
    DROPPED,
    LISTENER_VERDICTS,
    NETWORK_RESULTS,
    NORMAL,
    NOT_REACHABLE,
    SETUP_FAILED,
    SUCCESS,
    CqtCall,
)

# The problems a TRX can be suspected of, in the order they are tested and shown.
AUDIO_PROBLEMS = tuple(v for v in LISTENER_VERDICTS if v != NORMAL)
PROBLEMS = (SETUP_FAILED, NOT_REACHABLE, DROPPED, *AUDIO_PROBLEMS)
UNKNOWN_ROW = "unknown"


@dataclass
class TrxCounts:
    calls: int = 0  # calls with a network result on this TRX
    setup_failed: int = 0
    not_reachable: int = 0  # incoming tests: no ring within the timeout
    dropped: int = 0
    released: int = 0
    connected: int = 0
    marked: int = 0  # connected calls with a listener verdict
    listener: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LISTENER_VERDICTS, 0))

    def add(self, call: CqtCall) -> None:
        self.calls += 1
        if call.result == SETUP_FAILED:
            self.setup_failed += 1
        elif call.result == NOT_REACHABLE:
            self.not_reachable += 1
        elif call.result == DROPPED:
            self.dropped += 1
        elif call.result == SUCCESS:
            self.released += 1
        if call.connected:
            self.connected += 1
            if call.listener in self.listener:
                self.marked += 1
                self.listener[call.listener] += 1

    def problem(self, kind: str) -> tuple[int, int]:
        """(calls with the problem, the calls it is out of)."""
        if kind == SETUP_FAILED:
            return self.setup_failed, self.calls
        if kind == NOT_REACHABLE:
            return self.not_reachable, self.calls
        if kind == DROPPED:
            return self.dropped, self.connected
        return self.listener.get(kind, 0), self.marked

    def rate(self, kind: str) -> float | None:
        bad, n = self.problem(kind)
        return bad / n if n else None

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["rates"] = {k: self.rate(k) for k in PROBLEMS}
        return out


def build_matrix(calls: Iterable[CqtCall], trx_ids: Iterable[str]) -> dict[str, TrxCounts]:
    """One row per planned TRX (zero rows included, in plan order), plus an ``unknown`` row for
    calls with a network result whose TRX could not be determined. Calls that ended in a
    device or input error are not counted anywhere."""
    rows = {t: TrxCounts() for t in trx_ids}
    unknown = TrxCounts()
    for call in calls:
        if call.result not in NETWORK_RESULTS:
            continue
        if call.trx_id is None:
            unknown.add(call)
        else:
            rows.setdefault(call.trx_id, TrxCounts()).add(call)
    if unknown.calls:
        rows[UNKNOWN_ROW] = unknown
    return rows


def matrix_json(rows: dict[str, TrxCounts]) -> dict[str, Any]:
    return {trx: counts.to_json() for trx, counts in rows.items()}


def format_matrix(rows: dict[str, TrxCounts]) -> str:
    """A plain-text table for the terminal."""
    reach = any(c.not_reachable for c in rows.values())  # the column of incoming tests only
    head = ["TRX", "calls", "setup fail", *(["not reachable"] if reach else []), "drop", "released",
            *[v for v in LISTENER_VERDICTS]]
    lines = [head]
    for trx, c in rows.items():
        lines.append([trx, str(c.calls), _cell(*c.problem(SETUP_FAILED)),
                      *([_cell(*c.problem(NOT_REACHABLE))] if reach else []), _cell(*c.problem(DROPPED)),
                      str(c.released), *[_cell(c.listener[v], c.marked) for v in LISTENER_VERDICTS]])
    widths = [max(len(r[i]) for r in lines) for i in range(len(head))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in lines)


def _cell(bad: int, n: int) -> str:
    return f"{bad}/{n}" if n else "-"
