"""The call model: setup with realistic delays and failures, channel assignment to a TRX and
timeslot of the serving cell, per-TRX faults, and what a listener would hear.

Setup of a mobile-originated call (times in simulated seconds after ATD)::

    0        RACH on the serving cell      bcch_hung cell: no answer, fails at ~5 s
    0.3-0.8  SDCCH on some TRX/timeslot    sdcch_activation_fails TRX: IMMEDIATE ASSIGNMENT
                                           REJECT, fails at once (case 4: works on retry)
    1.5-3    TCH assigned (early assignment) on a TRX + timeslot, shown in engineering mode
    2-4      alerting
    3-8      connected (the far end answers)

Radio failures during setup are drawn from the level and quality at the time of the dial.
Every random draw is keyed by (seed, call number), so a scenario replays identically.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from drivers.sim.scenario import CellSpec, Trx
from drivers.sim.world import keyed_uniform

# Call states (27.007 +CLCC <stat>), plus "released" (SIMCom's 6).
DIALING, ALERTING, ACTIVE, INCOMING, RELEASED = 2, 3, 0, 4, 6

# Audio verdicts: what a person on the call would hear (AT+FASIMAUDIO?).
NORMAL = "normal"
ONE_WAY_UL = "one-way-ul"  # the far end cannot hear us (uplink audio lost)
ONE_WAY_DL = "one-way-dl"  # we cannot hear the far end
NO_AUDIO = "no-audio"
NOISE = "noise"
VERDICTS = (NORMAL, ONE_WAY_UL, ONE_WAY_DL, NO_AUDIO, NOISE)
_FAULT_VERDICT = {"uplink_audio_lost": ONE_WAY_UL, "downlink_audio_lost": ONE_WAY_DL, "no_audio": NO_AUDIO}
_SEVERITY = {NORMAL: 0, NOISE: 1, ONE_WAY_DL: 2, ONE_WAY_UL: 2, NO_AUDIO: 3}

# Release causes: (CC cause per TS 24.008 or None, the text +CEER prints).
CAUSE_NORMAL = (16, "Normal call clearing")
CAUSE_NO_SERVICE = (None, "No service")
CAUSE_RA_FAILURE = (None, "Random access failure")
CAUSE_IA_REJECT = (None, "Immediate assignment reject")
CAUSE_SETUP_RADIO = (None, "Lower layer failure")
CAUSE_RLT = (None, "Radio link failure")
CAUSE_NO_CHANNEL = (34, "No circuit/channel available")
CAUSE_NO_ANSWER = (19, "User alerting, no answer")

RA_TIMEOUT_S = 5.0
RADIO_LINK_TIMEOUT = 16  # SACCH blocks (the cell's RADIO_LINK_TIMEOUT parameter)


@dataclass
class Assignment:
    """A dedicated channel: SDCCH or TCH on one TRX and timeslot of a cell."""

    cell_index: int
    trx: Trx
    timeslot: int
    channel_type: str  # "SDCCH/8" or "TCH/F"

    @property
    def arfcns(self) -> tuple[int, ...]:
        return self.trx.arfcns

    @property
    def tch_arfcn(self) -> int | None:
        return None if self.trx.hopping else self.trx.arfcns[0]


@dataclass
class Call:
    number_seq: int  # 1, 2, 3... since power-on (the +FASIMAUDIO index)
    number: str
    direction: int  # 0 MO, 1 MT
    state: int
    t_dial: float
    events: list[tuple[float, str, Any]] = field(default_factory=list)  # pending (time, step, data)
    channel: Assignment | None = None
    cause: tuple[int | None, str] | None = None
    t_active: float | None = None
    t_end: float | None = None
    dropped: bool = False
    rlt_counter: int = RADIO_LINK_TIMEOUT
    audio_s: dict[str, float] = field(default_factory=dict)  # verdict → seconds heard
    trx_history: list[str] = field(default_factory=list)  # TCH TRX ids in order (handovers)
    sdcch: Assignment | None = None  # the SDCCH the BSC picked (even when its activation failed)

    @property
    def ended(self) -> bool:
        return self.state == RELEASED

    def duration_s(self, now: float) -> float:
        if self.t_active is None:
            return 0.0
        return max(0.0, (self.t_end if self.t_end is not None else now) - self.t_active)

    def add_audio(self, verdict: str, seconds: float) -> None:
        self.audio_s[verdict] = self.audio_s.get(verdict, 0.0) + seconds

    def verdict(self) -> str:
        """What a listener heard: the verdict that lasted longest (ties: the worse one).
        A call that never connected carried no audio."""
        if not self.audio_s:
            return NO_AUDIO if self.t_active is None else self._current_verdict()
        return max(self.audio_s.items(), key=lambda kv: (kv[1], _SEVERITY[kv[0]]))[0]

    def _current_verdict(self) -> str:
        return segment_verdict(self.channel, None)


def segment_verdict(channel: Assignment | None, rxqual: int | None) -> str:
    """Audio on one channel for one measurement period: a TRX fault decides; otherwise very
    bad quality is heard as noise."""
    if channel is None:
        return NO_AUDIO
    for fault, verdict in _FAULT_VERDICT.items():
        if fault in channel.trx.faults:
            return verdict
    if rxqual is not None and rxqual >= 6:
        return NOISE
    return NORMAL


def _pick(choices: list, u: float):
    return choices[min(int(u * len(choices)), len(choices) - 1)]


def pick_sdcch(cell_index: int, cell: CellSpec, u: float, blocked: set[str]) -> Assignment | None:
    """The BSC picks a free SDCCH on any unblocked TRX (uniformly here). Blocking the BCCH
    TRX blocks its traffic timeslots only: the BCCH and its SDCCH stay on air (blocking them
    would take the whole cell down), which is how case 3 forced calls onto TRX-69-1."""
    slots = [(t, ts) for t in cell.trxs if t.trx_id not in blocked or t.timeslots[0].startswith("BCCH")
             for ts in t.sdcch_slots()]
    if not slots:
        return None
    trx, ts = _pick(slots, u)
    return Assignment(cell_index, trx, ts, "SDCCH/8")


def pick_tch(cell_index: int, cell: CellSpec, u: float, blocked: set[str],
             only_arfcn: int | None = None) -> Assignment | None:
    """A free full-rate TCH on any unblocked TRX: blocking every TRX but one forces the calls
    onto that one (reference case 3, method b). ``only_arfcn``: a channel lock pins the TCH to
    the TRX carrying that ARFCN when the cell has one (method a)."""
    trxs = [t for t in cell.trxs if t.trx_id not in blocked]
    if only_arfcn is not None and any(only_arfcn in t.arfcns for t in trxs):
        trxs = [t for t in trxs if only_arfcn in t.arfcns]
    slots = [(t, ts) for t in trxs for ts in t.tch_slots()]
    if not slots:
        return None
    trx, ts = _pick(slots, u)
    return Assignment(cell_index, trx, ts, "TCH/F")


def setup_failure_probability(level_dbm: float, rxqual: int) -> float:
    """Chance that a setup fails on the radio path: ~50 % at -104 dBm, ~1 % at -94 dBm; bad
    quality on the signalling channel adds its own share."""
    p_level = 1.0 / (1.0 + math.exp((level_dbm + 104.0) / 2.2))
    p_quality = {5: 0.05, 6: 0.2, 7: 0.5}.get(rxqual, 0.005)
    return min(1.0, p_level + p_quality - p_level * p_quality)


def sacch_loss_probability(rxqual: int, level_dbm: float) -> float:
    """Chance that one SACCH block is not decoded (drives the radio link timeout counter)."""
    p = {5: 0.08, 6: 0.45, 7: 0.85}.get(rxqual, 0.0)
    if level_dbm < -106:
        p = max(p, 0.9)
    elif level_dbm < -102:
        p = max(p, 0.3)
    return p


def plan_mo_setup(call: Call, seed: int, cell_index: int, cell: CellSpec, level_dbm: float,
                  sdcch_rxqual: int, t0: float, blocked: set[str]) -> None:
    """Decide the whole setup at dial time and queue its steps on the call."""
    def u(k: int) -> float:
        return keyed_uniform(seed, 0xCA11, call.number_seq, k)

    if cell.bcch_hung:  # no random access on this cell (cases 1 and 5)
        call.events.append((t0 + RA_TIMEOUT_S, "fail", CAUSE_RA_FAILURE))
        return
    sdcch = pick_sdcch(cell_index, cell, u(1), blocked)
    if sdcch is None:
        call.events.append((t0 + 1.0, "fail", CAUSE_NO_CHANNEL))
        return
    call.sdcch = sdcch
    t_sdcch = t0 + 0.3 + 0.5 * u(2)
    if "sdcch_activation_fails" in sdcch.trx.faults:  # case 4: CHANNEL ACTIVATION NACK
        # The BSC answers IMMEDIATE ASSIGNMENT REJECT: the handset never gets the SDCCH.
        call.events.append((t_sdcch, "fail", CAUSE_IA_REJECT))
        return
    call.events.append((t_sdcch, "sdcch", sdcch))
    if u(3) < setup_failure_probability(level_dbm, sdcch_rxqual):
        call.events.append((t0 + 2.0 + 2.0 * u(4), "fail", CAUSE_SETUP_RADIO))
        return
    t_tch = t0 + 1.5 + 1.5 * u(5)
    t_alert = max(t_tch + 0.2, t0 + 2.0 + 2.0 * u(6))
    t_connect = max(t_alert + 1.0, t0 + 3.0 + 5.0 * u(7))
    call.events += [(t_tch, "tch", u(8)), (t_alert, "alerting", None), (t_connect, "connect", None)]
