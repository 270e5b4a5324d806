"""Byte transports under the AT channel: a serial port (or anything pyserial opens by URL) and
an in-memory pair for fast tests and the simulator's in-memory attach.

Both ends obey one contract, so the channel never knows which it has:

* ``read()`` returns what has arrived (at least one byte) or ``b""`` after ``read_timeout_s``;
* ``read()``/``write()`` raise ``DeviceGone`` once the device has disappeared (USB unplugged,
  pty master closed, EIO/ENXIO, the other memory end closed);
* ``close()`` is idempotent.

Opening errors become ``PortError`` with a one-line message a user can act on.
"""

from __future__ import annotations

import errno
import os
import threading
import time

import serial
from serial.tools import list_ports as _list_ports

from fieldapp.device import DeviceGone  # defined in the kernel so the domain can catch it


class PortError(Exception):
    """The port cannot be opened. ``str(exc)`` is a one-line message for the user."""


class Transport:
    """A byte pipe to a device (see the module docstring for the contract)."""

    name: str = ""
    baud: int = 0  # 0 where there is no line speed (memory pair, sockets keep the asked value)

    def read(self) -> bytes:
        raise NotImplementedError

    def write(self, data: bytes) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def cancel_read(self) -> None:
        """Make a ``read()`` blocked in another thread return now (so a reader thread stops
        without waiting for the read timeout). Best effort; a no-op where unsupported."""

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} @ {self.baud}>"


# --------------------------------------------------------------------------- serial ports

# A device that accepts nothing for this long is treated as gone (flow control stuck, dead
# USB bridge): an AT command is a few dozen bytes.
WRITE_TIMEOUT_S = 2.0
READ_MAX = 65536  # bytes one read() returns at most (what is waiting, in one piece)


class SerialTransport(Transport):
    """A pyserial ``Serial`` (device path or URL) behind the Transport contract."""

    def __init__(self, ser: serial.SerialBase, name: str, baud: int) -> None:
        self._ser = ser
        self.name = name
        self.baud = baud
        self._closed = False

    def read(self) -> bytes:
        if self._closed:
            raise DeviceGone(f"{self.name} is closed")
        try:
            waiting = self._ser.in_waiting
            # read(1) returns as soon as one byte arrives (or after the timeout); then the
            # rest that is already buffered comes in the same call.
            data = self._ser.read(max(1, waiting))
            # Everything else that is waiting now comes in this read too: for socket:// the
            # "in_waiting" of pyserial is 1 when the socket is readable (not a byte count) and
            # rfc2217:// fills its buffer byte by byte, so a slow modem's reply used to arrive
            # one byte per read (one raw-traffic row per byte).
            while data and len(data) < READ_MAX:
                more = self._ser.in_waiting
                if not more:
                    break
                data += self._ser.read(min(more, READ_MAX - len(data)))
            return data
        except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
            # pyserial reports an unplugged tty as "device reports readiness to read but
            # returned no data" or "read failed: [Errno 5] Input/output error"; TypeError /
            # AttributeError come from a port closed under a blocked read.
            raise DeviceGone(f"{self.name} disappeared: {_reason(exc)}") from exc

    def write(self, data: bytes) -> None:
        if self._closed:
            raise DeviceGone(f"{self.name} is closed")
        try:
            self._ser.write(data)
        except serial.SerialTimeoutException as exc:
            raise DeviceGone(f"{self.name} accepts no data (write stalled {WRITE_TIMEOUT_S:g} s)") from exc
        except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
            raise DeviceGone(f"{self.name} disappeared: {_reason(exc)}") from exc

    def cancel_read(self) -> None:
        cancel = getattr(self._ser, "cancel_read", None)
        if cancel is not None and not self._closed:
            try:
                cancel()
            except (serial.SerialException, OSError, NotImplementedError):
                pass

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._ser.close()
        except (serial.SerialException, OSError):
            pass  # closing a vanished device may fail; it is closed either way


def _reason(exc: BaseException) -> str:
    text = str(exc)
    if "readiness to read" in text:  # pyserial's wording for a vanished tty
        return "device disconnected"
    return text or type(exc).__name__


def _is_url(port: str) -> bool:
    return "://" in port


def _open_error(port: str, exc: BaseException) -> PortError:
    """Map pyserial/OS errors to one line the user can act on."""
    err = getattr(exc, "errno", None)
    text = str(exc)
    low = text.lower()
    if err in (errno.ENOENT, errno.ENXIO, errno.ENODEV) or "no such file" in low \
            or "no such device" in low or "cannot find the file" in low:
        return PortError(f"cannot open {port}: no such device")
    if "exclusively lock" in low or err == errno.EBUSY or "resource busy" in low:
        return PortError(f"{port} is busy (used by another program)")
    if err == errno.EACCES or "permission denied" in low or "access is denied" in low:
        if os.name == "nt":  # Windows says "access denied" for a COM port that is in use
            return PortError(f"{port} is busy (used by another program)")
        return PortError(f"permission denied on {port} (add yourself to the dialout group)")
    if "could not configure port" in low or err in (errno.ENOTTY, errno.EINVAL):
        return PortError(f"{port} is not a serial port (not a tty)")
    if err == errno.EISDIR:
        return PortError(f"{port} is a directory, not a serial port")
    if err == errno.ECONNREFUSED or "connection refused" in low:
        return PortError(f"cannot connect to {port}: connection refused")
    if isinstance(exc, ValueError) and _is_url(port):
        return PortError(f"cannot open {port}: unsupported or malformed URL ({text})")
    return PortError(f"cannot open {port}: {text.splitlines()[0] if text else type(exc).__name__}")


def open_port(port: str, baud: int = 115200, read_timeout_s: float = 0.1) -> Transport:
    """Open a serial device (``/dev/ttyUSB0``, ``COM3``, a pty, a symlink) or a pyserial URL
    (``socket://host:port``, ``rfc2217://``, ``loop://``). Device paths are opened exclusively
    where the OS supports it, so a port another program holds is reported as busy.
    Raises PortError."""
    if not port:
        raise PortError("no port given")
    try:
        ser = serial.serial_for_url(port, do_not_open=True)
        ser.baudrate = baud
        ser.timeout = read_timeout_s
        ser.write_timeout = WRITE_TIMEOUT_S
        if not _is_url(port) and hasattr(ser, "exclusive"):
            ser.exclusive = True
        ser.open()
    except (serial.SerialException, OSError, ValueError) as exc:
        raise _open_error(port, exc) from exc
    return SerialTransport(ser, port, baud)


def list_ports() -> list[dict]:
    """Serial ports the OS knows, for ``fieldapp ports``: device, description, hwid, vid, pid."""
    out = []
    for info in sorted(_list_ports.comports(), key=lambda p: p.device):
        out.append({"device": info.device, "description": info.description, "hwid": info.hwid,
                    "vid": info.vid, "pid": info.pid})
    return out


# --------------------------------------------------------------------------- memory pair


class _Pipe:
    """One direction of a memory pair: bytes plus a condition to wait on."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.cond = threading.Condition()
        self.writer_closed = False
        self.reader_closed = False


class MemoryTransport(Transport):
    """One end of ``memory_pair()``."""

    def __init__(self, rx: _Pipe, tx: _Pipe, name: str, read_timeout_s: float,
                 read_chunk_max: int | None) -> None:
        self._rx = rx
        self._tx = tx
        self.name = name
        self.baud = 0
        self._timeout_s = read_timeout_s
        self._chunk_max = read_chunk_max
        self._closed = False
        self._cancelled = False

    def read(self) -> bytes:
        deadline = time.monotonic() + self._timeout_s
        with self._rx.cond:
            while True:
                if self._closed:
                    raise DeviceGone(f"{self.name} is closed")
                if self._cancelled:
                    self._cancelled = False
                    return b""
                if self._rx.data:
                    n = len(self._rx.data) if self._chunk_max is None else self._chunk_max
                    out = bytes(self._rx.data[:n])
                    del self._rx.data[:n]
                    return out
                if self._rx.writer_closed:
                    raise DeviceGone(f"{self.name}: the other end closed")
                left = deadline - time.monotonic()
                if left <= 0:
                    return b""
                self._rx.cond.wait(left)

    def cancel_read(self) -> None:
        with self._rx.cond:
            self._cancelled = True
            self._rx.cond.notify_all()

    def write(self, data: bytes) -> None:
        with self._tx.cond:
            if self._closed:
                raise DeviceGone(f"{self.name} is closed")
            if self._tx.reader_closed:
                raise DeviceGone(f"{self.name}: the other end closed")
            self._tx.data.extend(data)
            self._tx.cond.notify_all()

    def close(self) -> None:
        for pipe, attr in ((self._tx, "writer_closed"), (self._rx, "reader_closed")):
            with pipe.cond:
                self._closed = True
                setattr(pipe, attr, True)
                pipe.cond.notify_all()


def memory_pair(read_timeout_s: float = 0.1, *, read_chunk_max: int | None = None,
                names: tuple[str, str] = ("memory:host", "memory:device"),
                ) -> tuple[Transport, Transport]:
    """Two connected in-memory ends: bytes written on one are read on the other. Closing one
    end makes the other's ``read`` raise DeviceGone once the pending bytes are consumed.
    ``read_chunk_max`` limits how many bytes one ``read`` returns (1 = byte by byte, to test
    split reads)."""
    a_to_b, b_to_a = _Pipe(), _Pipe()
    a = MemoryTransport(b_to_a, a_to_b, names[0], read_timeout_s, read_chunk_max)
    b = MemoryTransport(a_to_b, b_to_a, names[1], read_timeout_s, read_chunk_max)
    return a, b
