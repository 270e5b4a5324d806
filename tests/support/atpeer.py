"""A scripted AT device on a real pseudo-terminal, for tests through ``open_port`` (the real
pyserial path: termios, select, EIO on unplug).

ModemManager's test-port-context style (docs/at-commands.md §7.2-7.3): the peer reads
commands (CR-terminated) on the pty master and answers from a script of
(expected command, reply) pairs, in order; an unexpected command is recorded and answered
``ERROR``. URCs are injected at given times. ``vanish()`` closes the master (the client's next
read fails with EIO, like a USB unplug) and removes the stable symlink; ``reappear()`` opens a
new pty behind the same symlink so reconnect logic finds the port again::

    with ScriptedPeer([("AT+CSQ", "\\r\\n+CSQ: 17,99\\r\\n\\r\\nOK\\r\\n")], echo=True) as peer:
        transport = open_port(peer.port)

Replies are bytes/str or a list of chunks and float pauses (see tests/support/exchanges.py);
a ``VANISH`` item in a reply unplugs the device at that point.
"""

from __future__ import annotations

import os
import select
import threading
import time
import tty
from collections.abc import Sequence
from pathlib import Path

from drivers.at_lines import is_echo, split_lines
from drivers.transcript import read_transcript

VANISH = object()  # reply item: close the pty here (unplug mid-reply)

_POLL_S = 0.02


class ScriptedPeer:
    def __init__(self, script: Sequence[tuple[str, object]] = (), *, echo: bool = False,
                 link_path: str | os.PathLike | None = None,
                 urcs: Sequence[tuple[float, bytes | str]] = (),
                 unknown_reply: bytes = b"\r\nERROR\r\n", name: str = "atpeer") -> None:
        self.script = list(script)
        self.echo = echo
        self.unknown_reply = unknown_reply
        self.received: list[str] = []
        self.unexpected: list[str] = []
        self._name = name
        self._link = Path(link_path) if link_path is not None else None
        self._lock = threading.Lock()
        self._master: int | None = None
        self._slave: int | None = None
        self._tty_name = ""
        self._urcs = [(float(t), _b(d)) for t, d in urcs]
        self._due: list[tuple[float, bytes]] = []
        self._stop = threading.Event()
        self._vanish_req = threading.Event()
        self._vanished = threading.Event()
        self._thread: threading.Thread | None = None
        self._open_pty()

    @classmethod
    def from_transcript(cls, text: str, *, echo: bool = True, urc_delay_s: float = 0.3,
                        **kwargs) -> ScriptedPeer:
        """A peer that replays a recorded transcript (drivers.transcript): each command gets its
        recorded reply lines framed ``\r\n<line>\r\n``; unsolicited lines after a reply follow
        that reply; unsolicited lines before the first command are sent ``urc_delay_s`` after
        start (a port that is opened later would drop them)."""
        script: list[tuple[str, bytes]] = []
        urcs: list[tuple[float, bytes]] = []
        for ex in read_transcript(text):
            body = b"".join(b"\r\n" + line.encode("utf-8") + b"\r\n" for line in ex.lines)
            if ex.command is not None:
                script.append((ex.command, body))
            elif script:
                script[-1] = (script[-1][0], script[-1][1] + body)
            else:
                urcs.append((urc_delay_s, body))
        return cls(script, echo=echo, urcs=urcs, **kwargs)

    # ------------------------------------------------------------------ lifecycle

    @property
    def port(self) -> str:
        """The path a client opens: the stable symlink when there is one, else the pty."""
        return str(self._link) if self._link is not None else self._tty_name

    @property
    def tty_name(self) -> str:
        return self._tty_name

    def start(self) -> ScriptedPeer:
        now = time.monotonic()
        with self._lock:
            self._due.extend((now + t, d) for t, d in self._urcs)
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._close_pty()

    def __enter__(self) -> ScriptedPeer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ test controls

    def inject(self, data: bytes | str, delay_s: float = 0.0) -> None:
        """Send ``data`` unsolicited after ``delay_s`` (a URC)."""
        with self._lock:
            self._due.append((time.monotonic() + delay_s, _b(data)))

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

    @property
    def present(self) -> bool:
        return self._master is not None

    def wait_received(self, count: int, timeout_s: float = 2.0) -> bool:
        deadline = time.monotonic() + timeout_s
        while len(self.received) < count:
            if time.monotonic() > deadline:
                return False
            time.sleep(_POLL_S)
        return True

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
        fd = self._master
        if fd is None:
            return
        try:
            os.write(fd, data)
        except OSError:
            pass  # nobody has the port open and the buffer is full: a real modem drops it too

    # ------------------------------------------------------------------ the thread

    def _run(self) -> None:
        buf = bytearray()
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
            if not data:
                continue
            buf.extend(data)
            for raw in split_lines(buf):
                self._answer(raw.decode("utf-8", errors="replace").strip())

    def _send_due(self) -> None:
        now = time.monotonic()
        with self._lock:
            due = [d for t, d in self._due if t <= now]
            self._due = [(t, d) for t, d in self._due if t > now]
        for data in due:
            self._write(data)

    def _answer(self, cmd: str) -> None:
        if not cmd:
            return
        self.received.append(cmd)
        if self.echo:
            self._write(cmd.encode() + b"\r")
        if self.script and is_echo(self.script[0][0], cmd):
            _, reply = self.script.pop(0)
            self._reply(reply)
        else:
            self.unexpected.append(cmd)
            self._write(self.unknown_reply)

    def _reply(self, reply: object) -> None:
        parts = [reply] if isinstance(reply, bytes | str) or reply is VANISH else list(reply)  # type: ignore[arg-type]
        for part in parts:
            if part is VANISH:
                self._close_pty()
                return
            if isinstance(part, float | int) and not isinstance(part, bool):
                if self._stop.wait(float(part)):
                    return
            else:
                self._write(_b(part))  # type: ignore[arg-type]


def _b(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data
