"""The simulated handset's AT interpreter: framing, errors, each family's replies read by the
real family parsers, the simulator-only commands and the Telit BCCH lock."""

from __future__ import annotations

import copy
import json
import random

import pytest

from drivers.sim.scenario import load_scenario, parse_scenario
from fieldapp.model import NEIGHBOUR, Cell, Info, Registration, Signal
from tests.drivers.sim_support import Bench, serving

FAMILIES = ["quectel", "simcom", "telit"]


# ---------------------------------------------------------------- framing


@pytest.mark.parametrize("family", FAMILIES)
def test_echo_then_cr_cr_lf_and_v1_framing(family):
    b = Bench("one-way-trx", family)
    assert b.raw("AT") == b"AT\r\r\nOK\r\n"
    out = b.raw("AT+CSQ")
    assert out.startswith(b"AT+CSQ\r\r\n+CSQ: ")
    assert out.endswith(b"\r\n\r\nOK\r\n")


def test_ate0_stops_the_echo_and_ate1_brings_it_back():
    b = Bench()
    assert b.raw("ATE0") == b"ATE0\r\r\nOK\r\n"  # the command itself is still echoed
    assert b.raw("AT") == b"\r\nOK\r\n"
    assert b.raw("ATE1") == b"\r\nOK\r\n"
    assert b.raw("AT") == b"AT\r\r\nOK\r\n"


def test_bytes_split_anywhere_give_the_same_reply():
    whole, split = Bench(), Bench()
    expected = whole.raw('AT+QENG="servingcell"')
    got = b""
    for byte in b'AT+QENG="servingcell"\r':
        split.handset.feed(bytes([byte]))
        got += split.handset.take_output()
    assert got == expected


def test_crlf_from_the_host_and_blank_lines_are_harmless():
    b = Bench()
    b.handset.feed(b"AT\r\n\r\nAT+CPAS\r\n")
    assert b.handset.take_output() == b"AT\r\r\nOK\r\n\rAT+CPAS\r\r\n+CPAS: 0\r\n\r\nOK\r\n"


@pytest.mark.parametrize("family", FAMILIES)
def test_commands_the_family_does_not_know_answer_error(family):
    b = Bench("one-way-trx", family)
    foreign = {"quectel": ["AT+CENG?", "AT#MONI", "AT#BCCHLOCK=3"],
               "simcom": ['AT+QENG="servingcell"', "AT#SERVINFO", "AT#BCCHLOCK=3", "AT+CESQ"],
               "telit": ['AT+QENG="servingcell"', "AT+CENG=1,1", "AT+CESQ"]}[family]
    for cmd in foreign + ["AT+BOGUS", "AT^SMONI", "ATY", "AT+CSQ=5", "AT%$"]:
        assert b.ask(cmd) == ([], "ERROR"), cmd
    assert b.ask("AT")[1] == "OK"  # still alive


def test_cmee_turns_parameter_errors_into_cme_numbers_and_text():
    b = Bench()
    assert b.ask("AT+CREG=7")[1] == "ERROR"
    b.ask("AT+CMEE=1")
    assert b.ask("AT+CREG=7")[1] == "+CME ERROR: 50"
    assert b.ask("AT+NOPE")[1] == "ERROR"  # unknown commands stay plain ERROR
    b.ask("AT+CMEE=2")
    assert b.ask("AT+CREG=x")[1] == "+CME ERROR: Incorrect parameters"


def test_chained_commands_answer_in_order_with_one_ok():
    b = Bench()
    lines, final = b.ask("AT+CSQ;+CREG?;+CPAS")
    assert [line.split(":")[0] for line in lines] == ["+CSQ", "+CREG", "+CPAS"] and final == "OK"
    assert b.ask("ATE1V1Q0")[1] == "OK"


def test_garbage_never_crashes_the_handset():
    rng = random.Random(4)
    b = Bench("demo-drive", "simcom")
    for _ in range(300):
        noise = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
        b.handset.feed(b"AT" + noise + b"\r")
        b.handset.feed(noise)
        b.handset.tick()
        b.handset.take_output()
    b.handset.feed(b"\r")
    b.handset.take_output()
    assert b.ask("AT")[1] == "OK"
    assert b.handset.internal_errors == []


def test_an_overlong_line_is_refused():
    b = Bench()
    b.handset.feed(b"AT+" + b"X" * 2000 + b"\r")
    assert b.handset.take_output().endswith(b"\r\nERROR\r\n")
    assert b.ask("AT")[1] == "OK"


# ---------------------------------------------------------------- identity and 27.007


@pytest.mark.parametrize(("family", "model"), [("quectel", "EC21"), ("simcom", "SIMCOM_SIM800L"),
                                               ("telit", "GL865-QUAD V3")])
def test_identity_picks_the_family(family, model):
    from drivers.families import identify_family

    b = Bench("one-way-trx", family)
    text = " ".join(" ".join(b.ask(c)[0]) for c in ("ATI", "AT+CGMI", "AT+CGMM", "AT+CGMR"))
    assert identify_family(text).name == family
    assert b.ask("AT+CGMM")[0] == [model]
    imei = b.ask("AT+CGSN")[0][0]
    digits = [int(c) for c in imei]
    assert len(imei) == 15 and sum(d if i % 2 == 0 else (2 * d - 9 if d > 4 else 2 * d)
                                   for i, d in enumerate(digits)) % 10 == 0  # Luhn


@pytest.mark.parametrize("family", FAMILIES)
def test_creg_cops_csq_read_by_the_3gpp_parsers(family):
    b = Bench("one-way-trx", family)
    b.ask("AT+CREG=2")
    reg = [r for r in b.records("AT+CREG?") if isinstance(r, Registration)][0]
    mall = b.engine.scenario.cell("MALL-69")
    assert (reg.stat, reg.lac, reg.ci) == (1, mall.lac, mall.ci)
    sig = [r for r in b.records("AT+CSQ") if isinstance(r, Signal)][0]
    assert sig.rssi_dbm is not None and sig.rxqual is None
    cops = [r for r in b.records("AT+COPS?") if isinstance(r, Info)]
    assert cops and cops[0].value["name"] == "FieldNet"
    b.ask("AT+COPS=3,2")
    assert b.ask("AT+COPS?")[0][0].startswith('+COPS: 0,2,"00101"')


# ---------------------------------------------------------------- engineering mode


@pytest.mark.parametrize("family", FAMILIES)
def test_idle_engineering_mode_matches_the_world(family):
    b = Bench("one-way-trx", family)
    b.init()
    b.wait(1)
    recs = b.poll()
    cell = serving(recs)
    mall = b.engine.scenario.cell("MALL-69")
    snap = b.engine.snapshot()
    assert (cell.arfcn, cell.bsic, cell.lac) == (mall.bcch_arfcn, mall.bsic, mall.lac)
    assert abs(cell.rxlev_dbm - snap.serving.level_dbm) <= 1.0
    assert cell.channel is None and cell.rxqual is None
    neighbours = [r for r in recs if isinstance(r, Cell) and r.role == NEIGHBOUR]
    assert {n.arfcn for n in neighbours} == {n.spec.bcch_arfcn for n in snap.neighbours}


def _hopping_scenario():
    with open(load_scenario("one-way-trx").path, encoding="utf-8") as f:
        data = json.load(f)
    data = copy.deepcopy(data)
    data["cells"][0]["trxs"][1].update(arfcns=[7, 9, 11], hopping=True, maio=2, hsn=5)
    return parse_scenario(data, "hopping.json")


def test_a_hopping_call_shows_h_maio_and_hsn_on_quectel():
    b = Bench(_hopping_scenario(), "quectel")
    b.ask('AT+FASIMBLOCK="TRX-69-0",1')  # every TCH on the hopping TRX
    b.ask("ATD555;")
    b.wait(10)
    line = b.ask('AT+QENG="servingcell"')[0][0]
    assert ',"CONNECT","GSM",' in line and ",h," in line
    cell = serving(b.records('AT+QENG="servingcell"'))
    ch = cell.channel
    assert ch.hopping is True and ch.tch_arfcn is None and (ch.maio, ch.hsn) == (2, 5)


def test_quectel_lists_neighbours_only_in_idle():
    b = Bench("one-way-trx", "quectel")
    assert b.ask('AT+QENG="neighbourcell"')[0]
    b.ask("ATD555;")
    b.wait(10)
    assert b.ask('AT+QENG="neighbourcell"') == ([], "OK")


# ---------------------------------------------------------------- locks


def test_telit_bcchlock_moves_the_handset_and_unlocks():
    b = Bench("one-way-trx", "telit")
    city = b.engine.scenario.cell("CITY-1")
    assert b.ask(f"AT#BCCHLOCK={city.bcch_arfcn},0,65535,0,0")[1] == "OK"
    lock = [r for r in b.records("AT#BCCHLOCK?") if isinstance(r, Info)][0]
    assert lock.value["bcch_arfcn"] == city.bcch_arfcn and lock.value["locked"]
    b.wait(1)
    b.ask("AT#MONI=7")
    assert serving(b.records("AT#MONI")).arfcn == city.bcch_arfcn
    b.ask("AT#BCCHLOCK=1024,0,65535,0,0")
    assert not [r for r in b.records("AT#BCCHLOCK?") if isinstance(r, Info)][0].value["locked"]
    b.wait(8)  # idle reselection back to the stronger cell takes ~5 s
    assert serving(b.records("AT#MONI")).arfcn == b.engine.scenario.cell("MALL-69").bcch_arfcn


def test_telit_lock_to_an_arfcn_nobody_transmits_means_no_service():
    b = Bench("one-way-trx", "telit")
    b.ask("AT+CREG=2")
    assert b.ask("AT#BCCHLOCK=50")[1] == "OK"
    b.wait(1)
    assert b.ask("AT+CREG?")[0] == ["+CREG: 2,2"]
    assert b.ask("AT+CSQ")[0] == ["+CSQ: 99,99"]
    assert b.ask("ATD123;")[1] == "NO CARRIER"
    assert b.ask("AT#BCCHLOCK=2000")[1] == "ERROR"


# ---------------------------------------------------------------- simulator-only commands


def test_fasim_commands():
    b = Bench("one-way-trx", "simcom")
    assert b.ask("AT+FASIM?") == (['+FASIM: 1,"one-way-trx","simcom"'], "OK")
    assert b.ask("AT+FASIMAUDIO?")[1] == "ERROR"  # no call yet
    assert b.ask("AT+FASIMPLAN?")[0][0].endswith('one-way-trx.json"')
    assert b.ask('AT+FASIMBLOCK="TRX-69-9",1')[1] == "ERROR"
    assert b.ask('AT+FASIMBLOCK="TRX-69-0",1')[1] == "OK"
    assert b.ask("AT+FASIMBLOCK?")[0] == ['+FASIMBLOCK: "TRX-69-0"']
    city = b.engine.scenario.cell("CITY-2")
    assert b.ask(f"AT+FASIMMOVE={city.lat},{city.lon}")[1] == "OK"
    assert b.ask("AT+FASIMMOVE?")[0] == [f"+FASIMMOVE: {city.lat:.6f},{city.lon:.6f}"]
    assert b.ask("AT+FASIMMOVE=95,0")[1] == "ERROR"
    assert b.ask("AT+FASIMMOVE")[1] == "OK"


def test_a_hopping_call_on_simcom_gives_no_wrong_tch_arfcn():
    b = Bench(_hopping_scenario(), "simcom")
    b.ask('AT+FASIMBLOCK="TRX-69-0",1')
    b.ask("AT+CENG=1,1")
    b.ask("ATD555;")
    b.wait(10)
    ch = serving(b.records("AT+CENG?")).channel
    assert ch.tch_arfcn is None and ch.timeslot is not None and (ch.maio, ch.hsn) == (2, 5)


@pytest.mark.parametrize(("family", "command"), [("quectel", 'AT+QENG="servingcell"'), ("simcom", "AT+CENG?")])
def test_during_the_sdcch_phase_no_traffic_channel_is_shown(family, command):
    b = Bench("one-way-trx", family)
    b.ask("AT+CENG=1,1")
    b.ask("ATD555;")
    for _ in range(40):
        b.wait(0.1, step=0.1)
        ch = b.engine.call.channel
        if ch is not None and ch.channel_type == "SDCCH/8":
            break
    else:
        pytest.fail("never saw the SDCCH phase")
    cell = serving(b.records(command))
    # reported like idle until the TCH is assigned: nothing to attribute to a TRX yet
    assert cell.channel is None and cell.rxqual is None and cell.state in ("NOCONN", "idle")


@pytest.mark.parametrize("family", FAMILIES)
def test_every_command_with_odd_arguments_answers_without_an_internal_error(family):
    from drivers.sim.commands import EXTENDED
    from drivers.sim.dialects import get_dialect

    b = Bench("one-way-trx", family)
    names = sorted(set(EXTENDED) | set(get_dialect(family).commands))
    odd = ["", "?", "=?", "=", "=0", "=1", "=99", "=-1", "=a,b", '="x"', '="', "=1,2,3,4,5,6", "=,", "= 1"]
    for name in names:
        for tail in odd:
            _lines, final = b.ask(f"AT{name}{tail}")
            assert final in ("OK", "ERROR", "NO CARRIER") or final.startswith("+CME ERROR:"), (name, tail, final)
        b.ask("ATH")
    assert b.handset.internal_errors == []


def test_simcom_without_ceng_tail_shows_the_channel_in_cschn_and_csrp():
    """A SIM800 firmware as captured (no CENG dedicated tail): AT+CSCHN names the TCH."""
    b = Bench("one-way-trx", "simcom")
    b.handset.settings["ceng_tail"] = False
    assert b.ask("AT+CSCHN") == ([], "OK") and b.ask("AT+CSRP") == ([], "OK")  # idle: no channel
    b.ask("AT+CENG=1,1")
    b.ask("ATD555;")
    b.wait(10)
    assert serving(b.records("AT+CENG?")).channel is None
    (cell,) = b.records("AT+CSCHN")
    ch = cell.channel
    assert ch.tch_arfcn in (3, 7) and ch.timeslot is not None and ch.hopping is False  # TRX-69-0/1
    assert ch.channel_type == "TCH/F" and cell.bsic is not None
    (levels,) = b.records("AT+CSRP")
    assert levels.rxlev_full is not None and levels.rxqual is not None


def test_simcom_cschn_on_a_hopping_trx_gives_maio_hsn_and_no_arfcn():
    b = Bench(_hopping_scenario(), "simcom")
    b.handset.settings["ceng_tail"] = False
    b.ask('AT+FASIMBLOCK="TRX-69-0",1')
    b.ask("ATD555;")
    b.wait(10)
    (cell,) = b.records("AT+CSCHN")
    assert cell.channel.hopping is True and cell.channel.tch_arfcn is None
    assert (cell.channel.maio, cell.channel.hsn) == (2, 5)


# ---------------------------------------------------------------- GPRS attach / PDP (case 7)


def test_gprs_attach_and_pdp_fail_under_the_faulty_bsc_and_work_elsewhere():
    b = Bench("gprs-packet-fault", "quectel")
    b.ask("AT+CMEE=1")
    assert b.ask('AT+CGDCONT=1,"IP","internet"')[1] == "OK"
    assert b.ask("AT+CGATT=1")[1] == "+CME ERROR: 148"  # STATION-1 hangs off BSC_EAST
    assert b.ask("AT+CGATT?")[0] == ["+CGATT: 0"]
    assert b.ask("AT+CGACT=1,1")[1] == "+CME ERROR: 148"
    market = load_scenario("gprs-packet-fault").cell("MARKET-1")
    assert b.ask(f"AT+FASIMMOVE={market.lat + 0.004},{market.lon + 0.002}")[1] == "OK"
    b.wait(20)  # reselection onto BSC_WEST's cell
    assert b.ask("AT+CGATT=1")[1] == "OK"
    assert b.ask("AT+CGACT=1,1")[1] == "OK" and b.ask("AT+CGACT?")[0] == ["+CGACT: 1,1"]
    assert b.ask("AT+CGATT=0")[1] == "OK" and b.ask("AT+CGACT?")[0] == ["+CGACT: 1,0"]


def test_gprs_attach_works_on_a_healthy_network():
    b = Bench("one-way-trx", "simcom")
    assert b.ask("AT+CGATT=1")[1] == "OK" and b.ask("AT+CGATT?")[0] == ["+CGATT: 1"]
