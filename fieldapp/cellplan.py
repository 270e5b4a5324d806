"""The cell plan: which planned cell a reported cell is, by one rule for every view.

The map, the trace strip, the neighbour table, the CQT panel and CLI, the attribution of calls
and the diagnosis all ask "which planned cell is this?" of a ``CellPlan``, so one sample names
one cell everywhere (docs/domain.md, "Identifying a cell")::

    plan = CellPlan(store.cell_plan(), source="cells.cel")
    plan.match(sample.serving)          # the PlanCell, or None when the report cannot tell
    plan.same(cell_under_test, serving) # True / False / None (cannot tell)
    plan.key(sample.serving)            # one identity for colours and grouping

The rule (``match``): a reported CI picks the planned cells with that CI whose LAC does not
contradict (a LAC unknown on either side never contradicts); one left is the answer, several
are narrowed to the one with the same LAC. Without a CI hit, the BCCH ARFCN picks the cells on
that carrier whose BSIC and CI do not contradict, narrowed the same way by BSIC. Only cells of
the reported technology count: a UMTS/LTE channel number or cell id that equals a GSM one (an
EARFCN 3, a G-NetTrack LTE neighbour beside a GSM plan) is another cell. Two candidates
left mean "cannot tell": None, never a guess. Neighbours usually report only ARFCN and BSIC.

A ``CellPlan`` is a value: the cells of one plan as loaded (``source``: the cell file or
``scenario:<name>``; ``version``: the store's number for that load, None when not stored), so
a diagnosis can hold the plan that was current when its samples were taken.

Where a plan comes from: a cell file the engineer imports, or the simulator's scenario. A
scenario's plan may replace another scenario's plan or an empty one, never a plan imported
from a cell file (``may_replace``): a demo must not overwrite the real network. Looking a
scenario's cells up is the live session's business (``fieldapp.live.scenario_plan``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from fieldapp.model import Cell, PlanCell

SCENARIO_PREFIX = "scenario:"

CellKey = tuple  # ("ci", lac, ci) or ("rf", arfcn, bsic)


def bcch_arfcn(cell: PlanCell) -> int | None:
    """The cell's BCCH ARFCN: from the cell, else from its BCCH TRX (first timeslot "BCCH")."""
    if cell.bcch_arfcn is not None:
        return cell.bcch_arfcn
    for t in cell.trxs:
        if t.is_bcch and len(t.arfcns) == 1:
            return t.arfcns[0]
    return None


def cell_key(cell: Cell | PlanCell | None) -> CellKey | None:
    """Identity of a cell as reported (or planned) with no plan to ask: (LAC, CI) when the CI
    is known, else (ARFCN, BSIC); None when neither. ``CellPlan.key`` prefers the plan's."""
    if cell is None:
        return None
    if cell.ci is not None:
        return ("ci", cell.lac, cell.ci)
    arfcn = bcch_arfcn(cell) if isinstance(cell, PlanCell) else cell.arfcn
    if arfcn is not None:
        return ("rf", arfcn, cell.bsic)
    return None


def _agree(a: int | None, b: int | None) -> bool:
    """Two values that do not contradict: equal, or one of them unknown."""
    return a is None or b is None or a == b


def _one(hits: list[PlanCell], exact: Iterable[PlanCell]) -> PlanCell | None:
    if len(hits) == 1:
        return hits[0]
    narrowed = [c for c in exact if c in hits]
    return narrowed[0] if len(narrowed) == 1 else None


class CellPlan:
    """The cells of one plan, indexed for ``match``. Immutable: a new load is a new value."""

    __slots__ = ("_by_arfcn", "_by_ci", "cells", "source", "version")

    def __init__(self, cells: Iterable[PlanCell] = (), *, source: str | None = None,
                 version: int | None = None) -> None:
        self.cells: tuple[PlanCell, ...] = tuple(cells)
        self.source = source
        self.version = version
        self._by_ci: dict[int, list[PlanCell]] = {}
        self._by_arfcn: dict[int, list[PlanCell]] = {}
        for c in self.cells:
            if c.ci is not None:
                self._by_ci.setdefault(c.ci, []).append(c)
            arfcn = bcch_arfcn(c)
            if arfcn is not None:
                self._by_arfcn.setdefault(arfcn, []).append(c)

    @classmethod
    def of(cls, plan: CellPlan | Iterable[PlanCell]) -> CellPlan:
        """``plan`` itself when it is a CellPlan, else a CellPlan of the cells."""
        return plan if isinstance(plan, CellPlan) else cls(plan)

    def __iter__(self) -> Iterator[PlanCell]:
        return iter(self.cells)

    def __len__(self) -> int:
        return len(self.cells)

    def __bool__(self) -> bool:
        return bool(self.cells)

    def __repr__(self) -> str:
        return f"CellPlan({len(self.cells)} cells, source={self.source!r}, version={self.version!r})"

    def match(self, cell: Cell | None) -> PlanCell | None:
        """The planned cell a reported cell is (the rule in the module docstring), or None."""
        if cell is None:
            return None
        if cell.ci is not None:
            hits = [c for c in self._by_ci.get(cell.ci, ()) if _agree(c.lac, cell.lac) and c.tech == cell.tech]
            if hits:
                found = _one(hits, (c for c in hits if c.lac == cell.lac))
                if found is None and cell.arfcn is not None:  # several: the carrier may tell them apart
                    found = _one([c for c in hits if bcch_arfcn(c) == cell.arfcn and _agree(c.bsic, cell.bsic)], ())
                return found
        if cell.arfcn is not None:
            hits = [c for c in self._by_arfcn.get(cell.arfcn, ())
                    if _agree(c.bsic, cell.bsic) and _agree(c.ci, cell.ci) and c.tech == cell.tech]
            if hits:
                return _one(hits, (c for c in hits if c.bsic == cell.bsic))
        return None

    def key(self, cell: Cell | PlanCell | None) -> CellKey | None:
        """One identity per cell for colours and grouping: the planned cell's when the plan
        knows the reported one (so a report without LAC colours like its planned cell)."""
        if isinstance(cell, Cell):
            planned = self.match(cell)
            if planned is not None:
                return cell_key(planned)
        return cell_key(cell)

    @staticmethod
    def same(planned: PlanCell, reported: Cell | None) -> bool | None:
        """Is the reported cell this planned one? None when the report cannot tell (no CI and
        no ARFCN both sides know)."""
        if reported is None:
            return None
        if reported.tech != planned.tech:
            return False  # an LTE EARFCN 3 or a UMTS CI 69 is not the GSM cell on ARFCN 3 / CI 69
        if reported.ci is not None and planned.ci is not None:
            return reported.ci == planned.ci and _agree(reported.lac, planned.lac)
        arfcn = bcch_arfcn(planned)
        if reported.arfcn is not None and arfcn is not None:
            return reported.arfcn == arfcn and _agree(reported.bsic, planned.bsic)
        return None

    def named(self, text: str) -> PlanCell | None:
        """A cell by name (any case) or by CI (decimal, when unique): what a person types."""
        text = (text or "").strip()
        for c in self.cells:
            if c.name.lower() == text.lower():
                return c
        if text.isdigit():
            hits = self._by_ci.get(int(text), [])
            if len(hits) == 1:
                return hits[0]
        return None

    def with_trxs(self) -> CellPlan:
        """The cells whose TRXs are planned (those a CQT can test), same source and version."""
        return CellPlan((c for c in self.cells if c.trxs), source=self.source, version=self.version)


def may_replace(current_source: str | None, new_source: str) -> bool:
    if not new_source.startswith(SCENARIO_PREFIX):
        return True  # a cell file the engineer chose to import
    return not current_source or current_source.startswith(SCENARIO_PREFIX)


def adopt_plan(store: Any, cells: Sequence[PlanCell], source: str) -> bool:
    """Make ``cells`` the workspace's plan when ``may_replace`` allows; True when it did."""
    return adopt_plan_version(store, cells, source)[0]


def adopt_plan_version(store: Any, cells: Sequence[PlanCell], source: str) -> tuple[bool, int | None]:
    """``adopt_plan`` and the plan version a recording started now works under: the version
    of ``cells`` when adopted, else the current plan's (a cell file the engineer imported),
    decided in the same write transaction as the load."""
    return store.adopt_cell_plan(list(cells), source, lambda current: may_replace(current, source))
