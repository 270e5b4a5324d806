"""Poll-cycle records → Sample."""

from __future__ import annotations

from drivers.sample_builder import build_sample, radio_mode
from fieldapp.model import Cell, Channel, Registration, Signal


def test_merges_serving_fills_lac_ci_from_registration_and_dedupes_neighbours():
    recs = [
        Signal(rssi_dbm=-83.0, rxqual=None),
        Registration(domain="cs", stat=1, lac=0x587, ci=0xFCB),
        Cell(role="serving", arfcn=94, rxlev=40, rxlev_dbm=-70.0),
        Cell(role="serving", arfcn=94, bsic=23, c1=30),
        Cell(role="neighbour", arfcn=80, bsic=12, rxlev_dbm=-80.0),
        Cell(role="neighbour", arfcn=80, bsic=12, rxlev_dbm=-81.0),
    ]
    s = build_sample(10.0, recs)
    assert s.serving.lac == 0x587 and s.serving.ci == 0xFCB and s.serving.bsic == 23 and s.serving.c1 == 30
    assert s.serving.rxlev_dbm == -70.0
    assert len(s.neighbours) == 1
    assert s.mode == "idle" and s.rxlev_dbm == -70.0


def test_nothing_useful_gives_no_sample():
    assert build_sample(1.0, []) is None


def test_mode_from_channel_or_state():
    assert radio_mode(Cell(channel=Channel(tch_arfcn=7, timeslot=3))) == "dedicated"
    assert radio_mode(Cell(channel=Channel(hopping=True))) == "dedicated"
    assert radio_mode(Cell(state="CONNECT")) == "dedicated"
    assert radio_mode(Cell(state="NOCONN")) == "idle"
    assert radio_mode(None) is None


def test_signal_only_sample_uses_csq_level():
    s = build_sample(1.0, [Signal(rssi_dbm=-91.0, rxqual=3)])
    assert s.serving is None and s.rxlev_dbm == -91.0 and s.rxqual == 3
