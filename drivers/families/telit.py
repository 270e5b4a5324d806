"""Telit family (GM862, GE910, HE910, LE910...): ``#MONI`` label and table modes, ``#SERVINFO``,
the Wavecom-style ``+CCED`` and the ``#BCCHLOCK`` read reply (docs/at-commands.md §3.3, §4).

BSIC is printed as two digits NCC,BCC (``BSIC:70``, ``74``: values above 63 prove it is not
decimal), decoded with ``radio.bsic_from_octal``. LAC and cell id are hex.
"""

from __future__ import annotations

from drivers.families.base import Family, register
from drivers.families.cced import parse_cced
from drivers.families.fields import Garbled, clean, dec, hexnum, number, split_fields, tokens
from drivers.families.survey import csurv_block
from drivers.families.threegpp import level_from_dbm
from fieldapp import radio
from fieldapp.model import GSM, LTE, NEIGHBOUR, SERVING, UMTS, Cell, Info, ParseRecord


def bsic_digits(token: str | None) -> int | None:
    """Telit BSIC: two digits NCC,BCC ("73" → NCC 7, BCC 3 → 59). One digit is NCC 0 (the
    value printed as an integer). ``FF``/``FFFF7``/anything else → None."""
    if token is None:
        return None
    t = clean(token) if '"' in token else token.strip()
    if len(t) == 1 and t in "01234567":
        return int(t)
    return radio.bsic_from_octal(t)


def dbm_token(token: str | None) -> float | None:
    """A printed level: ``-70dbm``, ``-80``, ``-99 dBm`` → float; markers/garbage → None."""
    if not token:
        return None
    t = token.lower()
    if t.endswith("dbm"):
        t = t[:-3]
    if t[:1] == "-" and t[1:].isdigit() and t.isascii():
        return float(-int(t[1:])) if t != "-0" else None
    return number(token)


def _opt_dec(token: str | None, **kw) -> int | None:
    return None if token is None else dec(token, **kw)


def _level(dbm: float | None) -> tuple[int | None, float | None]:
    # Shared with the generic parsers: saturate at the RXLEV scale's ends, garbage → None.
    return level_from_dbm(dbm)


def _ci(token: str | None) -> int | None:
    if token is None:
        return None
    v = hexnum(token, lo=1)
    return None if v in (0xFFFF, 0xFFFFFFF) else v


def _lac(token: str | None) -> int | None:
    return None if token is None else hexnum(token, lo=1, hi=0xFFFE)


# ------------------------------------------------------------------------- #MONI label mode

LABELS = frozenset({"BSIC", "RXQUAL", "LAC", "ID", "ARFCN", "UARFCN", "EARFCN", "PWR", "TA", "CC",
                    "NC", "PSC", "RSCP", "ECIO", "RSRP", "RSRQ", "TAC", "DRX", "SCR"})


def _labels(text: str) -> tuple[str, dict[str, str]]:
    """Split ``name LABEL:value LABEL: value ...`` into the leading name and a label map.
    Tolerates a value after a space (``ARFCN: 59``) and a unit fused to the next label
    (``-80 dBmTA:0``)."""
    toks = text.split()
    out: dict[str, str] = {}
    name_end: int | None = None
    i = 0
    while i < len(toks):
        tok = toks[i]
        label, colon, value = tok.partition(":")
        if colon:
            key = label.upper()
            if key not in LABELS and key.startswith("DBM") and key[3:] in LABELS:
                key = key[3:]  # "dBmTA:0"
            if key in LABELS:
                if name_end is None:
                    name_end = i
                if not value and i + 1 < len(toks) and ":" not in toks[i + 1]:
                    i += 1
                    value = toks[i]
                out[key] = value.lstrip(",")  # HE863 guide prints "LAC:,<lac>" for WCDMA
        i += 1
    if name_end is None:
        raise Garbled("#MONI line without any LABEL:value")
    return " ".join(toks[:name_end]), out


def _label_cell(text: str) -> Cell | None:
    name, lab = _labels(text)
    role = SERVING
    if name.lower().startswith("adj cell"):
        role = NEIGHBOUR
        name = ""
    if "EARFCN" in lab or "RSRP" in lab:
        return _label_lte(lab, name, role)
    if "UARFCN" in lab or "PSC" in lab:
        return _label_umts(lab, name, role)
    rxlev, dbm = _level(dbm_token(lab.get("PWR")))
    mcc = _opt_dec(lab.get("CC"), lo=1, hi=999)
    return Cell(
        role=role, tech=GSM, mcc=mcc, mnc=_opt_dec(lab.get("NC"), lo=0, hi=999) if mcc else None,
        lac=_lac(lab.get("LAC")), ci=_ci(lab.get("ID")),
        arfcn=radio.valid_arfcn(_opt_dec(lab.get("ARFCN"))), bsic=bsic_digits(lab.get("BSIC")),
        rxlev=rxlev, rxlev_dbm=dbm, rxqual=_opt_dec(lab.get("RXQUAL"), lo=0, hi=7),
        ta=radio.valid_ta(_opt_dec(lab.get("TA"))), operator=name or None)


def _label_lte(lab: dict[str, str], name: str, role: str) -> Cell:
    # LM960 guide §5.6.1.24: "#MONI: <netname> RSRP:<rsrp> RSRQ:<rsrq> TAC:<tac> Id:<id>
    # EARFCN:<earfcn> PWR:<dBm>dbm DRX:<drx>"; for neighbours Id is the PCI in hex.
    ident = hexnum(lab.get("ID"))
    return Cell(role=role, tech=LTE, arfcn=dec(lab.get("EARFCN"), lo=0, hi=262143),
                lac=hexnum(lab.get("TAC"), lo=1, hi=0xFFFE),
                ci=ident if role == SERVING else None, pci=ident if role == NEIGHBOUR else None,
                rsrp_dbm=number(lab.get("RSRP"), lo=-156, hi=-31),
                rsrq_db=number(lab.get("RSRQ"), lo=-35, hi=3), operator=name or None)


def _label_umts(lab: dict[str, str], name: str, role: str) -> Cell:
    # HE863 guide 80377ST10083a p.141: "#MONI: <netname> PSC:<psc> RSCP:<rscp> LAC:<lac> Id:<id>
    # EcIo:<ecio> UARFCN:<uarfcn> PWR:<dBm> dBm DRX:<drx> SCR:<scr>"
    return Cell(role=role, tech=UMTS, arfcn=dec(lab.get("UARFCN"), lo=0, hi=16383),
                pci=dec(lab.get("PSC"), lo=0, hi=511), lac=_lac(lab.get("LAC")), ci=_ci(lab.get("ID")),
                rscp_dbm=number(lab.get("RSCP"), lo=-125, hi=-20),
                ecno_db=number(lab.get("ECIO"), lo=-30, hi=0), operator=name or None)


# ------------------------------------------------------------------------- #MONI table mode

TABLE_HEADER = ("cell", "bsic", "lac", "cellid", "arfcn", "power")


def _table_row(text: str) -> list[ParseRecord] | None:
    """A row of the AT#MONI=7 table; None when ``text`` is not a table row."""
    toks = text.split()
    if not toks:
        return None
    if toks[0].lower() == "cell" and tuple(t.lower() for t in toks[:6]) == TABLE_HEADER:
        return []  # the header row names the columns
    head = toks[0].rstrip(":").upper()
    if head == "S" or (head[:1] == "N" and head[1:].isdigit()):
        if toks[-1] == ";":
            toks = toks[:-1]
        toks = [t.rstrip(";") for t in toks]
        if any(t.lower() == "dbm" for t in toks):  # "-78 dbm": the unit as its own column
            merged: list[str] = []
            for t in toks:
                if t.lower() == "dbm" and merged:
                    merged[-1] += t
                else:
                    merged.append(t)
            toks = merged
        serving = head == "S"
        if len(toks) < (10 if serving else 8):
            raise Garbled(f"#MONI table row with {len(toks)} columns")
        bsic_tok, lac_tok, ci_tok = toks[1], toks[2], toks[3]
        undecoded = bsic_tok.upper() == "FF" and lac_tok.upper() == "FFFF"
        arfcn = radio.valid_arfcn(dec(toks[4], strict=True))
        rxlev, dbm = _level(dbm_token(toks[5]))
        if arfcn is None and undecoded:
            return []  # an empty neighbour slot: "N3 FF FFFF 0000 1024 -111dbm -1 -1"
        c1 = None if undecoded else dec(toks[6], strict=True)
        c2 = None if undecoded else dec(toks[7], strict=True)
        ta = rxqual = operator = None
        if serving:
            ta = radio.valid_ta(dec(toks[8], strict=True))
            rxqual = dec(toks[9], lo=0, hi=7)
            operator = " ".join(toks[10:]) or None
        return [Cell(role=SERVING if serving else NEIGHBOUR, tech=GSM, lac=_lac(lac_tok),
                     ci=_ci(ci_tok), arfcn=arfcn, bsic=bsic_digits(bsic_tok), rxlev=rxlev,
                     rxlev_dbm=dbm, c1=c1, c2=c2, ta=ta, rxqual=rxqual, operator=operator)]
    return None


# Telit AT Commands Reference Guide 80000ST10025a Rev.5 pp.273-276 (manualsdir.com 281107):
#   label mode  #MONI: <netname> BSIC:<bsic> RxQual:<qual> LAC:<lac> Id:<id> ARFCN:<arfcn> PWR:<dBm> dBm TA: <timadv>
#               #MONI: Cc:<cc> Nc:<nc> BSIC:... / #MONI: Adj Cell<n> [LAC:<lac> Id:<id>] ARFCN:<arfcn> PWR:<dBm> dBm
#   table mode  #MONI: Cell BSIC LAC CellId ARFCN Power C1 C2 TA RxQual PLMN
#               #MONI: S: <bsic> <lac> <id> <arfcn> <dBm> <C1> <C2> <timadv> <qual> <netname>
#               #MONI: N<n> <bsic> <lac> <id> <arfcn> <dBm> <C1> <C2>
# Real replies: "#MONI: Cingular BSIC:51 RxQual:0 LAC:8AD3 Id:6014 ARFCN:148 PWR:-99dbm TA:0"
# (Arduino GSMbase comment), "#MONI: TR TURKCELL BSIC:73 RxQual:0 LAC:6B2A Id:F26C ARFCN:60
# PWR:-70dbm TA:0" (LE910R1 firmware comment), "#MONI: I TIM BSIC:23 RxQual:7 LAC:AEAD Id:5265
# ARFCN: 59 PWR: -80 dBm TA:0" (GM862 software user guide 1vv0300747 p.21), table rows
# "#MONI: S 74 E720 9976 1022 -60dbm 45 0 1 0 E-Plus" / "#MONI: N1 FF FFFF 0000 980 -76dbm -1 -1"
# (a public tracker README).
def parse_moni(line: str) -> list[ParseRecord] | None:
    body = line.split(":", 1)[1].strip() if ":" in line else ""
    if body.endswith(";"):
        body = body[:-1].rstrip()
    if not body or body.isdigit() or body.startswith("("):
        return []  # AT#MONI? ("#MONI: 7") and AT#MONI=? ("#MONI: (0-7)"): settings, no cell
    if ":" not in body:  # label mode always has LABEL:value; a named network may start with "S "
        row = _table_row(body)
        if row is not None:
            return row
    elif body.split()[0].rstrip(":").upper() == "S" and "BSIC:" not in body.upper():
        row = _table_row(body)  # the manual's "S: <bsic> ..." serving row
        if row is not None:
            return row
    cell = _label_cell(body)
    return [cell] if cell is not None else []


def parse_moni_block(lines: list[str]) -> list[ParseRecord]:
    """Table rows printed without the ``#MONI:`` prefix (header and S/N rows)."""
    out: list[ParseRecord] = []
    for raw in lines:
        row = _table_row(raw.strip())
        if row:
            out.extend(row)
    return out


# ------------------------------------------------------------------------- #SERVINFO


def _netcode(token: str) -> tuple[int | None, int | None]:
    t = clean(token)
    if not t.isdigit() or len(t) not in (5, 6):
        return None, None
    return dec(t[:3], lo=1, hi=999), dec(t[3:], lo=0, hi=999)


# Telit #SERVINFO (80000ST10025a; HE910/UE866 guides):
#   GSM  #SERVINFO: <B-ARFCN>,<dBM>,<NetNameAsc>,<NetCode>,<BSIC>,<LAC>,<TA>,<GPRS>[,[<PB-ARFCN>],[<NOM>],<RAC>,[<PAT>]]
#   UMTS #SERVINFO: <UARFCN>,<dBM>,<NetNameAsc>,<NetCode>,<PSC>,<LAC>,<DRX>,<SD>,<RSCP>,<NOM>,<RAC>
#   LTE  #SERVINFO: <EARFCN>,<dBM>,<NetNameAsc>,<NetCode>,<PhysicalCellId>,<TAC>,<DRX>,<SD>,<RSRP>
# Real strings (pmoerenhout/atcommander ServInfoResponseTest): normal
#   #SERVINFO: 841,-95,"T-Mobile NL","20416",43,03F8,01,1,,"I",01,6
# and corrupt/empty ones:
#   #SERVINFO: ,,"vodafone NL","20404",,03X02D3,64,1,,"II"
#   #SERVINFO: 1001,-91,"vodafone NL","20404",FFFF7,00DE,00,1,,"II",03,6
#   #SERVINFO: 65535,-0,"vodafone NL(","20404",65535,00DE,64,3,-255,"II",FF
#   #SERVINFO: 0,,"NL KPN","20408",0,0000,0,1,-0,,00
# The RAT is not printed: a valid RSCP/RSRP in field 9 means UMTS/LTE; a 5+ digit hex cell id
# in field 5 (LTE prints the cell identity there, e.g. 00000AF) means LTE [inferred].
def parse_servinfo(line: str) -> list[ParseRecord] | None:
    body = line.split(":", 1)[1] if ":" in line else ""
    f = tokens(body)
    if len(f) < 8:
        raise Garbled(f"#SERVINFO with {len(f)} fields")
    mcc, mnc = _netcode(f[3])
    operator = f[2] or None
    dbm = dbm_token(f[1])
    code9 = dec(f[8]) if len(f) > 8 else None
    lte = len(f[4]) >= 5
    # RSRP is measured over -140..-44 dBm (TS 36.133), RSCP over -120..-25 (TS 25.133).
    in_range = code9 is not None and ((lte and -140 <= code9 <= -44) or (not lte and -120 <= code9 <= -25))
    # A channel above 1023 is no GSM B-ARFCN: with a 9th field printed, the line is UMTS/LTE
    # even when that field's value is out of range (it is then unknown, not a RAT switch).
    first = dec(f[0])
    not_gsm = code9 is not None and first is not None and 1023 < first < 65535
    if in_range or not_gsm:
        level = float(code9) if in_range and code9 is not None else None
        if lte:
            return [Cell(role=SERVING, tech=LTE, mcc=mcc, mnc=mnc, operator=operator,
                         arfcn=dec(f[0], lo=0, hi=262143), ci=hexnum(f[4], lo=1),
                         lac=hexnum(f[5], lo=1, hi=0xFFFE), rsrp_dbm=level)]
        return [Cell(role=SERVING, tech=UMTS, mcc=mcc, mnc=mnc, operator=operator,
                     arfcn=dec(f[0], lo=0, hi=16383), pci=dec(f[4], lo=0, hi=511),
                     lac=_lac(f[5]), rscp_dbm=level)]
    rxlev, level_dbm = _level(dbm)
    lac = _lac(f[5])
    arfcn = radio.valid_arfcn(dec(f[0]))
    bsic = bsic_digits(f[4])
    ta = radio.valid_ta(dec(f[6]))
    if level_dbm is None and lac is None:
        # "0,,"NL KPN","20408",0,0000,0,..." is not camped: its zeros are not a cell.
        arfcn = bsic = ta = None
    return [Cell(role=SERVING, tech=GSM, mcc=mcc, mnc=mnc, operator=operator, arfcn=arfcn,
                 rxlev=rxlev, rxlev_dbm=level_dbm, bsic=bsic, lac=lac, ta=ta)]


# ------------------------------------------------------------------------- #BCCHLOCK

# Read reply seen in public code that also sends AT#BCCHLOCK=1024,0,65535,0,0 to unlock
# (docs/at-commands.md §4): "#BCCHLOCK: <a>,<b>,<c>,<earfcn>,<pci>". First field = GSM BCCH ARFCN, 1024
# (or 0, per a gateway UI) = not locked [inferred]; UARFCN 0 / PSC 65535 = no 3G lock.
def parse_bcchlock(line: str) -> list[ParseRecord] | None:
    body = line.split(":", 1)[1] if ":" in line else ""
    if "(" in body:
        return []  # AT#BCCHLOCK=? lists the ranges
    f = [clean(x) for x in split_fields(body)]
    raw = [dec(x, strict=True) for x in f]
    bcch = raw[0]
    if bcch is None:
        raise Garbled("#BCCHLOCK without a BCCH field")
    locked = bcch is not None and 1 <= bcch <= 1023
    value = {"bcch_arfcn": bcch if locked else None, "locked": locked, "raw": raw}
    return [Info(key="bcch_lock", value=value)]


TELIT = register(Family(
    name="telit",
    match=("telit",),
    # #MONI=7 selects the table of all seven cells (serving + 6 neighbours) for AT#MONI.
    init_commands=("AT+CMEE=1", "AT+CREG=2", "AT#MONI=7"),
    poll_commands=("AT+CSQ", "AT+CREG?", "AT#MONI", "AT#SERVINFO"),
    line_parsers={"#MONI:": parse_moni, "#SERVINFO:": parse_servinfo, "+CCED:": parse_cced,
                  "#BCCHLOCK:": parse_bcchlock},
    block_parsers={"AT#MONI": parse_moni_block, "AT#CSURV": csurv_block, "AT*CSURV": csurv_block},
    # #ECAM call-state URCs (threegpp.parse_ecav) are read when the module sends them (after
    # AT#ECAM=1); the calls are still followed by +CLCC polling, which every Telit answers.
    urc_prefixes=("#ECAM:",),
    call_state_by="clcc-poll",
    # Only the 5-parameter form has been seen (public code unlocking with 1024,0,65535,0,0);
    # the lock mirrors it with the BCCH ARFCN first and "no 3G/4G lock" in the rest [inferred].
    lock_command="AT#BCCHLOCK={arfcn},0,65535,0,0",
    unlock_command="AT#BCCHLOCK=1024,0,65535,0,0",
    fields=frozenset({"rxlev", "rxqual", "bsic", "lac", "ci", "c1", "c2", "ta", "neighbours",
                      "cell_lock"}),
    notes=(
        "#BCCHLOCK parameter list only partially confirmed (docs/at-commands.md §4): the lock sends "
        "<arfcn>,0,65535,0,0 by analogy with the seen unlock 1024,0,65535,0,0; check the "
        "module's AT guide and verify on the bench that the lock holds through a call.",
        "#MONI TA is meaningful only during calls or GPRS transfers (Telit guide).",
        "No dedicated-channel (TCH ARFCN/timeslot) report documented for #MONI.",
    ),
))
