"""Scenario files: the simulated network, its faults and the handset's movement.

A scenario is one JSON file (format documented in ``scenarios/README.md``). ``load_scenario``
validates every field and refuses a bad file with the file, the field and the reason::

    ScenarioError: bad.json: cells[2].azimuth_deg: must be a number 0..360

Loading is pure (no radio maths here): ``world.World`` turns a ``Scenario`` into levels.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldapp.model import PlanCell, PlanTrx

SCENARIO_DIR = Path(__file__).with_name("scenarios")
FORMAT = "fieldapp-scenario/1"

# Per-TRX faults (reference cases, docs/domain.md §2) and cell faults.
# ``dead``: the TRX radiates nothing (a dead BCCH TRX takes its cell off the air; a scan does
# not hear it), unlike ``bcch_hung``, whose BCCH still transmits.
TRX_FAULTS = ("uplink_audio_lost", "downlink_audio_lost", "no_audio", "sdcch_activation_fails",
              "bcch_hung", "dead")
CELL_FAULTS = ("bcch_hung", "dead")
# BSC faults (reference case 7): the packet processors (PCU / RPP) serving the BSC's cells fail,
# so packet channel allocations fail on all of them while voice works.
BSC_FAULTS = ("packet_processor_fault",)
TIMESLOT_USES = ("BCCH", "BCCH+SDCCH/4", "SDCCH/8", "TCH/F", "TCH/H", "PDCH", "-")


class ScenarioError(ValueError):
    """A scenario that cannot be used: ``<file>: <field>: <reason>``."""


@dataclass(frozen=True)
class Trx:
    trx_id: str
    arfcns: tuple[int, ...]
    timeslots: tuple[str, ...]
    hopping: bool = False
    maio: int | None = None
    hsn: int | None = None
    faults: frozenset[str] = frozenset()
    blocked: bool = False  # blocked at the BSC: no channel is assigned on it (case 3 method b)

    def sdcch_slots(self) -> list[int]:
        return [i for i, use in enumerate(self.timeslots) if "SDCCH" in use]

    def tch_slots(self) -> list[int]:
        return [i for i, use in enumerate(self.timeslots) if use.startswith("TCH")]


@dataclass(frozen=True)
class CellSpec:
    name: str
    mcc: int
    mnc: int
    lac: int
    ci: int
    lat: float
    lon: float
    height_m: float
    azimuth_deg: float
    beamwidth_deg: float
    vertical_beamwidth_deg: float
    tilt_mech_deg: float
    tilt_elec_deg: float
    bs_power_dbm: float
    antenna_gain_dbi: float
    feeder_loss_db: float
    bcch_arfcn: int
    bsic: int
    trxs: tuple[Trx, ...]
    site: str | None = None
    indoor: bool = False
    rxlev_access_min_dbm: float = -104.0
    cro_db: float = 0.0
    faults: frozenset[str] = frozenset()
    bsc: str | None = None  # the BSC the cell hangs off (statistics exports, BSC faults)

    @property
    def bsc_name(self) -> str:
        return self.bsc or f"BSC{self.lac}"

    @property
    def tilt_deg(self) -> float:
        return self.tilt_mech_deg + self.tilt_elec_deg

    @property
    def omni(self) -> bool:
        return self.beamwidth_deg >= 360

    @property
    def bcch_hung(self) -> bool:
        return "bcch_hung" in self.faults or any("bcch_hung" in t.faults for t in self.trxs)

    @property
    def off_air(self) -> bool:
        """The BCCH TRX (or the whole cell) is dead: nothing of the cell can be heard or used."""
        return "dead" in self.faults or any("dead" in t.faults for t in self.trxs
                                            if t.timeslots and t.timeslots[0].startswith("BCCH"))

    def trx(self, trx_id: str) -> Trx | None:
        return next((t for t in self.trxs if t.trx_id == trx_id), None)


@dataclass(frozen=True)
class Interferer:
    """An external transmitter (e.g. a CDMA site) raising the noise on a range of ARFCNs."""

    name: str
    lat: float
    lon: float
    eirp_dbm: float
    height_m: float
    arfcn_from: int
    arfcn_to: int

    def covers(self, arfcn: int) -> bool:
        return self.arfcn_from <= arfcn <= self.arfcn_to


@dataclass(frozen=True)
class Movement:
    kind: str  # "fixed" or "route"
    waypoints: tuple[tuple[float, float], ...]
    speed_mps: float = 0.0
    loop: bool = False
    indoor_loss_db: float = 0.0  # building loss applied to outdoor cells (indoor complaint spots)


@dataclass(frozen=True)
class Radio:
    shadowing_sigma_db: float = 6.0
    shadowing_corr_m: float = 50.0
    noise_sigma_db: float = 1.0
    clutter_loss_db: float = 0.0
    ms_height_m: float = 1.5
    environment: str = "urban"  # "urban" (medium city) or "metro" (COST-231 +3 dB)


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    operator: str
    cells: tuple[CellSpec, ...]
    interferers: tuple[Interferer, ...]
    movement: Movement
    radio: Radio
    path: str | None = None
    gps_noise_m: float = 1.0
    gps_alt_m: float = 50.0
    notes: tuple[str, ...] = field(default_factory=tuple)
    bsc_faults: dict[str, frozenset[str]] = field(default_factory=dict)  # BSC name -> BSC_FAULTS

    def cell(self, name: str) -> CellSpec | None:
        return next((c for c in self.cells if c.name == name), None)

    def packet_fault(self, cell: CellSpec) -> bool:
        """The cell's BSC has faulty packet processors: no packet channel can be allocated."""
        return "packet_processor_fault" in self.bsc_faults.get(cell.bsc_name, frozenset())

    def cell_plan(self) -> list[PlanCell]:
        """The TRX plan as the app's cell plan records (for the map and per-TRX CQT)."""
        out = []
        for c in self.cells:
            trxs = tuple(PlanTrx(trx_id=t.trx_id, arfcns=t.arfcns, timeslots=t.timeslots,
                                 hopping=t.hopping, maio=t.maio, hsn=t.hsn) for t in c.trxs)
            out.append(PlanCell(
                name=c.name, mcc=c.mcc, mnc=c.mnc, lac=c.lac, ci=c.ci, lat=c.lat, lon=c.lon,
                azimuth_deg=None if c.omni else c.azimuth_deg, beamwidth_deg=c.beamwidth_deg,
                tilt_deg=c.tilt_deg, height_m=c.height_m, bcch_arfcn=c.bcch_arfcn, bsic=c.bsic,
                site=c.site, trxs=trxs))
        return out


# ---------------------------------------------------------------- loading


def list_scenarios() -> list[tuple[str, str]]:
    """(name, one-line description) of every shipped scenario, sorted by name."""
    out = []
    for path in sorted(SCENARIO_DIR.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            desc = str(data.get("description", "")).splitlines()[0] if data.get("description") else ""
        except (OSError, ValueError):
            desc = "(unreadable)"
        out.append((path.stem, desc))
    return out


def scenario_path(name_or_path: str | os.PathLike[str]) -> Path:
    """A shipped scenario's name, or a path to a JSON file."""
    text = str(name_or_path)
    shipped = SCENARIO_DIR / f"{text}.json"
    if os.sep not in text and "/" not in text and not text.endswith(".json") and shipped.is_file():
        return shipped
    path = Path(text)
    if path.is_file():
        return path
    if shipped.is_file():
        return shipped
    names = ", ".join(n for n, _ in list_scenarios())
    raise ScenarioError(f"{text}: no such scenario file or shipped scenario (shipped: {names})")


def load_scenario(name_or_path: str | os.PathLike[str]) -> Scenario:
    path = scenario_path(name_or_path)
    label = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{label}: cannot read: {exc}") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ScenarioError(f"{label}: not valid JSON: {exc}") from exc
    return parse_scenario(data, label, str(path))


def parse_scenario(data: Any, label: str = "<scenario>", path: str | None = None) -> Scenario:
    return _Parser(label).scenario(data, path)


_KEYS = {k: frozenset(v.split()) for k, v in {
    "scenario": "format name description network radio cells interferers movement gps notes bscs",
    "bsc": "name faults",
    "network": "mcc mnc operator",
    "radio": "environment shadowing_sigma_db shadowing_corr_m noise_sigma_db clutter_loss_db ms_height_m",
    "gps": "noise_m alt_m",
    "cell": "name site mcc mnc lac ci lat lon height_m azimuth_deg beamwidth_deg vertical_beamwidth_deg "
            "tilt_mech_deg tilt_elec_deg bs_power_dbm antenna_gain_dbi feeder_loss_db bcch_arfcn bsic "
            "indoor rxlev_access_min_dbm cro_db faults trxs bsc",
    "trx": "id arfcn arfcns timeslots hopping maio hsn faults blocked",
    "interferer": "name lat lon eirp_dbm height_m arfcn_from arfcn_to",
    "movement": "type lat lon waypoints speed_kmh loop indoor_loss_db",
}.items()}


class _Parser:
    """Validating reader; every error names the field path (``cells[2].azimuth_deg``)."""

    def __init__(self, label: str) -> None:
        self.label = label

    def fail(self, where: str, reason: str) -> ScenarioError:
        return ScenarioError(f"{self.label}: {where}: {reason}" if where else f"{self.label}: {reason}")

    def obj(self, value: Any, where: str, known: frozenset[str] | None = None) -> dict[str, Any]:
        """An object; with ``known``, a misspelt key is refused rather than silently ignored
        (a typo in ``tilt_mech_deg`` must not leave the tilt at its default)."""
        if not isinstance(value, dict):
            raise self.fail(where, "must be an object")
        if known is not None:
            for key in value:
                if key not in known:
                    w = f"{where}.{key}" if where else str(key)
                    raise self.fail(w, f"unknown field (known: {', '.join(sorted(known))})")
        return value

    def num(self, d: dict, key: str, where: str, lo: float, hi: float, default: Any = ...) -> float:
        w = f"{where}.{key}" if where else key
        if key not in d:
            if default is ...:
                raise self.fail(w, f"missing (a number {lo:g}..{hi:g})")
            return default
        v = d[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= hi:
            raise self.fail(w, f"must be a number {lo:g}..{hi:g}")
        return float(v)

    def int_(self, d: dict, key: str, where: str, lo: int, hi: int, default: Any = ...) -> int:
        w = f"{where}.{key}" if where else key
        if key not in d:
            if default is ...:
                raise self.fail(w, f"missing (an integer {lo}..{hi})")
            return default
        v = d[key]
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise self.fail(w, f"must be an integer {lo}..{hi}")
        return v

    def str_(self, d: dict, key: str, where: str, default: Any = ...) -> str:
        w = f"{where}.{key}" if where else key
        if key not in d:
            if default is ...:
                raise self.fail(w, "missing (a text)")
            return default
        v = d[key]
        if not isinstance(v, str) or not v.strip():
            raise self.fail(w, "must be a non-empty text")
        return v

    def bool_(self, d: dict, key: str, where: str, default: bool = False) -> bool:
        if key not in d:
            return default
        if not isinstance(d[key], bool):
            raise self.fail(f"{where}.{key}" if where else key, "must be true or false")
        return d[key]

    def faults(self, d: dict, where: str, allowed: tuple[str, ...]) -> frozenset[str]:
        v = d.get("faults", [])
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise self.fail(f"{where}.faults", "must be a list of fault names")
        for i, name in enumerate(v):
            if name not in allowed:
                raise self.fail(f"{where}.faults[{i}]", f"unknown fault {name!r} (one of {', '.join(allowed)})")
        return frozenset(v)

    def bsic(self, d: dict, where: str) -> int:
        v = d.get("bsic")
        w = f"{where}.bsic"
        if isinstance(v, str):  # engineers write NCC BCC as two octal digits: "35" = 29
            t = v.strip()
            if len(t) == 2 and all(c in "01234567" for c in t):
                return int(t[0]) * 8 + int(t[1])
            raise self.fail(w, "must be two octal digits NCC BCC (\"35\") or an integer 0..63")
        return self.int_(d, "bsic", where, 0, 63)

    # ------------------------------------------------------------ sections

    def scenario(self, data: Any, path: str | None) -> Scenario:
        d = self.obj(data, "", _KEYS["scenario"])
        fmt = d.get("format", FORMAT)
        if fmt != FORMAT:
            raise self.fail("format", f"must be {FORMAT!r}")
        name = self.str_(d, "name", "")
        network = self.obj(d.get("network", {}), "network", _KEYS["network"])
        mcc = self.int_(network, "mcc", "network", 0, 999, 1)
        mnc = self.int_(network, "mnc", "network", 0, 999, 1)
        operator = self.str_(network, "operator", "network", "FieldNet")
        cells_raw = d.get("cells")
        if not isinstance(cells_raw, list) or not cells_raw:
            raise self.fail("cells", "must be a non-empty list of cells")
        cells = tuple(self.cell(c, f"cells[{i}]", mcc, mnc) for i, c in enumerate(cells_raw))
        seen: dict[str, int] = {}
        for i, c in enumerate(cells):
            if c.name in seen:
                raise self.fail(f"cells[{i}].name", f"duplicate cell name {c.name!r}")
            seen[c.name] = i
        inter_raw = d.get("interferers", [])
        if not isinstance(inter_raw, list):
            raise self.fail("interferers", "must be a list")
        interferers = tuple(self.interferer(x, f"interferers[{i}]") for i, x in enumerate(inter_raw))
        movement = self.movement(d.get("movement"), "movement")
        radio = self.radio(self.obj(d.get("radio", {}), "radio", _KEYS["radio"]))
        gps = self.obj(d.get("gps", {}), "gps", _KEYS["gps"])
        notes = d.get("notes", [])
        if not isinstance(notes, list) or not all(isinstance(x, str) for x in notes):
            raise self.fail("notes", "must be a list of texts")
        bscs_raw = d.get("bscs", [])
        if not isinstance(bscs_raw, list):
            raise self.fail("bscs", "must be a list of BSCs")
        bsc_faults: dict[str, frozenset[str]] = {}
        for i, raw in enumerate(bscs_raw):
            b = self.obj(raw, f"bscs[{i}]", _KEYS["bsc"])
            bname = self.str_(b, "name", f"bscs[{i}]")
            if bname not in {c.bsc_name for c in cells}:
                raise self.fail(f"bscs[{i}].name", f"no cell hangs off BSC {bname!r}")
            bsc_faults[bname] = self.faults(b, f"bscs[{i}]", BSC_FAULTS)
        return Scenario(
            name=name, description=self.str_(d, "description", "", ""), operator=operator,
            cells=cells, interferers=interferers, movement=movement, radio=radio, path=path,
            gps_noise_m=self.num(gps, "noise_m", "gps", 0, 100, 1.0),
            gps_alt_m=self.num(gps, "alt_m", "gps", -500, 9000, 50.0), notes=tuple(notes), bsc_faults=bsc_faults)

    def cell(self, raw: Any, where: str, mcc: int, mnc: int) -> CellSpec:
        d = self.obj(raw, where, _KEYS["cell"])
        trx_raw = d.get("trxs")
        if not isinstance(trx_raw, list) or not trx_raw:
            raise self.fail(f"{where}.trxs", "must be a non-empty list of TRXs")
        trxs = tuple(self.trx(t, f"{where}.trxs[{i}]") for i, t in enumerate(trx_raw))
        ids = [t.trx_id for t in trxs]
        for i, tid in enumerate(ids):
            if ids.index(tid) != i:
                raise self.fail(f"{where}.trxs[{i}].id", f"duplicate TRX id {tid!r}")
        bcch = self.int_(d, "bcch_arfcn", where, 0, 1023)
        bcch_trx = [t for t in trxs if t.timeslots[0].startswith("BCCH")]
        if len(bcch_trx) != 1:
            raise self.fail(f"{where}.trxs", "exactly one TRX must carry BCCH on timeslot 0")
        if bcch not in bcch_trx[0].arfcns or bcch_trx[0].hopping:
            raise self.fail(f"{where}.bcch_arfcn", f"{bcch} is not the ARFCN of the (non-hopping) BCCH TRX")
        if not any(t.sdcch_slots() for t in trxs):
            raise self.fail(f"{where}.trxs", "no TRX carries an SDCCH")
        return CellSpec(
            name=self.str_(d, "name", where), site=d.get("site") if isinstance(d.get("site"), str) else None,
            mcc=self.int_(d, "mcc", where, 0, 999, mcc), mnc=self.int_(d, "mnc", where, 0, 999, mnc),
            lac=self.int_(d, "lac", where, 1, 0xFFFE), ci=self.int_(d, "ci", where, 0, 0xFFFF),
            lat=self.num(d, "lat", where, -90, 90), lon=self.num(d, "lon", where, -180, 180),
            height_m=self.num(d, "height_m", where, 1, 300),
            azimuth_deg=self.num(d, "azimuth_deg", where, 0, 360, 0.0),
            beamwidth_deg=self.num(d, "beamwidth_deg", where, 10, 360, 65.0),
            vertical_beamwidth_deg=self.num(d, "vertical_beamwidth_deg", where, 2, 90, 10.0),
            tilt_mech_deg=self.num(d, "tilt_mech_deg", where, -10, 30, 0.0),
            tilt_elec_deg=self.num(d, "tilt_elec_deg", where, 0, 20, 0.0),
            bs_power_dbm=self.num(d, "bs_power_dbm", where, 0, 50, 43.0),
            antenna_gain_dbi=self.num(d, "antenna_gain_dbi", where, -10, 25, 15.0),
            feeder_loss_db=self.num(d, "feeder_loss_db", where, 0, 20, 3.0),
            bcch_arfcn=bcch, bsic=self.bsic(d, where), trxs=trxs,
            indoor=self.bool_(d, "indoor", where),
            rxlev_access_min_dbm=self.num(d, "rxlev_access_min_dbm", where, -110, -47, -104.0),
            cro_db=self.num(d, "cro_db", where, 0, 126, 0.0),
            faults=self.faults(d, where, CELL_FAULTS),
            bsc=d.get("bsc") if isinstance(d.get("bsc"), str) and d["bsc"].strip() else None)

    def trx(self, raw: Any, where: str) -> Trx:
        d = self.obj(raw, where, _KEYS["trx"])
        arfcns = d.get("arfcns")
        if isinstance(d.get("arfcn"), int) and arfcns is None:
            arfcns = [d["arfcn"]]
        if (not isinstance(arfcns, list) or not arfcns
                or not all(isinstance(a, int) and not isinstance(a, bool) and 0 <= a <= 1023 for a in arfcns)):
            raise self.fail(f"{where}.arfcns", "must be a non-empty list of ARFCNs 0..1023")
        slots = d.get("timeslots")
        if not isinstance(slots, list) or len(slots) != 8:
            raise self.fail(f"{where}.timeslots", "must list the use of the 8 timeslots")
        for i, use in enumerate(slots):
            if use not in TIMESLOT_USES:
                raise self.fail(f"{where}.timeslots[{i}]", f"unknown use {use!r} (one of {', '.join(TIMESLOT_USES)})")
            if use.startswith("BCCH") and i != 0:
                raise self.fail(f"{where}.timeslots[{i}]", "BCCH sits on timeslot 0")
        hopping = self.bool_(d, "hopping", where)
        if not hopping and len(arfcns) != 1:
            raise self.fail(f"{where}.arfcns", "a TRX without hopping has exactly one ARFCN")
        if hopping and slots[0].startswith("BCCH"):
            raise self.fail(f"{where}.hopping", "the BCCH TRX does not hop")
        return Trx(
            trx_id=self.str_(d, "id", where), arfcns=tuple(arfcns), timeslots=tuple(slots),
            hopping=hopping, maio=self.int_(d, "maio", where, 0, 63, 0 if hopping else None),
            hsn=self.int_(d, "hsn", where, 0, 63, 0 if hopping else None),
            faults=self.faults(d, where, TRX_FAULTS), blocked=self.bool_(d, "blocked", where))

    def interferer(self, raw: Any, where: str) -> Interferer:
        d = self.obj(raw, where, _KEYS["interferer"])
        lo = self.int_(d, "arfcn_from", where, 0, 1023)
        hi = self.int_(d, "arfcn_to", where, 0, 1023)
        if hi < lo:
            raise self.fail(f"{where}.arfcn_to", "must not be below arfcn_from")
        return Interferer(
            name=self.str_(d, "name", where, f"interferer {where}"),
            lat=self.num(d, "lat", where, -90, 90), lon=self.num(d, "lon", where, -180, 180),
            eirp_dbm=self.num(d, "eirp_dbm", where, -30, 80), height_m=self.num(d, "height_m", where, 1, 300, 30.0),
            arfcn_from=lo, arfcn_to=hi)

    def point(self, raw: Any, where: str) -> tuple[float, float]:
        if (not isinstance(raw, list) or len(raw) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in raw)):
            raise self.fail(where, "must be [lat, lon]")
        lat, lon = float(raw[0]), float(raw[1])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise self.fail(where, "must be [lat, lon] with lat -90..90 and lon -180..180")
        return lat, lon

    def movement(self, raw: Any, where: str) -> Movement:
        d = self.obj(raw, where, _KEYS["movement"])
        kind = d.get("type")
        indoor = self.num(d, "indoor_loss_db", where, 0, 40, 0.0)
        if kind == "fixed":
            point = (self.num(d, "lat", where, -90, 90), self.num(d, "lon", where, -180, 180))
            return Movement("fixed", (point,), indoor_loss_db=indoor)
        if kind == "route":
            pts = d.get("waypoints")
            if not isinstance(pts, list) or len(pts) < 2:
                raise self.fail(f"{where}.waypoints", "must list at least two [lat, lon] points")
            wps = tuple(self.point(p, f"{where}.waypoints[{i}]") for i, p in enumerate(pts))
            speed = self.num(d, "speed_kmh", where, 0.1, 300)
            return Movement("route", wps, speed_mps=speed / 3.6, loop=self.bool_(d, "loop", where),
                            indoor_loss_db=indoor)
        raise self.fail(f"{where}.type", 'must be "fixed" or "route"')

    def radio(self, d: dict) -> Radio:
        env = d.get("environment", "urban")
        if env not in ("urban", "metro"):
            raise self.fail("radio.environment", 'must be "urban" or "metro"')
        return Radio(
            shadowing_sigma_db=self.num(d, "shadowing_sigma_db", "radio", 0, 20, 6.0),
            shadowing_corr_m=self.num(d, "shadowing_corr_m", "radio", 1, 5000, 50.0),
            noise_sigma_db=self.num(d, "noise_sigma_db", "radio", 0, 10, 1.0),
            clutter_loss_db=self.num(d, "clutter_loss_db", "radio", 0, 60, 0.0),
            ms_height_m=self.num(d, "ms_height_m", "radio", 0.5, 50, 1.5), environment=env)
