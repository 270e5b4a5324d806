"""Network outcomes are outcomes (issue 12 point 8): a handset on a real pty whose ATD answers
BUSY, NO ANSWER, a cause-less NO CARRIER or a network +CME ERROR gives setup failures of the
TRX under test and the run goes on; only a dial string the modem refuses (ERROR, +CME ERROR 27)
stops it. Replies as 27.007 / V.250 print them (final result codes of ATD: ModemManager
src/mm-serial-parsers.c, docs/at-commands.md §1.1)."""

from __future__ import annotations

import pytest

from drivers.handset import HandsetSource
from fieldapp.cqt.calls import ERROR, SETUP_FAILED, SUCCESS
from fieldapp.cqt.plan import CqtPlan
from fieldapp.cqt.runner import DONE, FAULT, CqtRunner
from fieldapp.model import PlanCell, PlanTrx
from tests.drivers.test_handset_source import quectel_table
from tests.support.peer import AtPeer

CELL = PlanCell(name="MALL-1", mcc=460, mnc=0, lac=0x550A, ci=0x2BB9, bcch_arfcn=94, bsic=23,
                trxs=(PlanTrx(trx_id="TRX-A", arfcns=(94,)), PlanTrx(trx_id="TRX-B", arfcns=(7,))))


def _modem(answers: list[str]) -> AtPeer:
    """The Quectel table of the handset tests, whose ATD answers come from ``answers`` in
    turn (then "OK": a call that alerts and connects)."""
    state: dict = {}
    table = quectel_table(state)
    normal_dial = table["ATD112233;"]

    def dial(cmd):
        if answers:
            return answers.pop(0)
        return normal_dial(cmd)

    table["ATD112233;"] = dial
    return AtPeer(table)


def _run(modem: AtPeer, calls: int) -> CqtRunner:
    source = HandsetSource(modem.port, rate_s=0.1)
    source.open()
    plan = CqtPlan(number="112233", cell=CELL, modes=frozenset({"block"}), calls_per_trx=calls,
                   hold_s=0.2, gap_s=0.0, setup_timeout_s=3.0)
    runner = CqtRunner(source, plan, confirm_block=lambda trx: True)
    source.start(runner.observe)
    try:
        runner.run()
    finally:
        source.stop()
    return runner


@pytest.mark.parametrize("answer,cause", [
    ("BUSY", "BUSY"), ("NO ANSWER", "NO ANSWER"), ("NO CARRIER", "NO CARRIER"),
    ("NO DIALTONE", "NO DIALTONE"), ("+CME ERROR: 30", "no network service"),
])
def test_a_network_answer_to_the_dial_is_a_setup_failure_and_the_run_goes_on(answer, cause):
    with _modem([answer]) as modem:
        runner = _run(modem, calls=1)
    assert runner.status().state == DONE, runner.status().message
    first, second = runner.calls()
    assert first.result == SETUP_FAILED and first.cause_text == cause and first.planned_trx == "TRX-A"
    assert first.counted and first.trx_id == "TRX-A"
    assert second.result == SUCCESS and second.planned_trx == "TRX-B"
    assert runner.matrix()["TRX-A"].setup_failed == 1


def test_busy_then_no_answer_then_no_carrier_all_count_against_their_trx():
    with _modem(["BUSY", "NO ANSWER", "NO CARRIER"]) as modem:
        runner = _run(modem, calls=2)
    assert runner.status().state == DONE
    results = [(c.planned_trx, c.result, c.cause_text) for c in runner.calls()]
    assert results[:3] == [("TRX-A", SETUP_FAILED, "BUSY"), ("TRX-A", SETUP_FAILED, "NO ANSWER"),
                           ("TRX-B", SETUP_FAILED, "NO CARRIER")]
    assert results[3][:2] == ("TRX-B", SUCCESS)


@pytest.mark.parametrize("answer", ["ERROR", "+CME ERROR: 27"])
def test_a_dial_string_the_modem_refuses_stops_the_run(answer):
    with _modem([answer]) as modem:
        runner = _run(modem, calls=1)
    status = runner.status()
    assert status.state == FAULT and status.message.startswith("the modem refused the call to 112233")
    (call,) = runner.calls()
    assert call.result == ERROR and not call.counted
