"""One CQT call as recorded: when, where, on which TRX (and how we know), what happened and
what the listener heard. Plain data; the runner fills it, the store keeps it as a row."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

# Call results (what the network did).
SUCCESS = "released"  # connected, held, released normally (by us or the far end)
SETUP_FAILED = "setup_failed"  # never connected: cause from +CEER / the release, or a timeout
DROPPED = "dropped"  # connected, then ended abnormally
ERROR = "error"  # not a network result: number refused, device unplugged. Never counted.
CANCELLED = "cancelled"  # skipped or aborted before it connected. Never counted.
NOT_REACHABLE = "not_reachable"  # incoming test: no ring within the timeout (paging not answered)
RESULTS = (SUCCESS, SETUP_FAILED, NOT_REACHABLE, DROPPED, ERROR, CANCELLED)
NETWORK_RESULTS = (SUCCESS, SETUP_FAILED, NOT_REACHABLE, DROPPED)  # counted per TRX
RESULT_TEXT = {SUCCESS: "normal release", SETUP_FAILED: "setup failure", NOT_REACHABLE: "not reachable",
               DROPPED: "drop", ERROR: "device/input error", CANCELLED: "cancelled"}

# Call directions: mobile-originated (we dial) and mobile-terminated (the handset is called).
MO, MT = "mo", "mt"

# What a person on the call heard, in the order of the panel's keys 1..8.
NORMAL = "normal"
ONE_WAY_UL = "one-way-ul"  # the far end cannot hear us (uplink audio lost)
ONE_WAY_DL = "one-way-dl"  # we cannot hear the far end
NO_AUDIO = "no-audio"
ECHO = "echo"
NOISE = "noise"
CHOPPY = "choppy"
CROSSTALK = "crosstalk"
LISTENER_VERDICTS = (NORMAL, ONE_WAY_UL, ONE_WAY_DL, NO_AUDIO, ECHO, NOISE, CHOPPY, CROSSTALK)
LISTENER_TEXT = {
    NORMAL: "normal",
    ONE_WAY_UL: "one-way (far end cannot hear us)",
    ONE_WAY_DL: "one-way (we cannot hear the far end)",
    NO_AUDIO: "no audio",
    ECHO: "echo",
    NOISE: "noise",
    CHOPPY: "choppy",
    CROSSTALK: "crosstalk",
}

# How the call's TRX was determined.
BY_LOCK = "lock"
BY_BLOCK = "block"
BY_ATTRIBUTE = "attribute"
UNKNOWN = "unknown"  # no channel seen, hopping, left the cell, several TRXs: not counted per TRX
CONFLICT = "conflict"  # the forced TRX (lock/block) and the channel seen disagree: not counted
TRX_HOW = (BY_LOCK, BY_BLOCK, BY_ATTRIBUTE, UNKNOWN, CONFLICT)


@dataclass
class CqtCall:
    """One test call. Times are POSIX UTC seconds; None = not known / did not happen."""

    seq: int  # 1, 2, 3... within the run
    start_utc: float
    direction: str = MO  # "mo": the handset dials; "mt": it is called (incoming test)
    planned_trx: str | None = None  # the TRX the configuration (lock/block) forces, if any
    trx_id: str | None = None  # the TRX the call is counted on (None: not counted per TRX)
    trx_how: str = UNKNOWN
    attributed_trx: str | None = None  # what the channel said (attribute mode, cross-check)
    attribution: str = ""  # why: "TCH ARFCN 7 → TRX-69-1", "hopping (MAIO 2, HSN 5)", ...
    connected_utc: float | None = None
    end_utc: float | None = None
    setup_s: float | None = None
    result: str | None = None  # one of RESULTS once the call is over
    cause: int | None = None
    cause_text: str | None = None
    listener: str | None = None  # one of LISTENER_VERDICTS, None = not marked
    listener_by: str | None = None  # "engineer" or "simulator"
    note: str = ""
    serving: dict[str, Any] | None = None  # {"lac","ci","arfcn","bsic","rxlev_dbm"} at the call
    channel: dict[str, Any] | None = None  # the (last) dedicated channel seen
    lat: float | None = None
    lon: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def over(self) -> bool:
        return self.result is not None

    @property
    def counted(self) -> bool:
        """Counted in the TRX matrix and the verdict: a network result on a known TRX."""
        return self.result in NETWORK_RESULTS and self.trx_id is not None

    @property
    def connected(self) -> bool:
        return self.connected_utc is not None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CqtCall:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def summary(self) -> str:
        """One line for logs and the CLI: "#3 TRX-69-1 (block): normal release, one-way-ul"."""
        trx = self.trx_id or "TRX ?"
        parts = [RESULT_TEXT.get(self.result or "", "in progress")]
        if self.result in (ERROR, CANCELLED) and self.cause_text:
            parts[0] += f" ({self.cause_text})"
        if self.result == SETUP_FAILED and (self.cause_text or self.cause is not None):
            parts[0] += f" ({self.cause_text or ''}{'' if self.cause is None else f', cause {self.cause}'})"
        if self.listener:
            parts.append(LISTENER_TEXT.get(self.listener, self.listener))
        return f"#{self.seq} {trx} ({self.trx_how}): {', '.join(parts)}"
