"""One poll cycle's parse records → one ``Sample``.

A cycle asks several commands (e.g. +CSQ, +CREG?, the engineering mode serving and neighbour
replies); each gives part of the picture. The serving cell is merged from every serving-cell
record of the cycle (a family may print it in two replies), missing LAC/CI are taken from the
registration, and the radio mode is read from the channel: a TCH ARFCN or hopping means a call
(dedicated mode).
"""

from __future__ import annotations

from dataclasses import fields, replace

from fieldapp.model import (
    DEDICATED,
    IDLE,
    NEIGHBOUR,
    SERVING,
    Cell,
    Info,
    Registration,
    Sample,
    Signal,
)

DEDICATED_STATES = {"CONNECT", "DEDICATED", "CONN", "CONNECTED"}


def merge_cells(first: Cell, other: Cell) -> Cell:
    """Fill the gaps of ``first`` from ``other`` (first wins where both know a value)."""
    changes = {f.name: getattr(other, f.name) for f in fields(first)
               if getattr(first, f.name) is None and getattr(other, f.name) is not None}
    return replace(first, **changes) if changes else first


def radio_mode(cell: Cell | None) -> str | None:
    if cell is None:
        return None
    ch = cell.channel
    if ch is not None and (ch.tch_arfcn is not None or ch.hopping):
        return DEDICATED
    if cell.state is not None and cell.state.upper() in DEDICATED_STATES:
        return DEDICATED
    return IDLE


REGISTERED = {1, 5, 6, 7, 9, 10}  # 27.007 <stat>: home/roaming, SMS only, CSFB not preferred


def merge_signals(first: Signal, other: Signal) -> Signal:
    """+CSQ and +CESQ in one cycle: each fills what the other lacks (+CSQ's RSSI first)."""
    changes = {f.name: getattr(other, f.name) for f in fields(first)
               if getattr(first, f.name) is None and getattr(other, f.name) is not None}
    return replace(first, **changes) if changes else first


def _registration_rank(reg: Registration) -> tuple[bool, bool, bool]:
    # The one a cycle keeps: registered before searching/denied, with a location before without,
    # then the CS domain (+CREG). An LTE data module says "+CREG: 2,0" and "+CEREG: 2,1,TAC,ECI,7":
    # the EPS registration is where it is.
    return (reg.stat in REGISTERED, reg.lac is not None or reg.ci is not None, reg.domain == "cs")


def _with_operator(reg: Registration, operator: dict) -> Registration:
    """+COPS? (an ``operator`` Info) on the registration: MCC/MNC, name, and the access
    technology when the registration reply gave none."""
    fill = {k: v for k, v in (("mcc", operator.get("mcc")), ("mnc", operator.get("mnc")),
                              ("operator", operator.get("name")), ("act", operator.get("act")),
                              ("tech", operator.get("tech")))
            if v is not None and getattr(reg, k) is None}
    return replace(reg, **fill) if fill else reg


def build_sample(ts_utc: float, records: list) -> Sample | None:
    serving: Cell | None = None
    neighbours: dict[tuple, Cell] = {}
    signal: Signal | None = None
    registration: Registration | None = None
    operator: dict | None = None
    for rec in records:
        if isinstance(rec, Cell):
            if rec.role == SERVING:
                serving = rec if serving is None else merge_cells(serving, rec)
            elif rec.role == NEIGHBOUR:
                key = (rec.tech, rec.arfcn, rec.bsic, rec.pci, rec.ci)
                neighbours.setdefault(key, rec)
        elif isinstance(rec, Signal):
            signal = rec if signal is None else merge_signals(signal, rec)
        elif isinstance(rec, Registration):
            if registration is None or _registration_rank(rec) > _registration_rank(registration):
                registration = rec
        elif isinstance(rec, Info) and rec.key == "operator" and isinstance(rec.value, dict):
            operator = rec.value
    if registration is not None and operator is not None:
        registration = _with_operator(registration, operator)
    if serving is None and signal is None and registration is None and not neighbours:
        return None
    if serving is not None and registration is not None:
        fill = {}
        if serving.lac is None and registration.lac is not None:
            fill["lac"] = registration.lac
        if serving.ci is None and registration.ci is not None:
            fill["ci"] = registration.ci
        if fill:
            serving = replace(serving, **fill)
    tech = serving.tech if serving is not None else (registration.tech if registration else None)
    return Sample(ts_utc=ts_utc, tech=tech, serving=serving, neighbours=tuple(neighbours.values()),
                  signal=signal, registration=registration, mode=radio_mode(serving))
