"""Capabilities from what the device answered (issue 12 point 6).

The probe knows a family's documented fields; the first polls show what this device really
gives. After them the capability list says what the data says:

- a level that comes only from ``+CSQ`` (27.007 §8.5, 2 dB steps, RSSI) is "level: RSSI from
  +CSQ", not an engineering-mode RXLEV: ``rxlev`` not available, ``rssi`` available; one from
  ``+CESQ`` on LTE/UMTS (§8.69, RSRP/RSCP in 1 dB steps) is named so;
- a ``+CREG`` without LAC/CI (``+CREG: 0,1``) means LAC/CI not available;
- a field the engineering mode was expected to fill in idle (BSIC, C1/C2, neighbours) and that
  no poll filled is not available. Dedicated-mode fields (TA, the traffic channel, RXQUAL)
  appear only in a call, so the first polls in idle never take them away.

Pure: Capabilities and parse/timeline records in, Capabilities out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from fieldapp.model import LTE, UMTS, Capabilities, Cell, Registration, Sample, Signal

RSSI_NOTE = "level: RSSI from +CSQ (2 dB steps), not an engineering-mode RXLEV"
IDLE_FIELDS = ("bsic", "c1", "c2", "neighbours")


def refine(caps: Capabilities, samples: Iterable[Sample]) -> Capabilities:
    seen: dict[str, bool] = {}
    rssi = False
    cesq_levels: set[str] = set()
    techs: set[str | None] = set()
    band_rssi: set[str] = set()
    levelled = False
    reg_without_location = reg_with_location = False
    for s in samples:
        cells: list[Cell] = [s.serving] if s.serving is not None else []
        for c in cells:
            for name in ("rxlev", "bsic", "lac", "ci", "c1", "c2", "ta", "rxqual"):
                value = getattr(c, name)
                if name == "rxlev" and value is None:
                    value = c.rxlev_dbm
                if value is not None:
                    seen[name] = True
            if c.channel is not None and c.channel.tch_arfcn is not None:
                seen["tch_arfcn"] = True
        if s.neighbours:
            seen["neighbours"] = True
        sig: Signal | None = s.signal
        if sig is not None and sig.rssi_dbm is not None:
            rssi = True
        techs.add(s.tech)
        source = s.level_source
        if source == "+CESQ" and sig is not None:
            cesq_levels.add("RSRP" if s.tech == LTE else "RSCP")
            if sig.rsrq_db is not None:
                seen["rsrq"] = True
            if sig.ecno_db is not None:
                seen["ecno"] = True
        elif source is None and sig is not None and sig.rssi_dbm is not None and s.tech is not None:
            band_rssi.add(s.tech)  # UMTS/LTE with +CSQ only: the band's RSSI, not its RSCP/RSRP
        if source is not None:
            levelled = True
        if sig is not None and sig.rxqual is not None:
            seen["rxqual"] = True
        reg: Registration | None = s.registration
        if reg is not None:
            if reg.lac is None and reg.ci is None:
                reg_without_location = True
            else:
                reg_with_location = True
                if reg.lac is not None:
                    seen["lac"] = True
                if reg.ci is not None:
                    seen["ci"] = True
    fields = dict(caps.fields)
    notes = list(caps.notes)
    if not seen.get("rxlev"):
        fields["rxlev"] = False
    fields["rssi"] = rssi
    fields["level"] = levelled or bool(seen.get("rxlev"))
    for name in cesq_levels:
        fields[name.lower()] = True  # "rsrp" / "rscp": the probe's measures list shows them
    if cesq_levels and not seen.get("rxlev"):
        note = f"level: {' and '.join(sorted(cesq_levels))} from +CESQ (1 dB steps), the registered technology's own level"
        if note not in notes:
            notes.append(note)
    elif band_rssi and not levelled:
        note = (f"level: none on {' and '.join(sorted(band_rssi))}: the handset gives only +CSQ, the whole band's "
                "RSSI, which is not an RSCP/RSRP (no +CESQ)")
        if note not in notes:
            notes.append(note)
    elif rssi and not seen.get("rxlev") and RSSI_NOTE not in notes:
        notes.append(RSSI_NOTE)
    for name in ("lac", "ci"):
        if not seen.get(name) and (reg_without_location or not reg_with_location):
            fields[name] = False
    for name in IDLE_FIELDS:
        if fields.get(name) and not seen.get(name):
            fields[name] = False
    if techs and techs <= {UMTS, LTE} and not seen.get("rxqual"):
        fields["rxqual"] = False  # RXQUAL is GSM's; a handset only on UMTS/LTE has none to give
    for name, ok in seen.items():
        if name in fields or name in ("rxqual", "ta", "tch_arfcn", "rsrq", "ecno"):
            fields[name] = fields.get(name, False) or ok
    return replace(caps, fields=fields, notes=tuple(notes))


def level_summary(caps: Capabilities) -> str:
    """What the level is, in a few words, for the "capabilities from the first polls" line."""
    f = caps.fields
    if f.get("rxlev"):
        return "level RXLEV"
    cesq = [name.upper() for name in ("rsrp", "rscp") if f.get(name)]
    if cesq:
        return f"level is {' and '.join(cesq)} from +CESQ"
    if not f.get("level"):
        return "no level (+CSQ RSSI only on UMTS/LTE)" if f.get("rssi") else "no level"
    return "level is RSSI from +CSQ" if f.get("rssi") else "no level"


def describe(caps: Capabilities) -> dict[str, Any]:
    return {"fields": dict(caps.fields), "notes": list(caps.notes)}
