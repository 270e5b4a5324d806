"""The handset source when parsing is slow (issue 16): stopping never waits on a parser.

A real pseudo-terminal and a table-driven device; the family under test is registered for the
test only, with a block parser that spins in Python until the test lets it go (what a slow
parse looks like to the rest of the program)."""

from __future__ import annotations

import threading
import time

import pytest

from drivers.families import FAMILIES, Family, register
from drivers.families import base as families_base
from drivers.handset import HandsetSource
from tests.support.peer import AtPeer


@pytest.fixture
def slow_family():
    entered, release = threading.Event(), threading.Event()

    def spinning_block(lines):
        entered.set()
        while not release.is_set():  # pure-Python work: the GIL is passed around as usual
            sum(range(1000))
        return []

    register(Family(name="slowtest", match=("slowmodem",), init_commands=(),
                    poll_commands=("AT+SLOW",), block_parsers={"AT+SLOW": spinning_block}))
    try:
        yield entered, release
    finally:
        release.set()
        del FAMILIES["slowtest"]
        families_base._CACHE.clear()


def test_stop_returns_while_a_parse_is_still_running(slow_family):
    entered, release = slow_family
    # A made-up module for the made-up "slowtest" family: only the V.250 framing is real.
    table = {"AT": "OK", "ATE1": "OK", "AT+CMEE=1": "OK", "ATI": "SlowModem 1\r\n\r\nOK",
             "AT+CGMI": "SlowModem\r\n\r\nOK", "AT+CGMM": "1\r\n\r\nOK", "AT+CGMR": "1\r\n\r\nOK",
             "AT+CGSN": "1\r\n\r\nOK", "AT+SLOW": "12 34\r\n\r\nOK"}
    records = []
    with AtPeer(table) as modem:
        source = HandsetSource(modem.port, family="slowtest", rate_s=0.2)
        source.open()
        source.start(records.append)
        assert entered.wait(10), "the poll never reached the parser"
        t0 = time.monotonic()
        source.stop()
        took = time.monotonic() - t0
        release.set()
    assert took < 5, f"stop() waited {took:.1f} s on a parse"
    assert source.finished.is_set()
