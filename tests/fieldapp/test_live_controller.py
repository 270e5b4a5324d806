"""fieldapp.live without Qt: the controller's records and status reach a plain sink."""

from __future__ import annotations

import threading

import pytest

from fieldapp.live import Controller, LinkStatus
from fieldapp.model import Sample
from fieldapp.positioning import parse_gpsd_address
from tests.drivers.test_handset_source import quectel_table
from tests.support.table_modem import TableModem


@pytest.mark.parametrize("text, expected", [
    ("localhost:2947", ("localhost", 2947)),
    ("10.0.0.2:3000", ("10.0.0.2", 3000)),
    ("gps.local", ("gps.local", 2947)),
    (":2948", ("localhost", 2948)),
])
def test_gpsd_address_forms(text, expected):
    assert parse_gpsd_address(text) == expected


@pytest.mark.parametrize("text", ["localhost:gps", "host:0", "host:70000"])
def test_bad_gpsd_address_says_why(text):
    with pytest.raises(ValueError, match="gpsd address"):
        parse_gpsd_address(text)


def test_controller_delivers_status_and_samples_to_a_plain_sink(tmp_path):
    got, seen = [], threading.Event()

    def sink(record):
        got.append(record)
        if sum(isinstance(r, Sample) for r in got) >= 3:
            seen.set()

    controller = Controller(sink, tmp_path / "ws.db")
    with TableModem(quectel_table()) as modem:
        controller.connect({"port": modem.port, "rate_s": 0.2})
        assert seen.wait(15)
        controller.start_recording(None)
        assert controller.wait_idle()
        assert controller.status().recording and controller.status().session_id is not None
        controller.shutdown()
    states = [r.state for r in got if isinstance(r, LinkStatus)]
    assert states[0] == "connecting" and "connected" in states and states[-1] == "disconnected"
    assert not [r for r in got if isinstance(r, LinkStatus)][-1].recording
