"""Band scans with a handset's survey command: which families can, how, and the scan itself.

A scan is a list of steps (AT commands), each covering part of the asked ARFCNs, so a scan that
takes minutes reports progress after every step and can be cancelled between steps:

* Telit ``AT#CSURVC=<s>,<e>``: the range form, in chunks of ``TELIT_CHUNK`` ARFCNs of the asked
  bands (a full-band ``AT#CSURVC`` takes up to 2 minutes per the Telit guide). ``AT#CSURVF=0``
  first, so BSIC/LAC/cell id come in decimal.
* SIMCom ``AT+CNETSCAN``: one command, no band or range argument (the module scans what
  ``AT+CBAND`` allows); the carriers outside the asked band/range are dropped afterwards.
  ``AT+CNETSCAN=1`` first, so LAC and BSIC are printed. Cancel acts when the command returns.
* Quectel 2G ``AT+QSCANF=<band>,<arfcn>``: one ARFCN per command (band 0 GSM850, 1 GSM900,
  2 DCS1800, 3 PCS1900, the codes of the same manual's band table) [inferred syntax].

Other families have no documented survey command (docs/at-commands.md): their capability
says "not available" and ``scan`` refuses with that sentence.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from drivers.families.survey import parse_cnetscan, parse_csurv, parse_qscanf
from fieldapp import radio
from fieldapp.model import GSM, Position, Scan, ScanCarrier

# Scan bands: name → ARFCN ranges (TS 45.005 §2). GSM900 is E-GSM (P-GSM 1..124 plus 0 and
# 975..1023); PCS1900 shares 512..810 with DCS1800, so the band asked for names the carriers.
SCAN_BANDS: dict[str, tuple[tuple[int, int], ...]] = {
    "GSM850": ((128, 251),),
    "GSM900": ((0, 124), (975, 1023)),
    "DCS1800": ((512, 885),),
    "PCS1900": ((512, 810),),
}
ALL = "all"
_ALIASES = {"850": "GSM850", "GSM850": "GSM850", "900": "GSM900", "GSM900": "GSM900", "EGSM900": "GSM900",
            "E-GSM900": "GSM900", "PGSM900": "GSM900", "P-GSM900": "GSM900", "EGSM": "GSM900",
            "1800": "DCS1800", "DCS": "DCS1800", "DCS1800": "DCS1800", "GSM1800": "DCS1800",
            "1900": "PCS1900", "PCS": "PCS1900", "PCS1900": "PCS1900", "GSM1900": "PCS1900",
            "ALL": ALL}
TELIT_CHUNK = 64
QUECTEL_BAND_CODE = {"GSM850": 0, "GSM900": 1, "DCS1800": 2, "PCS1900": 3}


class ScanNotAvailable(Exception):
    """The device cannot scan (no documented survey command), or not the way it was asked."""


class ScanCancelled(Exception):
    """Raised by ``run_scan`` only when nothing was scanned yet; a scan cancelled after some
    steps returns the partial ``Scan`` with ``complete=False`` instead."""


def band_name(text: str | None) -> str:
    """Normalise a band argument ("900", "dcs", "GSM900", "all") or raise ValueError."""
    key = (text or ALL).strip().upper().replace(" ", "").replace("_", "")
    name = _ALIASES.get(key)
    if name is None:
        raise ValueError(f"unknown band {text!r}: use one of {', '.join([*SCAN_BANDS, ALL])}")
    return name


def parse_arfcn_range(text: str) -> tuple[int, int]:
    """``"0-124"`` → (0, 124); a single ``"62"`` → (62, 62). ValueError with a clear message."""
    parts = text.replace(" ", "").split("-")
    try:
        lo, hi = (int(parts[0]), int(parts[-1])) if len(parts) in (1, 2) else (None, None)
    except ValueError:
        lo = hi = None
    if lo is None or hi is None or not 0 <= lo <= hi <= 1023:
        raise ValueError(f"bad ARFCN range {text!r}: write A-B with 0 <= A <= B <= 1023")
    return lo, hi


def wanted_ranges(band: str, arfcn_range: tuple[int, int] | None) -> list[tuple[int, int]]:
    """The ARFCN ranges a scan covers: the band's (all bands for "all"), cut to the range."""
    if band == ALL:
        ranges = sorted({r for rs in SCAN_BANDS.values() for r in rs if rs is not SCAN_BANDS["PCS1900"]})
    else:
        ranges = list(SCAN_BANDS[band])
    if arfcn_range is None:
        return ranges
    lo, hi = arfcn_range
    cut = [(max(a, lo), min(b, hi)) for a, b in ranges if max(a, lo) <= min(b, hi)]
    if not cut:
        raise ValueError(f"ARFCN {lo}-{hi} is outside {band}")
    return cut


@dataclass(frozen=True)
class Step:
    command: str
    arfcns: int  # how many ARFCNs this step covers (for progress)
    timeout_s: float


@dataclass(frozen=True)
class ScanSupport:
    """How one family scans (shown by the probe, used by ``run_scan``)."""

    command: str  # the survey command as the guide names it
    how: str  # "range" (chunks of a channel range), "whole" (one command), "per-arfcn"
    bands: tuple[str, ...]
    arfcn_range: bool  # can the device itself be asked for an ARFCN range
    typical_s: float  # a full-band scan, typical
    parse: Callable[[list[str]], tuple[list[ScanCarrier], int]]
    setup: tuple[str, ...] = ()
    notes: str = ""
    step_timeout_s: float = 130.0

    def steps(self, ranges: Sequence[tuple[int, int]], band: str) -> list[Step]:
        if self.how == "whole":
            return [Step(self.command, sum(b - a + 1 for a, b in ranges), self.step_timeout_s)]
        out: list[Step] = []
        for a, b in ranges:
            if self.how == "range":
                for s in range(a, b + 1, TELIT_CHUNK):
                    e = min(b, s + TELIT_CHUNK - 1)
                    out.append(Step(f"{self.command}={s},{e}", e - s + 1, self.step_timeout_s))
            else:  # per-arfcn
                for n in range(a, b + 1):
                    code = QUECTEL_BAND_CODE.get(band if band != ALL else (radio.arfcn_band(n) or "GSM900")
                                                 .replace("E-", ""), 1)
                    out.append(Step(f"{self.command}={code},{n}", 1, self.step_timeout_s))
        return out

    def describe(self) -> dict[str, Any]:
        return {"available": True, "command": self.command, "how": self.how, "bands": list(self.bands),
                "arfcn_range": self.arfcn_range, "typical_s": self.typical_s,
                "text": f"{self.command}: bands {', '.join(self.bands)}"
                        + (", ARFCN range" if self.arfcn_range else ", whole band only")
                        + f", about {self.typical_s:.0f} s per full scan" + (f"; {self.notes}" if self.notes else "")}


SCAN_SUPPORT: dict[str, ScanSupport] = {
    "telit": ScanSupport(
        command="AT#CSURVC", how="range", bands=tuple(SCAN_BANDS), arfcn_range=True, typical_s=120.0,
        parse=parse_csurv, setup=("AT#CSURVF=0",),
        notes="range form AT#CSURVC=<s>,<e> in chunks (Telit guide: up to 2 min per full band)"),
    "simcom": ScanSupport(
        command="AT+CNETSCAN", how="whole", bands=tuple(SCAN_BANDS), arfcn_range=False, typical_s=60.0,
        parse=parse_cnetscan, setup=("AT+CNETSCAN=1",), step_timeout_s=240.0,
        notes="one command over the bands AT+CBAND allows; band/range applied to the result; "
              "cancel takes effect when the module answers"),
    "quectel-2g": ScanSupport(
        command="AT+QSCANF", how="per-arfcn", bands=tuple(SCAN_BANDS), arfcn_range=True, typical_s=180.0,
        parse=parse_qscanf, step_timeout_s=5.0,
        notes="one ARFCN per command, level only (no BSIC)"),
}


def scan_support(family: str | None) -> ScanSupport | None:
    return SCAN_SUPPORT.get((family or "").lower())


def not_available(family: str | None) -> dict[str, Any]:
    return {"available": False,
            "text": f"not available: {family or 'this device'} has no documented survey command"}


@dataclass
class ScanProgress:
    done_arfcns: int
    total_arfcns: int
    carriers: int
    text: str
    partial: list[ScanCarrier] = field(default_factory=list)

    @property
    def fraction(self) -> float:
        return self.done_arfcns / self.total_arfcns if self.total_arfcns else 1.0


Command = Callable[[str, float], Any]  # (command, timeout_s) -> reply with .ok, .lines, .final


def run_scan(command: Command, support: ScanSupport, *, band: str = ALL,
             arfcn_range: tuple[int, int] | None = None,
             progress: Callable[[ScanProgress], None] | None = None,
             cancel: threading.Event | None = None, position: Position | None = None,
             now: Callable[[], float] = time.time) -> Scan:
    """Scan with ``command`` (an AT channel's ``command``). Raises ScanNotAvailable when the
    device refuses the survey command; ScanCancelled when cancelled before the first step
    ended. Device errors after the first step end the scan early (``complete=False``)."""
    band = band_name(band)
    ranges = wanted_ranges(band, arfcn_range)
    steps = support.steps(ranges, band)
    total = sum(s.arfcns for s in steps)
    start = now()
    for cmd in support.setup:
        command(cmd, 5.0)  # a refused format setting leaves the default, which the parser reads
    carriers: list[ScanCarrier] = []
    done = 0
    complete = True
    note = ""
    for i, step in enumerate(steps):
        if cancel is not None and cancel.is_set():
            complete, note = False, "cancelled"
            break
        reply = command(step.command, step.timeout_s)
        if not getattr(reply, "ok", False):
            if i == 0 and not carriers:
                raise ScanNotAvailable(f"{step.command} refused: {getattr(reply, 'final', None) or 'error'}")
            complete, note = False, f"{step.command}: {getattr(reply, 'final', None) or 'error'}"
            break
        found, _skipped = support.parse(list(reply.lines))
        carriers.extend(found)
        done += step.arfcns
        if progress is not None:
            progress(ScanProgress(done, total, len(carriers), f"{step.command}: {len(found)} carrier(s)",
                                  list(carriers)))
    if not complete and note == "cancelled" and done == 0:
        raise ScanCancelled("scan cancelled before any result")
    kept = _within(carriers, ranges, band)
    return Scan(start_utc=start, end_utc=now(), carriers=tuple(kept), tech=GSM, band=band,
                arfcn_from=arfcn_range[0] if arfcn_range else None,
                arfcn_to=arfcn_range[1] if arfcn_range else None,
                source=support.command, position=position, complete=complete)


def _within(carriers: list[ScanCarrier], ranges: list[tuple[int, int]], band: str) -> list[ScanCarrier]:
    """Carriers inside the asked ranges, one per ARFCN (the strongest), ordered by ARFCN; a
    PCS1900 scan names its carriers PCS1900."""
    best: dict[int, ScanCarrier] = {}
    for c in carriers:
        if c.arfcn is None or not any(a <= c.arfcn <= b for a, b in ranges):
            continue
        if band == "PCS1900" and c.band != "PCS1900":
            c = ScanCarrier(**{**_fields(c), "band": "PCS1900"})
        old = best.get(c.arfcn)
        if old is None or (c.decoded and not old.decoded) or \
                ((c.rxlev_dbm or -999) > (old.rxlev_dbm or -999) and c.decoded == old.decoded):
            best[c.arfcn] = c
    return [best[a] for a in sorted(best)]


def _fields(c: ScanCarrier) -> dict[str, Any]:
    return {name: getattr(c, name) for name in c.__dataclass_fields__}
