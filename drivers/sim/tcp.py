"""Serving the simulated handset (or its GPS) on a loopback TCP port instead of a pty, for
machines without POSIX pseudo-terminals (Windows) or where a client prefers a socket. A client
opens it with pyserial's URL handler, the same real driver as for a serial port::

    fieldapp simulate --tcp 127.0.0.1:7001      # handset: socket://127.0.0.1:7001
    fieldapp probe socket://127.0.0.1:7001       #          gps: socket://127.0.0.1:7002

``TcpPort`` has the interface of ``PtyPort`` (``connected``, ``wait_readable``, ``read``,
``write``, ``close``, ``name``), so the same server loops serve both. One client at a time,
like a serial port: a new connection replaces the old one (a client that crashed without
closing must not lock the port). What the handset says while nobody is connected is dropped,
as on a pty without a client.
"""

from __future__ import annotations

import contextlib
import select
import socket

LOOPBACK = "127.0.0.1"


def parse_tcp_address(text: str) -> tuple[str, int]:
    """``127.0.0.1:7001``, ``:7001`` (loopback) or ``7001`` → (host, port); port 0 picks a
    free one. ValueError with a one-line reason otherwise."""
    t = text.strip()
    if t.startswith("socket://"):
        t = t[len("socket://"):]
    host, sep, port_text = t.rpartition(":")
    if not sep:
        host, port_text = "", t
    host = host.strip("[]") or LOOPBACK
    try:
        port = int(port_text)
    except ValueError:
        raise ValueError(f"TCP address {text!r}: expected HOST:PORT, e.g. 127.0.0.1:7001") from None
    if not 0 <= port <= 65535:
        raise ValueError(f"TCP address {text!r}: the port must be 0..65535")
    return host, port


class TcpPort:
    """A listening TCP socket serving one client at a time."""

    def __init__(self, host: str = LOOPBACK, port: int = 0) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._listener = socket.create_server((host, port), family=family)
        self._listener.setblocking(False)
        self.host, self.port = self._listener.getsockname()[:2]
        self.path = f"{self.host}:{self.port}"
        self.link = None
        self.dropped_bytes = 0
        self.clients = 0  # connections accepted so far
        self._client: socket.socket | None = None

    @property
    def name(self) -> str:
        """What a client opens: ``socket://127.0.0.1:PORT``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"socket://{host}:{self.port}"

    # ------------------------------------------------------------ clients

    def _accept(self) -> None:
        try:
            conn, _addr = self._listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return
        conn.setblocking(False)
        with contextlib.suppress(OSError):
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # AT replies are tiny
        self._drop_client()
        self._client = conn
        self.clients += 1

    def _drop_client(self) -> None:
        if self._client is not None:
            with contextlib.suppress(OSError):
                self._client.close()
            self._client = None

    def connected(self) -> bool:
        """True while a client is connected (accepting a waiting one first)."""
        self._accept()
        return self._client is not None

    def wait_readable(self, timeout_s: float) -> bool:
        """True when bytes (or the client's hang-up) are waiting; accepts new clients meanwhile."""
        if self._listener.fileno() < 0:
            return False
        watch = [self._listener] + ([self._client] if self._client is not None else [])
        try:
            ready, _w, _x = select.select(watch, [], [], max(0.0, timeout_s))
        except (OSError, ValueError):
            return False
        if self._listener in ready:
            self._accept()
            if self._client is not None:
                ready2, _w, _x = select.select([self._client], [], [], 0)
                return bool(ready2)
            return False
        return self._client is not None and self._client in ready

    def read(self) -> bytes:
        if self._client is None:
            return b""
        try:
            data = self._client.recv(4096)
        except (BlockingIOError, InterruptedError):
            return b""
        except OSError:
            self._drop_client()
            return b""
        if not data:  # the client hung up: the port is free for the next one
            self._drop_client()
        return data

    def write(self, data: bytes) -> None:
        """Send to the client; dropped when nobody is connected or the client stops reading."""
        if not data:
            return
        if not self.connected():
            self.dropped_bytes += len(data)
            return
        view = memoryview(data)
        tries = 0
        while view:
            client = self._client
            if client is None:
                self.dropped_bytes += len(view)
                return
            try:
                n = client.send(view)
                view = view[n:]
            except (BlockingIOError, InterruptedError):
                tries += 1
                if tries > 50:  # the client stopped reading: drop rather than block the sim
                    self.dropped_bytes += len(view)
                    return
                select.select([], [client], [], 0.01)
            except OSError:
                self.dropped_bytes += len(view)
                self._drop_client()
                return

    def close(self) -> None:
        self._drop_client()
        with contextlib.suppress(OSError):
            self._listener.close()
