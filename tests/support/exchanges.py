"""Protocol tests as recorded exchanges (pymeasure's ``expected_protocol``, docs/architecture.md).

A list of (sent, reply) pairs is played by a peer thread on the device end of a
``memory_pair()``; the test talks to an ``AtChannel`` on the other end::

    with expected_protocol([("AT+CSQ\\r", "AT+CSQ\\r\\r\\n+CSQ: 9,3\\r\\n\\r\\nOK\\r\\n")]) as ch:
        assert ch.command("AT+CSQ").lines == ["+CSQ: 9,3"]

* ``sent``: the exact bytes the host must write (a str is encoded as is, CR included), or None
  for a reply the device sends on its own right after the previous pair (a URC).
* ``reply``: bytes / str, or a list of chunks and floats (a float = sleep that many seconds),
  to split a reply or delay part of it.

The test fails on any write the list does not expect and on any pair left unused.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from drivers.at import AtChannel
from drivers.transcript import read_transcript
from drivers.transport import DeviceGone, Transport, memory_pair

ReplyPart = bytes | str | float
Reply = bytes | str | Sequence[ReplyPart]


def _as_bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def write_reply(end: Transport, reply: Reply, stop: threading.Event) -> None:
    """Write a reply: bytes/str at once, or a list of chunks with float pauses between."""
    parts: Sequence[ReplyPart] = [reply] if isinstance(reply, bytes | str) else reply
    for part in parts:
        if isinstance(part, float | int) and not isinstance(part, bool):
            if stop.wait(float(part)):
                return
        else:
            end.write(_as_bytes(part))


class ProtocolPeer:
    """The device side: checks each write against the next pair and answers it."""

    def __init__(self, end: Transport, pairs: Sequence[tuple[bytes | str | None, Reply]]) -> None:
        self._end = end
        self._pairs = [(None if s is None else _as_bytes(s), r) for s, r in pairs]
        self.used = 0
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="exchange-peer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._end.close()
        self._thread.join(timeout=5)

    def check(self) -> None:
        problems = list(self.failures)
        if self.used < len(self._pairs):
            left = [s for s, _ in self._pairs[self.used:]]
            problems.append(f"{len(left)} pair(s) never used, first expecting {left[0]!r}")
        if problems:
            raise AssertionError("protocol mismatch:\n  " + "\n  ".join(problems))

    def _send_unprompted(self) -> None:
        while self.used < len(self._pairs) and self._pairs[self.used][0] is None:
            reply = self._pairs[self.used][1]
            self.used += 1
            write_reply(self._end, reply, self._stop)

    def _run(self) -> None:
        buf = bytearray()
        try:
            self._send_unprompted()
            while not self._stop.is_set():
                data = self._end.read()
                if not data:
                    continue
                buf.extend(data)
                self._match(buf)
        except DeviceGone:
            return  # the host end closed: the test is over

    def _match(self, buf: bytearray) -> None:
        while buf:
            if self.used >= len(self._pairs):
                self.failures.append(f"unexpected write {bytes(buf)!r} after all pairs were used")
                buf.clear()
                return
            expected, reply = self._pairs[self.used]
            assert expected is not None
            if buf.startswith(expected):
                del buf[: len(expected)]
                self.used += 1
                write_reply(self._end, reply, self._stop)
                self._send_unprompted()
            elif expected.startswith(bytes(buf)):
                return  # wait for the rest of the command
            else:
                self.failures.append(f"pair {self.used}: expected {expected!r}, got {bytes(buf)!r}")
                buf.clear()
                return


@contextmanager
def expected_protocol(pairs: Sequence[tuple[bytes | str | None, Reply]], *,
                      read_chunk_max: int | None = None, **channel_kwargs) -> Iterator[AtChannel]:
    """Yield a started AtChannel whose device answers from ``pairs``; on exit close everything
    and fail on unexpected writes or unused pairs. ``read_chunk_max=1`` makes the channel read
    the replies one byte at a time (split reads)."""
    host, device = memory_pair(read_chunk_max=read_chunk_max)
    peer = ProtocolPeer(device, pairs)
    peer.start()
    channel = AtChannel(host, **channel_kwargs)
    channel.start()
    try:
        yield channel
    finally:
        channel.close()
        peer.stop()
    peer.check()


def pairs_from_transcript(text: str, *, echo: bool = True) -> list[tuple[str | None, bytes]]:
    """A recorded transcript as (sent, reply) pairs, framed as a V.250 device frames them:
    ``<echo>\r`` (when ``echo``) then ``\r\n<line>\r\n`` per line. Unsolicited runs become
    (None, reply) pairs, sent right after the previous reply."""
    pairs: list[tuple[str | None, bytes]] = []
    for ex in read_transcript(text):
        body = b"".join(b"\r\n" + line.encode("utf-8") + b"\r\n" for line in ex.lines)
        if ex.command is None:
            pairs.append((None, body))
        else:
            pairs.append((ex.command + "\r", (ex.command.encode("utf-8") + b"\r" if echo else b"") + body))
    return pairs
