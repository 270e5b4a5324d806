"""Probing a device on an open AT channel: does it answer, what is it, what can it measure.

    AT            → OK within 5 s, else "no AT response from PORT at N baud"
    AT+CMEE=1     numeric +CME errors
    ATI, AT+CGMI, AT+CGMM, AT+CGMR, AT+CGSN   identity → family (drivers.families)
    AT+FASIM?     only the built-in simulator answers (a real module says ERROR)

The capabilities come from the family's table: a field the family's engineering mode does not
give is reported as not available, never left blank.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from drivers.at import AtChannel, AtTimeout
from drivers.families import Family, get_family, identify_family
from drivers.scan import not_available, scan_support
from fieldapp.device import Unsupported  # defined in the kernel so the domain can catch it
from fieldapp.model import Capabilities

PROBE_TIMEOUT_S = 5.0
CAPABILITY_FIELDS = ("rxlev", "rxqual", "bsic", "lac", "ci", "c1", "c2", "ta", "tch_arfcn",
                     "timeslot", "maio", "hsn", "neighbours", "cell_lock", "scan")
SIM_QUERY = "AT+FASIM?"


class NoAtResponse(Exception):
    """The port opened but nothing answered AT: wrong baud rate, or not a modem."""


@dataclass
class ProbeResult:
    family: Family
    capabilities: Capabilities
    simulator: dict[str, str] | None  # {"scenario": ..., "family": ...} for the built-in simulator


def probe_device(channel: AtChannel, port: str, baud: int, forced_family: str | None = None) -> ProbeResult:
    """Raises NoAtResponse when nothing answers within PROBE_TIMEOUT_S, Unsupported for an
    unknown forced family."""
    deadline = time.monotonic() + PROBE_TIMEOUT_S
    answered = False
    while time.monotonic() < deadline:
        try:
            resp = channel.command("AT", timeout_s=min(1.0, max(0.1, deadline - time.monotonic())))
            if resp.final is not None:
                answered = True
                break
        except AtTimeout:
            continue
    if not answered:
        raise NoAtResponse(f"no AT response from {port} at {baud} baud")
    channel.command("AT+CMEE=1", timeout_s=2.0)
    ident = {key: ident_text(channel, cmd) for key, cmd in (
        ("ati", "ATI"), ("manufacturer", "AT+CGMI"), ("model", "AT+CGMM"),
        ("firmware", "AT+CGMR"), ("imei", "AT+CGSN"))}
    simulator = sim_identity(channel)
    text = " ".join(v for v in ident.values() if v)
    fam = get_family(forced_family) if forced_family else identify_family(text)
    if fam is None:
        raise Unsupported(f"unknown family {forced_family!r}")
    notes = list(fam.notes)
    if simulator:
        notes.append(f"simulated handset, scenario {simulator.get('scenario')}")
    support = scan_support(fam.name)
    caps = Capabilities(
        family=fam.name,
        manufacturer=ident["manufacturer"],
        model=ident["model"],
        firmware=ident["firmware"],
        imei=ident["imei"],
        fields={f: (f in fam.fields) or (f == "cell_lock" and fam.lock_command is not None)
                or (f == "scan" and support is not None) for f in CAPABILITY_FIELDS},
        can_lock_arfcn=fam.lock_command is not None,
        call_state_by=fam.call_state_by,
        notes=tuple(notes),
        scan=support.describe() if support is not None else not_available(fam.name),
    )
    return ProbeResult(fam, caps, simulator)


def ident_text(channel: AtChannel, cmd: str) -> str | None:
    """The text of an identity reply: "+CGMI: Quectel" on some firmwares, plain "Quectel" on
    most; None when the device refuses or does not answer."""
    try:
        resp = channel.command(cmd, timeout_s=2.0)
    except AtTimeout:
        return None
    if not resp.ok:
        return None
    body = cmd[2:].lstrip("+")  # "CGMI"
    lines = []
    for line in resp.lines:
        text = line.strip()
        if text.upper().startswith(f"+{body}:"):
            text = text.split(":", 1)[1].strip()
        if text:
            lines.append(text.strip('"'))
    return " ".join(lines) or None


def sim_identity(channel: AtChannel) -> dict[str, str] | None:
    """``+FASIM: 1,"<scenario>","<family>"`` from the built-in simulator; None elsewhere."""
    try:
        resp = channel.command(SIM_QUERY, timeout_s=1.0)
    except AtTimeout:
        return None
    for line in resp.lines if resp.ok else []:
        if line.upper().startswith("+FASIM:"):
            parts = [p.strip().strip('"') for p in line.split(":", 1)[1].split(",")]
            if parts and parts[0] == "1":
                return {"scenario": parts[1] if len(parts) > 1 else "",
                        "family": parts[2] if len(parts) > 2 else ""}
    return None
