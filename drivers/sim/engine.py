"""The handset's radio layer in the simulated network: camping and idle reselection (C1/C2),
measurements every SACCH period (480 ms), calls with handover and radio link timeout, and the
ARFCN lock. The AT interpreter (``handset.py``) reads ``snapshot()`` and drains ``events``.

Time only moves through ``advance(now_s)``; everything is keyed by the measurement period, so
a run is reproducible for a seed whatever the pace of the queries. Thread-safe (one lock).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

from drivers.sim import calls as cm
from drivers.sim.movement import Fix, ManualClock, Mover, SimClock
from drivers.sim.scenario import CellSpec, Scenario
from drivers.sim.world import World, keyed_uniform
from fieldapp import radio

SACCH_S = 0.48
RESELECT_PERIODS = 10  # a neighbour must be better for ~5 s (TS 45.008 §6.6.2)
CRH_DB = 4.0  # CELL_RESELECT_HYSTERESIS across location areas
HO_MARGIN_DB = 4.0
HO_PERIODS = 3
MAX_CATCHUP_PERIODS = 20_000


@dataclass(frozen=True, slots=True)
class CellReading:
    index: int
    spec: CellSpec
    level_dbm: float
    rxlev: int
    c1: int
    c2: int


@dataclass(frozen=True, slots=True)
class Dedicated:
    channel: cm.Assignment
    rxlev_full: int
    rxlev_sub: int
    rxqual_full: int
    rxqual_sub: int
    ta: int
    codec: str = "EFR"


@dataclass(frozen=True, slots=True)
class Snapshot:
    t_s: float
    fix: Fix
    serving: CellReading | None
    neighbours: tuple[CellReading, ...]
    dedicated: Dedicated | None
    reg_stat: int  # +CREG <stat>: 1 registered (home), 2 searching
    call: cm.Call | None
    lock_arfcn: int | None


class Engine:
    def __init__(self, scenario: Scenario, seed: int = 1, clock: SimClock | None = None) -> None:
        self.scenario = scenario
        self.seed = int(seed)
        self.world = World(scenario, seed)
        self.mover = Mover(scenario.movement, self.world.proj)
        self.clock = clock if clock is not None else SimClock()
        self.lock = threading.RLock()
        self.events: deque[tuple[str, Any]] = deque(maxlen=1000)
        self.blocked: set[str] = {t.trx_id for c in scenario.cells for t in c.trxs if t.blocked}
        self.lock_arfcn: int | None = None
        self.serving: int | None = None
        self.calls_made = 0
        self.call: cm.Call | None = None
        n = len(scenario.cells)
        self._period = -1
        self._fix: Fix = self.mover.at(0.0)
        self._levels = [-150.0] * n
        self._avg: list[float | None] = [None] * n
        self._resel = [0] * n
        self._ho_better = [0] * n
        self._access_min = [radio.dbm_to_rxlev(c.rxlev_access_min_dbm) or 0 for c in scenario.cells]
        self._cro = [int(c.cro_db) for c in scenario.cells]
        self._bad_quality = 0
        self._ded: Dedicated | None = None
        self._last_t = 0.0
        self.advance(0.0)

    # ------------------------------------------------------------ time

    def now(self) -> float:
        return self.clock.now()

    def advance(self, now_s: float | None = None) -> None:
        """Run every measurement period up to ``now_s`` (default: the clock's time)."""
        now = self.clock.now() if now_s is None else now_s
        with self.lock:
            target = int(now / SACCH_S)
            if target - self._period > MAX_CATCHUP_PERIODS:
                self._period = target - MAX_CATCHUP_PERIODS
            while self._period < target:
                self._period += 1
                t = self._period * SACCH_S
                self._call_steps(t)
                self._measure(t)
                if self._in_dedicated():
                    self._dedicated_period(t)
                else:
                    self._ded = None
                    self._idle_period()
            self._call_steps(now)
            self._last_t = max(self._last_t, now)

    # ------------------------------------------------------------ measurements

    def _indoor_loss(self) -> float:
        return self.scenario.movement.indoor_loss_db

    def _measure(self, t: float) -> None:
        fix = self._fix = self.mover.at(t)
        w, p, loss = self.world, self._period, self._indoor_loss()
        for i in range(len(self._levels)):
            # A cell off the air (dead BCCH TRX) is never measured, camped on or handed over to.
            level = -150.0 if self.scenario.cells[i].off_air else w.measure_dbm(i, fix.x, fix.y, p, loss)
            self._levels[i] = level
            prev = self._avg[i]
            self._avg[i] = level if prev is None else 0.75 * prev + 0.25 * level

    def _allowed(self, i: int) -> bool:
        """May the handset camp on / hand over to cell i under the current lock? The simulated
        lock is an engineering handset's channel lock (what DOMAIN case 3's engineers used):
        locked to an ARFCN, the handset stays on the cell that carries it, BCCH or TCH."""
        lock = self.lock_arfcn
        if lock is None:
            return True
        cell = self.scenario.cells[i]
        return cell.bcch_arfcn == lock or any(lock in t.arfcns for t in cell.trxs)

    def _tch(self, cell_index: int, u: float) -> cm.Assignment | None:
        """A TCH of the cell; under a channel lock only on the TRX carrying the locked ARFCN."""
        return cm.pick_tch(cell_index, self.scenario.cells[cell_index], u, self.blocked,
                           only_arfcn=self.lock_arfcn)

    def _c1(self, i: int, level: float | None = None) -> int:
        """C1 = RXLEV - RXLEV_ACCESS_MIN (TS 45.008 §6.4; the MS power term is 0 here)."""
        lv = self._avg[i] if level is None else level
        return (radio.dbm_to_rxlev(lv) or 0) - self._access_min[i]

    def _idle_period(self) -> None:
        n = len(self._levels)
        c2 = [self._c1(i) + self._cro[i] for i in range(n)]
        cands = [i for i in range(n) if c2[i] - self._cro[i] > 0 and self._allowed(i)]
        s = self.serving
        if s is None or s not in cands:
            self._camp(max(cands, key=c2.__getitem__) if cands else None)
            return
        cells = self.scenario.cells
        best, best_key = None, None
        for i in range(n):
            if i == s or i not in cands:
                self._resel[i] = 0
                continue
            margin = 0.0 if cells[i].lac == cells[s].lac else CRH_DB
            self._resel[i] = self._resel[i] + 1 if c2[i] > c2[s] + margin else 0
            key = (self._resel[i], c2[i])
            if best_key is None or key > best_key:
                best, best_key = i, key
        if best is not None and self._resel[best] >= RESELECT_PERIODS:
            self._camp(best)

    def _camp(self, index: int | None) -> None:
        if index == self.serving:
            return
        old = self.serving
        self.serving = index
        self._resel = [0] * len(self._resel)
        self.events.append(("cell", (old, index)))

    def reg_stat(self) -> int:
        return 1 if self.serving is not None else 2

    # ------------------------------------------------------------ dedicated mode

    def _in_dedicated(self) -> bool:
        c = self.call
        return c is not None and not c.ended and c.channel is not None

    def _dedicated_period(self, t: float) -> None:
        call = self.call
        assert call is not None and call.channel is not None
        ch = call.channel
        s = ch.cell_index
        fix, p = self._fix, self._period
        carrier = self._levels[s]
        levels = dict(enumerate(self._levels))
        cir = self.world.cir_db(s, ch.arfcns, carrier, fix.x, fix.y, self._indoor_loss(), levels)
        q_full = self.world.rxqual(cir, p, call.number_seq)
        q_sub = min(7, max(0, q_full + (1 if keyed_uniform(self.seed, 0x5B, p) < 0.2 else 0)))
        full = radio.dbm_to_rxlev(carrier) or 0
        sub = radio.dbm_to_rxlev(carrier + 0.8 * (keyed_uniform(self.seed, 0x5C, p) - 0.5)) or 0
        ta = radio.distance_to_ta(self.world.distance_m(s, fix.x, fix.y))
        self._ded = Dedicated(ch, full, sub, q_full, q_sub, ta)
        # radio link timeout: -1 per lost SACCH block, +2 per good one (TS 45.008 §5.2)
        if keyed_uniform(self.seed, 0x5ACC, call.number_seq, p) < cm.sacch_loss_probability(q_full, carrier):
            call.rlt_counter -= 1
        else:
            call.rlt_counter = min(cm.RADIO_LINK_TIMEOUT, call.rlt_counter + 2)
        if call.rlt_counter <= 0:
            call.dropped = True
            self._end_call(t, cm.CAUSE_RLT, by_network=True)
            return
        if call.state == cm.ACTIVE:
            call.add_audio(cm.segment_verdict(ch, q_full), SACCH_S)
        if ch.channel_type.startswith("TCH"):
            self._handover_check(t, s, q_full)

    def _handover_check(self, t: float, s: int, rxqual: int) -> None:
        self._bad_quality = self._bad_quality + 1 if rxqual >= 6 else 0
        avg = self._avg
        best, best_level = None, -999.0
        for j in range(len(avg)):
            if j == s or not self._allowed(j):
                self._ho_better[j] = 0
                continue
            lj, ls = avg[j] or -150.0, avg[s] or -150.0
            power_budget = lj > ls + HO_MARGIN_DB and lj > -100.0
            quality = self._bad_quality >= 4 and lj > ls - 3.0 and lj > -95.0
            self._ho_better[j] = self._ho_better[j] + 1 if (power_budget or quality) else 0
            if self._ho_better[j] >= HO_PERIODS and lj > best_level:
                best, best_level = j, lj
        if best is None:
            return
        call = self.call
        assert call is not None
        u = keyed_uniform(self.seed, 0x40, call.number_seq, self._period)
        tch = self._tch(best, u)
        if tch is None:  # no free TCH in the target: stay
            return
        # Handover-in works even into a cell whose BCCH TRX hung (no RACH needed): cases 1, 5.
        call.channel = tch
        call.trx_history.append(tch.trx.trx_id)
        self.serving = best
        self._ho_better = [0] * len(self._ho_better)
        self._bad_quality = 0
        self.events.append(("handover", (s, best)))

    # ------------------------------------------------------------ calls

    def dial(self, number: str) -> cm.Call | None:
        """Start an MO call. None when the handset has no service (ATD then fails at once)."""
        with self.lock:
            self.advance()
            if self.call is not None and not self.call.ended:
                raise RuntimeError("a call is already in progress")
            self.calls_made += 1
            now = self._last_t
            call = cm.Call(self.calls_made, number, 0, cm.DIALING, now)
            self.call = call
            s = self.serving
            if s is None:
                call.state, call.cause, call.t_end = cm.RELEASED, cm.CAUSE_NO_SERVICE, now
                return None
            spec = self.scenario.cells[s]
            fix = self._fix
            level = self._levels[s]
            cir = self.world.cir_db(s, (spec.bcch_arfcn,), level, fix.x, fix.y, self._indoor_loss(),
                                    dict(enumerate(self._levels)))
            rxq = self.world.rxqual(cir, self._period, call.number_seq)
            cm.plan_mo_setup(call, self.seed, s, spec, level, rxq, now, self.blocked)
            self.events.append(("call", call))
            return call

    def incoming(self, number: str) -> bool:
        """The network pages the handset for an MT call. A handset camped on a cell whose
        BCCH TRX hung cannot answer the paging ("subscriber not reachable")."""
        with self.lock:
            self.advance()
            if self.call is not None and not self.call.ended:
                return False
            if self.serving is None or self.scenario.cells[self.serving].bcch_hung:
                return False
            self.calls_made += 1
            now = self._last_t
            call = cm.Call(self.calls_made, number, 1, cm.INCOMING, now)
            call.events.append((now + 30.0, "fail", cm.CAUSE_NO_ANSWER))
            self.call = call
            self.events.append(("ring", call))
            return True

    def answer(self) -> bool:
        with self.lock:
            self.advance()
            call = self.call
            if call is None or call.state != cm.INCOMING:
                return False
            now = self._last_t
            call.events = [(now + 0.2, "tch", keyed_uniform(self.seed, 0xA5, call.number_seq)),
                           (now + 0.5, "connect", None)]
            return True

    def hangup(self) -> bool:
        """Release by the user (ATH/AT+CHUP): normal clearing. False when there was no call."""
        with self.lock:
            self.advance()
            if self.call is None or self.call.ended:
                return False
            self._end_call(self._last_t, cm.CAUSE_NORMAL, by_network=False)
            return True

    def _call_steps(self, t: float) -> None:
        call = self.call
        if call is None or call.ended or not call.events:
            return
        call.events.sort(key=lambda e: e[0])
        while call.events and call.events[0][0] <= t and not call.ended:
            due, step, data = call.events.pop(0)
            if step == "fail":
                self._end_call(due, data, by_network=True)
            elif step == "sdcch":
                call.channel = data
            elif step == "tch":
                s = self.serving if self.serving is not None else 0
                tch = self._tch(s, data)
                if tch is None:
                    self._end_call(due, cm.CAUSE_NO_CHANNEL, by_network=True)
                else:
                    call.channel = tch
                    call.trx_history.append(tch.trx.trx_id)
            elif step == "alerting":
                call.state = cm.ALERTING
                self.events.append(("call", call))
            elif step == "connect":
                call.state, call.t_active = cm.ACTIVE, due
                self.events.append(("call", call))

    def _end_call(self, t: float, cause: tuple[int | None, str], by_network: bool) -> None:
        call = self.call
        assert call is not None
        call.state, call.cause, call.t_end, call.events = cm.RELEASED, cause, t, []
        self._ded = None
        self._bad_quality = 0
        self.events.append(("end", (call, by_network)))

    # ------------------------------------------------------------ controls

    def set_lock(self, arfcn: int | None) -> None:
        """Lock to one ARFCN (None unlocks), as an engineering handset does: camping on the
        cell that carries it, and traffic channels only on the TRX that carries it (a lock to
        the BCCH ARFCN pins calls to the BCCH TRX). Takes effect at once."""
        with self.lock:
            self.lock_arfcn = arfcn
            if self.serving is not None and not self._allowed(self.serving) and not self._in_dedicated():
                self._camp(None)
                self._idle_period()

    def set_blocked(self, trx_id: str, blocked: bool) -> bool:
        with self.lock:
            if not any(c.trx(trx_id) for c in self.scenario.cells):
                return False
            (self.blocked.add if blocked else self.blocked.discard)(trx_id)
            return True

    def drain_events(self) -> list[tuple[str, Any]]:
        with self.lock:
            out = list(self.events)
            self.events.clear()
            return out

    # ------------------------------------------------------------ what the handset sees

    def _reading(self, i: int) -> CellReading:
        level = self._levels[i]
        rxlev = radio.dbm_to_rxlev(level) or 0
        c1 = self._c1(i, level)
        return CellReading(i, self.scenario.cells[i], level, rxlev, c1, c1 + self._cro[i])

    def snapshot(self) -> Snapshot:
        with self.lock:
            self.advance()
            s = self.serving
            others = sorted((i for i in range(len(self._levels)) if i != s and self._levels[i] > -110.0),
                            key=lambda i: -self._levels[i])[:6]
            # Dedicated mode is reported from the TCH assignment on: the second or so on the
            # SDCCH during setup reads like idle (the modules' dedicated fields describe the
            # traffic channel, and an SDCCH must not be taken for the call's TRX).
            ded = self._ded if self._in_dedicated() else None
            if ded is not None and not ded.channel.channel_type.startswith("TCH"):
                ded = None
            return Snapshot(
                t_s=self._last_t, fix=self._fix,
                serving=None if s is None else self._reading(s),
                neighbours=tuple(self._reading(i) for i in others),
                dedicated=ded, reg_stat=self.reg_stat(), call=self.call, lock_arfcn=self.lock_arfcn)


def manual_engine(scenario: Scenario, seed: int = 1) -> tuple[Engine, ManualClock]:
    """An engine on a hand-stepped clock (tests and the benchmark)."""
    clock = ManualClock()
    return Engine(scenario, seed, clock), clock
