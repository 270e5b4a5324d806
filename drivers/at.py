"""The AT channel: one command at a time over a Transport, URCs routed as they arrive.

A reader thread ("at-reader") cuts the byte stream into lines (``drivers.at_lines``) and routes
each line as ModemManager does (docs/at-commands.md §7.2): URCs are taken out before the
response is assembled, wherever they fall. Unlike python-gsmmodem (§7.1) a URC arriving between the echo and
OK is *not* glued into the response, NO CARRIER during a poll is a URC and not the poll's
result, and a reply without OK (Wavecom ``+CPIN: READY``) completes after a grace period.

Routing of one line while a command is pending::

    echo of the command            → dropped (echo on or off, doubled, CR CR LF)
    final result code              → completes the command
    "+XXX:" while AT+XXX pending   → the reply, even if a URC handler matches "+XXX:"
    matches a URC handler          → that handler (on the reader thread, outside any lock)
    RING, +CRING:, NO CARRIER ...  → on_unsolicited (call progress codes NO CARRIER, BUSY,
                                     CONNECT... end only ATD/ATA/ATO/ATH/+CHUP/+CGDATA)
    anything else                  → an information line of the response

With no command pending every line is unsolicited; a stray OK/ERROR (late answer of a command
that timed out) is counted and dropped.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from drivers.at_lines import (
    decode_line,
    final_error,
    is_busy_error,
    is_call_command,
    is_call_progress,
    is_echo,
    is_final,
    is_reply_of,
    is_success,
    reply_prefixes,
    split_lines,
)
from drivers.transport import DeviceGone, Transport
from fieldapp.device import AtError  # defined in the kernel so the domain can catch it
from fieldapp.model import DeviceError, RawTraffic

log = logging.getLogger(__name__)

__all__ = ["AtChannel", "AtError", "AtResponse", "AtTimeout", "DeviceGone", "UrcHandle"]

# A partial line (no CR/LF yet) is taken as complete after this much silence while a command
# waits: u-blox ends +UCGED output with "OK" and no CRLF (docs/at-commands.md §6, ublox-UCGED-1).
IDLE_FLUSH_S = 0.1
# ... and after this much silence when nothing is pending (a URC without terminator).
IDLE_FLUSH_UNSOLICITED_S = 1.0
# Lines longer than this are dropped by the channel (four times the parsers' MAX_LINE_CHARS:
# a longer line cannot be a reply, and the partial-line buffer must not grow without bound).
MAX_LINE_BYTES = 16384
# Wait this long for a final code after the info line named by ``final_optional_after``.
OPTIONAL_FINAL_GRACE_S = 0.3
# Lines that are unsolicited whatever is pending (unless they are the pending command's reply).
_ALWAYS_UNSOLICITED = ("RING", "+CRING:")


class AtTimeout(AtError):
    """No final result code came within the command's timeout."""


@dataclass
class AtResponse:
    """What one command got back. ``lines`` are the information lines (no echo, no final, no
    URCs). ``final`` is None when the reply ended without a final code (``final_optional_after``);
    such a reply counts as ``ok``. ``elapsed_s`` includes busy retries."""

    command: str
    lines: list[str]
    final: str | None
    ok: bool
    error: DeviceError | None
    elapsed_s: float


@dataclass(frozen=True)
class UrcHandle:
    id: int


@dataclass
class _Handler:
    handle: UrcHandle
    callback: Callable[[str], None]
    prefix: str | None = None  # upper case literal prefix
    regex: re.Pattern | None = None

    def matches(self, line: str) -> bool:
        if self.prefix is not None and line.upper().startswith(self.prefix):
            return True
        return self.regex is not None and self.regex.match(line) is not None


@dataclass
class _Pending:
    command: str
    prefixes: tuple[str, ...]
    call: bool
    optional_after: str | None
    lines: list[str] = field(default_factory=list)
    final: str | None = None
    done: bool = False
    optional_seen_at: float | None = None  # monotonic time of the last line after that prefix


class AtChannel:
    """AT command channel over a transport. The channel owns the transport: ``close()`` closes
    it. Callbacks (``on_raw``, ``on_gone``, ``on_unsolicited``, URC handlers) run on the reader
    thread; they must return quickly and must not call ``command()`` (hand work to another
    thread)."""

    def __init__(self, transport: Transport, *,
                 on_raw: Callable[[RawTraffic], None] | None = None,
                 on_gone: Callable[[Exception], None] | None = None,
                 on_unsolicited: Callable[[str], None] | None = None,
                 busy_backoff_s: float = 0.5) -> None:
        self.transport = transport
        self._on_raw = on_raw
        self._on_gone = on_gone
        self._on_unsolicited = on_unsolicited
        self.busy_backoff_s = busy_backoff_s
        self._cmd_lock = threading.Lock()  # one command at a time
        self._cond = threading.Condition()  # guards everything below
        self._pending: _Pending | None = None
        self._handlers: tuple[_Handler, ...] = ()
        self._next_handle = 1
        self._gone_exc: DeviceGone | None = None
        self._write_error: DeviceGone | None = None
        self._closing = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._buf = bytearray()
        self._dropping = False  # inside a line over MAX_LINE_BYTES: skip to its end
        self._last_rx = time.monotonic()
        self._stats = {"lines": 0, "garbled_lines": 0, "urcs": 0, "unsolicited": 0,
                       "stray_finals": 0, "too_long_lines": 0, "timeouts": 0, "busy_retries": 0, "callback_errors": 0,
                       "bytes_rx": 0, "bytes_tx": 0}

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> AtChannel:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="at-reader", daemon=True)
            self._thread.start()
        return self

    def close(self) -> None:
        """Stop the reader, fail a waiting command with DeviceGone, close the transport."""
        self._stop.set()
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        thread = self._thread
        own = thread is threading.current_thread()
        if thread is not None and not own:
            self.transport.cancel_read()
            thread.join(timeout=1.0)  # else the read returns within its read timeout
        self.transport.close()  # also wakes a reader blocked in a long read
        if thread is not None and not own:
            thread.join(timeout=2.0)

    def __enter__(self) -> AtChannel:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def gone(self) -> bool:
        return self._gone_exc is not None

    @property
    def stats(self) -> dict[str, int]:
        """Counters for the status bar: lines, garbled_lines, urcs, unsolicited, stray_finals,
        too_long_lines, timeouts, busy_retries, callback_errors, bytes_rx, bytes_tx (a copy)."""
        with self._cond:
            return dict(self._stats)

    # ------------------------------------------------------------------ URC handlers

    def add_urc_handler(self, pattern: str | re.Pattern, callback: Callable[[str], None]) -> UrcHandle:
        """Route lines to ``callback``. A ``str`` is a line prefix compared without case
        (``"+CRING:"``, ``"NO CARRIER"``, ``"^SLCC:"``) and, when it is also a valid regular
        expression, tried as one anchored at the line start (``r"\\+CLCC: \\d"``); a compiled
        pattern is used with ``match``. Every matching handler gets the line."""
        if isinstance(pattern, str):
            if not pattern:
                raise ValueError("empty URC pattern")
            try:
                regex: re.Pattern | None = re.compile(pattern)
            except re.error:
                regex = None
            prefix: str | None = pattern.upper()
        else:
            regex, prefix = pattern, None
        with self._cond:
            handle = UrcHandle(self._next_handle)
            self._next_handle += 1
            self._handlers = (*self._handlers, _Handler(handle, callback, prefix, regex))
        return handle

    def remove_urc_handler(self, handle: UrcHandle) -> None:
        with self._cond:
            self._handlers = tuple(h for h in self._handlers if h.handle != handle)

    # ------------------------------------------------------------------ commands

    def command(self, cmd: str, timeout_s: float = 5.0, *, final_optional_after: str | None = None,
                busy_retries: int = 3) -> AtResponse:
        """Send ``cmd`` + CR and collect its reply. Thread-safe (one command at a time).

        Raises AtTimeout when no final code comes within ``timeout_s`` (per attempt), DeviceGone
        when the device vanishes or the channel is closed meanwhile. ``+CME ERROR: 515`` / ``14``
        (busy) are retried after 0.5, 1, 2 ... s (``busy_backoff_s`` doubled) up to
        ``busy_retries`` times; the last answer is returned as is."""
        cmd = cmd.strip()
        if not cmd or "\r" in cmd or "\n" in cmd:
            raise ValueError(f"not a single AT command: {cmd!r}")
        if self._thread is None:
            raise AtError("AT channel not started (call start() first)")
        if threading.current_thread() is self._thread:
            raise AtError(f"{cmd}: command() called from a URC callback on the reader thread")
        started = time.monotonic()
        with self._cmd_lock:
            attempt = 0
            while True:
                final, lines = self._exchange(cmd, timeout_s, final_optional_after)
                error = final_error(final)
                if is_busy_error(error) and attempt < busy_retries:
                    with self._cond:
                        self._stats["busy_retries"] += 1
                    if self._stop.wait(self.busy_backoff_s * 2 ** attempt):
                        raise DeviceGone(f"{self.transport.name}: channel closed")
                    attempt += 1
                    continue
                ok = is_success(final) or (final is None and final_optional_after is not None)
                return AtResponse(cmd, lines, final, ok, error, time.monotonic() - started)

    def _exchange(self, cmd: str, timeout_s: float, optional_after: str | None) -> tuple[str | None, list[str]]:
        pending = _Pending(cmd, reply_prefixes(cmd), is_call_command(cmd),
                           optional_after.upper() if optional_after else None)
        with self._cond:
            self._check_alive()
            self._pending = pending  # before writing: a fast reply must find it
        try:
            try:
                self._write((cmd + "\r").encode("utf-8"))
            except DeviceGone as exc:
                # The reader may still be reading happily (a stalled write): let it report the
                # loss, so on_gone comes once and from the reader thread as always.
                with self._cond:
                    self._write_error = self._write_error or exc
                self.transport.cancel_read()
                raise
            deadline = time.monotonic() + timeout_s
            with self._cond:
                while not pending.done:
                    self._check_alive()
                    now = time.monotonic()
                    wake = deadline
                    if pending.optional_seen_at is not None:
                        grace_end = pending.optional_seen_at + OPTIONAL_FINAL_GRACE_S
                        if now >= grace_end:
                            break  # reply complete without a final code (Wavecom +CPIN)
                        wake = min(wake, grace_end)
                    if now >= deadline:
                        self._stats["timeouts"] += 1
                        raise AtTimeout(_timeout_message(cmd, timeout_s, pending.lines))
                    self._cond.wait(wake - now)
                return pending.final, list(pending.lines)
        finally:
            with self._cond:
                if self._pending is pending:
                    self._pending = None

    def _check_alive(self) -> None:
        """Called with the lock held."""
        if self._gone_exc is not None:
            raise DeviceGone(str(self._gone_exc))
        if self._closing:
            raise DeviceGone(f"{self.transport.name}: channel closed")

    def _write(self, data: bytes) -> None:
        ts = time.time()
        self.transport.write(data)  # DeviceGone propagates
        with self._cond:
            self._stats["bytes_tx"] += len(data)
        self._call(self._on_raw, RawTraffic(ts, "tx", data))

    # ------------------------------------------------------------------ reader thread

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    data = self.transport.read()
                except DeviceGone as exc:
                    if not self._stop.is_set():
                        self._lost(exc)
                    return
                if self._write_error is not None:
                    self._lost(self._write_error)
                    return
                now = time.monotonic()
                if data:
                    self._last_rx = now
                    with self._cond:
                        self._stats["bytes_rx"] += len(data)
                    self._call(self._on_raw, RawTraffic(time.time(), "rx", data))
                    raws = self._cut(data)
                elif self._buf and self._idle_enough(now):
                    raws, self._buf = [bytes(self._buf)], bytearray()
                else:
                    continue
                for raw in raws:
                    self._dispatch(self._route(raw))
        except Exception as exc:  # a bug here must fail the commands, not hang them
            log.exception("AT reader failed")
            if not self._stop.is_set():
                self._lost(DeviceGone(f"{self.transport.name}: AT reader failed: {exc!r}"))

    def _cut(self, data: bytes) -> list[bytes]:
        """Complete lines of what arrived. A line longer than MAX_LINE_BYTES (a device spewing
        without line ends, or hostile input) is dropped up to its end and counted in
        ``too_long_lines``: memory stays bounded and no parser sees it."""
        if self._dropping:
            ends = [i for i in (data.find(b"\r"), data.find(b"\n")) if i >= 0]
            if not ends:
                return []
            data, self._dropping = data[min(ends):], False
        self._buf.extend(data)
        raws = split_lines(self._buf)
        long_ones = [raw for raw in raws if len(raw) > MAX_LINE_BYTES]
        if len(self._buf) > MAX_LINE_BYTES:
            self._buf.clear()
            self._dropping = True
            long_ones.append(b"")
        if long_ones:
            with self._cond:
                self._stats["too_long_lines"] += len(long_ones)
            raws = [raw for raw in raws if len(raw) <= MAX_LINE_BYTES]
        return raws

    def _idle_enough(self, now: float) -> bool:
        quiet = now - self._last_rx
        with self._cond:
            pending = self._pending is not None and not self._pending.done
        return quiet >= (IDLE_FLUSH_S if pending else IDLE_FLUSH_UNSOLICITED_S)

    def _route(self, raw: bytes) -> list[tuple[Callable | None, object]]:
        """Decide where one line goes. Returns the callbacks to run (outside the lock)."""
        line, garbled = decode_line(raw)
        with self._cond:
            self._stats["lines"] += 1
            if garbled:
                self._stats["garbled_lines"] += 1
            if not line:
                return []
            p = self._pending
            if p is not None and not p.done:
                if is_echo(line, p.command):
                    return []
                if is_final(line, call_pending=p.call):
                    p.final, p.done = line, True
                    self._cond.notify_all()
                    return []
                if is_reply_of(line, p.prefixes):
                    self._add_line(p, line)
                    return []
            handlers = [h.callback for h in self._handlers if h.matches(line)]
            if handlers:
                self._stats["urcs"] += 1
                return [(cb, line) for cb in handlers]
            if p is not None and not p.done and not line.upper().startswith(_ALWAYS_UNSOLICITED) \
                    and not is_call_progress(line):
                self._add_line(p, line)
                return []
            if (p is None or p.done) and is_final(line, call_pending=False):
                self._stats["stray_finals"] += 1  # late answer of a command that timed out
                return []
            self._stats["unsolicited"] += 1
            return [(self._on_unsolicited, line)]

    def _add_line(self, p: _Pending, line: str) -> None:
        p.lines.append(line)
        if p.optional_seen_at is not None or (p.optional_after and line.upper().startswith(p.optional_after)):
            p.optional_seen_at = time.monotonic()
            self._cond.notify_all()

    def _dispatch(self, calls: list[tuple[Callable | None, object]]) -> None:
        for cb, arg in calls:
            self._call(cb, arg)

    def _call(self, cb: Callable | None, arg: object) -> None:
        if cb is None:
            return
        try:
            cb(arg)
        except Exception:  # a failing consumer must not kill the reader
            log.exception("AT channel callback failed")
            with self._cond:
                self._stats["callback_errors"] += 1

    def _lost(self, exc: DeviceGone) -> None:
        with self._cond:
            if self._gone_exc is not None:
                return
            self._gone_exc = exc
            self._cond.notify_all()
        self._call(self._on_gone, exc)


def _timeout_message(cmd: str, timeout_s: float, lines: list[str]) -> str:
    msg = f"{cmd}: no final result code within {timeout_s:g} s"
    if lines:
        msg += f" (got {len(lines)} line(s), last {lines[-1][:60]!r})"
    else:
        msg += " (no answer: wrong port or baud rate, or the device is busy)"
    return msg
