"""Wavecom / Sierra Wireless AirPrime family: ``+CCED`` cell environment dump and ``+WIND`` call
indications (docs/at-commands.md §3.6, §1.2).

``+CCED`` is also printed by Wavecom-compatible modules (Telit LE910R1, ZTE ME3000, Luat/ASR):
its parser lives in the shared lineage module ``cced``, which this family and ``telit`` use.
"""

from __future__ import annotations

from drivers.families.base import Family, register
from drivers.families.cced import parse_cced
from drivers.families.fields import dec, tokens
from fieldapp.model import (
    CALL_ALERTING,
    CALL_DIALING,
    CALL_RELEASED,
    GSM,
    SERVING,
    CallState,
    Cell,
    ParseRecord,
    Urc,
)


# Wavecom call indications after AT+WIND=50 (python-gsmmodem test/fakemodems.py,
# WavecomMultiband900E1800; gsmmodem/modem.py):
#   +WIND: 5,1     call 1 created        +WIND: 2     remote party is ringing
#   +WIND: 6,1     call 1 released       (other indicators: SIM, ready, network, audio...)
def parse_wind(line: str) -> list[ParseRecord] | None:
    body = line.split(":", 1)[1].strip() if ":" in line else ""
    f = tokens(body)
    code = dec(f[0], strict=True)
    idx = dec(f[1], lo=0, hi=99) if len(f) > 1 else None
    if code == 5:
        # Created after our ATD (python-gsmmodem uses it as the dialling confirmation);
        # the direction is whatever the host did, so it is not guessed here.
        return [CallState(index=idx, state=CALL_DIALING)]
    if code == 2:
        return [CallState(state=CALL_ALERTING, direction="mo")]
    if code == 6:
        return [CallState(index=idx, state=CALL_RELEASED)]
    return [Urc(name="+WIND", text=body)]


# Sierra Wireless AT!GSMINFO? (MC77xx and similar): a "!GSMINFO:" line, then a block of
# "label:<TAB>value" lines. Public MC7700 code matches "!GSMINFO:.*\r\nCell ID:[\t]*([0-9]+)\r\n";
# other parsers read "LAC:" and "RAC:" (docs/at-commands.md §3.6). Only the labels are known and the LAC
# encoding is not documented, so only the decimal Cell ID is read.
def parse_gsminfo(line: str) -> list[ParseRecord] | None:
    return []  # the header line; the labels follow without prefix


def parse_gsminfo_block(lines: list[str]) -> list[ParseRecord]:
    ci = None
    seen = False
    for raw in lines:
        label, sep, value = raw.partition(":")
        if not sep:
            continue
        if label.strip().lower() == "cell id":
            seen = True
            ci = dec(value, lo=1, hi=0xFFFFFFF)
    return [Cell(role=SERVING, tech=GSM, ci=ci)] if seen and ci is not None else []


WAVECOM = register(Family(
    name="wavecom",
    match=("wavecom", "sierra", "fargo", "airprime"),
    # +WIND=50: call created/released and remote alerting indications; caller id, +CRING with
    # the call type, ATH hanging up a voice call: what python-gsmmodem sets up.
    init_commands=("AT+CMEE=1", "AT+CREG=2", "AT+WIND=50", "AT+CLIP=1", "AT+CRC=1", "AT+CVHU=0"),
    # dump 7 = main cell (1) + neighbours (2) + TA (4); RSSI comes from +CSQ.
    poll_commands=("AT+CSQ", "AT+CREG?", "AT+CCED=0,7"),
    line_parsers={"+CCED:": parse_cced, "+WIND:": parse_wind, "!GSMINFO:": parse_gsminfo},
    block_parsers={"AT!GSMINFO": parse_gsminfo_block},
    urc_prefixes=("+WIND:", "+CCED:"),
    call_state_by="urc",
    lock_command=None,
    unlock_command=None,
    fields=frozenset({"rxlev", "rxqual", "bsic", "lac", "ci", "ta", "neighbours"}),
    no_final_ok=("AT+CPIN?",),
    notes=(
        "AT+CPIN? answers +CPIN: READY without OK on old Wavecom firmware (python-gsmmodem).",
        "+CME ERROR: 515 for a while after AT+CFUN=1: retry later.",
        "ATD<number>; answers OK only when the far end answers (python-gsmmodem treats that OK "
        "as 'connected'); +WIND: 5 confirms the call was created.",
        "No GSM ARFCN lock documented; AT+WMBS restricts the band only (docs/at-commands.md §4).",
        "Dedicated channel (TCH ARFCN, timeslot) is not in +CCED; RxLev/RxQual Full/Sub are.",
    ),
))


# Sierra Wireless modules of the Qualcomm era (MC77xx, EM73xx): no +CCED/+WIND, the !GSMINFO
# block instead. Identification by "sierra" picks the Wavecom table above (AirPrime modules
# keep the Wavecom command set); this one is chosen by name (--family sierra).
SIERRA = register(Family(
    name="sierra",
    match=(),
    init_commands=("AT+CMEE=1", "AT+CREG=2"),
    poll_commands=("AT+CSQ", "AT+CREG?", "AT!GSMINFO?"),
    line_parsers={"!GSMINFO:": parse_gsminfo},
    block_parsers={"AT!GSMINFO": parse_gsminfo_block},
    call_state_by="clcc-poll",
    fields=frozenset({"lac", "ci"}),
    notes=(
        "!GSMINFO layout only known by its labels (Cell ID decimal, LAC, RAC): only Cell ID is read.",
        "+CEER may use the vendor form \"CC setup error\",288,\"MM no service\" (docs/at-commands.md §2.8).",
        "No GSM ARFCN lock documented; AT!BAND restricts bands only (docs/at-commands.md §4).",
    ),
))
