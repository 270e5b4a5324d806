"""The 27.007 commands every simulated family answers, and the simulator-only ``+FASIM*``
commands (documented in handset.py and scenarios/README.md). Each handler takes the handset,
the operation (``""``, ``"?"``, ``"="``, ``"=?"``) and the argument text, and returns the
information lines of the reply; errors raise ``AtError``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.sim import calls as cm
from drivers.sim.dialects.base import AtError, Handler, int_arg, split_args
from fieldapp import radio

if TYPE_CHECKING:
    from drivers.sim.handset import Handset

DIAL_CHARS = set("0123456789+*#ABCDabcdpPwW")


def _identity(key: str):
    def handler(h: Handset, op: str, args: str) -> list[str]:
        if op == "=?":
            return []
        if op:
            raise AtError(None)
        d = h.dialect
        if key == "imei":
            return [h.imei]
        if key == "revision":
            return [f"{d.cgmr_prefix}{d.revision}"]
        return [getattr(d, key)]
    return handler


def _cmee(h: Handset, op: str, args: str) -> list[str]:
    if op == "=?":
        return ["+CMEE: (0-2)"]
    if op == "?":
        return [f"+CMEE: {h.cmee}"]
    if op == "=":
        h.cmee = int_arg(args or "0", 0, 2)
        return []
    raise AtError(None)


def _csq(h: Handset, op: str, args: str) -> list[str]:
    if op == "=?":
        return ["+CSQ: (0-31,99),(0-7,99)"]
    if op:
        raise AtError(None)
    snap = h.snapshot()
    if snap.serving is None:
        return ["+CSQ: 99,99"]
    ber = snap.dedicated.rxqual_full if snap.dedicated else 99
    return [f"+CSQ: {radio.dbm_to_csq(snap.serving.level_dbm)},{ber}"]


def _cesq(h: Handset, op: str, args: str) -> list[str]:
    if op:
        raise AtError(None)
    snap = h.snapshot()
    if snap.serving is None:
        return ["+CESQ: 99,99,255,255,255,255"]
    ber = snap.dedicated.rxqual_full if snap.dedicated else 99
    return [f"+CESQ: {snap.serving.rxlev},{ber},255,255,255,255"]


def _creg(h: Handset, op: str, args: str) -> list[str]:
    if op == "=?":
        return ["+CREG: (0-2)"]
    if op == "=":
        h.creg_n = int_arg(args or "0", 0, 2)
        return []
    if op == "?":
        return [h.creg_line(h.creg_state(), with_n=True)]
    raise AtError(None)


def _cgreg(h: Handset, op: str, args: str) -> list[str]:
    if op == "=":
        int_arg(args or "0", 0, 2)
        return []
    if op == "?":
        return [f"+CGREG: 0,{h.creg_state()[0]}"]
    if op == "=?":
        return ["+CGREG: (0-2)"]
    raise AtError(None)


def _cops(h: Handset, op: str, args: str) -> list[str]:
    scen = h.engine.scenario
    plmn = f"{scen.cells[0].mcc:03d}{scen.cells[0].mnc:02d}"
    if op == "=?":
        return [f'+COPS: (2,"{h.operator}","{h.operator}","{plmn}"),,(0-4),(0-2)']
    if op == "=":
        parts = split_args(args)
        mode = int_arg(parts[0] or "0", 0, 4)
        if len(parts) > 1 and parts[1]:
            fmt = int_arg(parts[1], 0, 2)
            if mode == 3:
                h.cops_format = fmt
        return []
    if op == "?":
        snap = h.snapshot()
        if snap.serving is None:
            return ["+COPS: 0"]
        c = snap.serving.spec
        name = f"{c.mcc:03d}{c.mnc:02d}" if h.cops_format == 2 else h.operator
        return [f'+COPS: 0,{h.cops_format},"{name}"' + (",0" if h.dialect.cops_act else "")]
    raise AtError(None)


def _cpas(h: Handset, op: str, args: str) -> list[str]:
    if op == "=?":
        return ["+CPAS: (0-5)"]
    if op:
        raise AtError(None)
    call = h.engine.call
    if call is None or call.ended:
        return ["+CPAS: 0"]
    return ["+CPAS: 3" if call.state == cm.INCOMING else "+CPAS: 4"]


def _clcc(h: Handset, op: str, args: str) -> list[str]:
    if op == "=" and h.dialect.call_urcs:
        h.clcc_urc = int_arg(args or "0", 0, 1) == 1
        return []
    if op == "?" and h.dialect.call_urcs:
        return [f"+CLCC: {int(h.clcc_urc)}"]
    if op == "=?":
        return []
    if op:
        raise AtError(None)
    call = h.engine.call
    if call is None or call.ended:
        return []
    return [h.clcc_line(call)]


def _ceer(h: Handset, op: str, args: str) -> list[str]:
    if op == "=?":
        return []
    if op:
        raise AtError(None)
    call = h.engine.call
    if call is None or call.cause is None:
        return ["+CEER: No cause information available"]
    return [f"+CEER: {call.cause[1]}"]


def _chup(h: Handset, op: str, args: str) -> list[str]:
    if op == "=?":
        return []
    if op:
        raise AtError(None)
    h.engine.hangup()
    return []


def _flag(attr: str, hi: int = 1):
    def handler(h: Handset, op: str, args: str) -> list[str]:
        prefix = "+" + attr.upper()
        if op == "=":
            setattr(h, attr, int_arg(args or "0", 0, hi) == 1)
            return []
        if op == "?":
            return [f"{prefix}: {int(getattr(h, attr))}" + (",1" if attr == "clip" else "")]
        if op == "=?":
            return [f"{prefix}: (0-{hi})"]
        raise AtError(None)
    return handler


def _accept(reply: str | None = None, hi: int = 255):
    """Settings the simulator accepts and has no use for (COLP, CSCS, IPR, CMGF...)."""
    def handler(h: Handset, op: str, args: str) -> list[str]:
        if op in ("=", "=?"):
            return []
        if op == "?" and reply is not None:
            return [reply]
        raise AtError(None)
    return handler


def _cfun(h: Handset, op: str, args: str) -> list[str]:
    if op == "?":
        return ["+CFUN: 1"]
    if op == "=?":
        return ["+CFUN: (0,1,4),(0-1)"]
    if op == "=":
        int_arg(split_args(args)[0] or "1", 0, 4)
        return []
    raise AtError(None)


def _cpin(h: Handset, op: str, args: str) -> list[str]:
    if op == "?":
        return ["+CPIN: READY"]
    if op == "=?":
        return []
    raise AtError(3)  # no PIN to enter


def _cimi(h: Handset, op: str, args: str) -> list[str]:
    if op:
        raise AtError(None)
    c = h.engine.scenario.cells[0]
    return [f"{c.mcc:03d}{c.mnc:02d}{h.imei[-10:]}"]


# -- simulator-only ---------------------------------------------------------------


# GPRS attach and PDP context (27.007 §10.1): what a data test does. On a cell whose BSC's packet
# processors are faulty (scenario ``bscs[].faults: packet_processor_fault``, reference case 7) no
# packet channel can be allocated, so attach and activation fail with +CME ERROR: 148.
def _packet_ok(h: Handset) -> bool:
    s = h.engine.serving
    if s is None:
        raise AtError(30)
    scen = h.engine.scenario
    return not scen.packet_fault(scen.cells[s])


def _cgatt(h: Handset, op: str, args: str) -> list[str]:
    if op == "=?":
        return ["+CGATT: (0-1)"]
    if op == "?":
        return [f"+CGATT: {int(getattr(h, 'gprs_attached', False))}"]
    if op == "=":
        want = int_arg(args or "0", 0, 1)
        if want and not _packet_ok(h):
            h.gprs_attached = False
            raise AtError(148)
        h.gprs_attached = bool(want)
        if not want:
            h.pdp_active = False
        return []
    raise AtError(None)


def _cgact(h: Handset, op: str, args: str) -> list[str]:
    if op == "=?":
        return ["+CGACT: (0-1)"]
    if op == "?":
        return [f"+CGACT: 1,{int(getattr(h, 'pdp_active', False))}"]
    if op == "=":
        parts = split_args(args)
        want = int_arg(parts[0] or "0", 0, 1)
        if want:
            if not _packet_ok(h):
                h.pdp_active = False
                raise AtError(148)
            h.gprs_attached = True  # activation attaches first (27.007 §10.1.10)
        h.pdp_active = bool(want)
        return []
    raise AtError(None)


def _fasim(h: Handset, op: str, args: str) -> list[str]:
    if op != "?":
        raise AtError(None)
    return [f'+FASIM: 1,"{h.scenario_label}","{h.dialect.name}"']


def _fasim_audio(h: Handset, op: str, args: str) -> list[str]:
    if op != "?":
        raise AtError(None)
    call = h.engine.call
    if call is None:
        raise AtError(3)
    return [f'+FASIMAUDIO: {call.number_seq},"{call.verdict()}"']


def _fasim_plan(h: Handset, op: str, args: str) -> list[str]:
    if op != "?":
        raise AtError(None)
    return [f'+FASIMPLAN: "{h.engine.scenario.path or h.engine.scenario.name}"']


def _fasim_block(h: Handset, op: str, args: str) -> list[str]:
    if op == "?":
        return [f'+FASIMBLOCK: "{t}"' for t in sorted(h.engine.blocked)]
    if op != "=":
        raise AtError(None)
    parts = split_args(args)
    if len(parts) != 2 or not h.engine.set_blocked(parts[0], int_arg(parts[1], 0, 1) == 1):
        raise AtError(50)
    return []


def _fasim_move(h: Handset, op: str, args: str) -> list[str]:
    if op == "":
        h.engine.mover.resume()
        return []
    if op == "?":
        fix = h.engine.mover.at(h.engine.now())
        return [f"+FASIMMOVE: {fix.lat:.6f},{fix.lon:.6f}"]
    if op != "=":
        raise AtError(None)
    parts = split_args(args)
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except (ValueError, IndexError):
        raise AtError(50) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise AtError(50)
    h.engine.mover.move_to(lat, lon)
    return []


def _fasim_ring(h: Handset, op: str, args: str) -> list[str]:
    if op != "=":
        raise AtError(None)
    number = split_args(args)[0]
    if not number or not set(number) <= DIAL_CHARS:
        raise AtError(50)
    if not h.engine.incoming(number):
        raise AtError(3)
    return []


EXTENDED: dict[str, Handler] = {
    "+CGMI": _identity("manufacturer"), "+GMI": _identity("manufacturer"),
    "+CGMM": _identity("model"), "+GMM": _identity("model"),
    "+CGMR": _identity("revision"), "+GMR": _identity("revision"),
    "+CGSN": _identity("imei"), "+GSN": _identity("imei"), "+CIMI": _cimi,
    "+CMEE": _cmee, "+CSQ": _csq, "+CESQ": _cesq, "+CREG": _creg, "+CGREG": _cgreg,
    "+COPS": _cops, "+CPAS": _cpas, "+CLCC": _clcc, "+CEER": _ceer, "+CHUP": _chup,
    "+CLIP": _flag("clip"), "+CRC": _flag("crc"), "+CFUN": _cfun, "+CPIN": _cpin,
    "+COLP": _accept("+COLP: 0"), "+CSCS": _accept('+CSCS: "IRA"'), "+IPR": _accept("+IPR: 115200"),
    "+CMGF": _accept("+CMGF: 0"), "+CNMI": _accept(), "+CSCLK": _accept("+CSCLK: 0"),
    "+CGATT": _cgatt, "+CGACT": _cgact, "+CGDCONT": _accept('+CGDCONT: 1,"IP","internet","0.0.0.0",0,0'),
    "+FASIM": _fasim, "+FASIMAUDIO": _fasim_audio, "+FASIMPLAN": _fasim_plan,
    "+FASIMBLOCK": _fasim_block, "+FASIMMOVE": _fasim_move, "+FASIMRING": _fasim_ring,
}
