"""A plain 27.007 handset on LTE/UMTS (no engineering mode): its level in its own terms.

27.007 has had +CESQ (RSRP/RSRQ, RSCP/Ec/No, RXLEV/BER) and +CEREG since Rel-8/10. A handset that
answers them is read as what it is: on LTE the level is RSRP from +CESQ (not the +CSQ RSSI), the
location is the EPS registration's TAC/ECI when +CREG has none, and +COPS gives the operator.

Replies: +CEREG/+CREG rows are ModemManager's test-modem-helpers.c rows (as in test_parse_3gpp);
"+CESQ: 99,99,255,255,20,40" is the LTE-only layout of 27.007 §8.69 (constructed: GSM and UMTS
fields unknown); "+COPS: 0,2,\"310260\",7" is the Sierra MC7455 read (pastebin Yt2cQGVT, in
test_parse_3gpp); "+CSQ: 18,99" a +CSQ with BER unknown, as LTE modules print it.
"""

from __future__ import annotations

import time

import pytest

from drivers.families.threegpp import GENERIC, parse_cereg, parse_cesq, parse_cops, parse_creg, parse_csq
from drivers.handset import HandsetSource
from drivers.sample_builder import build_sample
from fieldapp.model import LTE, Sample, Signal
from fieldapp.tech_terms import headline
from tests.support.peer import AtPeer

CSQ = "+CSQ: 18,99"
CESQ_LTE = "+CESQ: 99,99,255,255,20,40"  # RSRQ -10 dB, RSRP -101 dBm
CEREG = "+CEREG: 2,1, 1F00, 79D903 ,7"  # ModemManager: registered, TAC 0x1F00, ECI 0x79D903, E-UTRAN
CREG_SEARCHING = "+CREG: 2,2"  # an LTE data module's CS domain: not registered, searching
COPS = '+COPS: 0,2,"310260",7'


def cycle(*lines: str) -> Sample:
    parsers = {"+CSQ:": parse_csq, "+CESQ:": parse_cesq, "+CEREG:": parse_cereg, "+CREG:": parse_creg,
               "+COPS:": parse_cops}
    records = [r for line in lines for prefix, parse in parsers.items() if line.startswith(prefix)
               for r in parse(line)]
    sample = build_sample(1_700_000_000.0, records)
    assert sample is not None
    return sample


def test_the_level_of_an_lte_handset_is_rsrp_from_cesq_not_the_csq_rssi():
    s = cycle(CSQ, CESQ_LTE, CREG_SEARCHING, CEREG, COPS)
    assert s.tech == LTE
    assert (s.signal.rssi_dbm, s.signal.rssi_raw) == (-77.0, 18)  # +CSQ kept beside +CESQ
    assert (s.signal.rsrp_dbm, s.signal.rsrq_db) == (-101.0, -10.0)
    assert (s.rxlev_dbm, s.level_source) == (-101.0, "+CESQ")
    assert headline(s).startswith("RSRP (+CESQ) -101.0 dBm  RSRQ -10.0 dB")


def test_the_registered_eps_domain_gives_the_location_and_cops_the_operator():
    s = cycle(CSQ, CESQ_LTE, CREG_SEARCHING, CEREG, COPS)
    r = s.registration
    assert (r.domain, r.stat, r.lac, r.ci, r.tech) == ("eps", 1, 0x1F00, 0x79D903, LTE)
    assert (r.mcc, r.mnc) == (310, 260)


def test_a_registered_cs_domain_still_comes_first_on_a_tie():
    creg = "+CREG: 2,1,\"1234\",\"001122BB\""  # ModemManager CREG read (GSM-era, no AcT)
    s = cycle(CSQ, creg, CEREG)
    assert s.registration.domain == "cs"


@pytest.mark.parametrize("lines,level,source,name", [
    ((CSQ, "+CREG: 2,1,\"1234\",\"001122BB\""), -77.0, "+CSQ", "RSSI (+CSQ)"),  # no +CESQ: an RSSI
    ((CSQ, "+CESQ: 99,99,40,30,255,255", "+CREG: 2,1,\"1234\",\"001122BB\",2"), -81.0, "+CESQ", "RSCP (+CESQ)"),
    ((CSQ, CESQ_LTE), -77.0, "+CSQ", "RSSI (+CSQ)"),  # no registration: technology unknown, RSSI
    ((CSQ, CEREG), None, None, "RSRP"),  # LTE with +CSQ only: the band's RSSI is no RSRP
])
def test_which_level_a_plain_handset_plots(lines, level, source, name):
    s = cycle(*lines)
    assert (s.rxlev_dbm, s.level_source) == (level, source)
    if level is None:
        assert headline(s).startswith("RSRP –  (RSSI (+CSQ) -77 dBm, not an RSRP)  RSRQ –")
    else:
        assert headline(s).startswith(f"{name} {level:.1f} dBm" if source == "+CESQ" else f"{name} {level:.0f} dBm")


def test_signals_merge_field_by_field():
    s = cycle("+CESQ: 10,6,255,255,255,255", CSQ)  # ModemManager's GSM +CESQ, then +CSQ
    # +CESQ's own values first; what it did not give (the raw +CSQ number), +CSQ filled
    assert s.signal == Signal(rssi_dbm=-100.0, rxqual=6, rssi_raw=18, rxlev=10)


def test_the_generic_family_asks_the_plain_lte_commands():
    for cmd in ("AT+CSQ", "AT+CESQ", "AT+CREG?", "AT+CEREG?", "AT+COPS?"):
        assert cmd in GENERIC.poll_commands
    assert "AT+CEREG=2" in GENERIC.init_commands and "AT+COPS=3,2" in GENERIC.init_commands


def plain_lte_table() -> dict:
    # A plain LTE module (no echo after ATE0, no engineering mode): identity, then the replies above.
    return {"AT": "OK", "ATE0": "OK", "ATI": "Acme\r\nX1-LTE\r\n\r\nOK", "AT+CGMI": "Acme\r\n\r\nOK",
            "AT+CGMM": "X1-LTE\r\n\r\nOK", "AT+CGMR": "1.0.7\r\n\r\nOK", "AT+CGSN": "356938035643809\r\n\r\nOK",
            "AT+CMEE=1": "OK", "AT+CREG=2": "OK", "AT+CEREG=2": "OK", "AT+COPS=3,2": "OK",
            "AT+CSQ": f"{CSQ}\r\n\r\nOK", "AT+CESQ": f"{CESQ_LTE}\r\n\r\nOK",
            "AT+CREG?": f"{CREG_SEARCHING}\r\n\r\nOK", "AT+CEREG?": f"{CEREG}\r\n\r\nOK",
            "AT+COPS?": f"{COPS}\r\n\r\nOK", "AT+CLCC": "OK"}


def test_a_plain_lte_handset_on_the_serial_path():
    with AtPeer(plain_lte_table(), echo=False) as modem:
        source = HandsetSource(modem.port, rate_s=0.1)
        caps0 = source.open()
        assert source.family.name == "generic", caps0
        got: list = []
        source.start(got.append)
        try:
            deadline = time.monotonic() + 10
            while not source.capabilities_learnt and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            source.stop()
    samples = [r for r in got if isinstance(r, Sample)]
    assert samples and all(s.tech == LTE for s in samples)
    assert samples[-1].rxlev_dbm == -101.0 and samples[-1].level_source == "+CESQ"
    caps = source.capabilities
    assert caps.fields["rsrp"] is True and caps.fields["rsrq"] is True and caps.fields["level"] is True
    assert caps.fields["rxqual"] is False  # GSM's quality: an LTE-only handset has none
    assert any("RSRP from +CESQ" in n for n in caps.notes)
    learnt = [r.text for r in got if getattr(r, "text", "").startswith("capabilities from the first polls")]
    assert learnt and "level is RSRP from +CESQ" in learnt[0]


def test_a_handset_without_cesq_drops_it_and_keeps_the_rssi():
    table = plain_lte_table()
    del table["AT+CESQ"], table["AT+CEREG?"], table["AT+COPS?"]  # an older 27.007 handset: ERROR
    table["AT+CREG?"] = "+CREG: 2,1,\"1234\",\"001122BB\"\r\n\r\nOK"
    with AtPeer(table, echo=False) as modem:
        source = HandsetSource(modem.port, rate_s=0.05)
        source.open()
        got: list = []
        source.start(got.append)
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not any(
                    "AT+COPS? dropped from polling" in getattr(r, "text", "") for r in got):
                time.sleep(0.05)
        finally:
            source.stop()
    texts = [getattr(r, "text", "") for r in got]
    assert any("AT+CESQ dropped from polling" in t for t in texts)
    samples = [r for r in got if isinstance(r, Sample)]
    assert samples[-1].level_source == "+CSQ" and samples[-1].rxlev_dbm == -77.0


def test_capabilities_of_an_lte_handset_with_csq_only_say_there_is_no_level():
    from drivers.capabilities_seen import level_summary, refine
    from fieldapp.model import Capabilities

    caps = refine(Capabilities("generic", fields=dict.fromkeys(GENERIC.fields, True)), [cycle(CSQ, CEREG)] * 3)
    assert caps.fields["rssi"] is True and caps.fields["level"] is False
    assert any("level: none on LTE" in n for n in caps.notes)
    assert level_summary(caps) == "no level (+CSQ RSSI only on UMTS/LTE)"
