"""A packet data test from the field (reference case 7): GPRS attach and PDP context activation,
repeated, one result per attempt. A packet-processor fault at the BSC shows here as attach or
activation refused on the cells it serves while voice works.

One attempt, as 27.007 §10.1 spells it::

    AT+CGDCONT=1,"IP","internet"   -> OK         (the context: APN)
    AT+CGATT=1                     -> OK | +CME ERROR: 148 (unspecified GPRS error)
    AT+CGACT=1,1                   -> OK | +CME ERROR: ...
    AT+CGACT=0,1 ; AT+CGATT=0      -> clean up for the next attempt

The commands go through ``command(cmd, timeout_s) -> response`` with ``ok``, ``final`` and
``error`` (the handset source's raw command), so this module needs no driver. Each attempt is
also emitted as an ``info`` event with ``data["data_test"]`` so the session keeps it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from fieldapp.model import EV_INFO, Event

ATTACH_TIMEOUT_S = 30.0  # an attach can take seconds on a real network
ACTIVATE_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class DataAttempt:
    seq: int
    start_utc: float
    result: str  # "ok", "attach_failed", "activation_failed", "error"
    attach_s: float | None
    activate_s: float | None
    error: str | None = None  # the modem's final reply when it failed
    cell: str | None = None  # where the handset was (LAC/CI or the plan's name)

    def line(self) -> str:
        when = time.strftime("%H:%M:%S", time.gmtime(self.start_utc))
        where = f" on {self.cell}" if self.cell else ""
        if self.result == "ok":
            return (f"data attempt {self.seq} {when}{where}: attach ok ({self.attach_s:.1f} s), PDP context active "
                    f"({self.activate_s:.1f} s)")
        what = {"attach_failed": "GPRS attach failed", "activation_failed": "PDP context activation failed"}.get(
            self.result, "error")
        return f"data attempt {self.seq} {when}{where}: {what}: {self.error}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# 27.007 §9.2.2 GPRS-related +CME ERROR codes (and 30), for a readable line with numeric CMEE.
GPRS_ERRORS = {30: "no network service", 107: "GPRS services not allowed", 111: "PLMN not allowed",
               112: "location area not allowed", 132: "service option not supported",
               133: "requested service option not subscribed", 134: "service option temporarily out of order",
               148: "unspecified GPRS error", 149: "PDP authentication failure"}


def _reply(resp: Any) -> str:
    err = getattr(resp, "error", None)
    text = getattr(err, "text", None)
    if not text or text.strip().split(":")[-1].strip().isdigit():
        text = GPRS_ERRORS.get(getattr(err, "code", None) or -1, text)
    final = getattr(resp, "final", None) or "no reply"
    return f"{final}" + (f" ({text})" if text and text not in final else "")


def attempt(command: Callable[..., Any], seq: int, *, apn: str = "internet", cell: str | None = None,
            emit: Callable[[Event], None] | None = None) -> DataAttempt:
    start = time.time()
    result, attach_s, activate_s, error = "ok", None, None, None
    try:
        command(f'AT+CGDCONT=1,"IP","{apn}"', timeout_s=5.0)
        t0 = time.monotonic()
        resp = command("AT+CGATT=1", timeout_s=ATTACH_TIMEOUT_S)
        attach_s = time.monotonic() - t0
        if not resp.ok:
            result, error = "attach_failed", _reply(resp)
        else:
            t0 = time.monotonic()
            resp = command("AT+CGACT=1,1", timeout_s=ACTIVATE_TIMEOUT_S)
            activate_s = time.monotonic() - t0
            if not resp.ok:
                result, error = "activation_failed", _reply(resp)
            command("AT+CGACT=0,1", timeout_s=10.0)
        command("AT+CGATT=0", timeout_s=10.0)
    except Exception as exc:  # noqa: BLE001 - a timeout or a vanished device ends this attempt, not the test
        result, error = "error", f"{type(exc).__name__}: {exc}"
    out = DataAttempt(seq, start, result, attach_s, activate_s, error, cell)
    if emit is not None:
        emit(Event(time.time(), EV_INFO, out.line(), {"data_test": out.to_json()}))
    return out


def summary(attempts: list[DataAttempt]) -> str:
    ok = sum(1 for a in attempts if a.result == "ok")
    return f"data test: {ok} of {len(attempts)} attempts attached and activated a PDP context"
