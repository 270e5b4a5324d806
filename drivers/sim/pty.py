"""Serving the simulated handset over a pseudo-terminal (or an in-memory transport).

The pty is opened once and its master kept for the whole run; the slave side is left to the
client, in raw mode. On Linux a master whose slave nobody holds open reads EIO and polls
POLLHUP: the server treats that as "no client", drops what the handset says meanwhile (a
client that reopens the port must not read stale replies) and carries on, so a client can
close and reopen the port as often as it likes.
"""

from __future__ import annotations

import errno
import os
import select
import threading

try:  # POSIX only (tty imports termios); on Windows the simulator serves on TCP (drivers.sim.tcp)
    import tty
except ImportError:  # pragma: no cover - Windows
    tty = None  # type: ignore[assignment]
from collections.abc import Callable

from drivers.sim.handset import Handset
from drivers.transport import DeviceGone, Transport


class PtyPort:
    """One pseudo-terminal: ``path`` is the slave device a client opens; ``link`` an optional
    symlink to it (made here, removed by ``close``)."""

    def __init__(self, link: str | None = None) -> None:
        master, slave = os.openpty()
        self.path = os.ttyname(slave)
        tty.setraw(slave)  # no echo, no CR/LF mangling by the line discipline
        os.close(slave)
        os.set_blocking(master, False)
        self.master = master
        self.link = None
        self.dropped_bytes = 0
        self._poll = select.poll()
        self._poll.register(master, select.POLLIN)
        if link:
            make_link(link, self.path)
            self.link = link

    @property
    def name(self) -> str:
        return self.link or self.path

    def connected(self) -> bool:
        """True while a client holds the slave open."""
        try:
            events = self._poll.poll(0)
        except (OSError, ValueError):
            return False
        return not any(ev & (select.POLLHUP | select.POLLERR | select.POLLNVAL) for _fd, ev in events)

    def wait_readable(self, timeout_s: float) -> bool:
        """True when bytes from a client are waiting; False after the timeout or when no
        client is connected (then it sleeps out the timeout rather than spinning)."""
        try:
            events = self._poll.poll(max(0, int(timeout_s * 1000)))
        except (OSError, ValueError):
            return False
        return any(ev & select.POLLIN and not ev & select.POLLHUP for _fd, ev in events)

    def read(self) -> bytes:
        try:
            return os.read(self.master, 4096)
        except BlockingIOError:
            return b""
        except OSError as exc:
            if exc.errno == errno.EIO:  # no client holds the slave open
                return b""
            raise

    def write(self, data: bytes) -> None:
        """Send to the client; dropped when no client is connected or it stops reading."""
        if not data:
            return
        if not self.connected():
            self.dropped_bytes += len(data)
            return
        view = memoryview(data)
        tries = 0
        while view:
            try:
                n = os.write(self.master, view)
                view = view[n:]
            except BlockingIOError:
                tries += 1
                if tries > 50:  # the client stopped reading: drop rather than block the sim
                    self.dropped_bytes += len(view)
                    return
                select.select([], [self.master], [], 0.01)
            except OSError:
                self.dropped_bytes += len(view)
                return

    def close(self) -> None:
        if self.link:
            remove_link(self.link, self.path)
            self.link = None
        if self.master >= 0:
            try:
                os.close(self.master)
            except OSError:
                pass
            self.master = -1


def make_link(link: str, target: str) -> None:
    """Symlink ``link`` → ``target``; a stale symlink (its pty gone) is replaced; a symlink to a
    pty that still exists (another simulator serving it, issue 16) and any other file are
    refused."""
    if os.path.islink(link):
        old = os.readlink(link)
        if os.path.exists(link):
            raise FileExistsError(f"{link} already links to {old}, which is in use (another simulator?); "
                                  "stop that one or choose another --link")
        os.unlink(link)
    elif os.path.exists(link):
        raise FileExistsError(f"{link} exists and is not a symlink: not replacing it")
    os.symlink(target, link)


def remove_link(link: str, target: str) -> None:
    try:
        if os.path.islink(link) and os.readlink(link) == target:
            os.unlink(link)
    except OSError:
        pass


def tick_interval_s(speed: float) -> float:
    """How often the server lets simulated time act: at least every SACCH period of sim time,
    at most 20 times a second of real time (keeps CPU low at real time)."""
    return max(0.005, min(0.05, 0.48 / max(speed, 1e-6)))


def serve_pty(handset: Handset, port: PtyPort, stop: threading.Event, speed: float) -> None:
    """The handset's server loop (runs in thread "sim-handset"); also serves a
    ``drivers.sim.tcp.TcpPort``, which has the same methods."""
    interval = tick_interval_s(speed)
    while not stop.is_set():
        if port.wait_readable(interval):
            data = port.read()
            if data:
                handset.feed(data)
        elif not port.connected():
            stop.wait(interval)
        handset.tick()
        port.write(handset.take_output())


def serve_transport(handset: Handset, transport: Transport, stop: threading.Event,
                    on_gone: Callable[[], None] | None = None) -> None:
    """Serve over a ``drivers.transport`` end (e.g. the device end of ``memory_pair()``);
    runs until stopped or the other end goes away."""
    while not stop.is_set():
        try:
            data = transport.read()
            if data:
                handset.feed(data)
            handset.tick()
            out = handset.take_output()
            if out:
                transport.write(out)
        except DeviceGone:
            if on_gone:
                on_gone()
            return
