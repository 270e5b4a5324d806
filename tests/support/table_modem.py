"""A table-driven AT device on a real pseudo-terminal: the ModemManager test-port-context style
(docs/at-commands.md §7.2): command → reply, answered in any order and any number of
times, which is what a polling driver needs (``ScriptedPeer`` is for exact ordered exchanges).

    table = {"AT": "OK", "AT+CSQ": "+CSQ: 17,99\r\n\r\nOK"}
    with TableModem(table, echo=True) as modem:
        HandsetSource(modem.port) ...

A reply is text (framed as ``\r\n<text>\r\n``; several lines joined with ``\r\n``), raw bytes
(sent as they are), or a callable ``(command) -> str | bytes`` for stateful devices. Unknown
commands get ``ERROR`` as a real module answers them. ``garbage`` bytes can be sent before each
reply; ``inject`` sends URCs; ``vanish``/``reappear`` unplug and replug behind a stable symlink.
"""

from __future__ import annotations

import os
import select
import threading
import tty
from collections.abc import Callable
from pathlib import Path

Reply = str | bytes | Callable[[str], "str | bytes"]


class TableModem:
    def __init__(self, table: dict[str, Reply], *, echo: bool = True, link_path: str | None = None,
                 garbage: bytes = b"", silent: bool = False) -> None:
        self.table = {k.upper(): v for k, v in table.items()}
        self.echo = echo
        self.garbage = garbage
        self.silent = silent  # a device that never answers (wrong baud, not a modem)
        self.received: list[str] = []
        self._link = Path(link_path) if link_path else None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._master = -1
        self._slave = -1
        self._open()

    def _open(self) -> None:
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self._tty = os.ttyname(self._slave)
        if self._link is not None:
            if self._link.is_symlink() or self._link.exists():
                self._link.unlink()
            self._link.symlink_to(self._tty)

    @property
    def port(self) -> str:
        return str(self._link) if self._link else self._tty

    def start(self) -> TableModem:
        self._thread = threading.Thread(target=self._run, name="table-modem", daemon=True)
        self._thread.start()
        return self

    def __enter__(self) -> TableModem:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._close_fds()
        if self._link is not None and self._link.is_symlink():
            self._link.unlink()

    def _close_fds(self) -> None:
        with self._lock:
            for fd in (self._master, self._slave):
                if fd >= 0:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            self._master = self._slave = -1

    def vanish(self) -> None:
        """Unplug: the client's reads fail (EIO) and the port path disappears."""
        self._close_fds()
        if self._link is not None and self._link.is_symlink():
            self._link.unlink()

    def reappear(self) -> None:
        """Replug: a new pty behind the same symlink."""
        with self._lock:
            self._open()

    def inject(self, text: str | bytes) -> None:
        data = text.encode() if isinstance(text, str) else text
        self._send(data)

    def _send(self, data: bytes) -> None:
        with self._lock:
            if self._master >= 0:
                try:
                    os.write(self._master, data)
                except OSError:
                    pass

    def _run(self) -> None:
        buf = b""
        while not self._stop.is_set():
            with self._lock:
                fd = self._master
            if fd < 0:
                self._stop.wait(0.05)
                continue
            try:
                ready, _, _ = select.select([fd], [], [], 0.05)
                if not ready:
                    continue
                chunk = os.read(fd, 4096)
            except OSError:
                self._stop.wait(0.05)
                continue
            buf += chunk
            while b"\r" in buf:
                raw, buf = buf.split(b"\r", 1)
                cmd = raw.strip(b"\n").decode(errors="replace").strip()
                if cmd:
                    self._answer(cmd)

    def _answer(self, cmd: str) -> None:
        self.received.append(cmd)
        if self.silent:
            return
        out = b""
        if self.echo:
            out += cmd.encode() + b"\r"
        out += self.garbage
        reply = self.table.get(cmd.upper())
        if reply is None:
            out += b"\r\nERROR\r\n"
        else:
            if callable(reply):
                reply = reply(cmd)
            out += reply if isinstance(reply, bytes) else b"\r\n" + reply.encode() + b"\r\n"
        self._send(out)
