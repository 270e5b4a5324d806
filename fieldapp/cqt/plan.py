"""The CQT plan: whom to call, how many calls, the timings, the cell under test with its TRXs,
and how each call is tied to a TRX. ``validate()`` refuses a plan that cannot give an answer
before any call is made.

Modes (combinable, docs/domain.md §4):

- ``lock``: the handset's ARFCN lock. ``lock_kind="channel"`` (what the CLI and the panel
  use by default; DOMAIN case 3) locks to each TRX's ARFCN in turn, as engineering handsets
  and the simulator do, and checks the handset has service on the cell before calling: a module
  whose lock acts on cell selection only (docs/at-commands.md §4, "Domain caution") finds
  no service on a traffic ARFCN and the run stops with that explanation. ``lock_kind="cell"``
  (the plan's own default, for such modules) locks to the cell's BCCH ARFCN for the whole run
  and needs ``block`` or ``attribute`` next to it to tie calls to TRXs.
- ``block``: the BSC team blocks all TRXs but one; the engineer confirms; calls are counted on
  the one left.
- ``attribute``: the channel read during each call decides, through the TRX plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fieldapp import radio
from fieldapp.cellplan import bcch_arfcn
from fieldapp.model import PlanCell, PlanTrx

LOCK = "lock"
BLOCK = "block"
ATTRIBUTE = "attribute"
MODES = (LOCK, BLOCK, ATTRIBUTE)
LOCK_CELL = "cell"
LOCK_CHANNEL = "channel"
LOCK_KINDS = (LOCK_CELL, LOCK_CHANNEL)

# What a modem accepts in ATD<number>; (27.007 §6.2 dial string: digits, +, *, #).
_NUMBER = re.compile(r"^\+?[0-9*#]{1,40}$")
MAX_CALLS = 1000


class PlanError(ValueError):
    """A plan that cannot run; the message says which field and why."""


class RunFault(Exception):
    """Stops a run that has started; the message tells the engineer what to do before resuming."""


@dataclass(frozen=True)
class CqtPlan:
    number: str
    cell: PlanCell
    modes: frozenset[str] = frozenset({ATTRIBUTE})
    calls_per_trx: int | None = 10
    total_calls: int | None = None  # instead of calls_per_trx
    setup_timeout_s: float = 20.0
    hold_s: float = 20.0
    gap_s: float = 5.0
    lock_kind: str = LOCK_CELL
    lock_settle_s: float = 15.0  # how long a lock may take before the handset must show service
    auto_audio: bool = False  # listener verdict from the simulator (refused with a real device)
    # "mo": the handset dials ``number``; "mt" (incoming): the handset waits up to
    # ``setup_timeout_s`` for a ring (from ``number``, or the simulator calls it), answers,
    # holds and releases; no ring is "not reachable".
    direction: str = "mo"
    extra: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ checks

    def validate(self) -> CqtPlan:
        number = clean_number(self.number)
        if not _NUMBER.match(number):
            raise PlanError(f"number {self.number!r}: a modem dials digits, + (first), * and # only")
        bad = set(self.modes) - set(MODES)
        if not self.modes or bad:
            raise PlanError(f"mode must be one or more of {', '.join(MODES)}"
                            + (f", not {', '.join(sorted(bad))}" if bad else ""))
        if (self.calls_per_trx is None) == (self.total_calls is None):
            raise PlanError("give either calls per TRX or a total number of calls")
        n = self.calls_per_trx if self.calls_per_trx is not None else self.total_calls
        if not isinstance(n, int) or not 1 <= n <= MAX_CALLS:
            raise PlanError(f"the number of calls must be 1..{MAX_CALLS}, not {n!r}")
        for name, lo in (("setup_timeout_s", 1.0), ("hold_s", 0.0), ("gap_s", 0.0), ("lock_settle_s", 0.0)):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or value != value or not lo <= value <= 3600:
                raise PlanError(f"{name} must be {lo:g}..3600 s, not {value!r}")
        self._check_cell()
        if self.direction not in ("mo", "mt"):
            raise PlanError(f"direction must be mo (outgoing) or mt (incoming), not {self.direction!r}")
        if self.lock_kind not in LOCK_KINDS:
            raise PlanError(f"lock kind must be {' or '.join(LOCK_KINDS)}, not {self.lock_kind!r}")
        if LOCK in self.modes:
            self._check_lock()
        return self

    def _check_cell(self) -> None:
        cell = self.cell
        if not cell.trxs:
            raise PlanError(f"cell {cell.name}: no TRXs in its plan (type them in: TRX id = ARFCN(s))")
        ids = [t.trx_id for t in cell.trxs]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise PlanError(f"cell {cell.name}: TRX id {', '.join(dup)} appears more than once")
        for t in cell.trxs:
            if not t.trx_id.strip():
                raise PlanError(f"cell {cell.name}: a TRX without an id")
            if not t.arfcns:
                raise PlanError(f"{t.trx_id}: no ARFCN")
            for a in t.arfcns:
                if radio.valid_arfcn(a) is None:
                    raise PlanError(f"{t.trx_id}: {a!r} is not a GSM ARFCN (0-1023)")

    def _check_lock(self) -> None:
        cell = self.cell
        if self.lock_kind == LOCK_CELL:
            if bcch_arfcn(cell) is None:
                raise PlanError(f"cell {cell.name}: the lock needs the cell's BCCH ARFCN, which the plan lacks")
            if len(cell.trxs) > 1 and not ({BLOCK, ATTRIBUTE} & self.modes):
                raise PlanError(
                    "a lock selects the cell's BCCH carrier, not a TRX (docs/at-commands.md §4): locked alone, "
                    f"the calls would land on any of the {len(cell.trxs)} TRXs of {cell.name}. "
                    "Combine lock with block or attribute, or use lock kind 'channel' with a device "
                    "whose lock pins the traffic channel")
        else:
            hopping = [t.trx_id for t in cell.trxs if t.hopping or len(t.arfcns) != 1]
            if hopping:
                raise PlanError(f"{', '.join(hopping)} hop(s) over several ARFCNs: a lock to one ARFCN "
                                "cannot pin it; use block mode")

    # ------------------------------------------------------------------ derived

    @property
    def forces_trx(self) -> bool:
        """True when the configuration (block, or a channel lock) puts each call on a chosen TRX."""
        return BLOCK in self.modes or (LOCK in self.modes and self.lock_kind == LOCK_CHANNEL)

    @property
    def trx_ids(self) -> list[str]:
        return [t.trx_id for t in self.cell.trxs]

    def schedule(self) -> list[str | None]:
        """The TRX each call is planned on (None: wherever the BSC puts it), in order."""
        ids = self.trx_ids
        if self.calls_per_trx is not None:
            total = self.calls_per_trx * len(ids)
        else:
            total = int(self.total_calls or 0)
        if not self.forces_trx:
            return [None] * total
        base, extra = divmod(total, len(ids))
        out: list[str | None] = []
        for i, trx in enumerate(ids):
            out += [trx] * (base + (1 if i < extra else 0))
        return out

    @property
    def mode_text(self) -> str:
        return "+".join(m for m in MODES if m in self.modes)

    # ------------------------------------------------------------------ JSON

    def to_json(self) -> dict[str, Any]:
        c = self.cell
        return {
            "number": self.number, "modes": [m for m in MODES if m in self.modes],
            "calls_per_trx": self.calls_per_trx, "total_calls": self.total_calls,
            "setup_timeout_s": self.setup_timeout_s, "hold_s": self.hold_s, "gap_s": self.gap_s,
            "lock_kind": self.lock_kind, "lock_settle_s": self.lock_settle_s, "auto_audio": self.auto_audio,
            "direction": self.direction,
            "cell": {"name": c.name, "mcc": c.mcc, "mnc": c.mnc, "lac": c.lac, "ci": c.ci,
                     "bcch_arfcn": c.bcch_arfcn, "bsic": c.bsic,
                     "trxs": [{"trx_id": t.trx_id, "arfcns": list(t.arfcns), "timeslots": list(t.timeslots),
                               "hopping": t.hopping, "maio": t.maio, "hsn": t.hsn} for t in c.trxs]},
            "extra": dict(self.extra),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CqtPlan:
        try:
            c = data["cell"]
            trxs = tuple(PlanTrx(t["trx_id"], tuple(t.get("arfcns") or ()), tuple(t.get("timeslots") or ()),
                                 bool(t.get("hopping")), t.get("maio"), t.get("hsn")) for t in c["trxs"])
            cell = PlanCell(name=c["name"], mcc=c.get("mcc"), mnc=c.get("mnc"), lac=c.get("lac"), ci=c.get("ci"),
                            bcch_arfcn=c.get("bcch_arfcn"), bsic=c.get("bsic"), trxs=trxs)
            return cls(number=data["number"], cell=cell, modes=frozenset(data["modes"]),
                       calls_per_trx=data.get("calls_per_trx"), total_calls=data.get("total_calls"),
                       setup_timeout_s=data["setup_timeout_s"], hold_s=data["hold_s"], gap_s=data["gap_s"],
                       lock_kind=data.get("lock_kind", LOCK_CELL), lock_settle_s=data.get("lock_settle_s", 15.0),
                       auto_audio=bool(data.get("auto_audio")), direction=data.get("direction", "mo"),
                       extra=dict(data.get("extra") or {}))
        except (KeyError, TypeError) as exc:
            raise PlanError(f"stored plan is incomplete: {exc}") from exc


def clean_number(number: str) -> str:
    """Spaces, dashes, dots and brackets people type are not dialled."""
    return re.sub(r"[\s\-.()/]", "", number or "")


def parse_trx_text(text: str) -> tuple[PlanTrx, ...]:
    """TRXs typed in by the engineer, one per line or ``;``-separated::

        TRX-69-0 = 3
        TRX-69-1 = 7            (also "TRX-69-1: 7" or "TRX-69-1 -> 7")
        TRX-69-2 = 10, 12, 14   (several ARFCNs: a hopping TRX)

    Raises PlanError naming the entry that cannot be read."""
    out: list[PlanTrx] = []
    for n, raw in enumerate(re.split(r"[;\n]", text or ""), start=1):
        entry = raw.strip()
        if not entry:
            continue
        m = re.match(r"^(?P<id>[^=:→>]+?)\s*(?:=|:|->|→)\s*(?P<arfcns>.*)$", entry)
        if not m:
            raise PlanError(f"TRX entry {n} {entry!r}: write it as 'TRX id = ARFCN(s)'")
        tokens = [t for t in re.split(r"[,\s]+", m["arfcns"].strip()) if t]
        if not tokens:
            raise PlanError(f"TRX entry {n} {entry!r}: no ARFCN after the id")
        arfcns = []
        for tok in tokens:
            if not tok.isdigit() or radio.valid_arfcn(int(tok)) is None:
                raise PlanError(f"TRX entry {n} {entry!r}: {tok!r} is not a GSM ARFCN (0-1023)")
            arfcns.append(int(tok))
        out.append(PlanTrx(m["id"].strip(), tuple(arfcns), hopping=len(arfcns) > 1))
    if not out:
        raise PlanError("no TRXs typed in (one per line: TRX id = ARFCN(s))")
    return tuple(out)


def typed_cell(name: str, trx_text: str, *, ci: int | None = None, lac: int | None = None,
               bcch: int | None = None) -> PlanCell:
    """A cell under test typed in by hand. The BCCH ARFCN, when given, marks its TRX as the BCCH TRX."""
    trxs = tuple(PlanTrx(t.trx_id, t.arfcns, ("BCCH",) if bcch is not None and t.arfcns == (bcch,) else (),
                         t.hopping) for t in parse_trx_text(trx_text))
    return PlanCell(name=name or "typed cell", ci=ci, lac=lac, bcch_arfcn=bcch, trxs=trxs)
