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
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from fieldapp.clock import SYSTEM_CLOCK, Clock
from fieldapp.cqt.attribution import tie_to_trx
from fieldapp.cqt.call_result import classify, listener_verdict, modem_still_calling
from fieldapp.cqt.calls import CANCELLED, ERROR, LISTENER_VERDICTS, MT, NOT_REACHABLE, CqtCall
from fieldapp.cqt.matrix import TrxCounts, build_matrix
from fieldapp.cqt.plan import CqtPlan, PlanError, RunFault, clean_number
from fieldapp.cqt.run_store import RunStore
from fieldapp.cqt.trx_setup import TrxSetup, preflight
from fieldapp.cqt.verdict import Verdict, judge
from fieldapp.device import AtError, CallControl, DeviceGone
from fieldapp.model import DEDICATED, EV_DISCONNECTED, EV_INFO, EV_NOTE, Event, Position, Sample

RELEASE_WAIT_S = 10.0  # how long a hang-up may take to show as the end of the call
EXTRA_CALLS_FACTOR = 3  # attribute mode: at most this many times the planned calls

IDLE, RUNNING, PAUSED, FAULT, DONE, ABORTED = "idle", "running", "paused", "fault", "done", "aborted"


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
    """``source``: a ``fieldapp.device.CallControl`` (a HandsetSource: dial, hangup, lock, unlock, tracker).
    ``workspace``: where the run and its calls are stored (None: memory only, for tests of the
    rule). ``emit``: where the runner's own events go (the recording). ``confirm_block(trx_id)``:
    asks the engineer to have every TRX but ``trx_id`` blocked; True once done. ``sim`` with
    ``apply_sim_block=True`` also applies the blocks in the simulator (explicit, never implied).
    ``ask_verdict(call)``: asks for the listener's verdict after a connected call (the CLI);
    returns (verdict, note) or None. ``on_change()``: called after every change (any thread)."""

    def __init__(self, source: CallControl, plan: CqtPlan, *, workspace: str | Path | None = None,
                 session_id: int | None = None, case_id: int | None = None,
                 emit: Callable[[Any], None] | None = None,
                 confirm_block: Callable[[str], bool] | None = None,
                 ask_verdict: Callable[[CqtCall], tuple[str, str] | None] | None = None,
                 sim: Any = None, apply_sim_block: bool = False,
                 on_change: Callable[[], None] | None = None, poll_s: float = 0.05,
                 clock: Clock = SYSTEM_CLOCK) -> None:
        self.source = source
        self.plan = plan
        self.clock = clock  # simulated in tests: deadlines and pauses without waiting for them
        self.workspace = None if workspace is None else Path(workspace)
        self.session_id = session_id
        self.case_id = case_id
        self.run_id: int | None = None
        self._emit_to = emit
        self.ask_verdict = ask_verdict
        self.on_change = on_change
        # Where resume() finds the device after a reconnection (the live controller opens a new
        # source object when the engineer reconnects); None: keep ``source``.
        self.source_provider: Callable[[], Any] | None = None
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
        self._store = None if self.workspace is None else RunStore(self.workspace)
        self._setup = TrxSetup(source, plan, emit=self._emit, radio=self._radio, nap=self._nap,
                               aborted=self._abort.is_set, say=self._set, confirm_block=confirm_block,
                               sim=sim, apply_sim_block=apply_sim_block, clock=clock)

    # ------------------------------------------------------------------ loading a stored run

    @classmethod
    def load(cls, workspace: str | Path, run_id: int, source: Any, /, **kwargs: Any) -> CqtRunner:
        """A stored run, ready to ``run()`` the rest of its plan with ``source``. ``kwargs`` are
        the constructor's; a ``workspace`` among them is this one (the CLI passes the same
        keyword set for a new and a resumed run)."""
        kwargs.pop("workspace", None)
        row, calls = RunStore(workspace).load(run_id)
        if row is None:
            raise PlanError(f"no CQT run {run_id} in {workspace}")
        if row["state"] == DONE:
            raise PlanError(f"CQT run {run_id} is done: nothing left to resume")
        # An aborted run (Ctrl-C, Abort: the engineer stopped, a break, a call from the BSC team)
        # continues like a faulted one: its calls are kept and the plan's remaining calls follow.
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

    def _radio(self) -> tuple[int, Any]:
        with self._lock:
            return self._samples, self._last_serving

    @property
    def confirm_block(self) -> Callable[[str], bool] | None:
        return self._setup.confirm_block

    @confirm_block.setter
    def confirm_block(self, ask: Callable[[str], bool] | None) -> None:
        self._setup.confirm_block = ask

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
        if source is None and self.source_provider is not None:
            source = self.source_provider()
        if source is not None:
            self.source = self._setup.source = source
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

    def unmark(self, seq: int) -> CqtCall:
        """Take back the listener's verdict of call ``seq`` (the panel's undo)."""
        with self._lock:
            call = self._find(seq)
            call.listener, call.listener_by = None, None
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
                self._setup.configure(trx)
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
        """Refuse, before any call, what cannot work (see ``trx_setup.preflight``). Raises PlanError."""
        preflight(self.plan, self.source, self._setup)

    def _prepare(self) -> None:
        self.check()
        plan = self.plan
        if not getattr(self.source, "connected", True):
            raise RunFault("the handset is not connected: connect it, then resume")
        if self.run_id is None and self._store is not None:
            self.run_id = self._store.create(plan.to_json(), session_id=self.session_id, case_id=self.case_id)
            self._emit(Event(self.clock.time(), EV_INFO, f"CQT run {self.run_id}: {len(self._schedule)} calls to "
                             f"{plan.number} on {plan.cell.name}, mode {plan.mode_text}",
                             {"cqt_run": self.run_id, "plan": plan.to_json()}))
            if self.case_id is not None:  # the case shows the run from its start, even if it faults
                self._store.attach(self.case_id, self.run_id,
                                   f"run {self.run_id} on {plan.cell.name} ({plan.mode_text})")
        self._setup.run_id = self.run_id
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

    # ------------------------------------------------------------------ one call

    def _one_call(self, trx: str | None) -> None:
        plan = self.plan
        with self._lock:
            call = CqtCall(seq=len(self._calls) + 1, start_utc=self.clock.time(), planned_trx=trx)
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
        call.direction = plan.direction
        if plan.direction == MT:
            self._set(phase="waiting for a ring", call_seq=call.seq, trx_id=trx, hold_left_s=None)
            self._save_call(call)
            self._one_incoming(call)
            return
        self._set(phase="dialling", call_seq=call.seq, trx_id=trx, hold_left_s=None)
        self._save_call(call)
        try:
            # A network answer to the dial (BUSY, NO ANSWER, NO CARRIER, no service...) comes
            # back as text: a setup failure of the TRX under test, and the run goes on.
            network_answer = self.source.dial(clean_number(plan.number))
        except AtError as exc:
            self._end_error(call, f"number refused: {exc}")
            raise RunFault(f"the modem refused the call to {plan.number}: {exc}. Check the number, then resume") \
                from exc
        except (DeviceGone, OSError) as exc:
            self._end_error(call, f"device gone: {exc}")
            raise RunFault(f"the device is gone ({exc}): reconnect it, then resume") from exc
        dialled_utc = self.clock.time()
        tracker = self.source.tracker
        progress = tracker.call or tracker.last
        if network_answer:
            call.extra["dial_result"] = network_answer
            self._complete(call, progress, cancelled=False, timed_out=False)
            return
        if progress.ended_utc is not None and progress.ended_utc < dialled_utc and progress.connected_utc is None:
            self._lost_at_dial(call)
            return
        self._follow(call, progress, mo=True)

    def _follow(self, call: CqtCall, progress: Any, *, mo: bool) -> None:
        """From the dial (or the answer of an incoming call) to the end: wait for the connect,
        hold, hang up, complete."""
        plan = self.plan
        cancelled = timed_out = False
        deadline = self.clock.monotonic() + plan.setup_timeout_s
        while progress.ended_utc is None and progress.connected_utc is None and not self._device_gone():
            if self._abort.is_set() or self._skip.is_set():
                cancelled = True
                break
            if self.clock.monotonic() > deadline:
                timed_out = True
                break
            if progress.alerting_utc is not None:
                self._set(phase="alerting")
            self._nap()
        if progress.connected_utc is not None and progress.ended_utc is None:
            hold_end = self.clock.monotonic() + plan.hold_s
            while progress.ended_utc is None and not self._device_gone():
                left = hold_end - self.clock.monotonic()
                if left <= 0 or self._abort.is_set() or self._skip.is_set():
                    if left > 0:
                        call.extra["held_short"] = True
                    break
                self._set(phase="connected", hold_left_s=left)
                self._nap()
        if mo and progress.ended_utc is not None and progress.connected_utc is None and not timed_out \
                and not cancelled and not self._device_gone() and modem_still_calling(self.source):
            self._lost_at_dial(call)
            return
        if progress.ended_utc is None and not self._device_gone():
            self._set(phase="releasing", hold_left_s=None)
            self._hangup()
            deadline = self.clock.monotonic() + RELEASE_WAIT_S
            while progress.ended_utc is None and not self._device_gone() and self.clock.monotonic() < deadline:
                self._nap()
        self._complete(call, progress, cancelled=cancelled, timed_out=timed_out)

    def _one_incoming(self, call: CqtCall) -> None:
        """An incoming (mobile-terminated) test call: the simulator is asked to call the handset
        (AT+FASIMRING), a real far end calls it; wait ``setup_timeout_s`` for the ring, answer,
        then as an outgoing call. No ring in time: "not reachable" on the TRX under test."""
        plan = self.plan
        tracker = self.source.tracker
        asked_utc = self.clock.time()
        if getattr(self.source, "simulator", None):
            try:
                resp = self.source.command(f'AT+FASIMRING="{clean_number(plan.number)}"', timeout_s=5.0)
            except (AtError, DeviceGone, OSError) as exc:
                self._end_error(call, f"device gone: {exc}")
                raise RunFault(f"the device is gone ({exc}): reconnect it, then resume") from exc
            # "+CME ERROR: 3": the simulated network could not page the handset (no service, a
            # hung BCCH): no ring will come, which is the outcome under test. A plain ERROR: this
            # simulator does not know the command.
            if not getattr(resp, "ok", True) and (getattr(resp, "final", "") or "").strip().upper() == "ERROR":
                self._end_error(call, "the simulator refused AT+FASIMRING")
                raise RunFault("the simulator does not place incoming calls (AT+FASIMRING refused)")
        deadline = self.clock.monotonic() + plan.setup_timeout_s
        ringing = None
        cancelled = False
        while not self._device_gone():
            current = tracker.call
            if current is not None and current.direction == MT and current.attempt_utc is not None \
                    and current.attempt_utc >= asked_utc - 1.0:
                ringing = current
                break
            if self._abort.is_set() or self._skip.is_set():
                cancelled = True
                break
            if self.clock.monotonic() > deadline:
                break
            self._nap()
        if ringing is None:
            self._not_reached(call, cancelled=cancelled)
            return
        self._set(phase="answering")
        try:
            self.source.answer()
        except (AtError, DeviceGone, OSError):
            pass  # the call's end (or the device loss) says what happened
        self._follow(call, ringing, mo=False)

    def _not_reached(self, call: CqtCall, *, cancelled: bool) -> None:
        plan = self.plan
        gone = self._device_gone()
        with self._lock:
            self._seen = None
            call.end_utc = self.clock.time()
            if gone:
                call.result, call.cause_text = ERROR, "device disconnected"
            elif cancelled:
                call.result, call.cause_text = CANCELLED, "skipped before it rang"
            else:
                call.result = NOT_REACHABLE
                call.cause_text = f"no ring within {plan.setup_timeout_s:g} s"
        tie_to_trx(plan, call, [])
        self._file(call, gone, direction=call.direction)

    def _file(self, call: CqtCall, gone: bool, **data: Any) -> None:
        """A call over (outgoing or incoming): its slot counts unless it ended in an error, it is
        stored with the verdict so far and told as an event; a device gone ends the run here."""
        call.extra["slot_done"] = call.result != ERROR
        with self._lock:
            self._current = None
            if call.extra["slot_done"]:
                self._next += 1
        self._save_call(call)
        self._save_verdict()
        self._emit(Event(self.clock.time(), EV_INFO, f"CQT {call.summary()}",
                         {"cqt_run": self.run_id, "seq": call.seq, "trx": call.trx_id, "trx_how": call.trx_how,
                          "result": call.result, **data}))
        self._set(done=self._next, hold_left_s=None)
        if gone:
            raise RunFault(f"the device disconnected during call #{call.seq}: the calls so far are kept; "
                           "reconnect it, then resume")

    def _lost_at_dial(self, call: CqtCall) -> None:
        """The driver's tracker ended the call although the modem still has it: a +CLCC poll
        sent just before ATD came back empty (a race in the driver's polling). Hang up, do not
        count the call, and make it again."""
        self._hangup()
        self._wait(1.0)
        with self._lock:
            call.result, call.end_utc = CANCELLED, self.clock.time()
            call.cause_text = "call state lost at dial (a call-list poll raced the dial); made again"
            call.extra["slot_done"] = False
            self._current, self._seen = None, None
        self._save_call(call)

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
        call.end_utc = progress.ended_utc if progress.ended_utc is not None else self.clock.time()
        call.setup_s = progress.setup_s
        call.cause, call.cause_text = progress.cause, progress.cause_text
        channels = [ch for _s, ch in seen if ch is not None]
        if channels:
            last = channels[-1]
            call.channel = {"tch_arfcn": last.tch_arfcn, "timeslot": last.timeslot, "hopping": last.hopping,
                            "maio": last.maio, "hsn": last.hsn, "channel_type": last.channel_type}
        call.result, call.cause_text = classify(progress, gone=gone, cancelled=cancelled, timed_out=timed_out,
                                                setup_timeout_s=plan.setup_timeout_s, release_wait_s=RELEASE_WAIT_S)
        tie_to_trx(plan, call, seen)
        if call.connected and call.result != ERROR and call.listener is None:
            listener_verdict(self.source, call, auto=self.plan.auto_audio, ask=self.ask_verdict)
        self._file(call, gone, listener=call.listener)
        if call.result == ERROR:
            raise RunFault(f"call #{call.seq}: {call.cause_text}; resume when the device answers again")

    def _end_error(self, call: CqtCall, text: str) -> None:
        with self._lock:
            call.result, call.cause_text, call.end_utc = ERROR, text, self.clock.time()
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
        self.clock.wait(self._wake, self.poll_s)
        self._wake.clear()

    def _wait(self, seconds: float) -> None:
        """A pause that skip and abort cut short."""
        end = self.clock.monotonic() + seconds
        self._skip.clear()
        while not self._abort.is_set() and not self._skip.is_set():
            left = end - self.clock.monotonic()
            if left <= 0:
                return
            self.clock.wait(self._wake, min(self.poll_s, left))
            self._wake.clear()

    def _paused(self) -> None:
        self._set(state=PAUSED, phase="paused", message="paused: resume to go on")
        self._save_run(state=PAUSED, message="paused")
        while self._pause.is_set() and not self._abort.is_set():
            self._nap()
        self._set(state=RUNNING, phase="", message="")
        self._save_run(state=RUNNING, message=None)

    def _finish(self, *, aborted: bool) -> None:
        self._setup.undo()
        state = ABORTED if aborted else DONE
        verdict = self.verdict()
        self._emit(Event(self.clock.time(), EV_NOTE, f"CQT run {self.run_id} {state}: {verdict.text}",
                         {"cqt_run": self.run_id, "suspect": verdict.suspect, "status": verdict.status}))
        self._save_run(state=state, message=None, ended_utc=self.clock.time(), verdict=verdict.to_json())
        self._set(state=state, phase="", hold_left_s=None, message=verdict.text)

    def _fault(self, message: str) -> None:
        self._setup.forget()  # asked for again on resume: the engineer may have changed it
        self._save_run(state=FAULT, message=message, verdict=self.verdict().to_json())
        self._set(state=FAULT, phase="", hold_left_s=None, message=message)

    # ------------------------------------------------------------------ store, events, status

    def _save_call(self, call: CqtCall) -> None:
        if self._store is not None and self.run_id is not None:
            with self._lock:
                data = call.to_json()
            self._store.save_call(self.run_id, data)

    def _save_verdict(self) -> None:
        self._save_run(verdict=self.verdict().to_json())

    def _save_run(self, **fields: Any) -> None:
        if self._store is not None and self.run_id is not None:
            self._store.save_run(self.run_id, **fields)

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
