"""The real driver against the simulated handset, over a real pseudo-terminal, for every
family the simulator speaks: the same path as a USB handset (pyserial, termios, the AT
channel's reader thread), with the dialect's echo, unknown markers and call-state style."""

from __future__ import annotations

import statistics

import pytest

from drivers.handset import HandsetSource, Unsupported
from drivers.sim import start_simulator
from fieldapp.model import Sample
from tests.drivers.test_handset_source import Collector

FAMILIES = ("quectel", "simcom", "telit")


@pytest.mark.parametrize("family", FAMILIES)
def test_driver_records_the_bus_stop_from_the_simulator(family):
    sink = Collector()
    with start_simulator("bus-stop-tilt13", family=family, speed=10.0, seed=3, gps=False) as sim:
        src = HandsetSource(sim.port, rate_s=0.2)
        caps = src.open()
        try:
            src.start(sink)
            assert sink.wait_for(lambda r: sum(isinstance(x, Sample) for x in r) >= 8, timeout=20)
        finally:
            src.stop()
    assert caps.family == family
    assert src.simulator and src.simulator["scenario"] == "bus-stop-tilt13"
    samples = [s for s in sink.samples() if s.serving is not None]
    assert len(samples) >= 6
    levels = [s.serving.rxlev_dbm for s in samples if s.serving.rxlev_dbm is not None]
    assert abs(statistics.median(levels) - (-85.0)) <= 4.0
    assert all(s.serving.arfcn is not None for s in samples)
    assert all(s.mode == "idle" and s.serving.rxqual is None for s in samples)  # idle: no quality
    assert src.stats["skipped_lines"] == 0


@pytest.mark.parametrize("family", FAMILIES)
def test_a_call_on_the_simulator_gives_call_events_and_a_dedicated_channel(family):
    sink = Collector()
    with start_simulator("one-way-trx", family=family, speed=8.0, seed=5, gps=False) as sim:
        src = HandsetSource(sim.port, rate_s=0.25)
        src.start(sink)
        try:
            src.dial("5551234")
            assert sink.wait_for(lambda r: any(getattr(x, "kind", "") == "call_connected" for x in r), timeout=20)
            assert sink.wait_for(lambda r: any(isinstance(x, Sample) and x.mode == "dedicated" for x in r),
                                 timeout=10)
            verdict = src.sim_audio_verdict()
            src.hangup()
            assert sink.wait_for(lambda r: any(getattr(x, "kind", "") in ("call_released", "call_dropped")
                                               for x in r), timeout=15)
        finally:
            src.stop()
    ded = [s for s in sink.samples() if s.mode == "dedicated"][0]
    if src.capabilities.fields["tch_arfcn"]:
        assert ded.channel is not None and (ded.channel.tch_arfcn is not None or ded.channel.hopping)
    else:  # Telit #MONI shows no channel: dedicated mode comes from the connected call
        assert ded.channel is None
    assert ded.serving.rxqual is not None
    assert verdict in ("normal", "one-way-ul", "one-way-dl", "no-audio", "noise")


def test_lock_on_a_family_that_has_one_and_refusal_elsewhere():
    with start_simulator("one-way-trx", family="telit", speed=8.0, seed=5, gps=False) as sim:
        src = HandsetSource(sim.port, rate_s=0.5)
        sink = Collector()
        src.start(sink)
        try:
            assert src.capabilities.can_lock_arfcn
            src.lock(src.capabilities and 7)
            src.unlock()
        finally:
            src.stop()
    assert [e.kind for e in sink.events() if e.kind in ("lock", "unlock")] == ["lock", "unlock"]
    with start_simulator("one-way-trx", family="simcom", speed=8.0, seed=5, gps=False) as sim:
        src = HandsetSource(sim.port)
        src.open()
        try:
            with pytest.raises(Unsupported):
                src.lock(7)
        finally:
            src.stop()
