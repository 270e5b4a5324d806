"""Putting the calls on one TRX: the lock (with a check that the handset still has service on
the cell under test) and the block (asked of the engineer, applied in the simulator only when
told to), and undoing both at the end. Each step is an event in the recorded session: the
driver emits EV_LOCK/EV_UNLOCK, this module EV_BLOCK (a result means nothing without the
configuration it was taken under, docs/domain.md §4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fieldapp.cellplan import CellPlan, bcch_arfcn
from fieldapp.clock import SYSTEM_CLOCK, Clock
from fieldapp.cqt.plan import ATTRIBUTE, BLOCK, LOCK, LOCK_CELL, CqtPlan, PlanError, RunFault
from fieldapp.device import AtError, CallControl, DeviceGone, Unsupported
from fieldapp.model import EV_BLOCK, EV_INFO, EV_NOTE, Event


class TrxSetup:
    """``radio()`` returns (samples seen so far, last serving cell or None); ``nap()`` waits a
    little for news; ``aborted()`` says the run is being aborted; ``say(**status)`` updates the
    live status; ``emit(event)`` records an event."""

    def __init__(self, source: CallControl, plan: CqtPlan, *, emit: Callable[[Event], None],
                 radio: Callable[[], tuple[int, Any]], nap: Callable[[], None], aborted: Callable[[], bool],
                 say: Callable[..., None], confirm_block: Callable[[str], bool] | None = None,
                 sim: Any = None, apply_sim_block: bool = False, clock: Clock = SYSTEM_CLOCK) -> None:
        self.source = source
        self.clock = clock
        self.plan = plan
        self.emit = emit
        self.radio = radio
        self.nap = nap
        self.aborted = aborted
        self.say = say
        self.confirm_block = confirm_block
        self.sim = sim
        self.apply_sim_block = apply_sim_block
        self.run_id: int | None = None
        self.forced_trx: str | None = None  # the TRX the current configuration forces
        self._cell_locked = False
        self._blocks_applied = False

    def forget(self) -> None:
        """After a fault: ask for the configuration again on resume (it may have changed)."""
        self.forced_trx = None
        self._cell_locked = False

    def configure(self, trx: str | None) -> None:
        plan = self.plan
        if LOCK in plan.modes and plan.lock_kind == LOCK_CELL and not self._cell_locked:
            arfcn = bcch_arfcn(plan.cell)
            assert arfcn is not None  # validate() checked it
            self._lock_to(arfcn, f"the BCCH of {plan.cell.name}")
            self._cell_locked = True
        if trx is None or trx == self.forced_trx:
            return
        self.say(phase="configuring", trx_id=trx)
        if BLOCK in plan.modes:
            self._block_all_but(trx)
        if LOCK in plan.modes and plan.lock_kind != LOCK_CELL:
            self._lock_to(plan.cell.trxs[plan.trx_ids.index(trx)].arfcns[0], trx)
        self.forced_trx = trx

    def _lock_to(self, arfcn: int, what: str) -> None:
        """Lock, then wait for service on the cell under test, positively identified: a report
        without a cell identity (Telit with no service) does not count."""
        before, _serving = self.radio()
        try:
            self.source.lock(arfcn)
        except Unsupported as exc:
            raise PlanError(str(exc)) from exc
        except AtError as exc:
            raise RunFault(f"the lock to ARFCN {arfcn} ({what}) was refused: {exc}") from exc
        except (DeviceGone, OSError) as exc:
            raise RunFault(f"the device is gone ({exc}): reconnect it, then resume") from exc
        plan = self.plan
        deadline = self.clock.monotonic() + plan.lock_settle_s
        while not self.aborted():
            count, serving = self.radio()
            fresh = count > before + 1  # a whole poll cycle after the lock
            if fresh and serving is not None and CellPlan.same(plan.cell, serving) is True \
                    and (plan.lock_kind != LOCK_CELL or serving.arfcn in (None, arfcn)):
                return
            if self.clock.monotonic() > deadline:
                where = "no service" if serving is None or not fresh else f"CI {serving.ci} / ARFCN {serving.arfcn}"
                raise RunFault(f"locked to ARFCN {arfcn} ({what}) but after {plan.lock_settle_s:g} s the handset "
                               f"shows {where}, not {plan.cell.name}: this device's lock selects a BCCH carrier, "
                               "not a TRX (docs/at-commands.md §4). Use block or attribute mode")
            self.nap()

    def _block_all_but(self, trx: str) -> None:
        others = [t for t in self.plan.trx_ids if t != trx]
        self.say(phase="waiting", message=f"ask the BSC team to block {', '.join(others) or 'nothing'} "
                                          f"and keep {trx} in service")
        if self.confirm_block is not None and not self.confirm_block(trx):
            raise RunFault(f"the block leaving only {trx} in service was not confirmed: resume when the BSC "
                           "team has done it")
        by = "engineer"
        if self.sim is not None and self.apply_sim_block:
            for t in self.plan.trx_ids:
                if not self.sim.set_blocked(t, t != trx):
                    raise RunFault(f"the simulator does not know {t}")
            self._blocks_applied = True
            by = "simulator" if self.confirm_block is None else "engineer + simulator"
        self.emit(Event(self.clock.time(), EV_BLOCK, f"blocked {', '.join(others) or 'none'}: calls go to {trx}",
                        {"active_trx": trx, "blocked": others, "cell": self.plan.cell.name,
                         "confirmed_by": by, "cqt_run": self.run_id}))
        self.say(message="")

    def undo(self) -> None:
        """The end of the run: blocks lifted (simulator) or a reminder to de-block, the unlock."""
        plan = self.plan
        if self._blocks_applied and self.sim is not None:
            for t in plan.trx_ids:
                self.sim.set_blocked(t, False)
            self._blocks_applied = False
            self.emit(Event(self.clock.time(), EV_BLOCK, "all TRXs back in service",
                            {"active_trx": None, "blocked": [], "cell": plan.cell.name,
                             "confirmed_by": "simulator", "cqt_run": self.run_id}))
        elif BLOCK in plan.modes and self.forced_trx is not None:
            self.emit(Event(self.clock.time(), EV_NOTE, f"CQT over: ask the BSC team to de-block the TRXs of "
                            f"{plan.cell.name}", {"cqt_run": self.run_id}))
        if LOCK in plan.modes and (self._cell_locked or self.forced_trx is not None):
            try:
                self.source.unlock()
            except (Unsupported, AtError, DeviceGone, OSError) as exc:
                self.emit(Event(self.clock.time(), EV_INFO, f"unlock failed: {exc}", {"cqt_run": self.run_id}))
        self.forget()


def preflight(plan: CqtPlan, source: Any, setup: TrxSetup) -> None:
    """Refuse, before any call, what cannot work: a bad plan, a lock the device does not have,
    simulator verdicts with a real device, a block nobody confirms, attribution with a device
    that shows no channel. Raises PlanError."""
    plan.validate()
    caps = getattr(source, "capabilities", None)
    family = getattr(caps, "family", None) or "this device"
    if LOCK in plan.modes and not getattr(caps, "can_lock_arfcn", False):
        raise PlanError(f"{family} has no documented GSM ARFCN lock (docs/at-commands.md §4): choose block or attribute mode")
    if plan.auto_audio and not getattr(source, "simulator", None):
        raise PlanError("automatic audio verdicts come from the simulator only: with a real "
                        "device a person listens and marks each call")
    if BLOCK in plan.modes and setup.confirm_block is None and not (setup.sim and setup.apply_sim_block):
        raise PlanError("block mode needs someone to confirm the BSC's blocks")
    if setup.apply_sim_block and setup.sim is None:
        raise PlanError("applying blocks in the simulator needs the simulator")
    fields = getattr(caps, "fields", {}) or {}
    if not plan.forces_trx and ATTRIBUTE in plan.modes and fields.get("tch_arfcn") is False:
        raise PlanError(f"{family} shows no dedicated channel (TCH ARFCN): attribute mode cannot "
                        "tie calls to a TRX; choose block mode")
