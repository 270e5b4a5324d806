"""The one rule for "which planned cell is this?" (fieldapp.cellplan.CellPlan), as a table.

The plan below is shaped after the cells of the shipped simulator scenarios (MALL-69 and its
TRXs as in drivers/sim/scenarios/one-way-trx) plus the awkward cases a real cell file brings:
a CI reused in two location areas, a BCCH ARFCN reused by two sites (different BSIC), a cell
known only by its carrier (a neighbour row of a cell file without CI), and a cell whose BCCH
ARFCN is given only by its BCCH TRX (a typed-in CQT cell).
"""

from __future__ import annotations

import pytest

from fieldapp.cellplan import CellPlan, cell_key
from fieldapp.model import LTE, NEIGHBOUR, UMTS, Cell, PlanCell, PlanTrx

MALL = PlanCell("MALL-69", lac=1003, ci=69, bcch_arfcn=3, bsic=47, trxs=(
    PlanTrx("TRX-69-0", (3,), ("BCCH", "SDCCH/8") + ("TCH/F",) * 6),
    PlanTrx("TRX-69-1", (7,), ("TCH/F",) * 8)))
NORTH_A = PlanCell("NORTH-A", lac=1001, ci=501, bcch_arfcn=12, bsic=20)
NORTH_B = PlanCell("NORTH-B", lac=1002, ci=501, bcch_arfcn=14, bsic=21)  # CI 501 again, other LAC
REUSE_1 = PlanCell("REUSE-1", lac=1001, ci=610, bcch_arfcn=40, bsic=10)
REUSE_2 = PlanCell("REUSE-2", lac=1002, ci=611, bcch_arfcn=40, bsic=33)  # ARFCN 40 again, other BSIC
CARRIER = PlanCell("CARRIER-ONLY", bcch_arfcn=60, bsic=5)  # no CI in the cell file
TYPED = PlanCell("TYPED", trxs=(PlanTrx("T0", (80,), ("BCCH",)), PlanTrx("T1", (84,))))  # BCCH from its TRX

NODEB = PlanCell("NODEB-1", tech=UMTS, lac=3122, ci=363 * 65536 + 25557, bcch_arfcn=10588)  # a UMTS cell
PLAN = CellPlan([MALL, NORTH_A, NORTH_B, REUSE_1, REUSE_2, CARRIER, TYPED, NODEB], source="cells.cel", version=3)

MATCH = [
    # (what the handset reported, the planned cell it is, why)
    ("LAC+CI", Cell(lac=1003, ci=69), MALL),
    ("CI alone, unique", Cell(ci=69), MALL),
    ("CI with a LAC the plan contradicts", Cell(lac=9999, ci=69), None),
    ("CI in two LACs, LAC tells", Cell(lac=1002, ci=501), NORTH_B),
    ("CI in two LACs, no LAC, carrier tells", Cell(ci=501, arfcn=12, bsic=20), NORTH_A),
    ("CI in two LACs, nothing tells", Cell(ci=501), None),
    ("unknown CI falls back to the carrier", Cell(ci=4242, arfcn=60, bsic=5), CARRIER),
    ("carrier whose planned CI contradicts", Cell(ci=4242, arfcn=3, bsic=47), None),
    ("neighbour: ARFCN+BSIC", Cell(role=NEIGHBOUR, arfcn=40, bsic=33), REUSE_2),
    ("neighbour: reused ARFCN without BSIC", Cell(role=NEIGHBOUR, arfcn=40), None),
    ("neighbour: ARFCN unique in the plan, no BSIC", Cell(role=NEIGHBOUR, arfcn=3), MALL),
    ("neighbour: BSIC contradicts", Cell(role=NEIGHBOUR, arfcn=3, bsic=12), None),
    ("BCCH only from the TRX plan", Cell(arfcn=80), TYPED),
    ("a traffic ARFCN is not a BCCH", Cell(arfcn=7), None),
    ("nothing known", Cell(), None),
    ("no cell", None, None),
    ("an LTE neighbour on EARFCN 3 is not the GSM cell on ARFCN 3", Cell(role=NEIGHBOUR, tech=LTE, arfcn=3, pci=47),
     None),
    ("a UMTS cell with a GSM cell's CI", Cell(tech=UMTS, lac=1003, ci=69), None),
    ("a UMTS cell planned as one", Cell(tech=UMTS, lac=3122, ci=363 * 65536 + 25557), NODEB),
]


@pytest.mark.parametrize(("reported", "expected"), [(r, e) for _w, r, e in MATCH], ids=[w for w, _r, _e in MATCH])
def test_match(reported, expected):
    assert PLAN.match(reported) is expected
    if expected is not None:  # a matched cell is the same cell, and keys like it
        assert CellPlan.same(expected, reported) is True
        assert PLAN.key(reported) == cell_key(expected)


SAME = [
    ("same CI, LAC unknown", MALL, Cell(ci=69), True),
    ("same CI, other LAC", MALL, Cell(lac=1, ci=69), False),
    ("other CI", MALL, Cell(ci=70, arfcn=3, bsic=47), False),
    ("no CI: same carrier and BSIC", MALL, Cell(arfcn=3, bsic=47), True),
    ("no CI: same carrier, other BSIC", MALL, Cell(arfcn=3, bsic=46), False),
    ("no CI, no ARFCN: cannot tell", MALL, Cell(rxlev=30), None),
    ("typed cell without CI: its BCCH TRX", TYPED, Cell(ci=1, arfcn=80), True),
    ("nothing reported", MALL, None, None),
    ("an LTE cell on the same number", MALL, Cell(tech=LTE, arfcn=3), False),
]


@pytest.mark.parametrize(("planned", "reported", "expected"), [row[1:] for row in SAME], ids=[row[0] for row in SAME])
def test_same(planned, reported, expected):
    assert CellPlan.same(planned, reported) is expected


def test_key_is_one_identity_for_map_and_trace():
    # a report without LAC colours like its planned cell (which has one)
    assert PLAN.key(Cell(ci=69)) == PLAN.key(MALL) == ("ci", 1003, 69)
    # unknown to the plan: its own identity; no identity at all: None
    assert PLAN.key(Cell(ci=7777, lac=5)) == ("ci", 5, 7777)
    assert PLAN.key(Cell(arfcn=99, bsic=1)) == ("rf", 99, 1)
    assert PLAN.key(CARRIER) == ("rf", 60, 5)
    assert PLAN.key(Cell()) is None and PLAN.key(None) is None


def test_named_and_with_trxs_and_the_value():
    assert PLAN.named("mall-69") is MALL and PLAN.named("69") is MALL
    assert PLAN.named("501") is None  # two cells carry CI 501
    assert PLAN.named("nope") is None
    testable = PLAN.with_trxs()
    assert list(testable) == [MALL, TYPED] and testable.version == 3 and testable.source == "cells.cel"
    assert len(PLAN) == 8 and PLAN and not CellPlan()
    assert CellPlan.of(PLAN) is PLAN and CellPlan.of([MALL]).match(Cell(ci=69)) is MALL
