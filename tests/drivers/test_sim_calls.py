"""Calls on the simulated handset: setup, channel assignment, release, and the symptoms of the
reference cases (3: one-way TRX, 4: SDCCH TRX, 1/5: hung BCCH, 6: interference) as the app
would record them — through the printed replies and the real family parsers."""

from __future__ import annotations

import statistics

import pytest

from drivers.sim import calls as cm
from drivers.sim.scenario import load_scenario
from fieldapp.model import CALL_ACTIVE, CallState
from tests.drivers.sim_support import Bench, serving

ENG_MODE = {"quectel": 'AT+QENG="servingcell"', "simcom": "AT+CENG?"}


def _clcc_state(b: Bench) -> str | None:
    states = [r for r in b.records("AT+CLCC") if isinstance(r, CallState)]
    return states[0].state if states else None


def _ceer(b: Bench) -> str:
    return b.ask("AT+CEER")[0][0]


def cqt_call(b: Bench, hold_s: float = 20.0, setup_timeout_s: float = 12.0) -> dict:
    """One call of a CQT as the app makes it: dial, poll +CLCC every second until connected,
    read the dedicated channel from the engineering mode, hold, hang up, ask +CEER and (the
    simulator only) +FASIMAUDIO."""
    assert b.ask("ATD0800123;")[1] == "OK"
    out = {"connected": False, "channel": None, "dropped": False, "setup_s": None}
    t = 0.0
    while t < setup_timeout_s:
        urcs = b.wait(1.0)
        t += 1.0
        if "NO CARRIER" in urcs:
            break
        if _clcc_state(b) == CALL_ACTIVE:
            out["connected"], out["setup_s"] = True, t
            break
    if out["connected"]:
        if b.family.name in ENG_MODE:
            out["channel"] = serving(b.records(ENG_MODE[b.family.name])).channel
        held = 0.0
        while held < hold_s:
            held += 1.0
            if "NO CARRIER" in b.wait(1.0):
                out["dropped"] = True
                break
        if not out["dropped"]:
            b.ask("ATH")
    out["ceer"] = _ceer(b)
    out["verdict"] = b.ask("AT+FASIMAUDIO?")[0][0].split(",")[1].strip('"')
    out["call"] = b.engine.call
    b.wait(3.0)  # a few seconds between calls
    return out


# ---------------------------------------------------------------- setup, release, URC styles


def test_setup_takes_3_to_8_seconds_and_ends_with_normal_clearing():
    b = Bench("one-way-trx", "quectel")
    times = []
    for _ in range(8):
        call = cqt_call(b, hold_s=5)
        assert call["connected"]
        times.append(call["call"].t_active - call["call"].t_dial)
        assert call["ceer"] == "+CEER: Normal call clearing"
    assert min(times) >= 3.0 and max(times) <= 8.0
    assert len({round(t, 1) for t in times}) > 3  # not one fixed delay


def test_simcom_reports_call_progress_by_urc():
    b = Bench("one-way-trx", "simcom")
    b.init()  # AT+CLCC=1 among the family's init commands
    b.ask("ATD0800123;")
    urcs = b.wait(10)
    assert urcs[:4] == ['+CLCC: 1,0,2,0,0,"0800123",129,""', '+CLCC: 1,0,3,0,0,"0800123",129,""',
                        '+CLCC: 1,0,0,0,0,"0800123",129,""', "VOICE CALL: BEGIN"]
    b.ask("ATH")
    urcs = b.wait(1)
    assert urcs[0] == '+CLCC: 1,0,6,0,0,"0800123",129,""'
    assert urcs[1].startswith("VOICE CALL: END: 0000")
    assert "NO CARRIER" not in urcs  # the user hung up: nothing to report as a network release


@pytest.mark.parametrize("family", ["quectel", "telit"])
def test_polling_families_print_no_call_urcs_but_no_carrier_on_a_network_release(family):
    b = Bench("sdcch-trx", family)
    b.init()
    results = [cqt_call(b, hold_s=3) for _ in range(8)]
    assert all(u in ("NO CARRIER",) or u.startswith(("+CREG:",)) for u in b.urcs), b.urcs
    failures = sum(1 for r in results if not r["connected"])
    assert b.urcs.count("NO CARRIER") == failures > 0


def test_incoming_call_rings_and_is_answered():
    b = Bench("one-way-trx", "quectel")
    b.ask("AT+CLIP=1")
    assert b.ask('AT+FASIMRING="+431234567"')[1] == "OK"
    urcs = b.wait(4)
    assert urcs.count("RING") == 2 and urcs[1].startswith('+CLIP: "+431234567",145')
    assert b.ask("AT+CPAS")[0] == ["+CPAS: 3"]
    assert b.ask("ATA")[1] == "OK"
    b.wait(1)
    assert b.ask("AT+CLCC")[0] == ['+CLCC: 1,1,0,0,0,"+431234567",145']
    assert b.ask("AT+CPAS")[0] == ["+CPAS: 4"]
    assert b.ask("ATH")[1] == "OK"
    assert b.ask("ATA")[1] == "NO CARRIER"  # nothing to answer


def test_a_second_dial_during_a_call_is_refused():
    b = Bench("one-way-trx", "quectel")
    b.ask("AT+CMEE=1")
    b.ask("ATD1;")
    assert b.ask("ATD2;")[1] == "+CME ERROR: 3"
    assert b.ask("ATD2")[1] == "+CME ERROR: 4"  # data calls are not simulated


# ---------------------------------------------------------------- case 3: one-way TRX


@pytest.mark.parametrize("family", ["quectel", "simcom"])
def test_case3_only_calls_on_trx_69_1_are_one_way(family):
    b = Bench("one-way-trx", family)
    b.init()
    plan = {c.name: c for c in load_scenario("one-way-trx").cell_plan()}["MALL-69"]
    seen: dict[str, set[str]] = {}
    for _ in range(14):
        call = cqt_call(b, hold_s=10)
        assert call["connected"] and not call["dropped"]
        trx = plan.trx_for_channel(call["channel"])
        assert trx is not None, call["channel"]
        seen.setdefault(trx.trx_id, set()).add(call["verdict"])
    assert seen == {"TRX-69-0": {"normal"}, "TRX-69-1": {"one-way-ul"}}


def test_case3_blocking_one_trx_moves_every_call():
    b = Bench("one-way-trx", "telit")  # Telit prints no TCH: the verdict alone tells
    b.ask('AT+FASIMBLOCK="TRX-69-0",1')
    assert {cqt_call(b, hold_s=5)["verdict"] for _ in range(6)} == {"one-way-ul"}
    b.ask('AT+FASIMBLOCK="TRX-69-0",0')
    b.ask('AT+FASIMBLOCK="TRX-69-1",1')
    assert {cqt_call(b, hold_s=5)["verdict"] for _ in range(6)} == {"normal"}


# ---------------------------------------------------------------- case 4: SDCCH TRX


def test_case4_setups_fail_exactly_when_the_sdcch_lands_on_trx1():
    b = Bench("sdcch-trx", "quectel")
    failed_on, ok_on = [], []
    for _ in range(20):
        call = cqt_call(b, hold_s=3)
        sdcch_trx = call["call"].sdcch.trx.trx_id
        if call["connected"]:
            ok_on.append(sdcch_trx)
        else:
            failed_on.append(sdcch_trx)
            assert call["ceer"] == "+CEER: Immediate assignment reject"
            assert call["verdict"] == "no-audio"
    assert set(failed_on) == {"TRX-41-1"} and len(failed_on) >= 3
    assert set(ok_on) == {"TRX-41-0"} and len(ok_on) >= 3


# ---------------------------------------------------------------- cases 1 and 5: hung BCCH


def test_case1_full_bars_but_every_call_fails_on_the_hung_cell():
    b = Bench("bcch-hung", "simcom")
    b.init()
    b.wait(2)
    cell = serving(b.poll())
    bridge1 = b.engine.scenario.cell("BRIDGE-1")
    assert cell.ci == bridge1.ci and cell.rxlev_dbm > -70  # full bars
    for _ in range(4):
        call = cqt_call(b)
        assert not call["connected"]
        assert call["ceer"] == "+CEER: Random access failure"
        assert call["call"].t_end - call["call"].t_dial == pytest.approx(cm.RA_TIMEOUT_S)
    assert b.ask('AT+FASIMRING="123"')[1] == "+CME ERROR: 3"  # paging unanswered: "not reachable"


def test_case1_handover_in_still_works():
    b = Bench("bcch-hung", "quectel")
    scen = b.engine.scenario
    b2 = scen.cell("BRIDGE-2")  # start next to the healthy cell's antenna, in its main lobe
    b.engine.mover.move_to(*_point_from(b2.lat, b2.lon, 350, b2.azimuth_deg))
    b.wait(12)
    assert b.engine.snapshot().serving.spec.name == "BRIDGE-2"
    b.ask("ATD777;")
    b.wait(10)
    assert _clcc_state(b) == CALL_ACTIVE
    b.engine.mover.resume()  # back to the spot in BRIDGE-1's lobe, still in the call
    b.wait(10)
    line = serving(b.records('AT+QENG="servingcell"'))
    assert line.ci == scen.cell("BRIDGE-1").ci and line.channel is not None
    assert _clcc_state(b) == CALL_ACTIVE


def _point_from(lat: float, lon: float, dist_m: float, bearing_deg: float) -> tuple[float, float]:
    import math

    r = 6371008.8
    b = math.radians(bearing_deg)
    dlat = dist_m * math.cos(b) / r
    dlon = dist_m * math.sin(b) / (r * math.cos(math.radians(lat)))
    return lat + math.degrees(dlat), lon + math.degrees(dlon)


# ---------------------------------------------------------------- case 6: interference


def test_case6_good_level_bad_quality_and_drops_on_the_low_arfcns():
    b = Bench("low-arfcn-interference", "quectel")
    levels, quals, drops = [], [], 0
    for _ in range(6):
        assert b.ask("ATD0800123;")[1] == "OK"
        dropped = False
        for _ in range(45):
            urcs = b.wait(1.0)
            if "NO CARRIER" in urcs:
                dropped = True
                break
            cell = serving(b.records('AT+QENG="servingcell"'))
            if cell.channel is not None and cell.channel.channel_type == "TCH/F":
                levels.append(cell.rxlev_dbm)
                quals.append(cell.rxqual)
                assert cell.channel.tch_arfcn <= 15  # the village cells only have low ARFCNs
        if dropped:
            drops += 1
            assert _ceer(b) in ("+CEER: Radio link failure", "+CEER: Lower layer failure")
        else:
            b.ask("ATH")
        b.wait(3)
    assert min(levels) > -75 and statistics.mean(levels) > -65
    assert statistics.mean(quals) >= 5
    assert drops >= 3


# ---------------------------------------------------------------- the demo drive


def test_demo_drive_passes_the_reference_cells_with_reselections_and_handovers():
    b = Bench("demo-drive", "quectel")
    camped = []
    for _ in range(1300):
        b.clock.advance(1.0)
        snap = b.engine.snapshot()
        if snap.serving is not None and (not camped or camped[-1] != snap.serving.spec.name):
            camped.append(snap.serving.spec.name)
    for name in ("HOSP-2", "RIVER-41", "BRIDGE-1", "STATION-69", "VILL-1"):
        assert name in camped, camped
    # a call along the route hands over at least once
    b2 = Bench("demo-drive", "quectel")
    b2.clock.advance(40)
    b2.ask("ATD1;")
    handovers, cell = 0, None
    for _ in range(150):
        b2.clock.advance(1.0)
        b2.handset.tick()
        call = b2.engine.call
        if call.ended:
            b2.ask("ATD1;")
            cell = None
        elif call.channel is not None and call.channel.channel_type == "TCH/F":
            if cell is not None and call.channel.cell_index != cell:
                handovers += 1
            cell = call.channel.cell_index
    assert handovers >= 1


def test_simcom_network_release_prints_clcc_6_and_no_carrier():
    b = Bench("sdcch-trx", "simcom")
    b.init()
    for _ in range(10):  # until one setup lands on the faulty SDCCH
        b.ask("ATD0800123;")
        urcs = b.wait(10)
        if "NO CARRIER" in urcs:
            break
        b.ask("ATH")
        b.wait(2)
    assert urcs[-2:] == ['+CLCC: 1,0,6,0,0,"0800123",129,""', "NO CARRIER"]
    assert not any(u.startswith("VOICE CALL:") for u in urcs)  # it never connected


def test_creg_2_reports_each_cell_change_along_the_drive():
    from fieldapp.model import Registration

    b = Bench("demo-drive", "telit")
    b.ask("AT+CREG=2")
    urcs = b.wait(600, step=1.0)
    creg = [u for u in urcs if u.startswith("+CREG:")]
    assert len(creg) >= 3
    regs = [r for u in creg for r in b.records_of(u) if isinstance(r, Registration)]
    assert all(r.stat == 1 and r.lac and r.ci for r in regs)
    cis = {c.ci for c in b.engine.scenario.cells}
    assert {r.ci for r in regs} <= cis and len({r.ci for r in regs}) >= 3
