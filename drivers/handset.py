"""The handset source: a test handset (or the simulator's) on a serial port, as a Source.

It probes the device (ATI, +CGMI/+CGMM/+CGMR/+CGSN), picks its family, reports what it can
measure, enables the engineering mode, then polls at ``rate_s`` and emits one ``Sample`` per
cycle, stamped at reception. Call control (dial/answer/hang up) and the ARFCN lock go through
the same AT channel, one command at a time. Call progress arrives as URCs or from polling
+CLCC, depending on the family; both feed one ``CallTracker``.

When the device vanishes (cable pulled) it emits ``disconnected``; with ``reconnect`` it waits
for the port to come back, probes again and carries on with ``reconnected`` and a ``gap``.
Everything it produces goes to ``sink(record)`` from its own thread ("handset-poll").
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from drivers.at import AtChannel, AtError, AtTimeout
from drivers.at_lines import CALL_END_CODES, reply_prefixes
from drivers.call_tracker import CallTracker
from drivers.capabilities_seen import level_summary, refine
from drivers.families import Family, TooLong, parse_line, parse_lines
from drivers.probe import NoAtResponse, Unsupported, probe_device
from drivers.sample_builder import build_sample
from drivers.scan import ScanNotAvailable, ScanProgress, run_scan, scan_support
from drivers.transport import DeviceGone, PortError, Transport, open_port
from fieldapp.clock import SYSTEM_CLOCK, Clock
from fieldapp.model import (
    CALL_INCOMING,
    EV_CELL_CHANGE,
    EV_DEVICE_ERROR,
    EV_DISCONNECTED,
    EV_GAP,
    EV_HANDOVER,
    EV_INFO,
    EV_LOCK,
    EV_RECONNECTED,
    EV_UNLOCK,
    CallState,
    Capabilities,
    Cell,
    DeviceError,
    Event,
    Info,
    Sample,
    Scan,
    Urc,
)

POLL_TIMEOUT_S = 3.0
FIRST_POLLS = 2  # poll cycles after which the capabilities say what the device answered
SKIP_EVENTS_PER_REASON = 5  # events per (command, reason) for reply lines not read; then counted
# stop() waits this long for the poll thread before closing the channel under it.
STOP_WAIT_S = 2.0
# Polls unanswered for this long (the port still open, the handset mute: hung firmware, a
# stopped simulator) are a `gap` event, said once per silence; a hole is never silent.
SILENCE_LIMIT_S = 5.0
RECONNECT_INTERVAL_S = 1.0
# A poll command that fails this many times in a row is dropped from the cycle (the device
# does not support it: saying so once beats an ERROR every second).
MAX_POLL_FAILURES = 3
# After ATD's OK a module may need a moment before +CLCC lists the new call.
DIAL_LIST_GRACE_S = 1.5

SIM_AUDIO_QUERY = "AT+FASIMAUDIO?"


Sink = Callable[[Any], None]


# +CME ERROR codes of a dial that no network answer explains (27.007 §9.2): the dial string is
# invalid (26 too long, 27 invalid characters, 21/22 index/entry for memory dialling) or the
# device cannot call at all (SIM absent, PIN/PUK required, SIM failure): these stop a CQT run.
DIAL_REFUSED_CME = frozenset({5, 10, 11, 12, 13, 15, 16, 17, 18, 21, 22, 26, 27})

class HandsetSource:
    def __init__(self, port: str, baud: int = 115200, *, family: str | None = None,
                 rate_s: float = 1.0, reconnect: bool = False,
                 transport_factory: Callable[[], Transport] | None = None,
                 clock: Clock = SYSTEM_CLOCK) -> None:
        self.port = port
        # Stamps, the poll period, the silence limit, the dial guard and the reconnect interval
        # read this clock; a test passes a simulated one (tests/support/fake_clock.py). The AT
        # channel's reply timeouts stay real: they wait on bytes from a real port.
        self.clock = clock
        self.baud = baud
        self.rate_s = rate_s
        self.reconnect = reconnect
        self.name = f"handset:{port}"
        self._forced_family = family
        self._transport_factory = transport_factory or (lambda: open_port(port, baud))
        self.family: Family | None = None
        self.capabilities: Capabilities | None = None
        self.simulator: dict[str, str] | None = None  # {"scenario":..., "family":...} when simulated
        # skipped_lines counts every skipped line; too_long_lines those over the length cap.
        self.stats: dict[str, int] = {"samples": 0, "skipped_lines": 0, "too_long_lines": 0,
                                      "poll_errors": 0, "silences": 0}
        self.tracker = CallTracker()
        self._channel: AtChannel | None = None
        # Until start() names the sink, records (the probe's and the start-up commands' raw
        # traffic, start-up errors) wait here and go to the sink first: the session keeps the
        # whole exchange of the first connect, as of a reconnect.
        self._early: list[Any] | None = []
        self._early_lock = threading.Lock()
        self._sink: Sink = self._keep_early
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._gone = threading.Event()
        self.finished = threading.Event()  # the poll thread has ended (stop or unrecoverable loss)
        self._urc_queue: queue.Queue[tuple[float, str]] = queue.Queue()
        self._wake = threading.Event()  # a URC queued or stop(): the poll thread's wait ends
        self._poll_commands: list[str] = []
        self._dedicated_commands: list[str] = []  # polled too while a call is up
        self._first_samples: list[Sample] | None = None  # the first polls, to refine capabilities
        self._skip_events: dict[tuple[str | None, str], int] = {}
        self._poll_failures: dict[str, int] = {}
        self.silence_limit_s = SILENCE_LIMIT_S
        self.poll_timeout_s = POLL_TIMEOUT_S  # a polled command's reply wait (real seconds)
        self._last_answer = self.clock.monotonic()
        self._last_answer_utc = self.clock.time()
        self._silent = False  # a silence has been reported and not yet ended
        self._last_serving: Cell | None = None
        self._lock_arfcn: int | None = None
        # While ATD is in flight (and a moment after its OK) an empty +CLCC does not mean the
        # call ended: a poll sent just before the dial answers "no calls".
        self._dial_guard_until = 0.0
        # A band scan pauses polling: the poll thread skips its cycles while ``_scanning`` is
        # set, and ``_io_gate`` makes the scan wait for a poll cycle already under way.
        self._scanning = threading.Event()
        self._io_gate = threading.Lock()

    # ------------------------------------------------------------------ lifecycle

    def open(self) -> Capabilities:
        """Open the port and probe. Raises PortError (cannot open) or NoAtResponse."""
        transport = self._transport_factory()
        channel = AtChannel(transport, on_raw=self._emit, on_gone=self._on_gone)
        channel.start()
        try:
            caps = self._probe(channel)
        except BaseException:
            channel.close()
            raise
        self._channel = channel
        self._gone.clear()
        self._register_urcs(channel)
        self._init(channel)
        return caps

    def start(self, sink: Sink) -> None:
        if self._channel is None:
            self.open()
        with self._early_lock:
            early, self._early = self._early or [], None
            self._sink = sink
        for record in early:
            self._emit(record)
        self._stop.clear()
        self.finished.clear()
        self._answered()
        self._thread = threading.Thread(target=self._run, name="handset-poll", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ends polling within about STOP_WAIT_S, whatever the poll thread is doing: closing
        the channel fails a command it waits on; a thread still busy after that (a parse that
        takes long) is left behind as a daemon, and what it emits later is the sink's to drop.
        ``record --duration`` and SIGTERM must never wait on a parser (issue 16)."""
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=STOP_WAIT_S)
        self._close_channel()
        if thread is not None and thread.is_alive():
            thread.join(timeout=STOP_WAIT_S / 2)
        self.finished.set()

    def close(self) -> None:
        self.stop()

    def __enter__(self) -> HandsetSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def capabilities_learnt(self) -> bool:
        """True once the first polls have refined the probe's capabilities."""
        return self.capabilities is not None and self._first_samples is None

    @property
    def connected(self) -> bool:
        return self._channel is not None and not self._gone.is_set()

    @property
    def lock_arfcn(self) -> int | None:
        return self._lock_arfcn

    # ------------------------------------------------------------------ probing

    def _probe(self, channel: AtChannel) -> Capabilities:
        result = probe_device(channel, self.port, self.baud, self._forced_family)
        self.family, self.simulator = result.family, result.simulator
        self._poll_commands = list(result.family.poll_commands)
        self._dedicated_commands = list(result.family.dedicated_poll_commands)
        self.capabilities = result.capabilities
        self._first_samples = []
        return result.capabilities

    def _init(self, channel: AtChannel) -> None:
        assert self.family is not None
        for cmd in self.family.init_commands:
            try:
                resp = channel.command(cmd, timeout_s=self.poll_timeout_s,
                                       final_optional_after=self._optional_final(cmd))
            except AtTimeout:
                self._emit(Event(self.clock.time(), EV_INFO, f"{cmd}: no answer"))
                continue
            if not resp.ok:
                self._emit(Event(self.clock.time(), EV_INFO, f"{cmd}: {resp.final}",
                                 {"command": cmd, "final": resp.final}))

    def _optional_final(self, cmd: str) -> str | None:
        """Commands this family answers without a final OK (Wavecom ``+CPIN: READY``): the
        reply is complete after its information line."""
        if self.family is None or cmd.upper() not in {c.upper() for c in self.family.no_final_ok}:
            return None
        prefixes = reply_prefixes(cmd)
        return prefixes[0] if prefixes else None

    def _register_urcs(self, channel: AtChannel) -> None:
        assert self.family is not None
        prefixes = set(self.family.urc_prefixes) | {"RING", "+CRING:", "+CLIP:", "NO CARRIER",
                                                    "BUSY", "NO ANSWER", "NO DIALTONE"}
        if self.family.call_state_by == "urc":
            prefixes.add("+CLCC:")
        for prefix in prefixes:
            channel.add_urc_handler(prefix, self._on_urc)

    # ------------------------------------------------------------------ the poll thread

    def _run(self) -> None:
        try:
            next_poll = self.clock.monotonic()
            while not self._stop.is_set():
                if self._gone.is_set():
                    if not self._handle_loss():
                        return
                    next_poll = self.clock.monotonic()
                    continue
                if self._urc_queue.empty():
                    self.clock.wait(self._wake, max(0.0, next_poll - self.clock.monotonic()))
                self._wake.clear()
                try:
                    ts, line = self._urc_queue.get_nowait()
                    self._handle_urc(ts, line)
                    continue
                except queue.Empty:
                    pass
                if self._stop.is_set() or self.clock.monotonic() < next_poll:
                    continue  # woken before the next poll is due (stop)
                next_poll += self.rate_s
                if next_poll < self.clock.monotonic():  # fell behind (slow device): do not burst
                    next_poll = self.clock.monotonic() + self.rate_s
                if self._scanning.is_set():
                    continue  # paused for a band scan; resumes at the next tick after it
                try:
                    with self._io_gate:
                        self._poll_once()
                except DeviceGone:
                    self._gone.set()
                except AtError as exc:
                    self.stats["poll_errors"] += 1
                    self._emit(Event(self.clock.time(), EV_DEVICE_ERROR, str(exc)))
        finally:
            self.finished.set()

    def _poll_once(self) -> None:
        channel = self._channel
        assert channel is not None and self.family is not None
        records: list[Any] = []
        unanswered: list[str] = []
        polled = list(self._poll_commands)
        if self.tracker.in_call:
            polled += self._dedicated_commands
        for cmd in polled:
            try:
                resp = channel.command(cmd, timeout_s=self.poll_timeout_s,
                                       final_optional_after=self._optional_final(cmd))
            except AtTimeout:
                unanswered.append(cmd)
                self._check_silence()
                continue
            self._answered()
            if not resp.ok:
                self._poll_failed(cmd, resp.final or "error")
                continue
            self._poll_failures[cmd] = 0
            result = parse_lines(resp.lines, self.family, command=cmd)
            self.stats["skipped_lines"] += result.skipped
            self.stats["too_long_lines"] += result.too_long
            for line, reason in result.skips:
                self._skipped_event(cmd, line, reason)
            records.extend(result.records)
        if len(unanswered) < len(polled):
            # Some commands got answers: those that did not are this module's problem (dropped
            # after a few). When none answered the handset is mute, and no command is to blame.
            for cmd in unanswered:
                self._poll_failed(cmd, "no answer")
        if self.tracker.in_call and self.family.call_state_by == "clcc-poll":
            self._poll_clcc(channel)
        ts = self.clock.time()
        sample = build_sample(ts, records)
        if sample is None:
            return
        call = self.tracker.call
        if sample.mode != "dedicated" and call is not None and call.connected_utc is not None:
            # Families whose engineering mode does not show the channel (Telit #MONI) are still
            # in dedicated mode while a call is connected.
            sample = replace(sample, mode="dedicated")
        self._cell_change(sample)
        self.stats["samples"] += 1
        self._emit(sample)
        self._learn_capabilities(sample)

    def _skipped_event(self, command: str | None, line: str, reason: str) -> None:
        """A reply line that gave no record is a session event with its reason (the line itself
        is in the raw traffic). The same reason for the same command is said the first
        SKIP_EVENTS_PER_REASON times, then counted only (stats ``skipped_lines``)."""
        key = (command, reason)
        n = self._skip_events.get(key, 0) + 1
        self._skip_events[key] = n
        if n > SKIP_EVENTS_PER_REASON:
            return
        more = " (further ones are counted only)" if n == SKIP_EVENTS_PER_REASON else ""
        self._emit(Event(self.clock.time(), EV_INFO, f"reply line not read ({reason}): {line[:80]}{more}",
                         {"skipped_line": line[:200], "reason": reason, "command": command}))

    def _learn_capabilities(self, sample: Sample) -> None:
        """After the first polls, the capabilities say what the device answered (a level from
        +CSQ only is RSSI, a +CREG without LAC/CI gives no LAC/CI...): the refined list goes to
        the sink (the window's list) and into the session as an event."""
        seen = self._first_samples
        if seen is None or self.capabilities is None:
            return
        seen.append(sample)
        if len(seen) < FIRST_POLLS:
            return
        self._first_samples = None
        caps = refine(self.capabilities, seen)
        if caps == self.capabilities:
            return
        self.capabilities = caps
        self._emit(caps)
        gone = sorted(k for k, ok in caps.fields.items() if not ok and k in ("rxlev", "lac", "ci", "bsic",
                                                                               "c1", "c2", "neighbours"))
        text = "capabilities from the first polls: " + level_summary(caps)
        if gone:
            text += "; not available: " + ", ".join(gone)
        self._emit(Event(self.clock.time(), EV_INFO, text, {"capabilities": caps.to_json()}))

    def _answered(self) -> None:
        now, now_utc = self.clock.monotonic(), self.clock.time()
        if self._silent:
            self._silent = False
            quiet = now - self._last_answer
            self._emit(Event(now_utc, EV_INFO, f"{self.port} answers again after {quiet:.0f} s without answers",
                             {"from_utc": self._last_answer_utc, "to_utc": now_utc, "port": self.port}))
        self._last_answer, self._last_answer_utc = now, now_utc

    def _check_silence(self) -> None:
        quiet = self.clock.monotonic() - self._last_answer
        if self._silent or quiet < self.silence_limit_s:
            return
        self._silent = True
        self.stats["silences"] += 1
        since = time.strftime("%H:%M:%S", time.gmtime(self._last_answer_utc))
        self._emit(Event(self.clock.time(), EV_GAP,
                         f"no answer from {self.port} for {quiet:.0f} s (limit {self.silence_limit_s:.0f} s): "
                         f"no data since {since} UTC",
                         {"from_utc": self._last_answer_utc, "reason": "no answer", "port": self.port,
                          "limit_s": self.silence_limit_s}))

    def _poll_failed(self, cmd: str, why: str) -> None:
        n = self._poll_failures.get(cmd, 0) + 1
        self._poll_failures[cmd] = n
        self.stats["poll_errors"] += 1
        if n >= MAX_POLL_FAILURES and cmd in self._poll_commands + self._dedicated_commands:
            for polled in (self._poll_commands, self._dedicated_commands):
                if cmd in polled:
                    polled.remove(cmd)
            self._emit(Event(self.clock.time(), EV_INFO, f"{cmd} dropped from polling: {why} {n} times",
                             {"command": cmd}))

    def _cell_change(self, sample: Sample) -> None:
        new = sample.serving
        old = self._last_serving
        if new is None:
            return
        key_new = (new.lac, new.ci, new.arfcn, new.bsic)
        if old is not None:
            key_old = (old.lac, old.ci, old.arfcn, old.bsic)
            if key_new != key_old:
                kind = EV_HANDOVER if sample.mode == "dedicated" else EV_CELL_CHANGE
                self._emit(Event(sample.ts_utc, kind,
                                 f"{'handover' if kind == EV_HANDOVER else 'reselection'} "
                                 f"{_cell_label(old)} → {_cell_label(new)}",
                                 {"from": _cell_key(old), "to": _cell_key(new)}))
        self._last_serving = new

    # ------------------------------------------------------------------ calls

    def _on_urc(self, line: str) -> None:
        # Reader thread: never send a command from here; hand over to the poll thread.
        self._urc_queue.put((self.clock.time(), line))
        self._wake.set()

    def _handle_urc(self, ts: float, line: str) -> None:
        assert self.family is not None
        try:
            records = parse_line(line, self.family) or []
        except ValueError as exc:
            self.stats["skipped_lines"] += 1
            if isinstance(exc, TooLong):
                self.stats["too_long_lines"] += 1
            self._skipped_event(None, line, "line too long" if isinstance(exc, TooLong)
                                else "known reply, damaged layout")
            return
        for rec in records:
            if isinstance(rec, CallState):
                self._feed_call(rec, ts)
            elif isinstance(rec, Urc) and rec.name in ("RING", "CRING"):
                # RING / +CRING: VOICE (27.007 §6.11): an incoming call, for the tracker
                if not (rec.name == "CRING" and rec.text and "VOICE" not in rec.text.upper()):
                    self._feed_call(CallState(state=CALL_INCOMING, direction="mt"), ts)
            elif isinstance(rec, Urc) and rec.name == "CLIP" and rec.number:
                call = self.tracker.call
                if call is not None and call.direction == "mt" and call.number is None:
                    call.number = rec.number

    def _feed_call(self, state: CallState, ts: float) -> None:
        if state.state == "released" and self.tracker.in_call and state.cause is None:
            cause, text = self._query_ceer()
            state = replace(state, cause=cause if cause is not None else state.cause,
                            cause_text=text or state.cause_text)
        for event in self.tracker.feed(state, ts):
            self._emit(event)

    def _poll_clcc(self, channel: AtChannel) -> None:
        try:
            resp = channel.command("AT+CLCC", timeout_s=self.poll_timeout_s)
        except AtTimeout:
            return
        states = [r for r in parse_lines(resp.lines, self.family, "AT+CLCC").records
                  if isinstance(r, CallState)]
        ts = self.clock.time()
        if not states:
            if self.clock.monotonic() < self._dial_guard_until:
                return
            listed_for = self.tracker.call
            cause, text = self._query_ceer()
            # The +CEER query waits its turn on the channel: a dial made meanwhile (by another
            # thread) is a new call this empty list knows nothing of.
            if self.tracker.call is not listed_for or self.clock.monotonic() < self._dial_guard_until:
                return
            self.tracker.set_cause(cause, text)
            for event in self.tracker.no_call_listed(ts):
                self._emit(event)
            return
        for st in states:
            self._feed_call(st, ts)

    def _query_ceer(self) -> tuple[int | None, str | None]:
        channel = self._channel
        if channel is None:
            return None, None
        try:
            resp = channel.command("AT+CEER", timeout_s=2.0)
        except (AtTimeout, DeviceGone):
            return None, None
        cause: int | None = None
        text: str | None = None
        for rec in parse_lines(resp.lines, self.family, "AT+CEER").records:
            if isinstance(rec, CallState):
                cause = rec.cause if rec.cause is not None else cause
                text = rec.cause_text or text
            elif isinstance(rec, Info) and rec.key == "ceer":
                text = text or (str(rec.value) if rec.value is not None else None)
            elif isinstance(rec, Info) and rec.key == "ceer_cause" and isinstance(rec.value, int):
                cause = rec.value
        return cause, text

    def dial(self, number: str, timeout_s: float = 10.0) -> str | None:
        """Start a voice call (ATD<number>;); progress arrives as call events.

        The network's answer to the dial is an outcome, not a fault: ``BUSY``, ``NO ANSWER``,
        ``NO CARRIER`` (with or without a cause), ``NO DIALTONE`` or a +CME ERROR of the network
        (30 no network service, 31 network timeout, 32 emergency calls only...) end the call
        as a setup failure and are returned (the final code or error text). Raises AtError only
        when the modem refuses the dial string itself (``ERROR``, +CME ERROR 26/27: too long,
        invalid characters) or cannot call at all (SIM PIN/PUK/failure)."""
        channel = self._require_channel()
        ts = self.clock.time()
        self._dial_guard_until = float("inf")
        for event in self.tracker.dialled(number, ts):
            self._emit(event)
        try:
            resp = channel.command(f"ATD{number};", timeout_s=timeout_s)
        finally:
            self._dial_guard_until = self.clock.monotonic() + DIAL_LIST_GRACE_S
        if resp.ok:
            return None
        err = resp.error or DeviceError(text=resp.final)
        final = (resp.final or "").strip().upper()
        network = final in CALL_END_CODES or (
            err.code is not None and err.source == "CME" and err.code not in DIAL_REFUSED_CME)
        why = final if final in CALL_END_CODES else (err.text or resp.final)
        self.tracker.set_cause(None, why)
        for event in self.tracker.ended(self.clock.time()):
            self._emit(event)
        if network:
            return why
        raise AtError(f"ATD{number}; refused: {err.text or resp.final}")

    def answer(self) -> None:
        self._require_channel().command("ATA", timeout_s=10.0)

    def hangup(self) -> None:
        channel = self._require_channel()
        self.tracker.hangup_requested()
        # After our own hang-up an empty +CLCC is the answer expected, not the dial's race: a
        # short CQT hold would otherwise wait out DIAL_LIST_GRACE_S for the release.
        self._dial_guard_until = 0.0
        resp = channel.command("ATH", timeout_s=5.0)
        if not resp.ok:
            channel.command("AT+CHUP", timeout_s=5.0)
        if self.family is not None and self.family.call_state_by == "clcc-poll":
            self._poll_clcc(channel)

    def lock(self, arfcn: int) -> None:
        fam = self.family
        if fam is None or fam.lock_command is None:
            raise Unsupported(f"{fam.name if fam else 'this device'} has no documented GSM ARFCN lock "
                              "(docs/at-commands.md §4); use block or attribute mode")
        resp = self._require_channel().command(fam.lock_command.format(arfcn=arfcn), timeout_s=10.0)
        if not resp.ok:
            raise AtError(f"lock to ARFCN {arfcn} refused: {resp.final}")
        self._lock_arfcn = arfcn
        self._emit(Event(self.clock.time(), EV_LOCK, f"locked to ARFCN {arfcn}", {"arfcn": arfcn}))

    def unlock(self) -> None:
        fam = self.family
        if fam is None or fam.unlock_command is None:
            raise Unsupported(f"{fam.name if fam else 'this device'} has no documented unlock")
        resp = self._require_channel().command(fam.unlock_command, timeout_s=10.0)
        if not resp.ok:
            raise AtError(f"unlock refused: {resp.final}")
        self._lock_arfcn = None
        self._emit(Event(self.clock.time(), EV_UNLOCK, "lock released", {}))

    def sim_audio_verdict(self) -> str | None:
        """What a listener heard on the current/last call — the simulator alone can say.
        Refused with a real device: audio cannot travel over AT."""
        if not self.simulator:
            raise Unsupported("the listener's verdict comes from a person with a real device")
        resp = self._require_channel().command(SIM_AUDIO_QUERY, timeout_s=2.0)
        for line in resp.lines:
            if line.upper().startswith("+FASIMAUDIO:"):
                parts = line.split(":", 1)[1].split(",")
                return parts[-1].strip().strip('"') or None
        return None

    # ------------------------------------------------------------------ band scan

    @property
    def scanning(self) -> bool:
        return self._scanning.is_set()

    def scan(self, band: str = "all", arfcn_range: tuple[int, int] | None = None, *,
             progress: Callable[[ScanProgress], None] | None = None,
             cancel: threading.Event | None = None) -> Scan:
        """A band scan with the family's survey command (drivers/scan.py). Polling pauses for
        the scan and resumes after it; ``progress`` is called after each step (from this
        thread), ``cancel`` stops between steps (a cancelled scan keeps what it heard, with
        ``complete=False``). The scan is also emitted to the sink, between two EV_INFO events.
        Raises ScanNotAvailable (no survey command / refused), ScanCancelled, DeviceGone."""
        fam = self.family
        support = scan_support(fam.name if fam else None)
        if support is None:
            raise ScanNotAvailable(f"band scan not available: {fam.name if fam else 'this device'} "
                                   "has no documented survey command")
        channel = self._require_channel()
        self._scanning.set()
        try:
            with self._io_gate:
                self._emit(Event(self.clock.time(), EV_INFO, f"scan started: {support.command} band {band}"
                                 + (f" ARFCN {arfcn_range[0]}-{arfcn_range[1]}" if arfcn_range else ""),
                                 {"scan": "started", "band": band}))
                scan = run_scan(lambda cmd, t: channel.command(cmd, timeout_s=t), support, band=band,
                                arfcn_range=arfcn_range, progress=progress, cancel=cancel)
        except BaseException as exc:
            self._emit(Event(self.clock.time(), EV_INFO, f"scan stopped: {exc}", {"scan": "failed"}))
            raise
        finally:
            self._scanning.clear()
        self._emit(scan)
        decoded = sum(1 for c in scan.carriers if c.decoded)
        self._emit(Event(scan.end_utc, EV_INFO,
                         f"scan {'ended' if scan.complete else 'cut short'}: {len(scan.carriers)} carriers, "
                         f"{decoded} decoded, {scan.end_utc - scan.start_utc:.1f} s",
                         {"scan": "ended", "carriers": len(scan.carriers), "complete": scan.complete}))
        return scan

    def sim_block(self, trx_id: str, blocked: bool = True) -> bool:
        """Block (or free) a TRX in the simulator the handset belongs to, as the BSC team would
        on a real network (CQT block mode with ``--sim-block``); True when the simulator knows
        the TRX. Refused with a real device::

            AT+FASIMBLOCK="TRX-69-0",1
            OK
        """
        if not self.simulator:
            raise Unsupported("TRX blocks are applied by the BSC team, not over AT, with a real device")
        return bool(self._require_channel().command(f'AT+FASIMBLOCK="{trx_id}",{1 if blocked else 0}',
                                                    timeout_s=5.0).ok)

    def command(self, cmd: str, timeout_s: float = 5.0):
        """A raw AT command (terminal window, scripts)."""
        return self._require_channel().command(cmd, timeout_s=timeout_s)

    def _require_channel(self) -> AtChannel:
        if self._channel is None or self._gone.is_set():
            raise DeviceGone(f"{self.port} is not connected")
        return self._channel

    # ------------------------------------------------------------------ loss and reconnection

    def _on_gone(self, exc: Exception) -> None:
        self._gone.set()

    def _handle_loss(self) -> bool:
        """Device vanished. Returns True when the session can go on (reconnected)."""
        lost_utc = self.clock.time()
        self._emit(Event(lost_utc, EV_DISCONNECTED, f"{self.port} disappeared", {"port": self.port}))
        if self.tracker.in_call:
            self.tracker.set_cause(None, "device disconnected")
            for event in self.tracker.ended(lost_utc):
                self._emit(event)
        self._close_channel()
        if not self.reconnect:
            return False
        while not self.clock.wait(self._stop, RECONNECT_INTERVAL_S):
            try:
                self.open()
            except (PortError, NoAtResponse, DeviceGone, AtError, OSError):
                continue
            back_utc = self.clock.time()
            self._emit(Event(back_utc, EV_RECONNECTED, f"{self.port} is back", {"port": self.port}))
            self._emit(Event(back_utc, EV_GAP, f"no data for {back_utc - lost_utc:.1f} s",
                             {"from_utc": lost_utc, "to_utc": back_utc}))
            self._last_serving = None
            return True
        return False

    def _close_channel(self) -> None:
        channel, self._channel = self._channel, None
        if channel is not None:
            channel.close()

    EARLY_MAX = 5000  # records kept before start() (a probe and start-up are a few hundred)

    def _keep_early(self, record: Any) -> None:
        with self._early_lock:
            if self._early is not None and len(self._early) < self.EARLY_MAX:
                self._early.append(record)
                return
            sink = self._sink
        if sink is not self._keep_early:
            sink(record)

    def _emit(self, record: Any) -> None:
        try:
            self._sink(record)
        except Exception as exc:  # a failing consumer must not kill the device thread
            self.stats["sink_errors"] = self.stats.get("sink_errors", 0) + 1
            self.last_sink_error = exc


def _cell_key(cell: Cell) -> dict[str, Any]:
    return {"lac": cell.lac, "ci": cell.ci, "arfcn": cell.arfcn, "bsic": cell.bsic}


def _cell_label(cell: Cell) -> str:
    if cell.ci is not None:
        return f"CI {cell.ci}" + (f"/ARFCN {cell.arfcn}" if cell.arfcn is not None else "")
    return f"ARFCN {cell.arfcn}" if cell.arfcn is not None else "unknown cell"
