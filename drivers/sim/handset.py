"""The simulated handset's AT interpreter: bytes in (``feed``), bytes out (``take_output``).

It frames replies as a real module does (V1 result codes, echo on by default, the echoed
command ending in the host's CR so that the reply starts ``CR CR LF``)::

    AT+CSQ\\r  →  AT+CSQ\\r\\r\\n+CSQ: 14,99\\r\\n\\r\\nOK\\r\\n

Commands the family would not understand answer ``ERROR`` (never an exception). The 27.007
commands live here; each family's own commands and quirks come from its ``Dialect`` table.

Simulator-only commands (a real module answers ERROR to all of them; the app sends them only
after ``AT+FASIM?`` said it talks to the simulator):

    AT+FASIM?                    +FASIM: 1,"<scenario>","<family>"
    AT+FASIMAUDIO?               +FASIMAUDIO: <call number>,"<verdict>"   what a listener heard
                                 on the current or last call: normal, one-way-ul (the far end
                                 cannot hear us), one-way-dl (we cannot hear the far end),
                                 no-audio, noise. <call number> counts calls since power-on.
    AT+FASIMPLAN?                +FASIMPLAN: "<scenario file>"
    AT+FASIMBLOCK="<trx>",<0|1>  block/unblock a TRX at the BSC (method b of a TRX-by-TRX CQT)
    AT+FASIMBLOCK?               +FASIMBLOCK: "<trx>" per blocked TRX
    AT+FASIMMOVE=<lat>,<lon>     hold the handset at a point; AT+FASIMMOVE resumes the route;
    AT+FASIMMOVE?                +FASIMMOVE: <lat>,<lon>
    AT+FASIMRING="<number>"      an incoming call from <number> (RING, then ATA answers)
"""

from __future__ import annotations

import threading
from typing import Any

from drivers.sim import calls as cm
from drivers.sim.commands import DIAL_CHARS, EXTENDED
from drivers.sim.dialects.base import CME_TEXT, AtError, Dialect
from drivers.sim.engine import Engine, Snapshot
from drivers.sim.world import _mix64

MAX_LINE = 1024
RING_EVERY_S = 3.0


class _Final(Exception):
    """A final result other than OK/ERROR (``NO CARRIER`` after a failed ATD or ATA)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def luhn_imei(first14: str) -> str:
    total = 0
    for i, ch in enumerate(first14):
        d = int(ch)
        if i % 2:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return first14 + str((10 - total % 10) % 10)


class Handset:
    def __init__(self, engine: Engine, dialect: Dialect, scenario_label: str | None = None) -> None:
        self.engine = engine
        self.dialect = dialect
        self.scenario_label = scenario_label or engine.scenario.name
        self.operator = engine.scenario.operator
        self.settings: dict[str, Any] = {}
        self.echo = True
        self.cmee = 0
        self.creg_n = 0
        self.clcc_urc = False
        self.clip = False
        self.crc = False
        self.cops_format = 0
        serial = _mix64(engine.seed * 7 + 3) % 1_000_000
        self.imei = luhn_imei(f"{dialect.imei_tac}{serial:06d}")
        self._lock = threading.RLock()
        self._line = bytearray()
        self._overflow = False
        self._out = bytearray()
        self._snap: Snapshot | None = None
        self._last_creg = self.creg_state()
        self._ring_next: float | None = None
        self.commands_seen = 0
        self.internal_errors: list[str] = []  # simulator bugs answered with ERROR (tests assert none)

    # ------------------------------------------------------------ byte interface

    def feed(self, data: bytes) -> None:
        """Bytes from the host. Each CR ends a command line; the echo goes out as received."""
        with self._lock:
            for b in data:
                if b == 0x0D:
                    if self.echo:
                        self._out.append(0x0D)
                    line = bytes(self._line)
                    self._line.clear()
                    if self._overflow:  # the rest of an overlong line: refuse it once
                        self._overflow = False
                        self._out += b"\r\nERROR\r\n"
                        continue
                    self._process_line(line)
                elif b == 0x0A and not self._line:
                    continue  # LF after CR from hosts that send CR LF
                elif b in (0x08, 0x7F):
                    if self._line:
                        self._line.pop()
                        if self.echo:
                            self._out.append(b)
                elif b in (0x1A, 0x1B) or b < 0x08:
                    continue
                else:
                    if self._overflow or len(self._line) >= MAX_LINE:
                        self._line.clear()
                        self._overflow = True
                        continue
                    self._line.append(b)
                    if self.echo:
                        self._out.append(b)

    def take_output(self) -> bytes:
        with self._lock:
            out = bytes(self._out)
            self._out.clear()
            return out

    def tick(self) -> None:
        """Let simulated time act: call progress, drops, reselection → URCs."""
        with self._lock:
            self.engine.advance()
            self._emit_events()
            call = self.engine.call
            if call is not None and call.state == cm.INCOMING and self._ring_next is not None \
                    and self.engine.now() >= self._ring_next:
                self._ring(call)

    # ------------------------------------------------------------ helpers for dialects

    def snapshot(self) -> Snapshot:
        if self._snap is None:
            self._snap = self.engine.snapshot()
        return self._snap

    def set_lock(self, arfcn: int | None) -> None:
        self.engine.set_lock(arfcn)
        self._snap = None

    # ------------------------------------------------------------ framing

    def _info(self, line: str) -> None:
        self._out += b"\r\n" + line.encode("ascii", "replace") + b"\r\n"

    def _urc(self, line: str) -> None:
        self._out += b"\r\n" + line.encode("ascii", "replace") + b"\r\n"

    def _error(self, code: int | None) -> None:
        if code is None or self.cmee == 0:
            self._out += b"\r\nERROR\r\n"
        elif self.cmee == 1:
            self._out += f"\r\n+CME ERROR: {code}\r\n".encode()
        else:
            self._out += f"\r\n+CME ERROR: {CME_TEXT.get(code, 'unknown')}\r\n".encode()

    def _process_line(self, raw: bytes) -> None:
        text = raw.decode("ascii", "replace").strip()
        if not text:
            return
        if text[:2].upper() != "AT":
            return  # modules ignore anything that does not start with AT
        self.commands_seen += 1
        self.engine.advance()
        self._emit_events()  # URCs that are due go out before this reply
        self._snap = None
        try:
            items = split_commands(text[2:])
        except AtError as exc:
            self._error(exc.code)
            return
        try:
            for item in items:
                for line in self._run(item):
                    self._info(line)
        except AtError as exc:
            self._error(exc.code)
            return
        except _Final as fin:
            self._out += f"\r\n{fin.text}\r\n".encode()
            return
        except Exception as exc:  # a simulator bug must not kill the port: ERROR, and keep it
            self.internal_errors.append(f"{text}: {exc!r}")
            self._error(None)
            return
        finally:
            self._snap = None
        self._out += b"\r\nOK\r\n"

    def _run(self, item: str) -> list[str]:
        head = item[:1].upper()
        if head in "+#$^%":
            name, op, args = parse_extended(item)
            handler = self.dialect.commands.get(name) or EXTENDED.get(name)
            if handler is None or (name == "+CESQ" and not self.dialect.cesq):
                raise AtError(None)
            return handler(self, op, args)
        return self._basic(item)

    # ------------------------------------------------------------ basic commands

    def _basic(self, item: str) -> list[str]:
        head = item[:1].upper()
        rest = item[1:]
        if head == "D":
            return self._dial(rest)
        if head == "&":
            if rest[:1].upper() in ("F", "W", "D", "C", "K") and (rest[1:] == "" or rest[1:].isdigit()):
                if rest[:1].upper() == "F":
                    self._factory()
                return []
            raise AtError(None)
        if rest and not rest.isdigit() and head != "S":
            raise AtError(None)
        n = int(rest) if rest.isdigit() else 0
        if head == "E":
            self.echo = n == 1
            return []
        if head in "VQX":
            if head == "V" and n != 1:
                raise AtError(4)  # numeric result codes are not simulated
            return []
        if head == "Z":
            self._factory()
            return []
        if head == "I":
            return list(self.dialect.ati)
        if head == "A":
            if not self.engine.answer():
                raise _Final("NO CARRIER")
            return []
        if head == "H":
            self.engine.hangup()
            return []
        if head == "S":
            return self._s_register(rest)
        raise AtError(None)

    def _factory(self) -> None:
        self.echo, self.cmee, self.creg_n, self.clcc_urc = True, 0, 0, False
        self.clip = self.crc = False
        self.cops_format = 0
        self.settings.clear()

    def _s_register(self, rest: str) -> list[str]:
        reg, _, value = rest.partition("=")
        if rest.endswith("?"):
            reg = rest[:-1]
            if not reg.isdigit():
                raise AtError(None)
            return [f"{self.settings.get('S' + reg, 0):03d}"]
        if not reg.isdigit() or not value.isdigit():
            raise AtError(None)
        self.settings["S" + reg] = int(value)
        return []

    def _dial(self, rest: str) -> list[str]:
        number = rest.strip()
        if not number.endswith(";"):
            raise AtError(4)  # data calls are not simulated
        number = number[:-1].strip()
        if not number or not set(number) <= DIAL_CHARS:
            raise AtError(None)
        try:
            call = self.engine.dial(number)
        except RuntimeError:
            raise AtError(3) from None
        if call is None:
            raise _Final("NO CARRIER")
        self._ring_next = None
        return []

    # ------------------------------------------------------------ URCs

    def creg_state(self) -> tuple[int, int | None, int | None]:
        s = self.engine.serving
        if s is None:
            return (2, None, None)
        c = self.engine.scenario.cells[s]
        return (1, c.lac, c.ci)

    def creg_line(self, state: tuple[int, int | None, int | None], with_n: bool) -> str:
        stat, lac, ci = state
        head = f"+CREG: {self.creg_n},{stat}" if with_n else f"+CREG: {stat}"
        if self.creg_n == 2 and lac is not None:
            head += f',"{lac:04X}","{ci:04X}"' + (",0" if self.dialect.creg_act else "")
        return head

    def clcc_line(self, call: cm.Call, stat: int | None = None) -> str:
        number_type = 145 if call.number.startswith("+") else 129
        line = f'+CLCC: 1,{call.direction},{call.state if stat is None else stat},0,0,"{call.number}",{number_type}'
        return line + (',""' if self.dialect.clcc_empty_alpha else "")

    def _ring(self, call: cm.Call) -> None:
        self._urc("+CRING: VOICE" if self.crc else "RING")
        if self.clip:
            self._urc(f'+CLIP: "{call.number}",{145 if call.number.startswith("+") else 129},"",0,"",0')
        self._ring_next = self.engine.now() + RING_EVERY_S

    def _emit_events(self) -> None:
        d = self.dialect
        for kind, data in self.engine.drain_events():
            if kind == "call" and d.call_urcs:
                call = data
                if self.clcc_urc:
                    self._urc(self.clcc_line(call))
                if call.state == cm.ACTIVE:
                    self._urc("VOICE CALL: BEGIN")
            elif kind == "ring":
                if d.call_urcs and self.clcc_urc:
                    self._urc(self.clcc_line(data))
                self._ring(data)
            elif kind == "end":
                call, by_network = data
                self._ring_next = None
                if d.call_urcs:
                    if self.clcc_urc:
                        self._urc(self.clcc_line(call, cm.RELEASED))
                    if call.t_active is not None:
                        secs = int(call.duration_s(self.engine.now()))
                        self._urc(f"VOICE CALL: END: {secs // 3600:02d}{secs // 60 % 60:02d}{secs % 60:02d}")
                if by_network:
                    self._urc("NO CARRIER")
        state = self.creg_state()
        if state != self._last_creg:
            old, self._last_creg = self._last_creg, state
            if self.creg_n == 2 or (self.creg_n == 1 and old[0] != state[0]):
                self._urc(self.creg_line(state, with_n=False))


# ---------------------------------------------------------------- command line parsing


def split_commands(body: str) -> list[str]:
    """``+CSQ;+CREG?`` / ``E0V1`` / ``D123;`` → one item per command (D takes the rest)."""
    items: list[str] = []
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c in " ;":
            i += 1
        elif c in "+#$^%":
            j, quoted = i + 1, False
            while j < n and (quoted or body[j] != ";"):
                quoted = quoted != (body[j] == '"')
                j += 1
            items.append(body[i:j])
            i = j + 1
        elif c.upper() == "D":
            items.append(body[i:])
            break
        elif c == "&":
            j = i + 2
            while j < n and body[j].isdigit():
                j += 1
            items.append(body[i:j])
            i = j
        elif c.upper() == "S" and i + 1 < n and body[i + 1].isdigit():
            j = i + 1
            while j < n and (body[j].isdigit() or body[j] in "=?"):
                j += 1
            items.append(body[i:j])
            i = j
        elif c.isalpha():
            j = i + 1
            while j < n and body[j].isdigit():
                j += 1
            items.append(body[i:j])
            i = j
        else:
            raise AtError(None)
    return items


def parse_extended(item: str) -> tuple[str, str, str]:
    """``+CENG=1,1`` → ("+CENG", "=", "1,1"); ``+CREG?`` → ("+CREG", "?", "")."""
    j = 1
    while j < len(item) and item[j] not in "=?":
        j += 1
    name, rest = item[:j].upper().strip(), item[j:]
    if rest.startswith("=?"):
        return name, "=?", rest[2:]
    if rest.startswith("?"):
        if rest.strip() != "?":
            raise AtError(None)
        return name, "?", ""
    if rest.startswith("="):
        return name, "=", rest[1:]
    return name, "", ""
