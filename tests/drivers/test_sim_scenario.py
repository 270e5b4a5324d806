"""Scenario files: the shipped ones load, bad ones are refused with file, field and reason."""

from __future__ import annotations

import copy
import json

import pytest

from drivers.sim.scenario import ScenarioError, list_scenarios, load_scenario, parse_scenario

SHIPPED = ["bus-stop-tilt13", "bus-stop-tilt7", "one-way-trx", "sdcch-trx", "bcch-hung",
           "low-arfcn-interference", "demo-drive"]


def test_every_reference_scenario_is_shipped_with_a_description():
    listed = dict(list_scenarios())
    assert set(SHIPPED) <= set(listed)
    assert all(listed[name] for name in SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenario_loads_and_gives_a_cell_plan(name):
    scen = load_scenario(name)
    assert scen.name == name
    plan = scen.cell_plan()
    assert len(plan) == len(scen.cells)
    for cell, pc in zip(scen.cells, plan):
        assert pc.name == cell.name and pc.bcch_arfcn == cell.bcch_arfcn and pc.ci == cell.ci
        assert [t.trx_id for t in pc.trxs] == [t.trx_id for t in cell.trxs]
        assert sum(t.is_bcch for t in pc.trxs) == 1


def test_the_plan_attributes_a_tch_to_its_trx():
    from fieldapp.model import Channel

    plan = {c.name: c for c in load_scenario("one-way-trx").cell_plan()}
    trx = plan["MALL-69"].trx_for_channel(Channel(tch_arfcn=7, timeslot=3, hopping=False))
    assert trx is not None and trx.trx_id == "TRX-69-1"


def test_the_faults_of_the_reference_cases_are_where_the_cases_say():
    assert "uplink_audio_lost" in load_scenario("one-way-trx").cell("MALL-69").trx("TRX-69-1").faults
    river = load_scenario("sdcch-trx").cell("RIVER-41")
    assert len(river.trxs) == 5
    assert river.trx("TRX-41-1").faults == {"sdcch_activation_fails"}
    assert river.trx("TRX-41-1").timeslots.count("SDCCH/8") == 1
    assert load_scenario("bcch-hung").cell("BRIDGE-1").bcch_hung
    assert not load_scenario("bcch-hung").cell("BRIDGE-2").bcch_hung
    t13 = load_scenario("bus-stop-tilt13").cell("HOSP-2")
    t7 = load_scenario("bus-stop-tilt7").cell("HOSP-2")
    assert (t13.tilt_deg, t7.tilt_deg) == (13, 7)
    village = load_scenario("low-arfcn-interference")
    assert village.interferers and village.interferers[0].covers(6)


def test_a_scenario_file_path_loads(tmp_path):
    with open(load_scenario("sdcch-trx").path, encoding="utf-8") as f:
        data = json.load(f)
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(data))
    assert load_scenario(str(path)).name == "sdcch-trx"


def _base() -> dict:
    with open(load_scenario("one-way-trx").path, encoding="utf-8") as f:
        return json.load(f)


def _broken(mutate) -> dict:
    data = copy.deepcopy(_base())
    mutate(data)
    return data


BAD = [
    ("cells[2].azimuth_deg: must be a number 0..360", lambda d: d["cells"][2].update(azimuth_deg=400)),
    ("cells[1].azimuth_deg: must be a number 0..360", lambda d: d["cells"][1].update(azimuth_deg="north")),
    ("cells[0].lat: missing", lambda d: d["cells"][0].pop("lat")),
    ("cells[0].bsic: must be two octal digits", lambda d: d["cells"][0].update(bsic="99")),
    ("cells[0].trxs[1].faults[0]: unknown fault 'broken'",
     lambda d: d["cells"][0]["trxs"][1].update(faults=["broken"])),
    ("cells[0].trxs[0].timeslots: must list the use of the 8 timeslots",
     lambda d: d["cells"][0]["trxs"][0].update(timeslots=["BCCH"])),
    ("cells[0].trxs[1].timeslots[2]: unknown use 'TCH/Q'",
     lambda d: d["cells"][0]["trxs"][1]["timeslots"].__setitem__(2, "TCH/Q")),
    ("cells[0].bcch_arfcn: 9 is not the ARFCN", lambda d: d["cells"][0].update(bcch_arfcn=9)),
    ("cells[0].trxs[1].id: duplicate TRX id", lambda d: d["cells"][0]["trxs"][1].update(id="TRX-69-0")),
    ("cells[3].name: duplicate cell name", lambda d: d["cells"][3].update(name="MALL-69")),
    ("cells: must be a non-empty list", lambda d: d.update(cells=[])),
    ('movement.type: must be "fixed" or "route"', lambda d: d["movement"].update(type="teleport")),
    ("movement.waypoints[1]: must be [lat, lon]",
     lambda d: d.update(movement={"type": "route", "speed_kmh": 30, "waypoints": [[48.2, 16.3], [48.2]]})),
    ("movement.speed_kmh: missing",
     lambda d: d.update(movement={"type": "route", "waypoints": [[48.2, 16.3], [48.21, 16.31]]})),
    ("radio.shadowing_sigma_db: must be a number 0..20", lambda d: d["radio"].update(shadowing_sigma_db=-1)),
    ("interferers[0].arfcn_to: must not be below arfcn_from",
     lambda d: d.update(interferers=[{"lat": 48.2, "lon": 16.3, "eirp_dbm": 50, "arfcn_from": 9, "arfcn_to": 3}])),
    ("format: must be 'fieldapp-scenario/1'", lambda d: d.update(format="v2")),
    ("cells[1].tilt_mech: unknown field", lambda d: d["cells"][1].update(tilt_mech=13)),
    ("movement.speed: unknown field", lambda d: d["movement"].update(speed=3)),
]


@pytest.mark.parametrize(("message", "mutate"), BAD, ids=[m.split(":")[0] for m, _ in BAD])
def test_bad_field_is_refused_with_file_field_and_reason(tmp_path, message, mutate):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_broken(mutate)))
    with pytest.raises(ScenarioError) as err:
        load_scenario(str(path))
    assert str(err.value).startswith(f"bad.json: {message}")


def test_not_json_is_refused_with_the_file(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"name": "x", ')
    with pytest.raises(ScenarioError, match=r"^bad\.json: not valid JSON"):
        load_scenario(str(path))


def test_unknown_name_lists_the_shipped_scenarios():
    with pytest.raises(ScenarioError, match="bus-stop-tilt13"):
        load_scenario("no-such-scenario")


def test_parse_scenario_accepts_an_integer_bsic_and_defaults():
    data = _base()
    data["cells"][0]["bsic"] = 47
    scen = parse_scenario(data, "x.json")
    assert scen.cells[0].bsic == 47
    assert scen.radio.ms_height_m == 1.5
