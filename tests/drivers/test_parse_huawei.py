"""Huawei parsers: ^ORIG/^CONF/^CONN/^CEND call progress, ^SYSINFO, ^SMONC (docs/at-commands.md §1.2, §3.7)."""

from __future__ import annotations

import pytest

from drivers.families import get_family, parse_lines
from drivers.families.fields import Garbled
from drivers.families.huawei import parse_cend, parse_conf, parse_conn, parse_orig, parse_sysinfo
from fieldapp.model import CallState, Cell
from tests.drivers.parser_support import check, fixture_lines

HUAWEI = get_family("huawei")




CALL_ROWS = [
    pytest.param(parse_orig, "^ORIG:1,0",
                 [{"index": 1, "direction": "mo", "state": "dialing", "mode": "voice"}],
                 id="K3715 ^ORIG (python-gsmmodem)"),
    pytest.param(parse_conf, "^CONF:1", [{"index": 1, "state": "alerting"}],
                 id="K3715 ^CONF (python-gsmmodem)"),
    pytest.param(parse_conn, "^CONN:1,0", [{"index": 1, "state": "active", "mode": "voice"}],
                 id="K3715 ^CONN (python-gsmmodem)"),
    pytest.param(parse_cend, "^CEND:1,5,29,16",
                 [{"index": 1, "state": "released", "duration_s": 5, "cause": 16,
                   "cause_text": "normal call clearing"}],
                 id="K3715 ^CEND normal clearing (python-gsmmodem)"),
    pytest.param(parse_cend, "^CEND:1,0,104", [{"index": 1, "duration_s": 0, "cause": None}],
                 id="edge: ^CEND without cc_cause (setup never reached the network)"),
    pytest.param(parse_cend, "^CEND: 2,31,29,17", [{"index": 2, "cause": 17, "cause_text": "user busy"}],
                 id="edge: ^CEND with a space, user busy"),
    pytest.param(parse_cend, "^CEND:1,12,29,255", [{"cause": None, "cause_text": None}],
                 id="edge: ^CEND cause out of the 24.008 range"),
]


@pytest.mark.parametrize(("fn", "line", "expected"), CALL_ROWS)
def test_call_urcs(fn, line, expected):
    check(fn(line), expected)


@pytest.mark.parametrize(("fn", "line"), [(parse_orig, "^ORIG:"), (parse_cend, "^CEND:1,5"),
                                          (parse_conn, "^CONN:x1,0"), (parse_conf, "^CONF:")])
def test_call_urcs_garbled(fn, line):
    with pytest.raises(Garbled):
        fn(line)


def test_call_sequence_fixture():
    result = parse_lines(fixture_lines("huawei-k3715-call.txt"), HUAWEI)
    states = [(r.index, r.state) for r in result.records if isinstance(r, CallState)]
    assert states == [(1, "dialing"), (1, "alerting"), (1, "active"), (1, "released")]


def test_sysinfo_real_reply():
    # Public AT log of a Huawei modem (Ukrtelecom, WCDMA): "^SYSINFO:2,1,0,5,1,,4"
    (info,) = parse_sysinfo("^SYSINFO:2,1,0,5,1,,4")
    assert info.key == "sysinfo"
    assert info.value["srv_status"] == 2 and info.value["sys_mode_text"] == "WCDMA"
    assert info.value["sys_submode"] == 4


def test_mg323_smonc_uses_the_siemens_layout():
    line = "^SMONC: 232,03,3010,4EAF,32,82,38,30,30,000,000,0000,0000,00,0,0,-,-"
    (cell,) = [r for r in parse_lines([line], HUAWEI).records if isinstance(r, Cell)]
    assert (cell.arfcn, cell.rxlev, cell.bsic) == (82, 38, 0o32)


def test_family_table():
    assert HUAWEI.call_state_by == "urc"
    assert HUAWEI.lock_command is None and any("FREQLOCK" in n for n in HUAWEI.notes)
    assert "AT^CVOICE=0" in HUAWEI.init_commands and "AT+CMEE=1" in HUAWEI.init_commands
    assert set(HUAWEI.urc_prefixes) == {"^ORIG:", "^CONF:", "^CONN:", "^CEND:"}
