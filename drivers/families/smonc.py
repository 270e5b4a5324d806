"""``^SMONC``, the cell monitoring dump of the Siemens lineage, and the field shapes that
lineage shares: Siemens/Cinterion modules and the Huawei MG323, which implements the same
command (docs/at-commands.md §3.5, §3.7). Families ``cinterion`` and ``huawei`` register
``parse_smonc``; ``cinterion`` reads its other tables (``^SMOND``, ``^MONI``, ``^SMONI``) with
the same field helpers. A shared module, as ModemManager keeps its shared vendor helpers, so
that no vendor imports another.

Siemens prints LAC and cell id in hex (``0000`` = not decoded), MCC/MNC in decimal (``000`` =
not decoded) and BSIC as two NCC,BCC octal digits (``32``).
"""

from __future__ import annotations

from drivers.families.fields import Garbled, dec, hexnum, tokens
from fieldapp import radio
from fieldapp.model import GSM, NEIGHBOUR, SERVING, Cell, ParseRecord


def hex_lac(token: str) -> int | None:
    return hexnum(token, lo=1, hi=0xFFFE)  # 0000 = not decoded


def hex_cell_id(token: str) -> int | None:
    v = hexnum(token, lo=1)  # 0000 = not decoded, FFFF = SysInfo 3 not read yet
    return None if v == 0xFFFF else v


def dec_mcc_mnc(mcc_tok: str, mnc_tok: str) -> tuple[int | None, int | None]:
    mcc = dec(mcc_tok, lo=1, hi=999)  # 000 = not decoded
    return mcc, (dec(mnc_tok, lo=0, hi=999) if mcc is not None else None)


def bsic_two_digits(token: str) -> int | None:
    """^SMONC/^SMOND BSIC: two digits NCC,BCC ("32"); "00" = not decoded (TC35i manual)."""
    return None if token == "00" else radio.bsic_from_octal(token)


# TC35i_ATC_V01.05 p.208 / TC3X_ATC_01_V04.00 p.161 (Siemens manual example):
#   ^SMONC: 232,03,3010,4EAF,32,82,38,30,30,232,03,3010,0000,36,88,26,18,18,232,03,3010,4EC3,
#   32,112,23,15,15,232,03,3010,4BDA,34,90,17,9,9,232,03,3010,0000,32,99,15,7,7,232,03,2010,
#   00C0,35,113,9,1,1,232,03,3520,0000,32,85,8,0,0
# 9 values per cell, up to 7 cells (first = serving): MCC,MNC,LAC,cell,BSIC,chann,RSSI(0..63),
# C1,C2. "000,000,0000,0000,00,0,0,-,-" = no cell (chann 0: nothing of that cell decoded).
# Huawei MG323 implements the same command (manualsdump huawei-mg323 p.100).
def parse_smonc(line: str) -> list[ParseRecord] | None:
    body = line.split(":", 1)[1] if ":" in line else ""
    f = tokens(body)
    if f == [""]:
        return []
    if len(f) % 9 != 0 or len(f) > 63:
        raise Garbled(f"^SMONC with {len(f)} values (9 per cell expected)")
    out: list[ParseRecord] = []
    for i in range(0, len(f), 9):
        mcc_t, mnc_t, lac_t, ci_t, bsic_t, ch_t, rssi_t, c1_t, c2_t = f[i:i + 9]
        arfcn = dec(ch_t, strict=True)
        if not arfcn:
            continue  # chann 0: not decoded, the rest of this cell is not either
        if radio.valid_arfcn(arfcn) is None and not any(
                t.strip("0-") for t in (mcc_t, mnc_t, lac_t, ci_t, bsic_t)):
            continue  # an empty slot whose channel is out of range: still an empty slot
        mcc, mnc = dec_mcc_mnc(mcc_t, mnc_t)
        rxlev = dec(rssi_t, lo=0, hi=63, strict=True)
        out.append(Cell(role=SERVING if i == 0 else NEIGHBOUR, tech=GSM, mcc=mcc, mnc=mnc,
                        lac=hex_lac(lac_t), ci=hex_cell_id(ci_t), bsic=bsic_two_digits(bsic_t),
                        arfcn=radio.valid_arfcn(arfcn), rxlev=rxlev,
                        rxlev_dbm=radio.rxlev_to_dbm(rxlev), c1=dec(c1_t), c2=dec(c2_t)))
    return out
