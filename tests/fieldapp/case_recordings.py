"""Short recordings of the simulator's reference scenarios into a real workspace, through the
real driver over a pseudo-terminal and the real Recorder: the evidence the case tests diagnose.

The simulator runs its clock ``speed`` times faster than the wall (setup ~3-8 simulated
seconds becomes well under a second), so a session with a few calls takes a few seconds.
"""

from __future__ import annotations

import atexit
import copy
import json
import math
import shutil
import tempfile
import time
from pathlib import Path

from drivers.handset import HandsetSource
from drivers.sim import load_scenario, start_simulator
from drivers.sim.scenario import parse_scenario
from fieldapp.model import EV_CALL_CONNECTED, EV_CALL_DROPPED, EV_CALL_FAILED, EV_CALL_RELEASED, Event
from fieldapp.positioning import PositionJoiner, open_gps
from fieldapp.session import Recorder
from fieldapp.store import Store

_ENDS = (EV_CALL_RELEASED, EV_CALL_FAILED, EV_CALL_DROPPED)


class _Tee:
    """The recorder's sink, keeping the call events so the script can wait on them."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.kinds: list[str] = []

    def __call__(self, record) -> None:
        if isinstance(record, Event):
            self.kinds.append(record.kind)
        self.recorder.sink(record)

    def wait(self, kinds: tuple[str, ...], after: int, timeout_s: float) -> str | None:
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            hits = [k for k in self.kinds[after:] if k in kinds]
            if hits:
                return hits[0]
            time.sleep(0.02)
        return None


def record_scenario(workspace: Path, scenario, *, idle_s: float = 1.5, calls: int = 0,
                    hold_s: float = 1.0, speed: float = 15.0, seed: int = 3, family: str = "quectel",
                    case_id: int | None = None, put_plan: bool = True, until_drop: bool = False,
                    gps: bool = False) -> int:
    """Record ``idle_s`` seconds of idle samples, then ``calls`` test calls held ``hold_s``
    wall seconds each (with ``until_drop``: stop after the first dropped call, ``calls`` being
    the most to make); returns the session id. The scenario's cell plan goes into the workspace.
    ``scenario``: a shipped name, a JSON path or a loaded Scenario. With ``gps`` the simulator's
    NMEA GPS is read too and its fixes are stamped on the samples (as the live window does)."""
    if put_plan:
        with Store.open(workspace) as store:
            scen = scenario if hasattr(scenario, "cell_plan") else load_scenario(scenario)
            store.put_cell_plan(scen.cell_plan(), f"scenario:{scen.name}")
    with start_simulator(scenario, family=family, speed=speed, seed=seed, gps=gps) as sim:
        src = HandsetSource(sim.port, rate_s=0.1)
        caps = src.open()
        recorder = Recorder(workspace, f"simulator:{sim.scenario.name}", case_id=case_id,
                            device={"family": caps.family, "model": caps.model, "imei": caps.imei})
        tee = _Tee(recorder)
        joiner = PositionJoiner()
        receiver = open_gps("nmea", sim.gps_port) if gps else None
        try:
            if receiver is not None:
                receiver.start(lambda rec: tee(joiner.feed(rec)))
                time.sleep(0.3)  # the first fix before the first sample
            src.start(lambda rec: tee(joiner.feed(rec)))
            time.sleep(idle_s)
            for _ in range(calls):
                mark = len(tee.kinds)
                src.dial("5551234")
                got = tee.wait((EV_CALL_CONNECTED, *_ENDS), mark, 10.0)
                if got == EV_CALL_CONNECTED:
                    if tee.wait(_ENDS, mark, hold_s) is None:
                        src.hangup()
                    got = tee.wait(_ENDS, mark, 5.0)
                if until_drop and got == EV_CALL_DROPPED:
                    break
                time.sleep(0.2)
        finally:
            src.stop()
            if receiver is not None:
                receiver.stop()
            recorder.close()
    return recorder.session_id


# ---------------------------------------------------------------------- shared recordings
# Each recording is made once per test process (the first test that asks) and copied for each
# test, so the diagnosis, report and UI tests share a few seconds of simulator time.

_CACHE_DIR: Path | None = None
_MADE: dict[str, Path] = {}


def no_dominant_scenario():
    """Three sites 700 m around a spot, each with a sector aimed at it: no cell dominates."""
    data = json.loads(Path(load_scenario("bcch-hung").path).read_text(encoding="utf-8"))
    template = data["cells"][1]
    lat0, lon0 = 48.21, 16.37
    cells = []
    for i, bearing in enumerate((0, 120, 240)):
        cell = copy.deepcopy(template)
        dlat = 700.0 * math.cos(math.radians(bearing)) / 111_320.0
        dlon = 700.0 * math.sin(math.radians(bearing)) / (111_320.0 * math.cos(math.radians(lat0)))
        arfcn = 20 + 8 * i
        cell.update(name=f"TRI-{i + 1}", site=f"TRI{i + 1}", ci=81 + i, lat=lat0 + dlat, lon=lon0 + dlon,
                    azimuth_deg=(bearing + 180) % 360, bcch_arfcn=arfcn, bsic=f"4{i + 1}")
        cell["trxs"] = [dict(template["trxs"][0], id=f"TRX-8{i + 1}-0", arfcns=[arfcn]),
                        dict(template["trxs"][1], id=f"TRX-8{i + 1}-1", arfcns=[arfcn + 2])]
        cell.pop("faults", None)
        cells.append(cell)
    data.update(name="no-dominant", cells=cells, movement={"type": "fixed", "lat": lat0, "lon": lon0},
                description="Test variant of bcch-hung: a spot equidistant from three sites")
    return parse_scenario(data, "no-dominant.json")


def jammed_village_scenario():
    """The village with its interferer 12 dB stronger: call setups fail under RXQUAL 7."""
    data = json.loads(Path(load_scenario("low-arfcn-interference").path).read_text(encoding="utf-8"))
    data["interferers"][0]["eirp_dbm"] += 12
    data.update(name="village-jammed", description="Test variant of low-arfcn-interference: setups fail on "
                "interference")
    return parse_scenario(data, "village-jammed.json")


def far_scenario():
    """The bus-stop network with the handset 28 km north of it: no service."""
    data = json.loads(Path(load_scenario("bus-stop-tilt13").path).read_text(encoding="utf-8"))
    data.update(name="far-away", movement={"type": "fixed", "lat": 48.45, "lon": 16.37},
                description="Test variant of bus-stop-tilt13: a spot out of reach of every cell")
    return parse_scenario(data, "far-away.json")


RECIPES = {
    # name: (scenario, keyword arguments of record_scenario)
    "tilt13": ("bus-stop-tilt13", dict(idle_s=1.2, speed=20.0)),
    "tilt7": ("bus-stop-tilt7", dict(idle_s=1.2, speed=20.0)),
    "tilt13-gps": ("bus-stop-tilt13", dict(idle_s=1.2, calls=1, hold_s=0.5, speed=20.0, gps=True)),
    "no-dominant": (None, dict(idle_s=1.2, speed=20.0)),
    "far-away": (None, dict(idle_s=1.0, speed=20.0)),
    "bcch-hung": ("bcch-hung", dict(idle_s=0.8, calls=3, speed=20.0)),
    "sdcch-trx": ("sdcch-trx", dict(idle_s=0.5, calls=4, hold_s=0.2, speed=40.0)),
    "village-jammed": (None, dict(idle_s=0.3, calls=6, hold_s=0.5, speed=30.0)),
    "village": ("low-arfcn-interference", dict(idle_s=0.3, calls=6, hold_s=1.5, speed=60.0, until_drop=True)),
}


def recorded(name: str, dest_dir: Path) -> tuple[Path, int]:
    """A copy of recording ``name`` (a RECIPES key or "bus-stop-before-after") as
    ``dest_dir/<name>.db``: (workspace, id of its first session)."""
    global _CACHE_DIR
    if name not in _MADE:
        if _CACHE_DIR is None:
            _CACHE_DIR = Path(tempfile.mkdtemp(prefix="fieldapp-case-recordings-"))
            atexit.register(shutil.rmtree, _CACHE_DIR, True)
        path = _CACHE_DIR / f"{name}.db"
        if name == "bus-stop-before-after":  # session 1 before the tilt change, session 2 after
            record_scenario(path, "bus-stop-tilt13", idle_s=1.0, calls=1, hold_s=0.5, speed=20.0)
            # The tilt change is loaded as the new plan (version 2) before the re-test.
            record_scenario(path, "bus-stop-tilt7", idle_s=1.0, calls=1, hold_s=0.5, speed=20.0)
        else:
            scenario, kwargs = RECIPES[name]
            made = {"no-dominant": no_dominant_scenario, "far-away": far_scenario,
                    "village-jammed": jammed_village_scenario}
            record_scenario(path, scenario or made[name](), **kwargs)
        _MADE[name] = path
    dest = dest_dir / f"{name}.db"
    shutil.copyfile(_MADE[name], dest)
    return dest, 1
