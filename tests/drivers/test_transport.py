"""Transports: real pseudo-terminals through pyserial (open_port), pyserial URLs, the memory
pair. Nothing here patches the serial module."""

from __future__ import annotations

import os
import re
import socket
import threading
import time

import pytest
import serial

from drivers.at import AtChannel, AtTimeout
from drivers.transport import DeviceGone, PortError, _open_error, list_ports, memory_pair, open_port
from tests.support.peer import VANISH, AtPeer


def _read_until(transport, want: bytes, timeout_s: float = 2.0) -> bytes:
    got = b""
    deadline = time.monotonic() + timeout_s
    while want not in got and time.monotonic() < deadline:
        got += transport.read()
    return got


# ----------------------------------------------------------------------------- memory pair


def test_memory_pair_carries_bytes_both_ways():
    a, b = memory_pair()
    a.write(b"AT\r")
    assert b.read() == b"AT\r"
    b.write(b"\r\nOK\r\n")
    assert a.read() == b"\r\nOK\r\n"
    a.close()
    b.close()


def test_memory_read_times_out_with_empty_bytes():
    a, b = memory_pair(read_timeout_s=0.05)
    t0 = time.monotonic()
    assert a.read() == b""
    assert 0.04 <= time.monotonic() - t0 < 0.5
    a.close()
    b.close()


def test_memory_other_end_closing_is_device_gone_after_pending_bytes():
    a, b = memory_pair()
    b.write(b"OK\r\n")
    b.close()
    assert a.read() == b"OK\r\n"  # what arrived before the unplug is not lost
    with pytest.raises(DeviceGone, match="other end closed"):
        a.read()
    with pytest.raises(DeviceGone):
        a.write(b"AT\r")
    a.close()
    a.close()  # idempotent


def test_memory_read_chunk_max_splits_reads():
    a, b = memory_pair(read_chunk_max=1)
    b.write(b"OK")
    assert [a.read(), a.read()] == [b"O", b"K"]
    a.close()
    b.close()


def test_memory_cancel_read_wakes_a_blocked_reader():
    a, b = memory_pair(read_timeout_s=5.0)
    out: list[bytes] = []
    reader = threading.Thread(target=lambda: out.append(a.read()), name="test-reader")
    reader.start()
    time.sleep(0.05)
    t0 = time.monotonic()
    a.cancel_read()
    reader.join(2)
    assert out == [b""] and time.monotonic() - t0 < 0.5
    a.close()
    b.close()


# ----------------------------------------------------------------------------- pseudo-terminals


def test_open_port_on_a_pty_round_trips_bytes():
    with AtPeer(script=[("AT+CSQ", "+CSQ: 17,99\r\n\r\nOK")]) as peer:
        transport = open_port(peer.port, 9600)
        try:
            assert transport.name == peer.port and transport.baud == 9600
            transport.write(b"AT+CSQ\r")
            assert _read_until(transport, b"OK\r\n") == b"AT+CSQ\r\r\n+CSQ: 17,99\r\n\r\nOK\r\n"
        finally:
            transport.close()
        assert peer.received == ["AT+CSQ"] and peer.unexpected == []


def test_pty_read_times_out_with_empty_bytes():
    with AtPeer(echo=False) as peer:
        transport = open_port(peer.port, read_timeout_s=0.05)
        try:
            t0 = time.monotonic()
            assert transport.read() == b""
            assert time.monotonic() - t0 < 0.5
        finally:
            transport.close()


def test_symlinked_port_opens(tmp_path):
    with AtPeer(script=[("AT", "OK")], echo=False, link_path=tmp_path / "ttyUSB0") as peer:
        assert peer.port == str(tmp_path / "ttyUSB0") and os.path.islink(peer.port)
        with AtChannel(open_port(peer.port)) as ch:
            assert ch.command("AT", timeout_s=2).ok


def test_vanish_mid_command_raises_device_gone_within_a_second():
    gone: list[Exception] = []
    # The device answers the first line, then is unplugged before the OK.
    script = [("AT+CLCC", ['+CLCC: 1,0,0,0,0,"123",129', 0.05, VANISH])]
    with AtPeer(script=script, echo=False) as peer, AtChannel(open_port(peer.port), on_gone=gone.append) as ch:
        t0 = time.monotonic()
        with pytest.raises(DeviceGone, match="disappeared"):
            ch.command("AT+CLCC", timeout_s=10)
        assert time.monotonic() - t0 < 1.0
        assert ch.gone
        with pytest.raises(DeviceGone):
            ch.command("AT", timeout_s=10)  # refused at once, no 10 s wait
    assert len(gone) == 1 and isinstance(gone[0], DeviceGone)


def test_vanish_while_idle_calls_on_gone_once():
    gone = threading.Event()
    calls: list[Exception] = []

    def on_gone(exc: Exception) -> None:
        calls.append(exc)
        gone.set()

    with AtPeer(echo=False) as peer, AtChannel(open_port(peer.port), on_gone=on_gone) as ch:
        peer.vanish()
        assert gone.wait(1.0)
        time.sleep(0.1)
        assert ch.gone
    assert len(calls) == 1


def test_port_comes_back_after_reappear(tmp_path):
    link = tmp_path / "ttyUSB0"
    with AtPeer(script=[("AT", "OK"), ("AT", "OK")], echo=False, link_path=link) as peer:
        ch = AtChannel(open_port(peer.port)).start()
        assert ch.command("AT", timeout_s=2).ok
        peer.vanish()
        with pytest.raises(PortError, match="no such device"):
            open_port(str(link))  # unplugged: the device node is gone
        ch.close()
        assert peer.reappear() == str(link)
        with AtChannel(open_port(str(link))) as again:
            assert again.command("AT", timeout_s=2).ok


def test_missing_port_is_a_port_error(tmp_path):
    missing = str(tmp_path / "ttyUSB9")
    with pytest.raises(PortError, match=f"^cannot open {missing}: no such device$"):
        open_port(missing)


def test_busy_port_is_a_port_error():
    with AtPeer(echo=False) as peer:
        first = open_port(peer.port)
        try:
            with pytest.raises(PortError, match=r"is busy \(used by another program\)"):
                open_port(peer.port)
        finally:
            first.close()
        open_port(peer.port).close()  # free again once the first user closed it


def test_regular_file_is_not_a_tty(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("AT\n")
    with pytest.raises(PortError, match="is not a serial port"):
        open_port(str(path))


def test_directory_is_not_a_port(tmp_path):
    with pytest.raises(PortError, match="is a directory"):
        open_port(str(tmp_path))


@pytest.mark.skipif(os.geteuid() == 0, reason="root opens anything")
def test_unreadable_port_names_the_dialout_group(tmp_path):
    path = tmp_path / "ttyUSB0"
    path.write_text("")
    path.chmod(0)
    with pytest.raises(PortError, match=r"permission denied on .*dialout"):
        open_port(str(path))


def test_permission_error_message_from_pyserial_wording():
    # What pyserial raises on Linux for a port owned by root:dialout (errno 13).
    exc = serial.SerialException(13, "could not open port /dev/ttyUSB0: [Errno 13] Permission denied: "
                                     "'/dev/ttyUSB0'")
    assert str(_open_error("/dev/ttyUSB0", exc)) == \
        "permission denied on /dev/ttyUSB0 (add yourself to the dialout group)"


def test_empty_port_name():
    with pytest.raises(PortError, match="no port given"):
        open_port("")


# ----------------------------------------------------------------------------- pyserial URLs


def test_loop_url_reads_back_what_is_written():
    transport = open_port("loop://", read_timeout_s=0.05)
    try:
        transport.write(b"AT+CSQ\r")
        assert _read_until(transport, b"\r") == b"AT+CSQ\r"
    finally:
        transport.close()


def test_unknown_url_scheme_is_a_port_error():
    with pytest.raises(PortError, match="unsupported or malformed URL"):
        open_port("bogus://x")


def _free_tcp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_socket_url_refused_is_a_port_error():
    port = _free_tcp_port()
    with pytest.raises(PortError, match="connection refused"):
        open_port(f"socket://127.0.0.1:{port}")


def test_socket_url_talks_and_reports_the_peer_closing_as_device_gone():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    url = f"socket://127.0.0.1:{server.getsockname()[1]}"

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            assert conn.recv(64) == b"AT\r"
            conn.sendall(b"\r\nOK\r\n")
            time.sleep(0.1)

    thread = threading.Thread(target=serve, name="test-tcp-modem")
    thread.start()
    try:
        gone = threading.Event()
        with AtChannel(open_port(url), on_gone=lambda exc: gone.set()) as ch:
            assert ch.command("AT", timeout_s=2).final == "OK"
            assert gone.wait(2)  # the server hung up
    finally:
        thread.join(5)
        server.close()


def test_list_ports_returns_plain_dicts():
    ports = list_ports()
    assert isinstance(ports, list)
    for info in ports:
        assert set(info) == {"device", "description", "hwid", "vid", "pid"}
        assert isinstance(info["device"], str) and info["device"]


def test_unplugged_node_that_lingers_is_no_such_device():
    # Linux keeps /dev/ttyUSB0 for a moment after an unplug; open() then fails with ENXIO.
    exc = serial.SerialException(6, "could not open port /dev/ttyUSB0: [Errno 6] No such device or "
                                    "address: '/dev/ttyUSB0'")
    assert str(_open_error("/dev/ttyUSB0", exc)) == "cannot open /dev/ttyUSB0: no such device"


def test_windows_missing_com_port_wording():
    # pyserial on Windows: SerialException("could not open port 'COM3': FileNotFoundError(2, ...)").
    exc = serial.SerialException("could not open port 'COM3': FileNotFoundError(2, 'The system cannot "
                                 "find the file specified.', None, 2)")
    assert str(_open_error("COM3", exc)) == "cannot open COM3: no such device"


def test_timed_urc_on_a_pty_reaches_its_handler_mid_command():
    got: list[str] = []
    ring = threading.Event()

    def on_ring(line: str) -> None:
        got.append(line)
        ring.set()

    # The peer answers AT+COPS? slowly; a +CRING injected 50 ms in lands between its lines.
    script = [("AT+COPS?", ['+COPS: 0,0,"TR TURKCELL"', 0.15, "OK"])]
    with AtPeer(script=script) as peer, AtChannel(open_port(peer.port)) as ch:
        ch.add_urc_handler("+CRING:", on_ring)
        peer.inject(b"\r\r\n+CRING: VOICE\r\r\n", delay_s=0.05)
        resp = ch.command("AT+COPS?", timeout_s=2)
        assert ring.wait(1)
    assert resp.lines == ['+COPS: 0,0,"TR TURKCELL"'] and resp.ok
    assert got == ["+CRING: VOICE"]


def test_peer_answers_error_to_unexpected_commands_and_sends_startup_urcs():
    unsolicited: list[str] = []
    with AtPeer(script=[("AT", "OK")], echo=False, urcs=[(0.3, "RDY")]) as peer:
        with AtChannel(open_port(peer.port), on_unsolicited=unsolicited.append) as ch:
            assert ch.command("AT+CGMM", timeout_s=2).final == "ERROR"
            assert ch.command("AT", timeout_s=2).ok
            deadline = time.monotonic() + 2
            while not unsolicited and time.monotonic() < deadline:
                time.sleep(0.02)
        assert unsolicited == ["RDY"]
        assert peer.unexpected == ["AT+CGMM"]
        assert peer.received == ["AT+CGMM", "AT"]
        assert peer.script == []


def test_peer_replays_a_transcript_over_a_pty():
    # gammu issue #150 exchange plus the SimTech doubled-CR CRING fixture after it.
    text = "# source: gammu issue #150\nAT+CSQ\r\r\n+CSQ: 9,3\r\n\r\nOK\r\n\r\r\n+CRING: VOICE\r\r\n"
    got: list[str] = []
    with AtPeer.from_transcript(text) as peer, AtChannel(open_port(peer.port)) as ch:
        ch.add_urc_handler("+CRING:", got.append)
        resp = ch.command("AT+CSQ", timeout_s=2)
        deadline = time.monotonic() + 2
        while not got and time.monotonic() < deadline:
            time.sleep(0.02)
    assert resp.lines == ["+CSQ: 9,3"] and resp.final == "OK"
    assert got == ["+CRING: VOICE"]


def test_peer_table_answers_exact_then_pattern_keys_in_any_order_and_a_script_comes_first():
    # Replies in the 27.007 layouts of +CSQ and +CME ERROR (docs/at-commands.md §2.1, §1.3); the +CPMS pattern
    # stands for a command with parameters the test does not care about.
    table = {"AT+CSQ": "+CSQ: 17,99\r\n\r\nOK", re.compile(r"AT\+CPMS=.*", re.I): "OK",
             re.compile(r"AT\+C.*"): "+CME ERROR: 4"}
    script = [("AT+CSQ", "+CSQ: 5,99\r\n\r\nOK")]  # the first poll only: a weak moment
    with AtPeer(table, script=script) as peer, AtChannel(open_port(peer.port)) as ch:
        assert ch.command("AT+CSQ", timeout_s=2).lines == ["+CSQ: 5,99"]
        assert ch.command("at+csq", timeout_s=2).lines == ["+CSQ: 17,99"]  # no case, any number of times
        assert ch.command('AT+CPMS="SM"', timeout_s=2).ok
        assert ch.command("AT+CGATT?", timeout_s=2).error.code == 4
        assert ch.command("ATI", timeout_s=2).final == "ERROR"
        assert peer.received == ["AT+CSQ", "at+csq", 'AT+CPMS="SM"', "AT+CGATT?", "ATI"]
        assert peer.unexpected == ["ATI"] and peer.script == []


def test_strict_peer_fails_on_an_unexpected_command_and_on_an_unused_pair():
    with AtPeer({"AT": "OK"}, script=[("AT+CSQ", "OK")], strict=True, echo=False) as peer, \
            AtChannel(open_port(peer.port)) as ch:
        assert ch.command("AT", timeout_s=2).ok  # in the table: fine
        assert ch.command("AT+CREG?", timeout_s=2).final == "ERROR"
    with pytest.raises(AssertionError, match=r"unexpected command 'AT\+CREG\?'.*\n.*1 pair\(s\) never used"):
        peer.check()


def test_silent_peer_records_and_never_answers_and_a_callable_reply_sees_the_command():
    with AtPeer(silent=True) as peer, AtChannel(open_port(peer.port)) as ch, pytest.raises(AtTimeout):
        ch.command("AT", timeout_s=0.2)
    assert peer.received == ["AT"]
    with AtPeer({re.compile(r"ATD\d+;"): lambda cmd: "OK" if cmd.endswith("1;") else "BUSY"}) as peer, \
            AtChannel(open_port(peer.port)) as ch:
        assert ch.command("ATD1;", timeout_s=2).ok
        assert ch.command("ATD2;", timeout_s=2).final == "BUSY"
