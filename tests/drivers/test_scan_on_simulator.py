"""Band scans: the simulator's survey commands from its radio world, and the handset source's
scan over a real pseudo-terminal (polling paused and resumed, progress, cancel, refusal)."""

from __future__ import annotations

import threading
import time

import pytest

from drivers.families.survey import parse_cnetscan, parse_csurv
from drivers.handset import HandsetSource
from drivers.scan import ScanNotAvailable, band_name, parse_arfcn_range, wanted_ranges
from drivers.sim import start_simulator
from drivers.sim.scenario import load_scenario
from fieldapp.model import EV_INFO, Event, Sample, Scan
from tests.drivers.sim_support import Bench
from tests.drivers.test_handset_source import Collector


def _scan(scenario: str, lo: int, hi: int, family: str = "telit"):
    bench = Bench(scenario, family)
    lines, final = bench.ask(f"AT#CSURVC={lo},{hi}")
    assert final == "OK"
    carriers, skipped = parse_csurv(lines)
    assert skipped == 0
    return {c.arfcn: c for c in carriers}


def test_interferer_is_energy_without_bsic_on_the_low_arfcns():
    heard = _scan("low-arfcn-interference", 0, 124)
    low = [heard[a] for a in range(0, 16)]
    assert all(c.rxlev_dbm is not None and c.rxlev_dbm > -75 for c in low)
    assert not any(c.decoded for c in low)  # the village BCCHs on 2 and 4 drown in it
    assert heard[100].decoded and heard[100].bsic == 0o27  # FARM-1, clean


def test_hung_bcch_is_still_heard_and_decoded():
    heard = _scan("bcch-hung", 0, 124)
    assert heard[40].decoded and heard[40].ci == 51  # BRIDGE-1, its BCCH TRX hung
    assert heard[40].rxlev_dbm > -70


def test_dead_trx_is_not_heard():
    scen = load_scenario("bcch-hung")
    cells = list(scen.cells)
    bridge = cells[0]
    trxs = tuple(t if not t.timeslots[0].startswith("BCCH") else
                 type(t)(**{**t.__dict__, "faults": frozenset({"dead"})}) for t in bridge.trxs)
    cells[0] = type(bridge)(**{**bridge.__dict__, "trxs": trxs, "faults": frozenset()})
    dead = type(scen)(**{**scen.__dict__, "cells": tuple(cells)})
    bench = Bench(dead, "telit")
    carriers, _ = parse_csurv(bench.ask("AT#CSURVC=0,124")[0])
    heard = {c.arfcn for c in carriers}
    assert 40 not in heard  # the dead BCCH TRX radiates nothing
    assert 42 in heard  # BRIDGE-1's traffic TRX still does
    serving = bench.handset.snapshot().serving
    assert serving is None or serving.spec.name != "BRIDGE-1"


def test_simcom_cnetscan_lists_decoded_cells_with_lac_and_bsic():
    bench = Bench("bcch-hung", "simcom")
    assert bench.ask("AT+CNETSCAN=1")[1] == "OK"
    carriers, skipped = parse_cnetscan(bench.ask("AT+CNETSCAN")[0])
    assert skipped == 0 and carriers
    bridge = next(c for c in carriers if c.ci == 51)
    assert (bridge.arfcn, bridge.lac, bridge.bsic) == (40, 1006, 0o61)


def test_band_and_range_arguments():
    assert band_name("dcs") == "DCS1800" and band_name(None) == "all"
    assert wanted_ranges("GSM900", (100, 1000)) == [(100, 124), (975, 1000)]
    assert parse_arfcn_range("0-15") == (0, 15)
    with pytest.raises(ValueError, match="bad ARFCN range"):
        parse_arfcn_range("15-3")
    with pytest.raises(ValueError, match="unknown band"):
        band_name("GSM2000")


def test_handset_scan_pauses_polling_reports_progress_and_resumes():
    sink = Collector()
    with start_simulator("bcch-hung", family="telit", speed=4.0, seed=2, gps=False) as sim:
        src = HandsetSource(sim.port, rate_s=0.2)
        caps = src.open()
        assert caps.fields["scan"] and caps.scan["available"] and caps.scan["arfcn_range"]
        src.start(sink)
        try:
            assert sink.wait_for(lambda r: sum(isinstance(x, Sample) for x in r) >= 2, timeout=15)
            steps = []
            scan = src.scan("GSM900", progress=steps.append)
            n_after_scan = len(sink.samples())
            assert sink.wait_for(lambda r: sum(isinstance(x, Sample) for x in r) >= n_after_scan + 2, timeout=15)
        finally:
            src.stop()
    assert isinstance(scan, Scan) and scan.complete and scan.band == "GSM900"
    assert len(steps) == 3 and steps[-1].fraction == 1.0  # 0-63, 64-124, 975-1023
    assert {40, 44, 48} <= {c.arfcn for c in scan.carriers if c.decoded}
    records = sink.records
    i_scan = next(i for i, r in enumerate(records) if isinstance(r, Scan))
    started = next(r for r in records if isinstance(r, Event) and r.kind == EV_INFO and r.data.get("scan") == "started")
    # no poll ran while the scan held the line
    assert not any(isinstance(r, Sample) and started.ts_utc < r.ts_utc < scan.end_utc for r in records)
    assert any(isinstance(r, Sample) for r in records[i_scan:])  # polling resumed


def test_handset_scan_can_be_cancelled_between_steps():
    with start_simulator("bcch-hung", family="telit", speed=4.0, seed=2, gps=False) as sim:
        src = HandsetSource(sim.port, rate_s=0.5)
        src.open()
        cancel = threading.Event()
        try:
            scan = src.scan("all", progress=lambda p: cancel.set(), cancel=cancel)
        finally:
            src.stop()
    assert scan.complete is False
    assert scan.carriers and max(c.arfcn for c in scan.carriers) <= 63  # only the first chunk


def test_family_without_a_survey_command_says_not_available():
    with start_simulator("bcch-hung", family="quectel", speed=4.0, seed=2, gps=False) as sim:
        src = HandsetSource(sim.port, rate_s=0.5)
        caps = src.open()
        try:
            assert caps.fields["scan"] is False
            assert caps.scan["available"] is False and caps.scan["text"].startswith("not available")
            t0 = time.monotonic()
            with pytest.raises(ScanNotAvailable, match="not available"):
                src.scan()
            assert time.monotonic() - t0 < 1.0
        finally:
            src.stop()
