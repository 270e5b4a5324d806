"""The replay of a stored session names its cells by the plan version it was recorded under
(issue 13 §2, issue 18): after another scenario's plan became current, ``fieldapp replay SESSION``
and the window's "Replay it" still name the serving cell of the session's own plan. A real
recording from the simulator, a real workspace, the real window under pytest-qt (offscreen)."""

from __future__ import annotations

import time

import pytest

from fieldapp.model import Sample

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "activateWindow")


def _recorded_low_arfcn_then_gprs_plan(ws) -> int:
    """A session of low-arfcn-interference; afterwards gprs-packet-fault's plan is the current one."""
    from fieldapp.live import SIMULATOR, ConnectRequest, LiveSession, adopt_scenario_plan
    from fieldapp.store import Store

    live = LiveSession(lambda _record: None, ws)
    try:
        live.connect(ConnectRequest(SIMULATOR, scenario="low-arfcn-interference", speed=20.0, rate_s=0.2),
                     record=True)
        assert live.wait_idle() and live.status().recording
        sid = live.status().session_id
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and live.recorder.counts["samples"] < 3:
            time.sleep(0.1)
    finally:
        live.shutdown()
    adopt_scenario_plan(ws, "gprs-packet-fault")
    with Store.open(ws) as store:
        assert store.cell_plan_source() == "scenario:gprs-packet-fault"
        assert store.plan_at(store.session(sid).plan_version)[1] == "scenario:low-arfcn-interference"
        assert store.counts(sid)["samples"] >= 3
    return sid


def _session_source(ws, sid):
    """As ``fieldapp replay SESSION`` builds it: read in bulk, samples rebuilt as played."""
    from fieldapp.store import Store
    from logs.replay import ReplaySource

    with Store.open(ws) as store:
        return ReplaySource(store.replay_records(sid))


def _planned_serving_names(app) -> set[str]:
    plan = app.window.history.plan
    return {plan.match(r.serving).name for r in app.source.records
            if isinstance(r, Sample) and r.serving is not None and plan.match(r.serving) is not None}


def test_a_session_is_replayed_over_its_own_plan_version(qtbot, tmp_path, settings_path):
    from drivers.sim.scenario import load_scenario
    from fieldapp.app import LiveApp, ReplayApp

    ws = tmp_path / "ws.db"
    sid = _recorded_low_arfcn_then_gprs_plan(ws)
    low = {c.name for c in load_scenario("low-arfcn-interference").cell_plan()}
    gprs = {c.name for c in load_scenario("gprs-packet-fault").cell_plan()}
    assert low != gprs

    # fieldapp replay SESSION
    app = ReplayApp(_session_source(ws, sid), ws, name=f"session {sid}", settings_path=settings_path,
                    session_id=sid)
    try:
        app.source.pause()
        assert {c.name for c in app.window.history.plan} == low
        named = _planned_serving_names(app)
        assert named and named <= low  # the serving cell is named by the session's plan
        app.timeline.seek(app.source.timeline.ts_at(1.0))
        qtbot.wait(250)
        app.bridge.drain_now()
        labels = {seg.label for seg in app.window.history.segments}
        assert labels & low, labels
    finally:
        app.window.close()
        app.close()

    # a log file (no session): the current plan, as before
    plain = ReplayApp(_session_source(ws, sid), ws, name="file", settings_path=settings_path)
    try:
        assert {c.name for c in plain.window.history.plan} == gprs
    finally:
        plain.window.close()
        plain.close()

    # the live window's "Replay it": its own map keeps the current plan, the replay the session's
    live = LiveApp(ws, settings_path=settings_path)
    try:
        assert {c.name for c in live.window.history.plan} == gprs
        replay = live.open_replay(sid)
        replay.source.pause()
        assert {c.name for c in replay.window.history.plan} == low
    finally:
        live.window.close()
        live.close()
