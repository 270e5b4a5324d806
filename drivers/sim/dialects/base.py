"""What a dialect is: identity strings, quirk flags and the family's own commands, as data.

A command handler gets the handset (its settings and a radio snapshot), the operation and the
argument text, and returns the information lines of the reply (the final ``OK`` is added by
the interpreter). It raises ``AtError`` for an error reply. Operations::

    ""    execute  AT#MONI            "?"   read  AT+CENG?
    "="   set      AT+CENG=1,1        "=?"  test  AT+QENG=?
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drivers.sim.handset import Handset


class AtError(Exception):
    """An error reply: ``+CME ERROR: <code>`` when AT+CMEE is on, else ``ERROR``; a code of
    None always gives plain ``ERROR`` (syntax errors, unknown commands)."""

    def __init__(self, code: int | None = None) -> None:
        super().__init__(code)
        self.code = code


Handler = Callable[["Handset", str, str], list[str]]

CME_TEXT = {3: "operation not allowed", 4: "operation not supported", 30: "no network service",
            50: "Incorrect parameters", 100: "unknown", 148: "unspecified GPRS error",
            149: "PDP authentication failure"}


@dataclass(frozen=True)
class Dialect:
    name: str  # the family name the app's driver uses: "quectel", "simcom", "telit"
    manufacturer: str  # AT+CGMI
    model: str  # AT+CGMM
    revision: str  # AT+CGMR
    ati: tuple[str, ...]  # ATI lines
    imei_tac: str  # first 8 IMEI digits (type allocation code)
    commands: dict[str, Handler] = field(default_factory=dict)  # "+QENG" → handler
    # Quirks
    call_urcs: bool = False  # SIMCom: +CLCC URCs (AT+CLCC=1) and VOICE CALL: BEGIN/END
    clcc_empty_alpha: bool = False  # SIM800C appends ,"" to +CLCC (python-gsmmodem #112)
    creg_act: bool = False  # +CREG: 2,1,"LAC","CI",<AcT>
    cops_act: bool = False  # +COPS: 0,0,"name",<AcT>
    cesq: bool = False  # answers AT+CESQ
    cgmr_prefix: str = ""  # "Revision:" on SIMCom
    extra: dict[str, Any] = field(default_factory=dict)


def mcc_text(mcc: int) -> str:
    return f"{mcc:03d}"


def mnc_text(mnc: int) -> str:
    return f"{mnc:02d}"


def split_args(args: str) -> list[str]:
    """Comma split outside quotes, quotes removed, spaces stripped."""
    out, buf, quoted = [], [], False
    for ch in args:
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            out.append("".join(buf).strip())
            buf = []
        else:
            buf.append(ch)
    out.append("".join(buf).strip())
    return out


def int_arg(text: str, lo: int, hi: int) -> int:
    t = text.strip()
    if not t.lstrip("-").isdigit():
        raise AtError(50)
    v = int(t)
    if not lo <= v <= hi:
        raise AtError(50)
    return v
