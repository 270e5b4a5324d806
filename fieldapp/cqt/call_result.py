"""What a finished test call was, from the driver's call tracker and the runner's own view
(device gone, skipped, setup timeout); what the listener heard; and the modem's own word on
whether a call is up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fieldapp.cqt.calls import CANCELLED, DROPPED, ERROR, LISTENER_VERDICTS, SETUP_FAILED, SUCCESS, CqtCall
from fieldapp.device import AtError, DeviceGone, Unsupported


def classify(progress: Any, *, gone: bool, cancelled: bool, timed_out: bool, setup_timeout_s: float,
             release_wait_s: float) -> tuple[str, str | None]:
    """(result, cause text) of a call from its ``drivers.call_tracker.CallProgress``."""
    text = progress.cause_text
    if gone:
        return ERROR, "device disconnected"
    if progress.ended_utc is None:
        return ERROR, f"the call did not end within {release_wait_s:g} s of the hang-up"
    if cancelled and progress.connected_utc is None:
        return CANCELLED, "skipped before it connected"
    if progress.outcome == "failed":
        if timed_out:
            return SETUP_FAILED, f"not connected within {setup_timeout_s:g} s" + (f" ({text})" if text else "")
        return SETUP_FAILED, text
    if progress.outcome == "dropped":
        return DROPPED, text
    return SUCCESS, text


def modem_still_calling(source: Any) -> bool:
    """Ask the modem itself (AT+CLCC) whether a call is still listed::

        AT+CLCC
        +CLCC: 1,0,0,0,0,"5551234",129     (stat 0 active; SIMCom's stat 6 = released)
        OK
    """
    command = getattr(source, "command", None)
    if command is None:
        return False
    try:
        resp = command("AT+CLCC", timeout_s=3.0)
    except (AtError, DeviceGone, OSError):
        return False
    return any(line.upper().startswith("+CLCC:") and line.split(",")[2:3] != ["6"]
               for line in getattr(resp, "lines", []))


def listener_verdict(source: Any, call: CqtCall, *, auto: bool,
                     ask: Callable[[CqtCall], tuple[str, str] | None] | None) -> None:
    """Fill ``call.listener`` after a connected call: from the simulator (``auto``; what its
    listener heard, AT+FASIMAUDIO?) or by asking the engineer (``ask``, the CLI's prompt)."""
    if auto:
        try:
            heard = source.sim_audio_verdict()
        except (Unsupported, AtError, DeviceGone, OSError) as exc:
            call.note = (call.note + " " if call.note else "") + f"no simulator verdict: {exc}"
            return
        if heard in LISTENER_VERDICTS:
            call.listener, call.listener_by = heard, "simulator"
        return
    answer = ask(call) if ask is not None else None
    if answer is not None:
        verdict, note = answer
        if verdict in LISTENER_VERDICTS:
            call.listener, call.listener_by = verdict, "engineer"
        if note:
            call.note = note
