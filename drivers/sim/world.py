"""The radio world: what a handset at (lat, lon) receives from each cell.

Level = EIRP + antenna pattern - path loss - shadowing - clutter/indoor loss + noise:

* Path loss: Okumura-Hata (GSM 900/850) or COST-231 Hata (DCS/PCS), urban medium city
  (``metro`` adds 3 dB), never below free space. Indoor micro cells use the ITU-R P.1238
  indoor model (N = 30, office), and outdoor cells lose ``indoor_loss_db`` when the handset is
  indoors.
* Antenna: 3GPP TR 36.814 parabolic pattern, horizontal ``-min(12 (phi/bw)^2, 25)`` and
  vertical ``-min(12 ((theta - tilt)/vbw)^2, 20)``, combined ``-min(-(H + V), 25)``. The
  elevation angle theta is measured downwards from the antenna, so a steep downtilt puts a spot
  500 m away high up in the vertical pattern's roll-off (reference case 2).
* Shadowing: a spatially correlated Gaussian field per cell (sum of random plane waves,
  Gaussian correlation over ``shadowing_corr_m``), seeded, so the same place gives the same
  level on every run.
* Measurement noise: Gaussian, keyed by (cell, measurement period), so it is reproducible
  whatever the order of the queries.

RXQUAL comes from C/(I+N) on the carrier(s) the call uses: co-channel and adjacent-channel
(-18 dB) carriers of other cells plus external interferers covering that ARFCN.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from drivers.sim.scenario import CellSpec, Scenario
from fieldapp import radio

EARTH_R_M = 6371008.8
NOISE_FLOOR_DBM = -113.0  # kTB over 200 kHz (-121 dBm) + 8 dB receiver noise figure
ADJACENT_REJECTION_DB = 18.0  # GSM C/A1 requirement (TS 45.005): -18 dB
TCH_ACTIVITY_DB = -3.0  # a traffic carrier of another cell is busy about half the time
SHADOW_WAVES = 12


class Projector:
    """Local flat-earth projection around the scenario's first cell (metres east/north)."""

    def __init__(self, lat0: float, lon0: float) -> None:
        self.lat0, self.lon0 = lat0, lon0
        self.kx = math.radians(1) * EARTH_R_M * math.cos(math.radians(lat0))
        self.ky = math.radians(1) * EARTH_R_M

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        return (lon - self.lon0) * self.kx, (lat - self.lat0) * self.ky

    def latlon(self, x: float, y: float) -> tuple[float, float]:
        return self.lat0 + y / self.ky, self.lon0 + x / self.kx


def _mix64(v: int) -> int:
    """splitmix64 finaliser: a cheap, well-spread integer hash."""
    v = (v + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    v = ((v ^ (v >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    v = ((v ^ (v >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return v ^ (v >> 31)


def keyed_gauss(*key: int) -> float:
    """A standard normal value that depends only on the integer key (Box-Muller)."""
    h = 0
    for k in key:
        h = _mix64(h ^ (k & 0xFFFFFFFFFFFFFFFF))
    u1 = ((h >> 11) + 1) / float(1 << 53)
    u2 = (_mix64(h) >> 11) / float(1 << 53)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def keyed_uniform(*key: int) -> float:
    h = 0
    for k in key:
        h = _mix64(h ^ (k & 0xFFFFFFFFFFFFFFFF))
    return (h >> 11) / float(1 << 53)


def hata_loss_db(freq_mhz: float, hb_m: float, hm_m: float, d_km: float, metro: bool) -> float:
    """Okumura-Hata (< 1500 MHz) / COST-231 Hata (1500-2000 MHz), urban, never below free space."""
    d_km = max(d_km, 0.02)
    hb = max(hb_m, 1.0)
    lf = math.log10(freq_mhz)
    a_hm = (1.1 * lf - 0.7) * hm_m - (1.56 * lf - 0.8)
    slope = (44.9 - 6.55 * math.log10(hb)) * math.log10(d_km)
    if freq_mhz < 1500:
        loss = 69.55 + 26.16 * lf - 13.82 * math.log10(hb) - a_hm + slope
    else:
        loss = 46.3 + 33.9 * lf - 13.82 * math.log10(hb) - a_hm + slope + (3.0 if metro else 0.0)
    if metro and freq_mhz < 1500:
        loss += 3.0
    free = 32.44 + 20 * math.log10(d_km) + 20 * lf
    return max(loss, free)


def indoor_path_loss_db(freq_mhz: float, d_m: float) -> float:
    """ITU-R P.1238 site-general indoor model, office, same floor: 20 log f + 30 log d - 28."""
    return 20 * math.log10(freq_mhz) + 30 * math.log10(max(d_m, 1.0)) - 28.0


def antenna_gain_db(bearing_deg: float, elevation_deg: float, cell: CellSpec) -> float:
    """3GPP parabolic pattern relative to boresight (0 dB at boresight, down to -25 dB)."""
    vert = -min(12.0 * ((elevation_deg - cell.tilt_deg) / cell.vertical_beamwidth_deg) ** 2, 20.0)
    if cell.omni:
        return vert
    phi = (bearing_deg - cell.azimuth_deg + 180.0) % 360.0 - 180.0
    horiz = -min(12.0 * (phi / cell.beamwidth_deg) ** 2, 25.0)
    return -min(-(horiz + vert), 25.0)


# RXQUAL from C/(I+N) in dB: the lowest C/I that still gives each RXQUAL (full rate speech,
# typical receiver; GSM needs about 9 dB C/I for RXQUAL 3-4).
_RXQUAL_CIR_DB = ((16.0, 0), (13.5, 1), (11.5, 2), (9.5, 3), (7.5, 4), (5.5, 5), (3.0, 6))


def rxqual_from_cir(cir_db: float) -> int:
    for threshold, q in _RXQUAL_CIR_DB:
        if cir_db >= threshold:
            return q
    return 7


@dataclass
class _CellGeo:
    spec: CellSpec
    x: float
    y: float
    eirp_dbm: float
    freq_mhz: float
    shadow_waves: list[tuple[float, float, float]]
    carriers: tuple[tuple[int, bool], ...]  # (arfcn, is_bcch) of unblocked TRXs


class World:
    """Levels and quality at a point, for every cell of a scenario. Pure maths, no state but
    the seed (and a one-entry cache per cell, replaced atomically): safe from any thread."""

    def __init__(self, scenario: Scenario, seed: int = 1) -> None:
        self.scenario = scenario
        self.seed = int(seed)
        first = scenario.cells[0]
        self.proj = Projector(first.lat, first.lon)
        r = scenario.radio
        self.metro = r.environment == "metro"
        self.cells: list[_CellGeo] = []
        for i, c in enumerate(scenario.cells):
            x, y = self.proj.xy(c.lat, c.lon)
            rng = random.Random(self.seed * 1_000_003 + i * 7919 + 17)
            k = 1.0 / r.shadowing_corr_m
            waves = [(rng.gauss(0, k), rng.gauss(0, k), rng.uniform(0, 2 * math.pi)) for _ in range(SHADOW_WAVES)]
            carriers = tuple((a, t.timeslots[0].startswith("BCCH")) for t in c.trxs
                             if not t.blocked and "dead" not in t.faults and "dead" not in c.faults
                             for a in t.arfcns)
            self.cells.append(_CellGeo(
                spec=c, x=x, y=y, eirp_dbm=c.bs_power_dbm + c.antenna_gain_dbi - c.feeder_loss_db,
                freq_mhz=radio.arfcn_downlink_mhz(c.bcch_arfcn) or 947.0, shadow_waves=waves,
                carriers=carriers))
        self.interferers = []
        for it in scenario.interferers:
            x, y = self.proj.xy(it.lat, it.lon)
            self.interferers.append((it, x, y))
        self._shadow_scale = r.shadowing_sigma_db * math.sqrt(2.0 / SHADOW_WAVES)
        self._last: dict[int, tuple[tuple[float, float, float], float]] = {}

    # ------------------------------------------------------------ levels

    def shadowing_db(self, index: int, x: float, y: float) -> float:
        total = 0.0
        for kx, ky, phase in self.cells[index].shadow_waves:
            total += math.cos(kx * x + ky * y + phase)
        return self._shadow_scale * total

    def distance_m(self, index: int, x: float, y: float) -> float:
        g = self.cells[index]
        return math.hypot(x - g.x, y - g.y)

    def mean_level_dbm(self, index: int, x: float, y: float, indoor_loss_db: float = 0.0) -> float:
        """Local mean level of a cell's carriers at (x, y) metres: no measurement noise.
        The last value per cell is kept: a handset standing still (CQT) costs nothing."""
        key = (x, y, indoor_loss_db)
        hit = self._last.get(index)
        if hit is not None and hit[0] == key:
            return hit[1]
        value = self._mean_level(index, x, y, indoor_loss_db)
        self._last[index] = (key, value)
        return value

    def _mean_level(self, index: int, x: float, y: float, indoor_loss_db: float) -> float:
        g = self.cells[index]
        c = g.spec
        dx, dy = x - g.x, y - g.y
        d = math.hypot(dx, dy)
        hm = self.scenario.radio.ms_height_m
        bearing = math.degrees(math.atan2(dx, dy)) % 360.0
        elevation = math.degrees(math.atan2(c.height_m - hm, max(d, 1.0)))
        gain = antenna_gain_db(bearing, elevation, c)
        if c.indoor:
            loss = indoor_path_loss_db(g.freq_mhz, math.hypot(d, c.height_m - hm))
        else:
            loss = hata_loss_db(g.freq_mhz, c.height_m, hm, d / 1000.0, self.metro)
            loss += self.scenario.radio.clutter_loss_db + indoor_loss_db
        return g.eirp_dbm + gain - loss + self.shadowing_db(index, x, y)

    def measure_dbm(self, index: int, x: float, y: float, period: int, indoor_loss_db: float = 0.0) -> float:
        """One measurement (a SACCH period's average) including the receiver's noise."""
        noise = self.scenario.radio.noise_sigma_db * keyed_gauss(self.seed, index, period)
        return self.mean_level_dbm(index, x, y, indoor_loss_db) + noise

    # ------------------------------------------------------------ quality

    def _interferer_dbm(self, k: int, x: float, y: float, indoor_loss_db: float) -> float:
        it, ix, iy = self.interferers[k]
        d = math.hypot(x - ix, y - iy)
        freq = radio.arfcn_downlink_mhz(it.arfcn_from) or 947.0
        loss = hata_loss_db(freq, it.height_m, self.scenario.radio.ms_height_m, d / 1000.0, self.metro)
        return it.eirp_dbm - loss - indoor_loss_db - self.scenario.radio.clutter_loss_db

    def interference_mw(self, arfcn: int, serving: int, x: float, y: float, indoor_loss_db: float = 0.0,
                        levels: dict[int, float] | None = None) -> float:
        """Interference power (mW) on one carrier: other cells' co/adjacent carriers + external."""
        total = 0.0
        for j, g in enumerate(self.cells):
            if j == serving:
                continue
            level = None
            for a, is_bcch in g.carriers:
                diff = abs(a - arfcn)
                if diff > 1:
                    continue
                if level is None:
                    level = levels[j] if levels and j in levels else self.mean_level_dbm(j, x, y, indoor_loss_db)
                p = level + (0.0 if is_bcch else TCH_ACTIVITY_DB) - (ADJACENT_REJECTION_DB if diff else 0.0)
                total += 10 ** (p / 10.0)
        for k, (it, _ix, _iy) in enumerate(self.interferers):
            if it.covers(arfcn):
                total += 10 ** (self._interferer_dbm(k, x, y, indoor_loss_db) / 10.0)
            elif it.covers(arfcn - 1) or it.covers(arfcn + 1):
                total += 10 ** ((self._interferer_dbm(k, x, y, indoor_loss_db) - ADJACENT_REJECTION_DB) / 10.0)
        return total

    def cir_db(self, serving: int, arfcns: tuple[int, ...], carrier_dbm: float, x: float, y: float,
               indoor_loss_db: float = 0.0, levels: dict[int, float] | None = None) -> float:
        """C/(I+N) in dB on the carrier(s) a call uses; a hopping call sees the mean
        interference over its hopping list (frequency diversity)."""
        noise = 10 ** (NOISE_FLOOR_DBM / 10.0)
        inter = sum(self.interference_mw(a, serving, x, y, indoor_loss_db, levels) for a in arfcns) / len(arfcns)
        return carrier_dbm - 10 * math.log10(inter + noise)

    def rxqual(self, cir_db: float, period: int, salt: int = 0) -> int:
        """RXQUAL for one SACCH period: the C/I mapping with ±1.5 dB of fading spread."""
        jitter = 1.5 * keyed_gauss(self.seed, 0x51, salt, period)
        return rxqual_from_cir(cir_db + jitter)
