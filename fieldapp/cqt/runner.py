"""The CQT runner (Qt-free): drives the handset's call control through the plan, one call at a
time, and keeps every call in the workspace as it happens.

    runner = CqtRunner(source, plan, workspace=path, emit=recorder.sink, confirm_block=ask)
    source.start(lambda r: (recorder.sink(r), runner.observe(r)))
    verdict = runner.run()            # blocking; or runner.start() on its own thread
    ...                               # pause(), skip(), abort(), mark(verdict, note) from any thread

Per call: dial → wait for connect (``setup_timeout_s``) → hold ``hold_s`` → hang up → gap
``gap_s``. Call progress comes from the driver's call tracker (URCs or +CLCC polling, cause
from +CEER); the dedicated channel and the serving cell from the samples it sees through
``observe``. Lock, block and unlock are events in the recorded session (the driver emits
EV_LOCK/EV_UNLOCK; the runner emits EV_BLOCK when the engineer confirms a block).

Faults (the modem refuses the number, the device is unplugged, a lock that gives no service, a
block not confirmed) stop the run with ``state == "fault"`` and a message; the calls so far are
in the workspace, and ``resume()`` (or ``CqtRunner.load`` in a new process) continues the
remaining plan from the call that did not complete.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from drivers.at import AtError
from drivers.handset import Unsupported
from drivers.transport import DeviceGone
from fieldapp.cqt.attribution import attribute, on_cell
from fieldapp.cqt.calls import (
    BY_BLOCK,
    BY_LOCK,
    CANCELLED,
    CONFLICT,
    DROPPED,
    ERROR,
    LISTENER_VERDICTS,
    SETUP_FAILED,
    SUCCESS,
    UNKNOWN,
    CqtCall,
)
from fieldapp.cqt.matrix import TrxCounts, build_matrix
from fieldapp.cqt.plan import ATTRIBUTE, BLOCK, LOCK, LOCK_CELL, CqtPlan, PlanError, bcch_arfcn, clean_number
from fieldapp.cqt.verdict import Verdict, judge
from fieldapp.model import DEDICATED, EV_BLOCK, EV_DISCONNECTED, EV_INFO, EV_NOTE, Event, Position, Sample
from fieldapp.store import Store

RELEASE_WAIT_S = 10.0  # how long a hang-up may take to show as the end of the call
ATTACHMENT_KIND = "cqt"
EXTRA_CALLS_FACTOR = 3  # attribute mode: at most this many times the planned calls

IDLE, RUNNING, PAUSED, FAULT, DONE, ABORTED = "idle", "running", "paused", "fault", "done", "aborted"


class RunFault(Exception):
    """Stops the run; the message tells the engineer what to do before resuming."""


@dataclass(frozen=True)
class Status:
    """What the panel's large status shows (a snapshot; poll it)."""

    state: str = IDLE
    phase: str = ""  # configuring, dialling, alerting, connected, releasing, gap, paused
    call_seq: int | None = None
    done: int = 0  # planned calls completed
    total: int = 0
    trx_id: str | None = None  # the TRX the configuration forces (None in attribute mode)
    hold_left_s: float | None = None
    message: str = ""
    run_id: int | None = None


class CqtRunner:
    """``source``: a HandsetSource (dial/hangup/lock/unlock/tracker/capabilities/simulator).
    ``workspace``: where the run and its calls are stored (None: memory only, for tests of the
    rule). ``emit``: where the runner's own events go (the recording). ``confirm_block(trx_id)``:
    asks the engineer to have every TRX but ``trx_id`` blocked; True once done. ``sim`` with
    ``apply_sim_block=True`` also applies the blocks in the simulator (explicit, never implied).
    ``ask_verdict(call)``: asks for the listener's verdict after a connected call (the CLI);
    returns (verdict, note) or None. ``on_change()``: called after every change (any thread)."""

    def __init__(self, source: Any, plan: CqtPlan, *, workspace: str | Path | None = None,
                 session_id: int | None = None, case_id: int | None = None,
                 emit: Callable[[Any], None] | None = None,
                 confirm_block: Callable[[str], bool] | None = None,
                 ask_verdict: Callable[[CqtCall], tuple[str, str] | None] | None = None,
                 sim: Any = None, apply_sim_block: bool = False,
                 on_change: Callable[[], None] | None = None, poll_s: float = 0.05) -> None:
        self.source = source
        self.plan = plan
        self.workspace = None if workspace is None else Path(workspace)
        self.session_id = session_id
        self.case_id = case_id
        self.run_id: int | None = None
        self._emit_to = emit
        self.confirm_block = confirm_block
        self.ask_verdict = ask_verdict
        self.sim = sim
        self.apply_sim_block = apply_sim_block
        self.on_change = on_change
        self.poll_s = poll_s
        self._schedule = plan.schedule()
        self._next = 0  # index in the schedule of the next call to make
        self._calls: list[CqtCall] = []
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._pause = threading.Event()
        self._skip = threading.Event()
        self._abort = threading.Event()
        self._running = False
        self._thread: threading.Thread | None = None
        self._status = Status(total=len(self._schedule))
        self._current: CqtCall | None = None
        self._seen: list[tuple[float, Any, Any]] | None = None  # (ts, serving, channel) in the call
        self._call_serving: Any = None
        self._last_serving: Any = None
        self._last_position: Position | None = None
        self._samples = 0
        self._gone = False
        self._forced_trx: str | None = None  # the TRX the current lock/block configuration forces
        self._cell_locked = False
        self._blocks_applied: set[str] = set()

    # ------------------------------------------------------------------ loading a stored run

    @classmethod
    def load(cls, workspace: str | Path, run_id: int, source: Any, **kwargs: Any) -> CqtRunner:
        """A stored run, ready to ``run()`` the rest of its plan with ``source``."""
        with Store.open(workspace, create=False) as store:
            row = store.cqt_run(run_id)
            if row is None:
                raise PlanError(f"no CQT run {run_id} in {workspace}")
            calls = [CqtCall.from_json(c) for c in store.cqt_calls(run_id)]
        if row["state"] in (DONE, ABORTED):
            raise PlanError(f"CQT run {run_id} is {row['state']}: nothing left to resume")
        plan = CqtPlan.from_json(row["plan"])
        kwargs.setdefault("session_id", row["session_id"])
        kwargs.setdefault("case_id", row["case_id"])
        runner = cls(source, plan, workspace=workspace, **kwargs)
        runner.run_id = run_id
        runner._calls = calls
        runner._next = sum(1 for c in calls if c.extra.get("slot_done"))
        # attribute mode may have called more than planned (see _extend)
        runner._schedule += [None] * max(0, runner._next - len(runner._schedule))
        runner._status = replace(runner._status, done=runner._next, run_id=run_id, state=row["state"],
                                 message=row["message"] or "")
        return runner

    # ------------------------------------------------------------------ any thread

    def observe(self, record: Any) -> None:
        """Every record of the device (called from its thread, or the GUI's in batches)."""
        if isinstance(record, Sample):
            with self._lock:
                self._samples += 1
                self._last_serving = record.serving  # None: no service (a lock to a dead ARFCN)
                if record.position is not None:
                    self._last_position = record.position
                if self._seen is not None and (record.mode == DEDICATED or record.channel is not None):
                    self._seen.append((record.ts_utc, record.serving, record.channel))
                    if self._call_serving is None and record.serving is not None:
                        self._call_serving = record.serving
        elif isinstance(record, Position):
            self._last_position = record
        elif isinstance(record, Event) and record.kind == EV_DISCONNECTED:
            self._gone = True
        self._wake.set()

    def observe_many(self, records: list[Any]) -> None:
        for r in records:
            self.observe(r)

    def status(self) -> Status:
        with self._lock:
            return self._status

    def calls(self) -> list[CqtCall]:
        with self._lock:
            return [replace(c, extra=dict(c.extra)) for c in self._calls]

    def matrix(self) -> dict[str, TrxCounts]:
        return build_matrix(self.calls(), self.plan.trx_ids)

    def verdict(self) -> Verdict:
        return judge(self.calls(), self.plan.trx_ids)

    @property
    def running(self) -> bool:
        return self._running

    def pause(self) -> None:
        """Pause after the current call (a call in progress is not cut)."""
        self._pause.set()
        self._set(message="pausing after this call")

    def skip(self) -> None:
        """End the current call now (or the current wait) and go on with the next."""
        self._skip.set()
        self._wake.set()

    def abort(self) -> None:
        """Hang up and stop; the calls so far are kept and judged."""
        self._abort.set()
        self._pause.clear()
        self._wake.set()

    def resume(self, source: Any = None) -> None:
        """Continue: after a pause, or after a fault (with a new ``source`` when the device was
        re-opened). A stopped run starts again on its own thread."""
        if source is not None:
            self.source = source
        self._pause.clear()
        if not self._running and self._status.state in (FAULT, PAUSED, IDLE):
            self.start()

    def mark(self, verdict: str, note: str | None = None, seq: int | None = None) -> CqtCall:
        """The listener's verdict for call ``seq`` (default: the call in progress, else the last)."""
        if verdict not in LISTENER_VERDICTS:
            raise ValueError(f"listener verdict must be one of {', '.join(LISTENER_VERDICTS)}, not {verdict!r}")
        with self._lock:
            call = self._find(seq)
            call.listener, call.listener_by = verdict, "engineer"
            if note is not None:
                call.note = note
        self._save_call(call)
        self._save_verdict()
        self._changed()
        return call

    def set_note(self, note: str, seq: int | None = None) -> CqtCall:
        with self._lock:
            call = self._find(seq)
            call.note = note
        self._save_call(call)
        self._changed()
        return call

    def _find(self, seq: int | None) -> CqtCall:
        if seq is None:
            call = self._current or (self._calls[-1] if self._calls else None)
        else:
            call = next((c for c in self._calls if c.seq == seq), None)
        if call is None:
            raise ValueError("no call to mark yet" if seq is None else f"no call #{seq} in this run")
        return call

    # ------------------------------------------------------------------ thread mode

    def start(self) -> None:
        if self._running or (self._thread is not None and self._thread.is_alive()):
            return
        self._thread = threading.Thread(target=self.run, name="cqt-runner", daemon=True)
        self._thread.start()

    def join(self, timeout_s: float | None = None) -> bool:
        t = self._thread
        if t is not None:
            t.join(timeout_s)
            return not t.is_alive()
        return True

    # ------------------------------------------------------------------ the run

    def run(self) -> Verdict:
        """Run (or continue) the plan in the calling thread; returns the verdict so far. A fault
        leaves ``status().state == "fault"`` with the message; ``run()`` again resumes."""
        with self._lock:
            if self._running:
                raise RuntimeError("the CQT run is already running")
            self._running = True
        self._abort.clear()
        self._skip.clear()
        self._gone = False
        self._set(state=RUNNING, phase="configuring", message="")
        try:
            self._prepare()
            while self._next < len(self._schedule) or self._extend():
                if self._pause.is_set():
                    self._paused()
                if self._abort.is_set():
                    break
                trx = self._schedule[self._next]
                self._configure(trx)
                self._one_call(trx)
                if self._next < len(self._schedule) and not self._abort.is_set():
                    self._set(phase="gap", hold_left_s=None)
                    self._wait(self.plan.gap_s)
            self._finish(aborted=self._abort.is_set())
        except (RunFault, PlanError) as exc:
            self._fault(str(exc))
        except Exception as exc:  # a bug must not lose the calls: they are stored already
            self._fault(f"{type(exc).__name__}: {exc}")
        finally:
            with self._lock:
                self._running = False
                self._current = None
                self._seen = None
            self._changed()
        return self.verdict()

    def check(self) -> None:
        """Refuse, before any call, what cannot work: a bad plan, a lock the device does not
        have, simulator verdicts with a real device, a block nobody confirms. Raises PlanError."""
        plan = self.plan.validate()
        caps = getattr(self.source, "capabilities", None)
        family = getattr(caps, "family", None) or "this device"
        if LOCK in plan.modes and not getattr(caps, "can_lock_arfcn", False):
            raise PlanError(f"{family} has no documented GSM ARFCN lock (reference §4): "
                            "choose block or attribute mode")
        if plan.auto_audio and not getattr(self.source, "simulator", None):
            raise PlanError("automatic audio verdicts come from the simulator only: with a real "
                            "device a person listens and marks each call")
        if BLOCK in plan.modes and self.confirm_block is None and not (self.sim and self.apply_sim_block):
            raise PlanError("block mode needs someone to confirm the BSC's blocks")
        if self.apply_sim_block and self.sim is None:
            raise PlanError("applying blocks in the simulator needs the simulator")
        fields = getattr(caps, "fields", {}) or {}
        if not plan.forces_trx and ATTRIBUTE in plan.modes and fields.get("tch_arfcn") is False:
            raise PlanError(f"{family} shows no dedicated channel (TCH ARFCN): attribute mode cannot "
                            "tie calls to a TRX; choose block mode")

    def _prepare(self) -> None:
        self.check()
        plan = self.plan
        if not getattr(self.source, "connected", True):
            raise RunFault("the handset is not connected: connect it, then resume")
        if self.run_id is None and self.workspace is not None:
            with Store.open(self.workspace) as store:
                self.run_id = store.create_cqt_run(plan.to_json(), session_id=self.session_id,
                                                   case_id=self.case_id)
            self._emit(Event(time.time(), EV_INFO, f"CQT run {self.run_id}: {len(self._schedule)} calls to "
                             f"{plan.number} on {plan.cell.name}, mode {plan.mode_text}",
                             {"cqt_run": self.run_id, "plan": plan.to_json()}))
            self._attach()  # the case shows the run from its first call, even if it stops on a fault
        self._set(run_id=self.run_id)
        self._save_run(state=RUNNING, message=None)

    def _extend(self) -> bool:
        """Attribute mode with calls per TRX: the BSC picks the TRX, so keep calling until every
        TRX has its calls, up to ``EXTRA_CALLS_FACTOR`` times the plan (then the verdict says
        "not enough calls" for the TRX the BSC seldom picks)."""
        plan = self.plan
        if plan.forces_trx or plan.calls_per_trx is None or self._abort.is_set():
            return False
        cap = EXTRA_CALLS_FACTOR * plan.calls_per_trx * len(plan.trx_ids)
        rows = self.matrix()
        short = [t for t in plan.trx_ids if rows[t].calls < plan.calls_per_trx]
        if not short or len(self._schedule) >= cap:
            return False
        with self._lock:
            self._schedule.append(None)
            self._status = replace(self._status, total=len(self._schedule))
        return True

    # ------------------------------------------------------------------ configuration

    def _configure(self, trx: str | None) -> None:
        plan = self.plan
        if LOCK in plan.modes and plan.lock_kind == LOCK_CELL and not self._cell_locked:
            arfcn = bcch_arfcn(plan.cell)
            assert arfcn is not None  # validate() checked it
            self._lock_to(arfcn, f"the BCCH of {plan.cell.name}")
            self._cell_locked = True
        if trx is None or trx == self._forced_trx:
            return
        self._set(phase="configuring", trx_id=trx)
        if BLOCK in plan.modes:
            self._block_all_but(trx)
        if LOCK in plan.modes and plan.lock_kind != LOCK_CELL:
            arfcn = plan.cell.trxs[plan.trx_ids.index(trx)].arfcns[0]
            self._lock_to(arfcn, trx)
        self._forced_trx = trx

    def _lock_to(self, arfcn: int, what: str) -> None:
        """Lock and check that the handset has service on the cell under test afterwards."""
        with self._lock:
            before = self._samples
        try:
            self.source.lock(arfcn)
        except Unsupported as exc:
            raise PlanError(str(exc)) from exc
        except AtError as exc:
            raise RunFault(f"the lock to ARFCN {arfcn} ({what}) was refused: {exc}") from exc
        except (DeviceGone, OSError) as exc:
            raise RunFault(f"the device is gone ({exc}): reconnect it, then resume") from exc
        deadline = time.monotonic() + self.plan.lock_settle_s
        while True:
            with self._lock:
                fresh = self._samples > before + 1  # a whole poll cycle after the lock
                serving = self._last_serving
            # Service on the cell under test, positively identified (a report without a cell
            # identity, as Telit prints with no service, does not count).
            if fresh and serving is not None and on_cell(self.plan.cell, serving) is True \
                    and (self.plan.lock_kind != LOCK_CELL or serving.arfcn in (None, arfcn)):
                return
            if self._abort.is_set():
                return
            if time.monotonic() > deadline:
                where = "no service" if serving is None or not fresh else \
                    f"CI {serving.ci} / ARFCN {serving.arfcn}"
                raise RunFault(f"locked to ARFCN {arfcn} ({what}) but after {self.plan.lock_settle_s:g} s the "
                               f"handset shows {where}, not {self.plan.cell.name}: this device's lock selects a "
                               "BCCH carrier, not a TRX (reference §4). Use block or attribute mode")
            self._wake.wait(self.poll_s)
            self._wake.clear()

    def _block_all_but(self, trx: str) -> None:
        others = [t for t in self.plan.trx_ids if t != trx]
        self._set(phase="waiting", message=f"ask the BSC team to block {', '.join(others) or 'nothing'} "
                                            f"and keep {trx} in service")
        if self.confirm_block is not None and not self.confirm_block(trx):
            raise RunFault(f"the block leaving only {trx} in service was not confirmed: resume when the BSC "
                           "team has done it")
        by = "engineer"
        if self.sim is not None and self.apply_sim_block:
            for t in self.plan.trx_ids:
                if not self.sim.set_blocked(t, t != trx):
                    raise RunFault(f"the simulator does not know {t}")
            self._blocks_applied = set(others)
            by = "simulator" if self.confirm_block is None else "engineer + simulator"
        self._emit(Event(time.time(), EV_BLOCK, f"blocked {', '.join(others) or 'none'}: calls go to {trx}",
                         {"active_trx": trx, "blocked": others, "cell": self.plan.cell.name,
                          "confirmed_by": by, "cqt_run": self.run_id}))
        self._set(message="")

    def _unconfigure(self) -> None:
        if self._blocks_applied and self.sim is not None:
            for t in self.plan.trx_ids:
                self.sim.set_blocked(t, False)
            self._blocks_applied = set()
            self._emit(Event(time.time(), EV_BLOCK, "all TRXs back in service",
                             {"active_trx": None, "blocked": [], "cell": self.plan.cell.name,
                              "confirmed_by": "simulator", "cqt_run": self.run_id}))
        elif BLOCK in self.plan.modes and self._forced_trx is not None:
            self._emit(Event(time.time(), EV_NOTE, f"CQT over: ask the BSC team to de-block the TRXs of "
                             f"{self.plan.cell.name}", {"cqt_run": self.run_id}))
        if LOCK in self.plan.modes and (self._cell_locked or self._forced_trx is not None):
            try:
                self.source.unlock()
            except (Unsupported, AtError, DeviceGone, OSError) as exc:
                self._emit(Event(time.time(), EV_INFO, f"unlock failed: {exc}", {"cqt_run": self.run_id}))
        self._cell_locked = False
        self._forced_trx = None

    # ------------------------------------------------------------------ one call

    def _one_call(self, trx: str | None) -> None:
        plan = self.plan
        with self._lock:
            call = CqtCall(seq=len(self._calls) + 1, start_utc=time.time(), planned_trx=trx)
            call.extra["slot"] = self._next
            serving = self._last_serving
            call.serving = _cell_json(serving)
            pos = self._last_position
            if pos is not None:
                call.lat, call.lon = pos.lat, pos.lon
            self._calls.append(call)
            self._current = call
            self._seen = []
            self._call_serving = None
        self._skip.clear()
        self._set(phase="dialling", call_seq=call.seq, trx_id=trx, hold_left_s=None)
        self._save_call(call)
        try:
            self.source.dial(clean_number(plan.number))
        except AtError as exc:
            self._end_error(call, f"number refused: {exc}")
            raise RunFault(f"the modem refused the call to {plan.number}: {exc}. Check the number, then resume") \
                from exc
        except (DeviceGone, OSError) as exc:
            self._end_error(call, f"device gone: {exc}")
            raise RunFault(f"the device is gone ({exc}): reconnect it, then resume") from exc
        dialled_utc = time.time()
        tracker = self.source.tracker
        progress = tracker.call or tracker.last
        if progress.ended_utc is not None and progress.ended_utc < dialled_utc and progress.connected_utc is None:
            self._lost_at_dial(call)
            return
        cancelled = timed_out = False
        deadline = time.monotonic() + plan.setup_timeout_s
        while progress.ended_utc is None and progress.connected_utc is None and not self._device_gone():
            if self._abort.is_set() or self._skip.is_set():
                cancelled = True
                break
            if time.monotonic() > deadline:
                timed_out = True
                break
            if progress.alerting_utc is not None:
                self._set(phase="alerting")
            self._nap()
        if progress.connected_utc is not None and progress.ended_utc is None:
            hold_end = time.monotonic() + plan.hold_s
            while progress.ended_utc is None and not self._device_gone():
                left = hold_end - time.monotonic()
                if left <= 0 or self._abort.is_set() or self._skip.is_set():
                    if left > 0:
                        call.extra["held_short"] = True
                    break
                self._set(phase="connected", hold_left_s=left)
                self._nap()
        if progress.ended_utc is not None and progress.connected_utc is None and not timed_out \
                and not cancelled and not self._device_gone() and self._modem_still_calling():
            self._lost_at_dial(call)
            return
        if progress.ended_utc is None and not self._device_gone():
            self._set(phase="releasing", hold_left_s=None)
            self._hangup()
            deadline = time.monotonic() + RELEASE_WAIT_S
            while progress.ended_utc is None and not self._device_gone() and time.monotonic() < deadline:
                self._nap()
        self._complete(call, progress, cancelled=cancelled, timed_out=timed_out)

    def _lost_at_dial(self, call: CqtCall) -> None:
        """The driver's tracker ended the call although the modem still has it: a +CLCC poll
        sent just before ATD came back empty (a race in the driver's polling). Hang up, do not
        count the call, and make it again."""
        self._hangup()
        self._wait(1.0)
        with self._lock:
            call.result, call.end_utc = CANCELLED, time.time()
            call.cause_text = "call state lost at dial (a call-list poll raced the dial); made again"
            call.extra["slot_done"] = False
            self._current, self._seen = None, None
        self._save_call(call)

    def _modem_still_calling(self) -> bool:
        """Ask the modem itself (AT+CLCC) whether a call is still listed."""
        command = getattr(self.source, "command", None)
        if command is None:
            return False
        try:
            resp = command("AT+CLCC", timeout_s=3.0)
        except (AtError, DeviceGone, OSError, TimeoutError):
            return False
        for line in getattr(resp, "lines", []):
            # +CLCC: <idx>,<dir>,<stat>,... ; stat 6 (SIMCom) = released
            if line.upper().startswith("+CLCC:") and line.split(",")[2:3] != ["6"]:
                return True
        return False

    def _complete(self, call: CqtCall, progress: Any, *, cancelled: bool, timed_out: bool) -> None:
        plan = self.plan
        gone = self._device_gone()
        with self._lock:
            # Only reports from the connected call: during setup the engineering mode shows the
            # SDCCH (Quectel prints it like a TCH, without a codec), which carries no audio.
            connected = progress.connected_utc
            seen = [(s, ch) for ts, s, ch in (self._seen or []) if connected is not None and ts >= connected]
            self._seen = None
            if self._call_serving is not None:
                call.serving = _cell_json(self._call_serving)
        call.connected_utc = progress.connected_utc
        call.end_utc = progress.ended_utc if progress.ended_utc is not None else time.time()
        call.setup_s = progress.setup_s
        call.cause, call.cause_text = progress.cause, progress.cause_text
        channels = [ch for _s, ch in seen if ch is not None]
        if channels:
            last = channels[-1]
            call.channel = {"tch_arfcn": last.tch_arfcn, "timeslot": last.timeslot, "hopping": last.hopping,
                            "maio": last.maio, "hsn": last.hsn, "channel_type": last.channel_type}
        if gone:
            call.result, call.cause_text = ERROR, "device disconnected"
        elif progress.ended_utc is None:
            call.result, call.cause_text = ERROR, f"the call did not end within {RELEASE_WAIT_S:g} s of the hang-up"
        elif cancelled and progress.connected_utc is None:
            call.result, call.cause_text = CANCELLED, "skipped before it connected"
        elif progress.outcome == "failed":
            call.result = SETUP_FAILED
            if timed_out:
                call.cause_text = f"not connected within {plan.setup_timeout_s:g} s" + \
                    (f" ({call.cause_text})" if call.cause_text else "")
        elif progress.outcome == "dropped":
            call.result = DROPPED
        else:
            call.result = SUCCESS
        self._tie_to_trx(call, seen)
        if call.connected and call.result != ERROR and call.listener is None:
            self._listener(call)
        call.extra["slot_done"] = call.result != ERROR
        with self._lock:
            self._current = None
            if call.extra["slot_done"]:
                self._next += 1
        self._save_call(call)
        self._save_verdict()
        self._emit(Event(time.time(), EV_INFO, f"CQT {call.summary()}",
                         {"cqt_run": self.run_id, "seq": call.seq, "trx": call.trx_id, "trx_how": call.trx_how,
                          "result": call.result, "listener": call.listener}))
        self._set(done=self._next, hold_left_s=None)
        if gone:
            raise RunFault(f"the device disconnected during call #{call.seq}: the calls so far are kept; "
                           "reconnect it, then resume")
        if call.result == ERROR:
            raise RunFault(f"call #{call.seq}: {call.cause_text}; resume when the device answers again")

    def _tie_to_trx(self, call: CqtCall, seen: list[tuple[Any, Any]]) -> None:
        plan = self.plan
        if ATTRIBUTE in plan.modes:
            call.attributed_trx, call.attribution = attribute(plan.cell, seen)
        left = next((s for s, _c in seen if on_cell(plan.cell, s) is False), None)
        if plan.forces_trx and call.planned_trx is not None:
            how = BY_BLOCK if BLOCK in plan.modes else BY_LOCK
            if left is not None:
                call.trx_id, call.trx_how = None, UNKNOWN
                call.attribution = f"the call left {plan.cell.name} (CI {left.ci}): not counted"
            elif call.attributed_trx is not None and call.attributed_trx != call.planned_trx:
                call.trx_id, call.trx_how = None, CONFLICT
                call.attribution = (f"{how} put it on {call.planned_trx} but the channel shows "
                                    f"{call.attributed_trx}: not counted")
            else:
                call.trx_id, call.trx_how = call.planned_trx, how
                forced = f"all TRXs but {call.planned_trx} blocked" if how == BY_BLOCK else \
                    f"locked to {call.planned_trx}"
                call.attribution = forced + (f"; channel agrees ({call.attribution})" if call.attributed_trx else "")
        else:
            call.trx_id = call.attributed_trx
            call.trx_how = ATTRIBUTE if call.attributed_trx else UNKNOWN

    def _listener(self, call: CqtCall) -> None:
        if self.plan.auto_audio:
            try:
                heard = self.source.sim_audio_verdict()
            except (Unsupported, AtError, DeviceGone, OSError) as exc:
                call.note = (call.note + " " if call.note else "") + f"no simulator verdict: {exc}"
                return
            if heard in LISTENER_VERDICTS:
                call.listener, call.listener_by = heard, "simulator"
            return
        if self.ask_verdict is not None:
            answer = self.ask_verdict(call)
            if answer is not None:
                verdict, note = answer
                if verdict in LISTENER_VERDICTS:
                    call.listener, call.listener_by = verdict, "engineer"
                if note:
                    call.note = note

    def _end_error(self, call: CqtCall, text: str) -> None:
        with self._lock:
            call.result, call.cause_text, call.end_utc = ERROR, text, time.time()
            call.extra["slot_done"] = False
            self._current = None
            self._seen = None
        self._save_call(call)

    def _hangup(self) -> None:
        try:
            self.source.hangup()
        except (AtError, DeviceGone, OSError):
            pass  # the wait below (or the device loss) decides what the call was

    def _device_gone(self) -> bool:
        return self._gone or not getattr(self.source, "connected", True)

    # ------------------------------------------------------------------ waiting and the end

    def _nap(self) -> None:
        self._wake.wait(self.poll_s)
        self._wake.clear()

    def _wait(self, seconds: float) -> None:
        """A pause that skip and abort cut short."""
        end = time.monotonic() + seconds
        self._skip.clear()
        while not self._abort.is_set() and not self._skip.is_set():
            left = end - time.monotonic()
            if left <= 0:
                return
            self._wake.wait(min(self.poll_s, left))
            self._wake.clear()

    def _paused(self) -> None:
        self._set(state=PAUSED, phase="paused", message="paused: resume to go on")
        self._save_run(state=PAUSED, message="paused")
        while self._pause.is_set() and not self._abort.is_set():
            self._nap()
        self._set(state=RUNNING, phase="", message="")
        self._save_run(state=RUNNING, message=None)

    def _finish(self, *, aborted: bool) -> None:
        self._unconfigure()
        state = ABORTED if aborted else DONE
        verdict = self.verdict()
        self._emit(Event(time.time(), EV_NOTE, f"CQT run {self.run_id} {state}: {verdict.text}",
                         {"cqt_run": self.run_id, "suspect": verdict.suspect, "status": verdict.status}))
        self._save_run(state=state, message=None, ended_utc=time.time(), verdict=verdict.to_json())
        self._set(state=state, phase="", hold_left_s=None, message=verdict.text)

    def _fault(self, message: str) -> None:
        # The configuration is asked for again on resume (the engineer may have changed it).
        self._forced_trx = None
        self._cell_locked = False
        self._save_run(state=FAULT, message=message, verdict=self.verdict().to_json())
        self._set(state=FAULT, phase="", hold_left_s=None, message=message)

    def _attach(self) -> None:
        if self.case_id is None or self.workspace is None or self.run_id is None:
            return
        with Store.open(self.workspace) as store:
            ref = str(self.run_id)
            if not any(a.kind == ATTACHMENT_KIND and a.ref == ref for a in store.attachments(self.case_id)):
                store.attach(self.case_id, ATTACHMENT_KIND, ref)

    # ------------------------------------------------------------------ store, events, status

    def _save_call(self, call: CqtCall) -> None:
        if self.workspace is None or self.run_id is None:
            return
        with self._lock:
            data = call.to_json()
        with Store.open(self.workspace) as store:
            store.put_cqt_call(self.run_id, data)

    def _save_verdict(self) -> None:
        if self.workspace is None or self.run_id is None:
            return
        verdict = self.verdict().to_json()
        with Store.open(self.workspace) as store:
            store.update_cqt_run(self.run_id, verdict=verdict)

    def _save_run(self, **fields: Any) -> None:
        if self.workspace is None or self.run_id is None:
            return
        with Store.open(self.workspace) as store:
            store.update_cqt_run(self.run_id, **fields)

    def _emit(self, event: Event) -> None:
        if self._emit_to is not None:
            try:
                self._emit_to(event)
            except Exception:
                pass  # a closed recorder must not stop the run; the call rows are stored anyway

    def _set(self, **changes: Any) -> None:
        with self._lock:
            self._status = replace(self._status, **changes)
        self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            try:
                self.on_change()
            except Exception:
                pass


def _cell_json(cell: Any) -> dict[str, Any] | None:
    if cell is None:
        return None
    return {"lac": cell.lac, "ci": cell.ci, "arfcn": cell.arfcn, "bsic": cell.bsic, "rxlev_dbm": cell.rxlev_dbm}
