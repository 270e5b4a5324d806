"""Before/after: the same spot tested before and after the fix (sessions marked "before" and
"after"), side by side: level distribution in the legend's bins, quality distribution, level
percentiles and call success."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from fieldapp.cases.evidence import session_ids
from fieldapp.cases.stats import calls_of, percentile
from fieldapp.model import DEDICATED, Sample
from fieldapp.radio import RXLEV_BINS_DBM, rxlev_bin
from fieldapp.store import Store

# RXQUAL classes of the legend (docs/domain.md §3): 0-3 good, 4-5 fair, 6-7 bad.
RXQUAL_CLASSES = (("good (0-3)", 0, 3), ("fair (4-5)", 4, 5), ("bad (6-7)", 6, 7))


def level_bins() -> list[tuple[str, str]]:
    """(label, colour) of the legend's level bins, strongest first (fieldapp.radio)."""
    return [(f"{label} dBm", colour) for _low, label, colour in RXLEV_BINS_DBM]


@dataclass
class SpotStats:
    sessions: list[int]
    samples: int = 0
    level_p10: float | None = None
    level_p50: float | None = None
    level_p90: float | None = None
    level_bins: list[tuple[str, int]] = field(default_factory=list)
    quality_samples: int = 0
    quality_classes: list[tuple[str, int]] = field(default_factory=list)
    attempts: int = 0
    connected: int = 0
    failed: int = 0
    dropped: int = 0

    @property
    def call_success(self) -> float | None:
        """Calls that connected and ended normally, per attempt."""
        if not self.attempts:
            return None
        return (self.connected - self.dropped) / self.attempts


def spot_stats(session_list: list[int], samples: Iterable[Sample], events_by_session: dict[int, list]) -> SpotStats:
    levels, quals = [], []
    for s in samples:
        if s.rxlev_dbm is not None:
            levels.append(s.rxlev_dbm)
        if s.mode == DEDICATED and s.rxqual is not None:
            quals.append(s.rxqual)
    out = SpotStats(session_list, len(levels))
    out.level_p10, out.level_p50, out.level_p90 = (percentile(levels, p) for p in (10, 50, 90))
    counts = [0] * len(RXLEV_BINS_DBM)
    for v in levels:
        counts[rxlev_bin(v)] += 1
    out.level_bins = [(label, n) for (label, _colour), n in zip(level_bins(), counts)]
    out.quality_samples = len(quals)
    out.quality_classes = [(label, sum(1 for q in quals if lo <= q <= hi)) for label, lo, hi in RXQUAL_CLASSES]
    for sid, events in events_by_session.items():
        for call in calls_of(sid, events):
            if call.outcome == "open":
                continue
            out.attempts += 1
            out.connected += int(call.connected)
            out.failed += int(call.outcome == "failed")
            out.dropped += int(call.outcome == "dropped")
    return out


@dataclass
class Comparison:
    before: SpotStats
    after: SpotStats

    @property
    def level_change_db(self) -> float | None:
        if self.before.level_p50 is None or self.after.level_p50 is None:
            return None
        return self.after.level_p50 - self.before.level_p50

    def verdict(self) -> str:
        parts = []
        change = self.level_change_db
        if change is not None:
            parts.append(f"median level {self.before.level_p50:.0f} → {self.after.level_p50:.0f} dBm "
                         f"({change:+.0f} dB)")
        b, a = self.before.call_success, self.after.call_success
        if b is not None and a is not None:
            parts.append(f"call success {b:.0%} → {a:.0%}")
        bq, aq = (_bad_share(x) for x in (self.before, self.after))
        if bq is not None and aq is not None:
            parts.append(f"bad quality {bq:.0%} → {aq:.0%} of call samples")
        return "; ".join(parts) or "nothing to compare yet"


def _bad_share(stats: SpotStats) -> float | None:
    if not stats.quality_samples:
        return None
    return dict(stats.quality_classes)["bad (6-7)"] / stats.quality_samples


def _stats(store: Store, sids: list[int]) -> SpotStats:
    samples: list[Sample] = []
    events = {}
    for sid in sids:
        samples.extend(store.samples(sid))
        events[sid] = store.events(sid)
    return spot_stats(sids, samples, events)


def compare_case(store: Store, case_id: int) -> Comparison | None:
    """None unless the case has at least one "before" and one "after" session."""
    before, after = session_ids(store, case_id, "before"), session_ids(store, case_id, "after")
    if not before or not after:
        return None
    return Comparison(_stats(store, before), _stats(store, after))
