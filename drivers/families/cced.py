"""The ``+CCED`` cell environment dump, shared by the modules of the Wavecom lineage: Wavecom
and Sierra Wireless AirPrime, and the compatibles that print it too (Telit LE910R1, ZTE ME3000,
Luat/ASR), as ModemManager keeps its shared vendor helpers apart from each vendor plugin
(docs/at-commands.md §3.6). Families ``wavecom`` and ``telit`` register ``parse_cced``.
"""

from __future__ import annotations

from dataclasses import replace

from drivers.families.fields import Garbled, dec, hexnum, tokens
from drivers.families.ranges import certain
from fieldapp import radio
from fieldapp.model import GSM, NEIGHBOUR, SERVING, Cell, ParseRecord

MAIN_FIELDS = 13  # MCC,MNC,LAC,CI,BSIC,BCCH,RxLev,RxLev Full,RxLev Sub,RxQual,RxQual Full,RxQual Sub,Idle TS
NEIGHBOUR_FIELDS = 7  # MCC,MNC,LAC,CI,BSIC,BCCH,RxLev
MAX_NEIGHBOURS = 6
# Segments of a dump: main cell with CI (M) or without it (m: "CI omitted if unknown" in the
# main cell, Multi-Tech S000293I), neighbour (N), main cell TA (T), neighbour TA (t).
SEGMENT_SIZE = {"M": MAIN_FIELDS, "m": MAIN_FIELDS - 1, "N": NEIGHBOUR_FIELDS, "T": 1, "t": 1}


def _num(token: str, *, lo: int, hi: int, hexa: bool = False) -> int | None:
    """A field that must be a number when present: empty → None, out of range → None, text that
    is not a number → Garbled (a damaged line is skipped rather than half-read)."""
    if token == "":
        return None
    if hexa:
        if token[:1] == "-" and token[1:].isdigit():
            return None  # a negative number: a value out of range, not a shifted field
        return hexnum(token, lo=lo, hi=hi, strict=True)
    return dec(token, lo=lo, hi=hi, strict=True)


def _ident(token: str, hi: int, lenient: bool = False) -> int | None:
    """BSIC and BCCH columns: a value beyond their range means the fields are out of place
    (while a layout is being chosen; ``lenient``: the value is only unknown)."""
    v = _num(token, lo=0, hi=10**30)
    if v is not None and v > hi:
        if lenient:
            return None
        raise Garbled(f"+CCED identifier {token!r} out of range")
    return v


def _blankish(x: str) -> bool:
    """Zero, empty, or a number no field can hold (negative, or ten digits and more)."""
    return not x.strip("0") or (x[:1] == "-" and x[1:].isdigit()) or (x.isdigit() and len(x) >= 10)


_MAIN_SHAPES = "ddhhddddddddd"
_NEIGHBOUR_SHAPES = "ddhhddd"


def _cced_cell(f: list[str], role: str, lenient: bool = False,
               any_width: bool = False) -> Cell | None:
    """One cell of a +CCED dump (main cell: 13 fields, neighbour: 7). MCC/MNC 0 = no service.
    Field shapes are checked so that a dump whose commas were lost or doubled (the manual's own
    example is damaged that way) is not read shifted. ``lenient`` (no layout fitted): fields
    from the first misshapen one on are unknown, values out of range are unknown."""
    if lenient:
        f = certain(f, _MAIN_SHAPES if role == SERVING else _NEIGHBOUR_SHAPES)
    if all(_blankish(x) for x in f):
        return None  # an empty slot: ",,,,,," (Wavecom) or all zeros (ZTE ME3000: 0 = unavailable)
    mcc_t, lac_t, ci_t = f[0], f[2], f[3]
    # A negative number is a value out of range (unknown), whatever its width.
    wide = any(len(t) > n and not t.startswith("-") for t, n in ((mcc_t, 3), (lac_t, 4), (ci_t, 8)))
    if wide and not (lenient or any_width):
        raise Garbled(f"+CCED cell fields out of place: {','.join(f)!r}")
    mcc = _num(f[0], lo=0, hi=999)
    mnc = _num(f[1], lo=0, hi=999)
    if mcc == 0:  # "MCC/MNC 0 when no service" (Fargo Maestro manual p.16)
        mcc = mnc = None
    lac = _num(f[2], lo=1, hi=0xFFFE, hexa=True)
    ci = _num(f[3], lo=1, hi=0xFFFFFFF, hexa=True)
    if ci == 0xFFFF:
        ci = None
    # Values too large are unknown in the fallback passes (the first pass used them to choose
    # the layout: a BSIC over 63 is more often a shifted field than a misprint).
    bsic = _ident(f[4], 63, lenient or any_width)  # printed decimal 0..63
    arfcn = radio.valid_arfcn(_ident(f[5], 1023, lenient or any_width))
    rxlev = _num(f[6], lo=0, hi=63)
    rxlev_full = rxlev_sub = rxqual = rxqual_sub = None
    state = None
    if role == SERVING:
        rxlev_full = _num(f[7], lo=0, hi=63)
        rxlev_sub = _num(f[8], lo=0, hi=63)
        rxqual = _num(f[9], lo=0, hi=7)
        rxqual_full = _num(f[10], lo=0, hi=7)
        rxqual_sub = _num(f[11], lo=0, hi=7)
        _num(f[12], lo=0, hi=7)  # Idle TS: checked for shape only
        # Fargo Maestro manual: in idle only RxLev is measured; in dedicated mode RxLev is empty
        # and Full/Sub are filled. Westermo GD-01 (same firmware family) puts the idle level in
        # RxLev Full instead, and the LE910R1 fills everything: so only a line with RxLev empty
        # and a Sub level or a Full/Sub quality is taken as dedicated, and only a line without
        # any of those as idle.
        measured_in_call = rxlev_sub is not None or rxqual_full is not None or rxqual_sub is not None
        if rxlev is None and measured_in_call:
            state = "dedicated"
        elif not measured_in_call:
            state = "idle"
        if rxlev is None:
            rxlev = rxlev_full if rxlev_full is not None else rxlev_sub
        if rxqual is None:
            rxqual = rxqual_full
        if state != "dedicated":
            # RXQUAL is only meaningful on a dedicated channel (TS 45.008); idle prints 0.
            rxqual = rxqual_sub = None
    if arfcn is None and rxlev is None and ci is None:
        return None  # an empty slot: ",,,,,," or "0,0,,,,,"
    return Cell(role=role, tech=GSM, mcc=mcc, mnc=mnc, lac=lac, ci=ci, arfcn=arfcn, bsic=bsic,
                rxlev=rxlev, rxlev_dbm=radio.rxlev_to_dbm(rxlev), rxlev_full=rxlev_full,
                rxlev_sub=rxlev_sub, rxqual=rxqual, rxqual_sub=rxqual_sub, state=state)


def _candidate_layouts() -> list[str]:
    """Dump layouts in order of preference. The bitmask is not echoed, so the field count and
    the field shapes decide: standard order (main, neighbours, main TA, dump 16 neighbour TAs),
    the Westermo GDW-11 order for dump 7 (main, its TA, then each neighbour followed by its TA),
    a main cell without its CI, and neighbours only (dumps 2 and 6)."""
    out: list[str] = []
    for main in ("M", "m"):
        for k in range(MAX_NEIGHBOURS + 1):
            out += [main + "N" * k, main + "N" * k + "T"]
            if k:
                out += [main + "N" * k + "T" + "t" * k, main + "T" + "Nt" * k]
    for k in range(1, MAX_NEIGHBOURS + 1):
        out += ["N" * k, "N" * k + "T"]
    return out


_LAYOUTS_BY_SIZE: dict[int, list[str]] = {}
for _layout in _candidate_layouts():
    _LAYOUTS_BY_SIZE.setdefault(sum(SEGMENT_SIZE[c] for c in _layout), []).append(_layout)


def _read_dump(fields: list[str], layout: str, lenient_main: bool = False) -> list[ParseRecord]:
    main: Cell | None = None
    neighbours: list[Cell | None] = []
    pos = 0
    for seg in layout:
        size = SEGMENT_SIZE[seg]
        part = fields[pos:pos + size]
        pos += size
        if seg == "M":
            main = _cced_cell(part, SERVING, any_width=lenient_main)
        elif seg == "m":
            main = _cced_cell(part[:3] + [""] + part[3:], SERVING, any_width=lenient_main)
        elif seg == "N":
            neighbours.append(_cced_cell(part, NEIGHBOUR, any_width=lenient_main))
        elif seg == "T":
            ta = radio.valid_ta(_num(part[0], lo=0, hi=255))
            if main is not None:
                main = replace(main, ta=ta)
        # "t": the neighbour TAs go to the neighbours in order, below
    return _attach_neighbour_tas(fields, layout, main, neighbours)


def _attach_neighbour_tas(fields: list[str], layout: str, main: Cell | None,
                          neighbours: list[Cell | None]) -> list[ParseRecord]:
    tas: list[int | None] = []
    pos = 0
    for seg in layout:
        if seg == "t":
            tas.append(radio.valid_ta(_num(fields[pos], lo=0, hi=255)))
        pos += SEGMENT_SIZE[seg]
    for i, ta in enumerate(tas):
        cell = neighbours[i] if i < len(neighbours) else None
        if cell is not None:
            neighbours[i] = replace(cell, ta=ta)
    records: list[ParseRecord] = [main] if main is not None else []
    records.extend(c for c in neighbours if c is not None)
    return records


# Wavecom AT+CCED=0,<dump> (Fargo Maestro WM_DEV_OAT_UGD_049 p.16, Multi-Tech S000293I):
#   main cell  MCC,MNC,LAC,CI,BSIC,BCCH Freq,RxLev,RxLev Full,RxLev Sub,RxQual,RxQual Full,RxQual Sub,Idle TS
#   neighbours MCC,MNC,LAC,CI,BSIC,BCCH Freq,RxLev   (x 1..6)   then TA (dump 4), then with
#   dump 16 one TA per neighbour (idle only). Dump 8 answers +CSQ instead (generic parser).
# Real capture, Telit LE910R1 firmware code path (public source, docs/at-commands.md §3.3):
#   +CCED: 286,01,6B2A,F271,11,50,47,47,47,0,0,0,
# Luat/ASR Air780 (docs.openluat.com, docs/at-commands.md §3.7): MCC,MNC,lac,cellid,bsic,rxlev,RxLevSub,Arfcn
#   +CCED:GSM current cell info:460,00,18be,5045,13,63,63,6
def parse_cced(line: str) -> list[ParseRecord] | None:
    body = line.split(":", 1)[1] if ":" in line else ""
    low = body.lower()
    if "cell info" in low:
        return _parse_luat(body)
    fields = tokens(body)
    if len(fields) == 1:
        if fields[0] == "":
            return []  # "+CCED:" with nothing measured
        # Dump 4 alone: the main cell's timing advance (merged into the serving cell).
        ta = radio.valid_ta(_num(fields[0], lo=0, hi=255))
        return [Cell(role=SERVING, tech=GSM, ta=ta)] if ta is not None else []
    if len(fields) > MAIN_FIELDS and fields[-1] == "" and len(fields) not in _LAYOUTS_BY_SIZE:
        fields = fields[:-1]  # a trailing comma after the last neighbour
    layouts = _LAYOUTS_BY_SIZE.get(len(fields), [])
    # Keep the first layout whose fields all have the right shape.
    error = Garbled(f"+CCED with {len(fields)} fields fits no dump layout")
    for layout in layouts:
        try:
            return _read_dump(fields, layout)
        except Garbled as exc:
            error = exc
    # A value too wide in the main cell (MCC of 4+ digits...): the other fields' shapes and
    # the neighbours still choose the layout.
    for layout in layouts:
        try:
            return _read_dump(fields, layout, lenient_main=True)
        except Garbled:
            pass
    records = _read_certain(fields)
    if not records:
        raise error
    return records


def _read_certain(fields: list[str]) -> list[ParseRecord]:
    """No layout fits (a value out of range, a lost or doubled comma, a firmware's extra
    field): read the standard order - main cell, then neighbours - and stop at the first
    neighbour whose fields are out of place; every cell before the damage is certain."""
    if len(fields) < 6:
        return []
    main = _cced_cell(fields[:MAIN_FIELDS] + [""] * (MAIN_FIELDS - len(fields)), SERVING, lenient=True)
    records: list[ParseRecord] = [main] if main is not None else []
    pos = MAIN_FIELDS
    while pos + NEIGHBOUR_FIELDS <= len(fields) and len(records) <= MAX_NEIGHBOURS:
        try:
            cell = _cced_cell(fields[pos:pos + NEIGHBOUR_FIELDS], NEIGHBOUR, any_width=True)
        except Garbled:
            break
        if cell is not None:
            records.append(cell)
        pos += NEIGHBOUR_FIELDS
    return records


def _parse_luat(body: str) -> list[ParseRecord]:
    kind, _, values = body.partition("info:")
    if "current" not in kind.lower():
        return []  # other Luat info lines: layout not documented, nothing read from them
    f = tokens(values)
    if len(f) != 8:
        raise Garbled("Luat +CCED current cell info needs 8 fields")
    mcc = _num(f[0], lo=0, hi=999)
    mnc = _num(f[1], lo=0, hi=999)
    rxlev = _num(f[5], lo=0, hi=63)
    return [Cell(role=SERVING, tech=GSM, mcc=mcc or None, mnc=mnc if mcc else None,
                 lac=_num(f[2], lo=1, hi=0xFFFE, hexa=True), ci=_num(f[3], lo=1, hi=0xFFFE, hexa=True),
                 bsic=_num(f[4], lo=0, hi=63), rxlev=rxlev, rxlev_dbm=radio.rxlev_to_dbm(rxlev),
                 rxlev_sub=_num(f[6], lo=0, hi=63), arfcn=radio.valid_arfcn(_num(f[7], lo=0, hi=1023)))]
