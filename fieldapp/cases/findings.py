"""The one finding model every diagnosis rule fills (issue 6 §4, issue 13 §5) and the input the
rules read: a finding says what it saw in numbers (``summary``), cites the samples, calls or
facts behind it, and gives the procedure's next step; ``data`` carries the numbers for the
JSON (``fieldapp case diagnose ID --json``: ``rule``, ``title``, ``severity``, ``summary``,
``next_step``, ``cites``, ``data`` with ``cell``/``trx``, ``plan_version``, ``what``...).

``DiagnosisInput`` holds the case, its sessions (each with the plan version it was recorded
under), the cell plan as it was then, the CQT runs, the "after" test, the statistics, and which
samples were taken at the complaint spot (``fieldapp.cases.spot``). The thresholds here are the
legend's and the procedure's, shared by the rules of ``diagnose`` and ``evidence_rules``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fieldapp.cases.cqt_evidence import CqtEvidence
from fieldapp.cases.model import Case
from fieldapp.cases.spot import SpotSession, SpotView, select
from fieldapp.cases.stats import CallRecord, calls_of, percentile
from fieldapp.cellplan import CellPlan
from fieldapp.export_csv import iso_utc
from fieldapp.model import GSM, Event, Position, Sample, Scan
from fieldapp.tech_terms import terms_for

WEAK_MEDIAN_DBM = -80.0  # below the legend's light green: "weak" for a subscriber's spot
NO_COVERAGE_MEDIAN_DBM = -100.0  # red: no usable coverage
GOOD_LEVEL_DBM = -85.0  # "full bars": a setup failure here is not the radio's fault
POOR_RXQUAL = 5  # BER > 3.2 %: audible
DOMINANCE_DB = 6.0
DOMINANCE_CELLS = 3
SHARE_TO_FIRE = 0.5  # share of samples that must show a condition
INTERFERED_SHARE = 0.3
ACCESS_FAILURE_SHARE = 0.2
WEAK_DROP_DBM = -100.0
RADIO_BEFORE_S = 10.0
MAX_CITES = 8


@dataclass(frozen=True)
class LevelLimits:
    """Where a technology's level is weak / unusable at a spot, in its own quantity (the colour
    steps of ``fieldapp.tech_terms``): weak below the light-green step, no usable coverage in
    the red one. GSM RXLEV: -80 / -100 dBm; UMTS RSCP: -85 / -105; LTE RSRP: -90 / -110. A GSM
    threshold read on an RSRP would call a good LTE spot weak."""

    tech: str
    name: str  # "RXLEV", "RSCP", "RSRP"
    weak_dbm: float
    no_coverage_dbm: float


def by_main_technology(samples: list[tuple[int, Sample]]) -> tuple[str, list[tuple[int, Sample]], dict[str, int]]:
    """Of ``(session_id, sample)`` pairs with a level: the technology most of them are on (GSM
    first on a tie; a sample of unknown technology counts as GSM), its pairs, and how many the
    other technologies have. A median over RXLEV and RSRP together would mean nothing."""
    counts: dict[str, int] = {}
    for _sid, s in samples:
        tech = s.tech or GSM
        counts[tech] = counts.get(tech, 0) + 1
    if not counts:
        return GSM, [], {}
    main = max(counts, key=lambda t: (counts[t], t == GSM))
    picked = [(sid, s) for sid, s in samples if (s.tech or GSM) == main]
    return main, picked, {t: n for t, n in counts.items() if t != main}


def level_limits(tech: str | None) -> LevelLimits:
    terms = terms_for(tech)
    bins = terms.level.bins
    if terms.tech == GSM:
        return LevelLimits(GSM, terms.level.name, WEAK_MEDIAN_DBM, NO_COVERAGE_MEDIAN_DBM)
    return LevelLimits(terms.tech, terms.level.name, bins[1][0], bins[-2][0])


@dataclass(frozen=True)
class Citation:
    session_id: int | None
    ts_utc: float | None
    what: str  # "sample", "call", "cqt", "fact"
    text: str

    def line(self) -> str:
        when = (iso_utc(self.ts_utc, "seconds") or "").replace("T", " ").replace("Z", "")
        where = f"session {self.session_id}" if self.session_id is not None else ""
        head = " ".join(p for p in (where, when) if p)
        return f"{head}: {self.text}" if head else self.text


@dataclass(frozen=True)
class Finding:
    rule: str
    title: str
    summary: str
    next_step: str
    cites: tuple[Citation, ...] = ()
    severity: str = "high"  # "high", "medium", "info"
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class SessionData:
    session_id: int
    role: str | None
    samples: list[Sample]
    events: list[Event]
    source: str = ""
    positions: list[Position] = field(default_factory=list)
    plan_version: int | None = None  # the cell plan version it was recorded or imported under
    scans: list[Scan] = field(default_factory=list)

    @property
    def calls(self) -> list[CallRecord]:
        return calls_of(self.session_id, self.events)


@dataclass
class DiagnosisInput:
    case: Case
    sessions: list[SessionData]
    plan: CellPlan  # the plan as it was when the sessions were recorded (their version), else the current one
    cqt: list[CqtEvidence] = field(default_factory=list)
    after: DiagnosisInput | None = None  # the "after" test of the same spot, with its own plan version
    _spot: SpotView | None = field(default=None, repr=False)
    stats: Any = None  # fieldapp.netstats.data.StatsData: counters and alarms imported into the case

    def samples(self) -> list[tuple[int, Sample]]:
        """Every sample of the evidence (route context included)."""
        return [(s.session_id, x) for s in self.sessions for x in s.samples]

    @property
    def spot(self) -> SpotView:
        """Which samples were taken at the complaint spot (``fieldapp.cases.spot``)."""
        if self._spot is None:
            self._spot = select(self.case.position, self.case.spot_radius_m,
                                [SpotSession(s.session_id, s.samples, s.positions) for s in self.sessions],
                                self.case.hours, self.case.time_zone)
        return self._spot

    def spot_samples(self) -> list[tuple[int, Sample]]:
        return self.spot.at_spot

    def spot_position(self) -> tuple[float, float] | None:
        """Where the complaint is: the case's map position, else the median GPS position tested."""
        if self.case.position is not None:
            return self.case.position
        pos = [(s.position.lat, s.position.lon) for _sid, s in self.spot_samples() if s.position is not None]
        if not pos:
            return None
        return (percentile([p[0] for p in pos], 50), percentile([p[1] for p in pos], 50))
