"""Coverage findings read each technology's level against its own limits (issue 13 with issue 18's
per-technology table): an LTE session at the spot is judged by RSRP steps, never by GSM's RXLEV
ones, and samples of two technologies are not pooled into one median.

The sessions are written through the store as an import writes them (the levels are the ones a
Nemo UMTS/LTE log of the shared sample carries: RSRP -87 and -101 dBm, RXLEV -85 dBm)."""

from __future__ import annotations

from fieldapp.cases import diagnose, evidence, workflow
from fieldapp.cases.findings import level_limits
from fieldapp.model import GSM, LTE, SERVING, Cell, Position, Sample
from fieldapp.store import Store

SPOT = (48.19682, 16.37477)


def lte(ts: float, rsrp: float) -> Sample:
    return Sample(ts, LTE, Cell(role=SERVING, tech=LTE, mcc=262, mnc=1, lac=0x1F00, ci=0x79D903, arfcn=1850, pci=132,
                                rsrp_dbm=rsrp, rsrq_db=-10.0), position=Position(ts, *SPOT))


def gsm(ts: float, rxlev_dbm: float) -> Sample:
    return Sample(ts, GSM, Cell(role=SERVING, tech=GSM, mcc=262, mnc=1, lac=6699, ci=15437, arfcn=7, bsic=35,
                                rxlev_dbm=rxlev_dbm), position=Position(ts, *SPOT))


def diagnosed(tmp_path, samples):
    with Store.open(tmp_path / "ws.db") as store:
        sid = store.create_session("test:tech-levels")
        store.add_samples(sid, samples)
        store.end_session(sid, samples[-1].ts_utc)
        store.commit()
        case_id = workflow.create(store, {"subscriber_number": "+43 660 1234567", "category": "weak signal",
                                          "description": "test", "latitude": SPOT[0], "longitude": SPOT[1]},
                                  author="tester")
        evidence.attach_session(store, case_id, sid, author="tester")
        return {f.rule: f for f in diagnose.diagnose_case(store, case_id)}


def test_limits_per_technology_come_from_the_colour_steps():
    assert [(x.name, x.weak_dbm, x.no_coverage_dbm) for x in map(level_limits, ("GSM", "UMTS", "LTE"))] == [
        ("RXLEV", -80.0, -100.0), ("RSCP", -85.0, -105.0), ("RSRP", -90.0, -110.0)]


def test_a_fair_lte_rsrp_is_not_weak_coverage(tmp_path):
    found = diagnosed(tmp_path, [lte(1_700_000_000.0 + i, -87.0) for i in range(10)])
    assert "weak_coverage" not in found  # -87 dBm RSRP: light green; as an RXLEV it would be "weak"
    assert "RSRP (LTE) at the spot: median -87 dBm over 10 samples (not below -90 dBm)" in \
        found["checked_normal"].summary


def test_a_weak_lte_rsrp_is_said_in_rsrp_with_its_limit(tmp_path):
    found = diagnosed(tmp_path, [lte(1_700_000_000.0 + i, -101.0) for i in range(10)])
    weak = found["weak_coverage"]
    assert weak.title == "Weak coverage at the spot"
    assert "Serving RSRP (LTE) at the spot: median -101 dBm" in weak.summary
    assert (weak.data["tech"], weak.data["weak_below_dbm"]) == (LTE, -90.0)


def test_two_technologies_are_not_pooled(tmp_path):
    # Ten LTE samples at a weak -101 dBm and four GSM ones at a good -60: the median of all
    # fourteen would mean nothing; the LTE ones are judged, and the GSM ones are named apart.
    samples = [lte(1_700_000_000.0 + i, -101.0) for i in range(10)] + \
              [gsm(1_700_000_100.0 + i, -60.0) for i in range(4)]
    weak = diagnosed(tmp_path, samples)["weak_coverage"]
    assert weak.data["samples"] == 10 and weak.data["p50_dbm"] == -101.0
    assert "over 10 LTE samples (4 GSM samples at the spot not mixed in)" in weak.summary


def test_gsm_keeps_its_wording_and_limit(tmp_path):
    weak = diagnosed(tmp_path, [gsm(1_700_000_000.0 + i, -85.0) for i in range(10)])["weak_coverage"]
    assert "Serving level at the spot: median -85 dBm" in weak.summary and "over 10 samples" in weak.summary
    assert weak.data["weak_below_dbm"] == -80.0


def test_an_lte_drop_is_judged_and_written_in_lte_terms(tmp_path):
    """A G-NetTrack-like LTE call: attempt, then dropped with no "connected" event in the log.
    The drop was a connected call; its level is judged by RSRP's own limit; the cell is named by
    its ECI and EARFCN; no RXQUAL (GSM's) is asked of it, and no TRX-by-TRX CQT for an LTE cell."""
    from fieldapp.model import EV_CALL_ATTEMPT, EV_CALL_DROPPED, Event

    t0 = 1_752_878_000.0
    samples = [lte(t0 + i, -104.0) for i in range(30)]  # weak for GSM's -100, fine for RSRP's -110
    with Store.open(tmp_path / "ws.db") as store:
        sid = store.create_session("test:lte-drop")
        store.add_samples(sid, samples)
        store.add_events(sid, [Event(t0 + 5, EV_CALL_ATTEMPT, "call 14 start"),
                               Event(t0 + 25, EV_CALL_DROPPED, "call 14 dropped")])
        store.end_session(sid, samples[-1].ts_utc)
        store.commit()
        case_id = workflow.create(store, {"subscriber_number": "+43 660 1234567", "category": "dropped call",
                                          "latitude": SPOT[0], "longitude": SPOT[1]}, author="tester")
        evidence.attach_session(store, case_id, sid, author="tester")
        found = {f.rule: f for f in diagnose.diagnose_case(store, case_id)}
    drops = found["drops"]
    assert drops.summary.startswith("1 drop(s) in 1 connected call(s): sudden (good radio) ×1"), drops.summary
    (cite,) = drops.cites
    assert f"on ECI {0x79D903} (EARFCN 1850)" in cite.text and "RXQUAL" not in cite.text, cite.text
    assert "TRX" not in drops.next_step, drops.next_step
