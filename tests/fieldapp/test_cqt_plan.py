"""The CQT plan (validation, schedule, typed TRXs, JSON), channel attribution, and the store's
CQT tables."""

from __future__ import annotations

import pytest

from fieldapp.cellplan import CellPlan
from fieldapp.cqt.attribution import attribute
from fieldapp.cqt.plan import CqtPlan, PlanError, parse_trx_text, typed_cell
from fieldapp.model import Cell, Channel, PlanCell, PlanTrx
from fieldapp.store import Store, schema
from fieldapp.store.cqt_rows import UnknownRun

MALL = PlanCell("MALL-69", lac=1003, ci=69, bcch_arfcn=3, bsic=47, trxs=(
    PlanTrx("TRX-69-0", (3,), ("BCCH", "SDCCH/8") + ("TCH/F",) * 6),
    PlanTrx("TRX-69-1", (7,), ("TCH/F",) * 8)))


def plan(**kw):
    base = dict(number="5551234", cell=MALL, modes=frozenset({"block"}), calls_per_trx=3)
    return CqtPlan(**{**base, **kw})


BAD_PLANS = [
    ("letters in the number", dict(number="55a1"), "a modem dials"),
    ("no mode", dict(modes=frozenset()), "mode must be"),
    ("unknown mode", dict(modes=frozenset({"force"})), "not force"),
    ("both counts", dict(total_calls=5), "either calls per TRX or a total"),
    ("zero calls", dict(calls_per_trx=0), "1..1000"),
    ("negative hold", dict(hold_s=-1), "hold_s"),
    ("lock alone on a 2-TRX cell", dict(modes=frozenset({"lock"})), "not a TRX"),
    ("channel lock on a hopping TRX",
     dict(modes=frozenset({"lock"}), lock_kind="channel",
          cell=PlanCell("H", trxs=(PlanTrx("T0", (3,)), PlanTrx("T1", (7, 9), hopping=True)))), "cannot pin"),
    ("no TRXs", dict(cell=PlanCell("EMPTY")), "no TRXs"),
    ("duplicate TRX", dict(cell=PlanCell("D", trxs=(PlanTrx("T", (3,)), PlanTrx("T", (5,))))), "more than once"),
    ("bad ARFCN", dict(cell=PlanCell("B", trxs=(PlanTrx("T", (3000,)),))), "not a GSM ARFCN"),
]


@pytest.mark.parametrize("name,changes,message", BAD_PLANS, ids=[b[0] for b in BAD_PLANS])
def test_bad_plans_are_refused_with_the_reason(name, changes, message):
    with pytest.raises(PlanError, match=message):
        plan(**changes).validate()


def test_schedule_per_trx_total_and_attribute():
    assert plan().validate().schedule() == ["TRX-69-0"] * 3 + ["TRX-69-1"] * 3
    assert plan(calls_per_trx=None, total_calls=5).schedule() == ["TRX-69-0"] * 3 + ["TRX-69-1"] * 2
    assert plan(modes=frozenset({"attribute"})).schedule() == [None] * 6
    # a cell lock pins the cell only: calls are not planned on TRXs
    assert plan(modes=frozenset({"lock", "attribute"})).validate().schedule() == [None] * 6
    assert plan(number="+43 (1) 555-12").validate()


def test_plan_json_round_trip():
    p = plan(modes=frozenset({"block", "attribute"}), hold_s=12.5, auto_audio=True)
    assert CqtPlan.from_json(p.to_json()) == p
    with pytest.raises(PlanError, match="incomplete"):
        CqtPlan.from_json({"number": "1"})


TYPED = [
    ("TRX-69-0 = 3; TRX-69-1 = 7", [("TRX-69-0", (3,), False), ("TRX-69-1", (7,), False)]),
    ("A: 10\nB -> 12, 14 16", [("A", (10,), False), ("B", (12, 14, 16), True)]),
    ("T1 → 975", [("T1", (975,), False)]),
]


@pytest.mark.parametrize("text,expected", TYPED)
def test_typed_trxs(text, expected):
    assert [(t.trx_id, t.arfcns, t.hopping) for t in parse_trx_text(text)] == expected


@pytest.mark.parametrize("text,message", [("", "no TRXs"), ("TRX-1", "TRX id = ARFCN"),
                                           ("TRX-1 = ", "no ARFCN"), ("TRX-1 = 3x", "not a GSM ARFCN")])
def test_typed_trxs_refused(text, message):
    with pytest.raises(PlanError, match=message):
        parse_trx_text(text)


def test_typed_cell_marks_the_bcch_trx_and_cells_are_found():
    cell = typed_cell("MINE", "T0=3; T1=7", bcch=3, ci=9)
    assert cell.trxs[0].is_bcch and not cell.trxs[1].is_bcch
    plan = CellPlan([MALL, cell])
    assert plan.named("mine") is cell and plan.named("69") is MALL
    assert CellPlan([MALL]).named("nope") is None
    assert plan.match(Cell(lac=1003, ci=69)) is MALL
    assert plan.match(Cell(arfcn=3, bsic=47)) is MALL  # the typed cell has BCCH 3 too; BSIC 47 tells
    assert CellPlan([MALL]).match(Cell(arfcn=3, bsic=47)) is MALL
    assert plan.match(None) is None


ON = Cell(lac=1003, ci=69, arfcn=3)
ATTRIBUTIONS = [
    ("one TCH", [(ON, Channel(7, 2, False))], "TRX-69-1", "TCH ARFCN 7 TS 2 → TRX-69-1"),
    ("nothing shown", [(ON, None)], None, "no traffic channel"),
    ("SDCCH only", [(ON, Channel(3, 1, False, channel_type="SDCCH/8"))], None, "no traffic channel"),
    ("hopping", [(ON, Channel(None, 2, True, 2, 5))], None, "hopping (MAIO 2, HSN 5)"),
    ("another cell", [(Cell(lac=1004, ci=31), Channel(88, 1, False))], None, "CI 31, not on MALL-69"),
    ("not in the plan", [(ON, Channel(50, 1, False))], None, "not in MALL-69's TRX plan"),
    ("moved", [(ON, Channel(3, 2, False)), (ON, Channel(7, 2, False))], None, "moved between"),
]


@pytest.mark.parametrize("name,seen,trx,why", ATTRIBUTIONS, ids=[a[0] for a in ATTRIBUTIONS])
def test_attribution_never_guesses(name, seen, trx, why):
    got, reason = attribute(MALL, seen)
    assert got == trx and why in reason


def test_store_keeps_runs_and_calls(tmp_path):
    with Store.open(tmp_path / "ws.db") as store:
        case = store.create_case("one-way at the mall")
        sid = store.create_session("simulator:one-way-trx")
        run = store.create_cqt_run(plan().to_json(), session_id=sid, case_id=case)
        store.put_cqt_call(run, {"seq": 1, "start_utc": 10.0, "trx_id": "TRX-69-1", "trx_how": "block"})
        store.put_cqt_call(run, {"seq": 1, "start_utc": 10.0, "trx_id": "TRX-69-1", "trx_how": "block",
                                 "result": "released", "listener": "one-way-ul"})
        store.update_cqt_run(run, state="done", verdict={"suspect": "TRX-69-1"}, ended_utc=20.0)
        assert store.cqt_calls(run) == [{"seq": 1, "start_utc": 10.0, "trx_id": "TRX-69-1", "trx_how": "block",
                                         "result": "released", "listener": "one-way-ul"}]
        row = store.cqt_run(run)
        assert row["state"] == "done" and row["verdict"] == {"suspect": "TRX-69-1"} and row["case_id"] == case
        assert CqtPlan.from_json(row["plan"]) == plan()
        assert [r["id"] for r in store.cqt_runs(case_id=case)] == [run]
        with pytest.raises(UnknownRun):
            store.put_cqt_call(999, {"seq": 1, "start_utc": 0.0})
        with pytest.raises(ValueError):
            store.update_cqt_run(run, state="exploded")
        with pytest.raises(ValueError):
            store.update_cqt_run(run, plan="{}")


def test_an_older_workspace_gains_the_cqt_tables(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    schema.migrate(conn, upto=3)  # v4 added the CQT tables
    conn.close()
    with Store.open(path) as store:
        assert store.schema_version == schema.SCHEMA_VERSION
        assert store.cqt_runs() == []
