"""AtChannel life cycle and threading: concurrent callers, raw traffic, callbacks, closing,
the device vanishing. The device side is a small responder on a memory pair (order of
commands from several threads is not fixed, so a recorded exchange list cannot serve)."""

from __future__ import annotations

import re
import threading
import time

import pytest

from drivers.at import AtChannel, AtError, AtTimeout
from drivers.at_lines import split_lines
from drivers.transport import DeviceGone, Transport, memory_pair
from fieldapp.model import RawTraffic


class Responder:
    """Answers every command ``X`` with ``+ECHO: X`` and OK after ``delay_s``; echo on."""

    def __init__(self, end: Transport, delay_s: float = 0.0) -> None:
        self.end = end
        self.delay_s = delay_s
        self.thread = threading.Thread(target=self._run, name="test-responder")
        self.thread.start()

    def _run(self) -> None:
        buf = bytearray()
        try:
            while True:
                buf.extend(self.end.read())
                for raw in split_lines(buf):
                    time.sleep(self.delay_s)
                    self.end.write(raw + b"\r\r\n+ECHO: " + raw + b"\r\n\r\nOK\r\n")
        except DeviceGone:
            return

    def stop(self) -> None:
        self.end.close()
        self.thread.join(5)


@pytest.fixture
def channel_and_device():
    host, device = memory_pair()
    ch = AtChannel(host)
    yield ch, device
    ch.close()
    device.close()


def test_commands_from_many_threads_each_get_their_own_reply():
    host, device = memory_pair()
    responder = Responder(device, delay_s=0.002)
    results: dict[str, list[str]] = {}
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(10):
                cmd = f"AT+T{n}={i}"
                results[cmd] = ch.command(cmd, timeout_s=5).lines
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    with AtChannel(host) as ch:
        threads = [threading.Thread(target=worker, args=(n,), name=f"test-worker-{n}") for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
    responder.stop()
    assert errors == []
    assert len(results) == 40
    assert all(lines == [f"+ECHO: {cmd}"] for cmd, lines in results.items())


def test_raw_traffic_records_both_directions_with_utc_stamps():
    host, device = memory_pair()
    responder = Responder(device)
    raw: list[RawTraffic] = []
    before = time.time()
    with AtChannel(host, on_raw=raw.append) as ch:
        ch.command("AT+CSQ", timeout_s=2)
    responder.stop()
    assert raw[0] == RawTraffic(raw[0].ts_utc, "tx", b"AT+CSQ\r")
    rx = b"".join(r.data for r in raw if r.direction == "rx")
    assert rx == b"AT+CSQ\r\r\n+ECHO: AT+CSQ\r\n\r\nOK\r\n"
    assert all(before <= r.ts_utc <= time.time() for r in raw)
    assert {r.direction for r in raw} == {"tx", "rx"}


def test_reader_thread_is_named_and_joined_on_close(channel_and_device):
    ch, _ = channel_and_device
    ch.start()
    assert any(t.name == "at-reader" for t in threading.enumerate())
    t0 = time.monotonic()
    ch.close()
    assert time.monotonic() - t0 < 0.5
    assert not any(t.name == "at-reader" for t in threading.enumerate())


def test_close_closes_the_transport():
    host, device = memory_pair()
    with AtChannel(host):
        pass
    with pytest.raises(DeviceGone):
        device.read()  # the host end is closed: the device sees the line drop


def test_command_before_start_is_refused(channel_and_device):
    ch, _ = channel_and_device
    with pytest.raises(AtError, match="not started"):
        ch.command("AT")


@pytest.mark.parametrize("bad", ["", "   ", "AT\rAT", "AT\nATI"])
def test_malformed_command_is_refused(channel_and_device, bad):
    ch, _ = channel_and_device
    ch.start()
    with pytest.raises(ValueError, match="not a single AT command"):
        ch.command(bad)


def test_close_during_a_command_fails_it_promptly():
    host, device = memory_pair()
    ch = AtChannel(host).start()
    errors: list[BaseException] = []

    def waiter() -> None:
        try:
            ch.command("AT+COPS=?", timeout_s=30)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    t = threading.Thread(target=waiter, name="test-waiter")
    t.start()
    time.sleep(0.1)
    t0 = time.monotonic()
    ch.close()
    t.join(2)
    assert not t.is_alive() and time.monotonic() - t0 < 1.0
    assert len(errors) == 1 and isinstance(errors[0], DeviceGone)
    device.close()


def test_device_end_closing_mid_command_is_device_gone_and_on_gone_once():
    host, device = memory_pair()
    gone: list[Exception] = []
    with AtChannel(host, on_gone=gone.append) as ch:
        threading.Timer(0.1, device.close).start()
        t0 = time.monotonic()
        with pytest.raises(DeviceGone):
            ch.command("AT+CSQ", timeout_s=10)
        assert time.monotonic() - t0 < 1.0
        with pytest.raises(DeviceGone):
            ch.command("AT", timeout_s=10)
    assert len(gone) == 1


def test_command_from_a_urc_callback_is_refused_not_deadlocked():
    host, device = memory_pair()
    seen: list[BaseException] = []
    done = threading.Event()

    def on_ring(line: str) -> None:
        try:
            ch.command("ATA", timeout_s=5)
        except AtError as exc:
            seen.append(exc)
        done.set()

    with AtChannel(host) as ch:
        ch.add_urc_handler("RING", on_ring)
        device.write(b"\r\nRING\r\n")
        assert done.wait(2)
    device.close()
    assert "URC callback" in str(seen[0])


def test_a_failing_callback_is_counted_and_the_reader_survives():
    host, device = memory_pair()
    responder = Responder(device)

    def broken(line: str) -> None:
        raise RuntimeError("consumer bug")

    with AtChannel(host, on_unsolicited=broken) as ch:
        device.write(b"\r\nRING\r\n")
        deadline = time.monotonic() + 2
        while ch.stats["callback_errors"] == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert ch.stats["callback_errors"] == 1
        assert ch.command("AT", timeout_s=2).ok
    responder.stop()


def test_removed_handler_gets_nothing_more():
    host, device = memory_pair()
    got: list[str] = []
    unsolicited: list[str] = []
    with AtChannel(host, on_unsolicited=unsolicited.append) as ch:
        handle = ch.add_urc_handler("+CLIP:", got.append)
        device.write(b'\r\n+CLIP: "0123456789",129\r\n')
        deadline = time.monotonic() + 2
        while not got and time.monotonic() < deadline:
            time.sleep(0.01)
        ch.remove_urc_handler(handle)
        device.write(b'\r\n+CLIP: "0987654321",129\r\n')
        while not unsolicited and time.monotonic() < deadline:
            time.sleep(0.01)
    device.close()
    assert got == ['+CLIP: "0123456789",129']
    assert unsolicited == ['+CLIP: "0987654321",129']


def test_every_matching_handler_gets_the_line_and_regexes_work():
    host, device = memory_pair()
    a: list[str] = []
    b: list[str] = []
    with AtChannel(host) as ch:
        ch.add_urc_handler("^SLCC:", a.append)  # literal prefix (not a regex anchor)
        ch.add_urc_handler(re.compile(r"\^SLCC: \d"), b.append)
        ch.add_urc_handler(r"VOICE CALL: END: \d+", b.append)  # str that is a regex
        # Cinterion ^SLCC (ModemManager cinterion tests) and SIMCom VOICE CALL: END: 000041.
        device.write(b"\r\n^SLCC: 1,0,0,0,0,0,\"123\",129\r\n^SLCC: \r\nVOICE CALL: END: 000041\r\n")
        deadline = time.monotonic() + 2
        while len(b) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    device.close()
    assert a == ['^SLCC: 1,0,0,0,0,0,"123",129', "^SLCC:"]
    assert b == ['^SLCC: 1,0,0,0,0,0,"123",129', "VOICE CALL: END: 000041"]


def test_unterminated_urc_is_flushed_after_a_second_of_silence():
    host, device = memory_pair()
    got: list[str] = []
    with AtChannel(host, on_unsolicited=got.append):
        device.write(b"\r\n+CREG: 5")
        time.sleep(0.5)
        assert got == []  # a slow line is not cut early
        deadline = time.monotonic() + 2
        while not got and time.monotonic() < deadline:
            time.sleep(0.02)
    device.close()
    assert got == ["+CREG: 5"]


def test_timeout_per_attempt_and_elapsed_time():
    host, device = memory_pair()
    responder = Responder(device, delay_s=0.2)
    with AtChannel(host) as ch:
        with pytest.raises(AtTimeout):
            ch.command("AT+SLOW", timeout_s=0.05)
        time.sleep(0.3)  # let the late answer drain (dropped as stray)
        resp = ch.command("AT+SLOW2", timeout_s=2)
    responder.stop()
    assert resp.lines == ["+ECHO: AT+SLOW2"]
    assert 0.15 <= resp.elapsed_s < 1.0


class _StalledWrites(Transport):
    """Reads work, writes fail: a USB bridge whose TX is stuck (pyserial's write timeout).
    A real stalled bridge cannot run here; reading is the real memory pair."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.name = "stalled"

    def read(self) -> bytes:
        return self.inner.read()

    def write(self, data: bytes) -> None:
        raise DeviceGone("stalled accepts no data (write stalled 2 s)")

    def cancel_read(self) -> None:
        self.inner.cancel_read()

    def close(self) -> None:
        self.inner.close()


def test_failed_write_is_reported_once_from_the_reader_thread():
    host, device = memory_pair()
    calls: list[tuple[str, Exception]] = []
    gone = threading.Event()

    def on_gone(exc: Exception) -> None:
        calls.append((threading.current_thread().name, exc))
        gone.set()

    with AtChannel(_StalledWrites(host), on_gone=on_gone) as ch:
        with pytest.raises(DeviceGone, match="write stalled"):
            ch.command("AT", timeout_s=5)
        assert gone.wait(1.0)
        assert ch.gone
    device.close()
    assert [name for name, _ in calls] == ["at-reader"]


def test_a_line_without_end_is_dropped_to_its_end_and_counted_too_long():
    # Issue 16: a device spewing without line ends must not grow the line buffer without bound
    # nor hand a parser a megabyte line; the lines around it still arrive.
    from drivers.at import MAX_LINE_BYTES

    host, device = memory_pair()
    seen: list[str] = []
    ch = AtChannel(host, on_unsolicited=seen.append).start()
    try:
        device.write(b"+CREG: 1\r\n")
        for _ in range(50):  # 50 × 4 KiB, no CR/LF
            device.write(b"7" * 4096)
        device.write(b"77\r\n+CSQ: 17,99\r\n")
        deadline = time.monotonic() + 5
        while len(seen) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert seen == ["+CREG: 1", "+CSQ: 17,99"]
        assert ch.stats["too_long_lines"] == 1
        assert len(ch._buf) <= MAX_LINE_BYTES
    finally:
        ch.close()
        device.close()
