"""One record model for everything: a live handset, the simulator and a replayed log all
produce these records, so every view, test run and report works the same on all three.

Rules:
- Unknown is ``None``, never a sentinel number (no 99, 255, -1 or 0 meaning "unknown").
- Units are in the names: ``rxlev_dbm``, ``ts_utc`` (POSIX seconds, UTC), ``setup_s``.
- GSM levels keep the raw 0..63 RXLEV *and* the dBm value (dBm = RXLEV - 110, see radio.py).
- Records are frozen dataclasses (``Cell`` is immutable by convention only, for parse speed);
  build changed copies with ``dataclasses.replace``.

Two levels of record exist:
- *Parse records* (``Cell``, ``Signal``, ``Registration``, ``CallState``, ``DeviceError``,
  ``Urc``, ``Info``): what one line of device output says. Parsers return them; they carry no
  time because the wire carries none.
- *Timeline records* (``Sample``, ``Event``, ``Position``): stamped at reception, recorded,
  exported and replayed. A ``Sample`` is one poll cycle of a device assembled from parse records.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Protocol

# Technologies, as written everywhere (store, exports, JSON).
GSM = "GSM"
UMTS = "UMTS"
LTE = "LTE"
TECHS = (GSM, UMTS, LTE)

SERVING = "serving"
NEIGHBOUR = "neighbour"


def _json(obj: Any) -> dict[str, Any]:
    """Dataclass → plain dict (nested dataclasses too); tuples become lists."""
    return asdict(obj)


# --------------------------------------------------------------------------- parse records


@dataclass(slots=True)  # immutable by convention, like Cell (parse speed)
class Channel:
    """The dedicated channel in a call (GSM): where the TCH sits, to attribute a call to a TRX.

    ``hopping`` True means no single ARFCN identifies the TRX (``tch_arfcn`` is then None and
    ``maio``/``hsn`` describe the hopping pattern).
    """

    tch_arfcn: int | None = None
    timeslot: int | None = None
    hopping: bool | None = None
    maio: int | None = None
    hsn: int | None = None
    channel_type: str | None = None  # "TCH/F", "TCH/H", "SDCCH/8", ...
    codec: str | None = None  # "FR", "EFR", "AMR", ...


def tech_level(tech: str | None, rxlev_dbm: float | None, rscp_dbm: float | None,
               rsrp_dbm: float | None) -> float | None:
    """A technology's main level: RSCP on UMTS, RSRP on LTE, else the RXLEV/RSSI dBm."""
    if tech == UMTS and rscp_dbm is not None:
        return rscp_dbm
    if tech == LTE and rsrp_dbm is not None:
        return rsrp_dbm
    return rxlev_dbm


# Not frozen on purpose: a frozen 27-field dataclass costs ~10 µs per construction (one
# object.__setattr__ per field), a third of the parse time of an engineering-mode line.
# Treat a Cell as immutable all the same: build changed copies with dataclasses.replace.
@dataclass(slots=True)
class Cell:
    """One cell as a device reports it: the serving cell or a neighbour.

    GSM: ``arfcn`` is the BCCH ARFCN, ``bsic`` 0..63 (NCC*8+BCC), ``rxlev`` 0..63.
    UMTS: ``arfcn`` is the UARFCN, ``pci`` the primary scrambling code, ``rscp_dbm``/``ecno_db``.
    LTE: ``arfcn`` is the EARFCN, ``pci`` the physical cell id, ``rsrp_dbm``/``rsrq_db``.
    """

    kind = "cell"

    role: str = SERVING
    tech: str = GSM
    mcc: int | None = None
    mnc: int | None = None
    lac: int | None = None
    ci: int | None = None
    arfcn: int | None = None
    bsic: int | None = None
    rxlev: int | None = None
    rxlev_dbm: float | None = None
    rxlev_full: int | None = None
    rxlev_sub: int | None = None
    rxqual: int | None = None  # full (or the only value the device gives)
    rxqual_sub: int | None = None
    c1: int | None = None
    c2: int | None = None
    ta: int | None = None
    channel: Channel | None = None
    pci: int | None = None
    rscp_dbm: float | None = None
    ecno_db: float | None = None
    rsrp_dbm: float | None = None
    rsrq_db: float | None = None
    sinr_db: float | None = None
    operator: str | None = None
    state: str | None = None  # device's own word: "NOCONN", "CONNECT", "LIMSRV", "idle", "dedicated"

    @property
    def level_dbm(self) -> float | None:
        """The technology's main level: RXLEV dBm (GSM), RSCP (UMTS) or RSRP (LTE)."""
        return tech_level(self.tech, self.rxlev_dbm, self.rscp_dbm, self.rsrp_dbm)

    def to_json(self) -> dict[str, Any]:
        """The parse-at contract keys first, then the rest of the fields."""
        ch = self.channel
        out: dict[str, Any] = {
            "kind": "cell",
            "role": self.role,
            "tech": self.tech,
            "mcc": self.mcc,
            "mnc": self.mnc,
            "lac": self.lac,
            "ci": self.ci,
            "arfcn": self.arfcn,
            "bsic": self.bsic,
            "rxlev": self.rxlev,
            "rxlev_dbm": self.rxlev_dbm,
            "rxqual": self.rxqual,
            "ta": self.ta,
            "tch_arfcn": ch.tch_arfcn if ch else None,
            "timeslot": ch.timeslot if ch else None,
        }
        for f in fields(self):
            if f.name not in out and f.name != "channel":
                out[f.name] = getattr(self, f.name)
        if ch:
            out.update({"hopping": ch.hopping, "maio": ch.maio, "hsn": ch.hsn,
                        "channel_type": ch.channel_type, "codec": ch.codec})
        return out


@dataclass(slots=True)  # immutable by convention, like Cell (parse speed)
class Signal:
    """Signal strength as +CSQ / +CESQ report it (already converted; raw kept)."""

    kind = "signal"

    rssi_dbm: float | None = None
    rxqual: int | None = None
    rssi_raw: int | None = None  # +CSQ <rssi> 0..31 as printed
    rxlev: int | None = None  # +CESQ <rxlev> 0..63
    rscp_dbm: float | None = None
    ecno_db: float | None = None
    rsrq_db: float | None = None
    rsrp_dbm: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": "signal", **_json(self)}


@dataclass(slots=True)  # immutable by convention, like Cell (parse speed)
class Registration:
    """+CREG/+CGREG/+CEREG: registration state and location (LAC/TAC and CI as integers)."""

    kind = "registration"

    domain: str = "cs"  # "cs" (CREG), "ps" (CGREG), "eps" (CEREG)
    stat: int | None = None
    lac: int | None = None
    ci: int | None = None
    act: int | None = None
    tech: str | None = None
    operator: str | None = None  # from +COPS
    mcc: int | None = None
    mnc: int | None = None

    STAT_TEXT = {
        0: "not registered", 1: "registered, home", 2: "searching", 3: "denied", 4: "unknown",
        5: "registered, roaming", 6: "SMS only, home", 7: "SMS only, roaming", 8: "emergency only",
        9: "CSFB not preferred, home", 10: "CSFB not preferred, roaming", 11: "attached RLOS",
    }

    @property
    def registered(self) -> bool | None:
        if self.stat is None:
            return None
        return self.stat in (1, 5, 6, 7, 9, 10)

    def to_json(self) -> dict[str, Any]:
        return {"kind": "registration", **_json(self)}


# Call states, as written everywhere. The 27.007 +CLCC <stat> values map onto these.
CALL_ACTIVE = "active"
CALL_HELD = "held"
CALL_DIALING = "dialing"
CALL_ALERTING = "alerting"
CALL_INCOMING = "incoming"
CALL_WAITING = "waiting"
CALL_RELEASED = "released"
CLCC_STAT = {0: CALL_ACTIVE, 1: CALL_HELD, 2: CALL_DIALING, 3: CALL_ALERTING, 4: CALL_INCOMING,
             5: CALL_WAITING, 6: CALL_RELEASED}


@dataclass(frozen=True, slots=True)
class CallState:
    """One call's state as a device reports it (+CLCC, ^SLCC, ^ORIG/^CONN/^CEND, URCs)."""

    kind = "call"

    index: int | None = None
    direction: str | None = None  # "mo" / "mt"
    state: str | None = None  # one of CALL_* above
    number: str | None = None
    mode: str | None = None  # "voice", "data", ...
    cause: int | None = None  # CC cause (24.008) when the device gives one
    cause_text: str | None = None
    duration_s: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": "call", **_json(self)}


@dataclass(frozen=True, slots=True)
class DeviceError:
    """A final error result: ERROR, +CME ERROR, +CMS ERROR, COMMAND NOT SUPPORT, NO CARRIER..."""

    kind = "error"

    code: int | None = None
    text: str | None = None
    source: str | None = None  # "CME", "CMS", "MODEM", None for plain ERROR

    def to_json(self) -> dict[str, Any]:
        return {"kind": "error", **_json(self)}


@dataclass(frozen=True, slots=True)
class Urc:
    """An unsolicited result code that carries no measurement (RING, +CRING, +CLIP, ...)."""

    kind = "urc"

    name: str = ""
    text: str = ""
    number: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": "urc", **_json(self)}


@dataclass(frozen=True, slots=True)
class Info:
    """A fact about the device or the network: identity, +CEER text, +CPAS, +COPS name."""

    kind = "info"

    key: str = ""
    value: Any = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": "info", "key": self.key, "value": self.value}


ParseRecord = Cell | Signal | Registration | CallState | DeviceError | Urc | Info

# --------------------------------------------------------------------------- timeline records


@dataclass(frozen=True, slots=True)
class Position:
    """A GPS fix. ``ts_utc`` is the fix time (from the receiver when it gives one)."""

    ts_utc: float
    lat: float
    lon: float
    alt_m: float | None = None
    speed_mps: float | None = None
    course_deg: float | None = None
    hdop: float | None = None
    sats: int | None = None
    fix_quality: int | None = None  # GGA quality, 0 = no fix (such fixes are not emitted)


# Radio modes of a GSM handset.
IDLE = "idle"
DEDICATED = "dedicated"


@dataclass(frozen=True, slots=True)
class Sample:
    """One measurement cycle of a device, stamped at reception (UTC)."""

    ts_utc: float
    tech: str | None = None
    serving: Cell | None = None
    neighbours: tuple[Cell, ...] = ()
    signal: Signal | None = None
    registration: Registration | None = None
    position: Position | None = None
    mode: str | None = None  # IDLE / DEDICATED / None when unknown

    @property
    def rxlev_dbm(self) -> float | None:
        """The level the views plot: the serving cell's level in its technology's terms, else the
        handset's +CESQ level of the registered technology (RSRP on LTE, RSCP on UMTS), else
        the +CSQ RSSI. ``level_source`` says which."""
        return self._level()[0]

    @property
    def level_source(self) -> str | None:
        """Where ``rxlev_dbm`` comes from: "serving" (engineering mode or a log), "+CESQ" (the
        technology's own level from a plain 27.007 handset), "+CSQ" (an RSSI, GSM or technology
        unknown), or None (no level; on UMTS/LTE a +CSQ RSSI alone is none)."""
        return self._level()[1]

    def _level(self) -> tuple[float | None, str | None]:
        s = self.serving
        if s is not None:
            level = s.level_dbm
            if level is not None:
                return level, "serving"
        sig = self.signal
        if sig is None:
            return None, None
        if self.tech in (UMTS, LTE):
            # +CESQ gives the technology's own level. The +CSQ RSSI of a UMTS/LTE carrier is the
            # whole band's power, 20-30 dB above its RSCP/RSRP: on their scale it would paint a
            # weak spot green, so alone it is no level.
            level = tech_level(self.tech, None, sig.rscp_dbm, sig.rsrp_dbm)
            return (level, "+CESQ") if level is not None else (None, None)
        return (sig.rssi_dbm, "+CSQ") if sig.rssi_dbm is not None else (None, None)

    @property
    def rxqual(self) -> int | None:
        s = self.serving
        if s is not None and s.rxqual is not None:
            return s.rxqual
        return self.signal.rxqual if self.signal else None

    @property
    def channel(self) -> Channel | None:
        return self.serving.channel if self.serving else None


# Event kinds, as written everywhere.
EV_CALL_ATTEMPT = "call_attempt"
EV_CALL_ALERTING = "call_alerting"
EV_CALL_CONNECTED = "call_connected"
EV_CALL_RELEASED = "call_released"  # normal end
EV_CALL_FAILED = "call_failed"  # setup failure
EV_CALL_DROPPED = "call_dropped"
EV_CALL_INCOMING = "call_incoming"
EV_CELL_CHANGE = "cell_change"  # idle reselection
EV_HANDOVER = "handover"  # cell change in dedicated mode
EV_LOCK = "lock"
EV_UNLOCK = "unlock"
EV_BLOCK = "block"  # TRX block configuration confirmed by the engineer (manual step)
EV_DEVICE_ERROR = "device_error"
EV_GAP = "gap"  # the device vanished and came back; data between is missing
EV_DISCONNECTED = "disconnected"
EV_RECONNECTED = "reconnected"
EV_REGISTRATION = "registration"
EV_NOTE = "note"
EV_INFO = "info"
EV_GPS_LOST = "gps_lost"  # a GPS source gave no fix for GPS_FIX_LOST_S (drivers.gps)
EV_GPS_BACK = "gps_back"  # ... and fixes came again
EVENT_KINDS = (
    EV_CALL_ATTEMPT, EV_CALL_ALERTING, EV_CALL_CONNECTED, EV_CALL_RELEASED, EV_CALL_FAILED,
    EV_CALL_DROPPED, EV_CALL_INCOMING, EV_CELL_CHANGE, EV_HANDOVER, EV_LOCK, EV_UNLOCK, EV_BLOCK,
    EV_DEVICE_ERROR, EV_GAP, EV_DISCONNECTED, EV_RECONNECTED, EV_REGISTRATION, EV_NOTE, EV_INFO,
    EV_GPS_LOST, EV_GPS_BACK,
)


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened at one instant: a call step, a cell change, a lock, a gap."""

    ts_utc: float
    kind: str
    text: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RawTraffic:
    """Bytes that crossed the serial line, for the raw log engineers ask for."""

    ts_utc: float
    direction: str  # "tx" (to the device) or "rx" (from it)
    data: bytes


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a probed device can give. ``fields`` maps a field name to True/False; a False
    field is shown as "not available", never as a blank."""

    family: str
    manufacturer: str | None = None
    model: str | None = None
    firmware: str | None = None
    imei: str | None = None
    fields: dict[str, bool] = field(default_factory=dict)
    can_lock_arfcn: bool = False
    call_state_by: str = "clcc-poll"  # "urc" or "clcc-poll"
    notes: tuple[str, ...] = ()
    # Band scan: {"available": bool, "text": ..., and when available "command", "how", "bands",
    # "arfcn_range", "typical_s"} (drivers/scan.py); "not available" says why.
    scan: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return _json(self)


# --------------------------------------------------------------------------- band scans


@dataclass(frozen=True, slots=True)
class ScanCarrier:
    """One carrier heard by a band scan (a scanner, or a handset's survey command).

    GSM: ``arfcn`` and ``rxlev_dbm`` always; ``bsic`` and MCC/MNC/LAC/CI only when the BCCH was
    decoded (energy with no decodable BSIC is interference or a carrier too weak to decode).
    UMTS (``pci`` = scrambling code, ``rscp_dbm``/``ecno_db``) and LTE (``pci``, ``rsrp_dbm``/
    ``rsrq_db``/``cinr_db``) come from scanner logs; their ``rxlev_dbm`` is the channel's RSSI
    when the log gives one.
    """

    arfcn: int | None
    rxlev_dbm: float | None = None
    tech: str = GSM
    band: str | None = None
    bsic: int | None = None
    mcc: int | None = None
    mnc: int | None = None
    lac: int | None = None
    ci: int | None = None
    pci: int | None = None
    rscp_dbm: float | None = None
    ecno_db: float | None = None
    rsrp_dbm: float | None = None
    rsrq_db: float | None = None
    cinr_db: float | None = None
    status: str | None = None  # the device's word for the cell: "CELL_SUITABLE", "CELL_BARRED"...

    @property
    def decoded(self) -> bool:
        """The carrier's identity was read: a BSIC (GSM) or a scrambling code / PCI."""
        return self.bsic is not None or self.pci is not None

    @property
    def level_dbm(self) -> float | None:
        """The technology's main level: RSSI dBm (GSM), RSCP (UMTS) or RSRP (LTE)."""
        return tech_level(self.tech, self.rxlev_dbm, self.rscp_dbm, self.rsrp_dbm)

    def to_json(self) -> dict[str, Any]:
        return {"kind": "carrier", **_json(self)}


@dataclass(frozen=True, slots=True)
class Scan:
    """One band scan: every carrier heard between ``start_utc`` and ``end_utc``, where.

    ``band`` is the band asked for ("GSM900", "all"...), ``arfcn_from``/``arfcn_to`` the channel
    range when one was given; ``source`` says how it was taken ("AT#CSURVC", "AT+CNETSCAN",
    "nemo FREQSCAN"); ``complete`` is False for a scan cancelled or cut short (its carriers are
    what was heard until then).
    """

    start_utc: float
    end_utc: float
    carriers: tuple[ScanCarrier, ...] = ()
    tech: str = GSM
    band: str | None = None
    arfcn_from: int | None = None
    arfcn_to: int | None = None
    source: str = ""
    position: Position | None = None
    complete: bool = True

    @property
    def ts_utc(self) -> float:
        """Where a scan sits on a timeline: when it ended (its carriers are known then)."""
        return self.end_utc


Record = Sample | Event | Position | Scan


class Source(Protocol):
    """Anything that produces timeline records: a handset, the simulator's handset, a replay.

    ``start(sink)`` begins delivering records to ``sink`` (called from the source's own thread);
    ``stop()`` ends it and returns when the thread has finished.
    """

    name: str

    def start(self, sink: Any) -> None: ...

    def stop(self) -> None: ...


# --------------------------------------------------------------------------- cell plan


@dataclass(frozen=True, slots=True)
class PlanTrx:
    """One transceiver of a planned cell. ``trx_id`` as the operator writes it (``TRX-69-1``).
    ``timeslots`` lists each timeslot's use, e.g. ("BCCH", "SDCCH/8", "TCH/F", ...)."""

    trx_id: str
    arfcns: tuple[int, ...] = ()
    timeslots: tuple[str, ...] = ()
    hopping: bool = False
    maio: int | None = None
    hsn: int | None = None

    @property
    def is_bcch(self) -> bool:
        return bool(self.timeslots) and self.timeslots[0].upper().startswith("BCCH")


@dataclass(frozen=True, slots=True)
class PlanCell:
    """A cell of the workspace's cell plan (from a cell file or a simulator scenario)."""

    name: str
    mcc: int | None = None
    mnc: int | None = None
    lac: int | None = None
    ci: int | None = None
    lat: float | None = None
    lon: float | None = None
    azimuth_deg: float | None = None
    beamwidth_deg: float | None = None
    tilt_deg: float | None = None
    height_m: float | None = None
    bcch_arfcn: int | None = None
    bsic: int | None = None
    tech: str = GSM
    site: str | None = None
    trxs: tuple[PlanTrx, ...] = ()

    def trx_for_channel(self, channel: Channel | None) -> PlanTrx | None:
        """The TRX that carries a dedicated channel, when the channel says so unambiguously:
        a hopping call (or a TCH ARFCN carried by several TRXs) is not attributed."""
        if channel is None or channel.hopping or channel.tch_arfcn is None:
            return None
        hits = [t for t in self.trxs if channel.tch_arfcn in t.arfcns and not t.hopping]
        return hits[0] if len(hits) == 1 else None
