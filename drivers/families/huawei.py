"""Huawei family (data cards and M2M modules): the ``^ORIG``/``^CONF``/``^CONN``/``^CEND`` call
progress URCs, ``^SYSINFO``, and the Siemens-style ``^SMONC`` of the MG323
(docs/at-commands.md §1.2, §3.7, §4).
"""

from __future__ import annotations

from drivers.families.base import Family, register
from drivers.families.fields import Garbled, dec, split_fields
from drivers.families.smonc import parse_smonc
from drivers.families.threegpp import CC_CAUSES
from fieldapp.model import (
    CALL_ACTIVE,
    CALL_ALERTING,
    CALL_DIALING,
    CALL_RELEASED,
    CallState,
    Info,
    ParseRecord,
)

# Huawei <call_type>: 0 voice, 1 CS data, 2 PS data, 9 emergency (Huawei AT interface specs).
CALL_TYPES = {0: "voice", 1: "data", 2: "data", 9: "voice"}

def _fields(line: str, least: int) -> list[str]:
    body = line.split(":", 1)[1] if ":" in line else ""
    f = [x.strip() for x in split_fields(body)]
    if len(f) < least or f[0] == "":
        raise Garbled(f"{line.split(':', 1)[0]} needs {least} fields")
    return f


def _call_id(token: str) -> int:
    v = dec(token, lo=0, hi=99, strict=True)
    if v is None:
        raise Garbled("call id missing")
    return v


# Call progress URCs (python-gsmmodem gsmmodem/modem.py regexes and test/fakemodems.py,
# HuaweiK3715 profile):
#   ^ORIG:1,0        call 1 (type 0 = voice) being dialled
#   ^CONF:1          ringback: the far end is alerting
#   ^CONN:1,0        connected
#   ^CEND:1,5,29,16  ended after 5 s, end status 29, CC cause 16 (normal clearing)
def parse_orig(line: str) -> list[ParseRecord] | None:
    f = _fields(line, 1)
    return [CallState(index=_call_id(f[0]), direction="mo", state=CALL_DIALING,
                      mode=CALL_TYPES.get(dec(f[1])) if len(f) > 1 else None)]


def parse_conf(line: str) -> list[ParseRecord] | None:
    f = _fields(line, 1)
    return [CallState(index=_call_id(f[0]), direction="mo", state=CALL_ALERTING)]


def parse_conn(line: str) -> list[ParseRecord] | None:
    f = _fields(line, 1)
    return [CallState(index=_call_id(f[0]), state=CALL_ACTIVE,
                      mode=CALL_TYPES.get(dec(f[1])) if len(f) > 1 else None)]


def parse_cend(line: str) -> list[ParseRecord] | None:
    # ^CEND:<call_x>,<duration>,<end_status>[,<cc_cause>]: cc_cause is absent when the call
    # ended before the network sent one.
    f = _fields(line, 3)
    cause = dec(f[3], lo=0, hi=127) if len(f) > 3 else None
    return [CallState(index=_call_id(f[0]), state=CALL_RELEASED, duration_s=dec(f[1], lo=0),
                      cause=cause, cause_text=CC_CAUSES.get(cause) if cause is not None else None)]


# ^SYSINFO:<srv_status>,<srv_domain>,<roam_status>,<sys_mode>,<sim_state>[,<lock_state>,<sys_submode>]
# Real reply (public AT log of a Huawei modem): ^SYSINFO:2,1,0,5,1,,4
# sys_mode 3 = GSM/GPRS, 5 = WCDMA; srv_status 2 = valid service.
SYS_MODES = {0: "no service", 1: "AMPS", 2: "CDMA", 3: "GSM/GPRS", 4: "HDR", 5: "WCDMA", 6: "GPS",
             7: "GSM/WCDMA", 8: "CDMA/HDR hybrid", 9: "TD-SCDMA"}


def parse_sysinfo(line: str) -> list[ParseRecord] | None:
    f = _fields(line, 5)
    vals = [dec(x) for x in f]
    mode = vals[3]
    return [Info(key="sysinfo", value={
        "srv_status": vals[0], "srv_domain": vals[1], "roaming": vals[2], "sys_mode": mode,
        "sys_mode_text": SYS_MODES.get(mode) if mode is not None else None, "sim_state": vals[4],
        "sys_submode": vals[6] if len(vals) > 6 else None})]


HUAWEI = register(Family(
    name="huawei",
    match=("huawei",),
    # What python-gsmmodem sends on connect (ATZ, ATE0 and AT+CFUN? are the channel's job):
    # numeric errors, ^CVOICE=0 (voice on data cards that have it), long operator names,
    # caller id, +CRING with the call type, and ATH hanging up a voice call (+CVHU=0).
    init_commands=("AT+CMEE=1", "AT^CVOICE=0", "AT+COPS=3,0", "AT+CLIP=1", "AT+CRC=1",
                   "AT+CVHU=0", "AT+CREG=2"),
    poll_commands=("AT+CSQ", "AT+CREG?", "AT^SYSINFO"),
    line_parsers={"^ORIG:": parse_orig, "^CONF:": parse_conf, "^CONN:": parse_conn,
                  "^CEND:": parse_cend, "^SYSINFO:": parse_sysinfo, "^SMONC:": parse_smonc},
    block_parsers={},
    urc_prefixes=("^ORIG:", "^CONF:", "^CONN:", "^CEND:"),
    call_state_by="urc",
    lock_command=None,
    unlock_command=None,
    fields=frozenset({"lac", "ci"}),  # from +CREG=2; no GSM engineering mode on data cards
    notes=(
        "AT^FREQLOCK=1,<freq> exists on Huawei data cards but its RAT scope is not stated: "
        "unconfirmed for GSM, so no ARFCN lock is offered (docs/at-commands.md §4).",
        "Errors may come as COMMAND NOT SUPPORT instead of ERROR.",
        "MG323 modules answer the Siemens-style AT^SMONC (serving + 6 neighbours); poll it by hand.",
    ),
))
