"""One fake AT device for every test: ``AtPeer`` answers on the far side of a real
pseudo-terminal, so the code under test goes through ``open_port`` (the real pyserial path:
termios, select, EIO on unplug).

It joins the reply table of ModemManager's test port context and python-gsmmodem's fake modems
(docs/at-commands.md §7: command -> reply, answered in any order, any number of times, which is
what a polling driver needs) and pymeasure's ``expected_protocol`` (an ordered script of
exchanges, each used once, where anything else is a failure)::

    # a polling driver: the table
    with AtPeer({"AT": "OK", "AT+CSQ": "+CSQ: 17,99\\r\\n\\r\\nOK"}) as modem:
        HandsetSource(modem.port) ...

    # ordered exchanges, then unplugged half way through a reply
    with AtPeer(script=[("AT+CLCC", ['+CLCC: 1,0,0,0,0,"123",129', 0.05, VANISH])]) as peer:
        AtChannel(open_port(peer.port)) ...

    # the exact bytes both ways, failing on any other write or unused pair
    with expected_protocol([("AT+CSQ\\r", b"AT+CSQ\\r\\r\\n+CSQ: 9,3\\r\\n\\r\\nOK\\r\\n")]) as ch:
        assert ch.command("AT+CSQ").lines == ["+CSQ: 9,3"]

What the host writes is cut into command lines at CR/LF. Each line is answered by, in order:
the next script item if it expects that command, else the table, else ``unknown_reply``
(``ERROR``, as a real module answers a command it lacks) and the line is listed in
``unexpected``. Every line is listed in ``received``.

* Table keys: a str is a command compared without case and spaces (``is_echo``); an
  ``re.Pattern`` must match the whole line (prefixes, parameters).
* Script items ``(expected, reply)``: ``expected`` a str is a command line as above; bytes are
  the exact bytes the host must write next (a mismatch is a failure and gets no answer);
  ``None`` is the device speaking on its own right after the previous reply (or at ``start()``).
* A reply is a str: text lines framed as a verbose V.250 device frames them,
  ``\\r\\n<text>\\r\\n`` (lines inside joined by ``\\r\\n`` by the author); bytes: sent exactly
  (wire captures); a callable ``(command) -> reply`` for a stateful device; or a list of those
  parts with floats (pause that many seconds) and ``VANISH`` (unplug here).
* ``echo=True`` (V.250's factory E1) writes ``<command>\\r`` before each reply; ``garbage``
  bytes follow the echo; ``silent=True`` never answers (wrong baud, not a modem);
  ``byte_by_byte=True`` writes replies one byte at a time (split reads, a slow USB bridge).
* ``urcs=[(delay_s, reply)]`` are sent that long after ``start()``; ``inject()`` sends one now
  or later; ``vanish()`` closes the pty (the client's next read fails with EIO, like a USB
  unplug) and removes the stable ``link_path`` symlink; ``reappear()`` opens a new pty behind the
  same symlink so reconnect logic finds the port again.
* ``strict=True`` makes unexpected commands failures too; ``check()`` raises on failures and on
  script items never used.

Every table or script says where its device output came from, next to it.
"""

from __future__ import annotations

import os
import re
import select
import threading
import time
import tty
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from drivers.at import AtChannel
from drivers.at_lines import is_echo
from drivers.transcript import read_transcript
from drivers.transport import open_port

VANISH = object()  # reply part: close the pty here (unplugged mid-reply)

Reply = str | bytes | Callable[[str], "Reply"] | Sequence[object]
Expected = str | bytes | re.Pattern | None

_POLL_S = 0.02
_BYTE_GAP_S = 0.001  # between bytes with byte_by_byte: each read on the host gets one


class AtPeer:
    def __init__(self, table: Mapping[str | re.Pattern, Reply] | None = None, *,
                 script: Sequence[tuple[Expected, Reply]] = (), echo: bool = True,
                 link_path: str | os.PathLike | None = None, urcs: Sequence[tuple[float, Reply]] = (),
                 garbage: bytes = b"", silent: bool = False, unknown_reply: Reply = b"\r\nERROR\r\n",
                 strict: bool = False, byte_by_byte: bool = False, name: str = "atpeer") -> None:
        self.table = dict(table or {})
        self.script = list(script)
        self.echo = echo
        self.garbage = garbage
        self.silent = silent
        self.unknown_reply = unknown_reply
        self.strict = strict
        self.byte_by_byte = byte_by_byte
        self.received: list[str] = []
        self.unexpected: list[str] = []
        self.failures: list[str] = []
        self._used = 0
        self._name = name
        self._link = Path(link_path) if link_path is not None else None
        self._lock = threading.Lock()
        self._master: int | None = None
        self._slave: int | None = None
        self._tty_name = ""
        self._urcs = [(float(t), r) for t, r in urcs]
        self._due: list[tuple[float, Reply]] = []
        self._stop = threading.Event()
        self._vanish_req = threading.Event()
        self._vanished = threading.Event()
        self._thread: threading.Thread | None = None
        self._open_pty()

    @classmethod
    def from_transcript(cls, text: str, *, echo: bool = True, urc_delay_s: float = 0.3, **kwargs) -> AtPeer:
        """A peer that replays a recorded transcript (drivers.transcript) as its script: each
        command gets its recorded reply lines; unsolicited lines after a reply follow that reply;
        unsolicited lines before the first command are sent ``urc_delay_s`` after start (a port
        that is opened later drops what came before: pyserial flushes input on open)."""
        script: list[tuple[Expected, Reply]] = []
        urcs: list[tuple[float, Reply]] = []
        for ex in read_transcript(text):
            body = _framed_lines(ex.lines)
            if ex.command is not None:
                script.append((ex.command, body))
            elif script:
                script.append((None, body))
            else:
                urcs.append((urc_delay_s, body))
        return cls(script=script, echo=echo, urcs=urcs, **kwargs)

    # ------------------------------------------------------------------ lifecycle

    @property
    def port(self) -> str:
        """The path a client opens: the stable symlink when there is one, else the pty."""
        return str(self._link) if self._link is not None else self._tty_name

    @property
    def tty_name(self) -> str:
        return self._tty_name

    @property
    def present(self) -> bool:
        return self._master is not None

    def start(self) -> AtPeer:
        now = time.monotonic()
        with self._lock:
            self._due.extend((now + t, r) for t, r in self._urcs)
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._close_pty()

    def __enter__(self) -> AtPeer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ test controls

    def inject(self, reply: Reply, delay_s: float = 0.0) -> None:
        """Send ``reply`` unsolicited (a URC) after ``delay_s``."""
        with self._lock:
            self._due.append((time.monotonic() + delay_s, reply))

    def vanish(self, timeout_s: float = 2.0) -> None:
        """Unplug: close the pty (client reads fail with EIO) and remove the symlink."""
        if self._thread is None or threading.current_thread() is self._thread:
            self._close_pty()
            return
        self._vanished.clear()
        self._vanish_req.set()
        if not self._vanished.wait(timeout_s):
            raise TimeoutError("peer did not vanish")

    def reappear(self) -> str:
        """Plug back in: a new pty behind the same symlink (``port`` is unchanged when the peer
        has a symlink). Returns the port path."""
        with self._lock:
            if self._master is not None:
                raise RuntimeError("peer is present; vanish() first")
            self._open_pty()
        return self.port

    def wait_received(self, count: int, timeout_s: float = 2.0) -> bool:
        deadline = time.monotonic() + timeout_s
        while len(self.received) < count:
            if time.monotonic() > deadline:
                return False
            time.sleep(_POLL_S)
        return True

    def check(self) -> None:
        """Raise AssertionError on any failure (wrong bytes, or any unexpected command when
        strict) and on script items never used."""
        problems = list(self.failures)
        if self.script:
            problems.append(f"{len(self.script)} pair(s) never used, first expecting {self.script[0][0]!r}")
        if problems:
            raise AssertionError("protocol mismatch:\n  " + "\n  ".join(problems))

    # ------------------------------------------------------------------ pty

    def _open_pty(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo / CR mapping by the line discipline before a client opens it
        self._master, self._slave = master, slave
        self._tty_name = os.ttyname(slave)
        if self._link is None:
            return
        if not self._link.parent.exists():
            raise FileNotFoundError(self._link.parent)
        tmp = self._link.with_name(self._link.name + ".new")
        if tmp.is_symlink():
            tmp.unlink()
        os.symlink(self._tty_name, tmp)
        os.replace(tmp, self._link)  # atomic re-point

    def _close_pty(self) -> None:
        with self._lock:
            for fd in (self._master, self._slave):
                if fd is not None:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            self._master = self._slave = None
        if self._link is not None and self._link.is_symlink():
            self._link.unlink()

    def _write(self, data: bytes) -> None:
        chunks = [data[i:i + 1] for i in range(len(data))] if self.byte_by_byte else [data]
        for chunk in chunks:
            with self._lock:
                fd = self._master
                if fd is None:
                    return
                try:
                    os.write(fd, chunk)
                except OSError:
                    return  # nobody has the port open and the buffer is full: a real modem drops it too
            if self.byte_by_byte:
                time.sleep(_BYTE_GAP_S)

    # ------------------------------------------------------------------ the thread

    def _run(self) -> None:
        buf = bytearray()
        self._send_unprompted()
        while not self._stop.is_set():
            if self._vanish_req.is_set():
                self._vanish_req.clear()
                self._close_pty()
                buf.clear()
                self._vanished.set()
            fd = self._master
            if fd is None:
                self._stop.wait(_POLL_S)
                continue
            self._send_due()
            try:
                ready, _, _ = select.select([fd], [], [], _POLL_S)
                data = os.read(fd, 4096) if ready else b""
            except OSError:
                data = b""  # EIO while no client has the slave open: nothing to read
                self._stop.wait(_POLL_S)
            if data:
                buf.extend(data)
                self._feed(buf)

    def _send_due(self) -> None:
        now = time.monotonic()
        with self._lock:
            due = [r for t, r in self._due if t <= now]
            self._due = [(t, r) for t, r in self._due if t > now]
        for reply in due:
            self._send("", reply)

    def _feed(self, buf: bytearray) -> None:
        """Answer every complete command in ``buf``; a partial one stays for the next read."""
        while buf:
            expected = self.script[0][0] if self.script else None
            if isinstance(expected, bytes):
                if buf.startswith(expected):
                    del buf[: len(expected)]
                    self.received.append(expected.decode("utf-8", "replace").strip())
                    _, reply = self._pop()
                    self._respond(expected.decode("utf-8", "replace").strip(), reply)
                    continue
                if expected.startswith(bytes(buf)):
                    return  # the rest of the command is on its way
                end = _line_end(buf)
                if end < 0:
                    return  # wrong so far: wait for the whole line to name it in the failure
                got = bytes(buf[: end + 1])
                del buf[: end + 1]
                self.received.append(got.decode("utf-8", "replace").strip())
                self.failures.append(f"pair {self._used}: expected {expected!r}, got {got!r}")
                continue
            end = _line_end(buf)
            if end < 0:
                return
            cmd = bytes(buf[:end]).decode("utf-8", "replace").strip()
            del buf[: end + 1]
            if cmd:
                self._answer(cmd)

    def _answer(self, cmd: str) -> None:
        self.received.append(cmd)
        if self.script and isinstance(self.script[0][0], str) and is_echo(self.script[0][0], cmd):
            _, reply = self._pop()
        else:
            reply = self._lookup(cmd)
            if reply is None:
                self.unexpected.append(cmd)
                if self.strict:
                    self.failures.append(f"unexpected command {cmd!r}"
                                         + (" after all pairs were used" if not self.script else
                                            f", expecting {self.script[0][0]!r}"))
                reply = self.unknown_reply
        self._respond(cmd, reply)

    def _lookup(self, cmd: str) -> Reply | None:
        for key, reply in self.table.items():  # the command itself first, then the patterns
            if isinstance(key, str) and is_echo(key, cmd):
                return reply
        for key, reply in self.table.items():
            if isinstance(key, re.Pattern) and key.fullmatch(cmd):
                return reply
        return None

    def _pop(self) -> tuple[Expected, Reply]:
        self._used += 1
        return self.script.pop(0)

    def _respond(self, cmd: str, reply: Reply) -> None:
        if self.silent:
            return
        head = (cmd.encode() + b"\r" if self.echo else b"") + self.garbage
        if self._send(cmd, reply, head):
            self._send_unprompted()

    def _send_unprompted(self) -> None:
        while self.script and self.script[0][0] is None:
            _, reply = self._pop()
            if not self._send("", reply):
                return

    def _send(self, cmd: str, reply: Reply, head: bytes = b"") -> bool:
        """Write ``head`` then the reply; False when it was cut short (unplugged or stopping)."""
        pending = bytearray(head)
        for part in _parts(cmd, reply):
            if part is VANISH:
                self._write(bytes(pending))
                self._close_pty()
                return False
            if isinstance(part, float):
                self._write(bytes(pending))
                pending.clear()
                if self._stop.wait(part):
                    return False
            else:
                pending.extend(part)  # type: ignore[arg-type]
        self._write(bytes(pending))
        return True


def _parts(cmd: str, reply: Reply) -> Iterator[object]:
    """A reply as bytes, float pauses and VANISH, in order (see the module docstring)."""
    if callable(reply):
        yield from _parts(cmd, reply(cmd))
    elif isinstance(reply, str):
        yield b"\r\n" + reply.encode("utf-8") + b"\r\n"
    elif isinstance(reply, bytes | bytearray):
        yield bytes(reply)
    elif reply is VANISH:
        yield VANISH
    elif isinstance(reply, float | int) and not isinstance(reply, bool):
        yield float(reply)
    else:
        for part in reply:  # type: ignore[union-attr]
            yield from _parts(cmd, part)


def _line_end(buf: bytearray) -> int:
    ends = [i for i in (buf.find(b"\r"), buf.find(b"\n")) if i >= 0]
    return min(ends) if ends else -1


def _b(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def _framed_lines(lines: Sequence[str]) -> bytes:
    return b"".join(b"\r\n" + line.encode("utf-8") + b"\r\n" for line in lines)


# --------------------------------------------------------------------------- exact exchanges


def _exact(reply: object) -> object:
    """pymeasure's convention for ``expected_protocol``: a str reply is the exact text sent."""
    if isinstance(reply, str):
        return reply.encode("utf-8")
    if isinstance(reply, list | tuple):
        return [_exact(part) for part in reply]
    return reply


@contextmanager
def expected_protocol(pairs: Sequence[tuple[bytes | str | None, object]], *, byte_by_byte: bool = False,
                      **channel_kwargs) -> Iterator[AtChannel]:
    """Yield a started AtChannel on a pty whose device answers from ``pairs`` in order, then
    close everything and fail on any unexpected write or unused pair.

    ``sent``: the exact bytes the host must write (a str is encoded as is, CR included), or None
    for a reply the device sends on its own right after the previous pair (or at the start).
    ``reply``: bytes / str sent exactly as given, or a list of them and float pauses.
    ``byte_by_byte`` writes each reply one byte at a time (the channel reads it split)."""
    script = [(None if s is None else _b(s), _exact(r)) for s, r in pairs]
    peer = AtPeer(script=script, echo=False, strict=True, byte_by_byte=byte_by_byte, name="exchange-peer")
    try:
        # Open the port before the peer starts: a device speaking first is not lost to the
        # input flush of pyserial's open.
        channel = AtChannel(open_port(peer.port), **channel_kwargs).start()
        peer.start()
        try:
            yield channel
        finally:
            channel.close()
    finally:
        peer.stop()
    peer.check()


def pairs_from_transcript(text: str, *, echo: bool = True) -> list[tuple[str | None, bytes]]:
    """A recorded transcript as exact (sent, reply) pairs for ``expected_protocol``, framed as
    a V.250 device frames them: ``<echo>\\r`` (when ``echo``) then ``\\r\\n<line>\\r\\n`` per
    line. Unsolicited runs become (None, reply) pairs, sent right after the previous reply."""
    pairs: list[tuple[str | None, bytes]] = []
    for ex in read_transcript(text):
        body = _framed_lines(ex.lines)
        if ex.command is None:
            pairs.append((None, body))
        else:
            pairs.append((ex.command + "\r", (ex.command.encode("utf-8") + b"\r" if echo else b"") + body))
    return pairs
