"""The verdict: is one TRX worse than the others? A stated rule on exact tests.

The rule (``RULE_TEXT``, shown with every verdict):

1. Only calls with a network result (normal release, setup failure, drop) on a known TRX
   count. Calls whose TRX is unknown (hopping, no channel shown, left the cell) or in conflict,
   and calls lost to a device or input error, are listed but never counted.
2. A TRX with fewer than ``MIN_CALLS`` counted calls is not judged. With fewer than two TRXs to
   judge the verdict is "not enough calls".
3. Problems: setup failure (per call), drop (per connected call), and each listener verdict
   other than normal (per marked call). A problem that every judged TRX shows on at least
   ``FAILING_RATE`` of its calls is "all TRXs failing": not a TRX fault (look at the cell, the
   site, the transmission or the far end) and is not tested further.
4. Each judged TRX is compared with the pooled other judged TRXs, for each problem seen, by a
   one-sided Fisher exact test (is this TRX's rate higher?). The p values are Bonferroni
   adjusted for the number of tests (judged TRXs × problems tested).
5. A test is significant when its adjusted p < ``ALPHA`` and the TRX has at least ``MIN_BAD``
   calls with the problem. The suspect is the TRX of the smallest adjusted p. When two TRXs
   tie for it, no single suspect is named ("several"). When none is significant: "none".

Fisher's exact test is computed here from the hypergeometric distribution (integers from
``math.comb``; no scipy).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from fieldapp.cqt.calls import BY_LOCK, LISTENER_TEXT, RESULT_TEXT, SETUP_FAILED, CqtCall
from fieldapp.cqt.matrix import PROBLEMS, UNKNOWN_ROW, TrxCounts, build_matrix

ALPHA = 0.05
MIN_CALLS = 5
MIN_BAD = 3
FAILING_RATE = 0.5

SUSPECT = "suspect"
NONE = "none"
NOT_ENOUGH = "not_enough_calls"
ALL_FAILING = "all_failing"
SEVERAL = "several"
LOCK_SETUP = "setup_not_attributable"  # setup failures a lock put on a TRX: the SDCCH is elsewhere
LOCK_SETUP_TEXT = ("in lock mode a setup failure cannot be attributed to the traffic TRX: the SDCCH the setup "
                   "runs on is assigned separately, on whichever TRX carries a free one — repeat in block mode")

RULE_TEXT = (f"Fisher's exact test (one-sided) of each TRX against the other TRXs, per problem "
             f"(setup failure, drop, each non-normal listener verdict), Bonferroni-adjusted; a TRX needs "
             f"≥ {MIN_CALLS} counted calls to be judged and ≥ {MIN_BAD} bad calls and adjusted p < {ALPHA} to be "
             f"named; a problem on ≥ {FAILING_RATE:.0%} of the calls of every TRX is not a TRX fault.")


# --------------------------------------------------------------------------- Fisher's exact test


def _hypergeom_terms(a: int, b: int, c: int, d: int) -> tuple[list[int], int, int]:
    """Numerators of P(X = x) for the 2×2 table [[a, b], [c, d]] with its margins fixed (X is
    the top-left cell), the common denominator, and the lowest x."""
    if min(a, b, c, d) < 0:
        raise ValueError("a contingency table holds counts ≥ 0")
    row1, col1, n = a + b, a + c, a + b + c + d
    lo, hi = max(0, row1 + col1 - n), min(row1, col1)
    terms = [math.comb(col1, x) * math.comb(n - col1, row1 - x) for x in range(lo, hi + 1)]
    return terms, math.comb(n, row1), lo


def fisher_greater(a: int, b: int, c: int, d: int) -> float:
    """One-sided p: P(X ≥ a), the chance of a top-left count this high or higher by luck alone
    (the row-1 rate a/(a+b) exceeding the row-2 rate c/(c+d))."""
    terms, total, lo = _hypergeom_terms(a, b, c, d)
    return min(1.0, sum(terms[a - lo:]) / total)


def fisher_two_sided(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p as R's fisher.test computes it: the sum of the probabilities of every table
    no more likely than the one observed (with a relative tolerance of 1e-7)."""
    terms, total, lo = _hypergeom_terms(a, b, c, d)
    observed = terms[a - lo]
    return min(1.0, sum(t for t in terms if t <= observed * (1 + 1e-7)) / total)


# --------------------------------------------------------------------------- the rule


@dataclass
class Verdict:
    status: str  # SUSPECT, NONE, NOT_ENOUGH, ALL_FAILING, SEVERAL, LOCK_SETUP
    suspect: str | None = None
    problem: str | None = None
    p_adjusted: float | None = None
    text: str = ""
    support: list[str] = field(default_factory=list)  # the counts behind the verdict, one line each
    suspects: list[str] = field(default_factory=list)  # every TRX with a significant test
    all_failing: list[str] = field(default_factory=list)  # problems every TRX shows
    tests: list[dict[str, Any]] = field(default_factory=list)
    judged: list[str] = field(default_factory=list)
    not_judged: dict[str, int] = field(default_factory=dict)  # TRX → counted calls (too few)
    uncounted: int = 0  # calls with a network result but no TRX
    rule: str = RULE_TEXT

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def problem_text(kind: str) -> str:
    if kind in RESULT_TEXT:
        return {"setup_failed": "setup failures", "dropped": "drops",
                "not_reachable": "not reachable"}.get(kind, RESULT_TEXT[kind])
    return LISTENER_TEXT.get(kind, kind)


def _unit(kind: str) -> str:
    return {"setup_failed": "calls", "not_reachable": "calls",
            "dropped": "connected calls"}.get(kind, "marked calls")


def judge(calls: Iterable[CqtCall], trx_ids: Iterable[str]) -> Verdict:
    """The verdict for a run's calls over the planned TRXs (see the module docstring)."""
    calls = list(calls)
    rows = build_matrix(calls, trx_ids)
    uncounted = rows.pop(UNKNOWN_ROW).calls if UNKNOWN_ROW in rows else 0
    v = judge_counts(rows, uncounted=uncounted)
    failed = [c for c in calls if c.result == SETUP_FAILED and c.trx_id is not None]
    if v.problem == SETUP_FAILED and v.status in (SUSPECT, SEVERAL) and all(c.trx_how == BY_LOCK for c in failed):
        # Reference case 4: the lock pinned the TCH, not the SDCCH the setups failed on.
        named = v.suspect or " and ".join(v.suspects)
        v.status, v.suspect = LOCK_SETUP, None
        v.text = f"setup failures counted on {named} by the lock: {LOCK_SETUP_TEXT}"
        v.support.insert(0, LOCK_SETUP_TEXT)
    return v


def judge_counts(rows: dict[str, TrxCounts], *, uncounted: int = 0) -> Verdict:
    judged = [t for t, c in rows.items() if c.calls >= MIN_CALLS]
    short = {t: c.calls for t, c in rows.items() if c.calls < MIN_CALLS}
    v = Verdict(status=NONE, judged=judged, not_judged=short, uncounted=uncounted)
    if uncounted:
        v.support.append(f"{uncounted} call(s) on an unknown TRX are not counted")
    if len(judged) < 2:
        v.status = NOT_ENOUGH
        need = ", ".join(f"{t} has {n}" for t, n in short.items()) or "no TRX in the plan"
        v.text = f"not enough calls: each TRX needs ≥ {MIN_CALLS} counted calls and ≥ 2 TRXs must have them ({need})"
        return v
    if short:
        v.support.append("not judged (fewer than "
                         f"{MIN_CALLS} calls): " + ", ".join(f"{t} {n}" for t, n in short.items()))
    kinds = []
    for kind in PROBLEMS:
        counts = [rows[t].problem(kind) for t in judged]
        if sum(bad for bad, _n in counts) == 0:
            continue
        if all(n and bad / n >= FAILING_RATE for bad, n in counts):
            v.all_failing.append(kind)
            v.support.append(f"{problem_text(kind)} on every TRX: "
                             + "; ".join(f"{t} {b} of {n}" for t, (b, n) in zip(judged, counts)))
            continue
        kinds.append(kind)
    m = len(judged) * len(kinds)
    best: list[dict[str, Any]] = []
    for kind in kinds:
        for t in judged:
            bad, n = rows[t].problem(kind)
            rest_bad = sum(rows[o].problem(kind)[0] for o in judged if o != t)
            rest_n = sum(rows[o].problem(kind)[1] for o in judged if o != t)
            if n == 0 or rest_n == 0:
                continue
            p = fisher_greater(bad, n - bad, rest_bad, rest_n - rest_bad)
            test = {"trx": t, "problem": kind, "bad": bad, "n": n, "rest_bad": rest_bad, "rest_n": rest_n,
                    "p": p, "p_adjusted": min(1.0, p * m)}
            test["significant"] = test["p_adjusted"] < ALPHA and bad >= MIN_BAD
            v.tests.append(test)
    significant = sorted((t for t in v.tests if t["significant"]), key=lambda t: t["p_adjusted"])
    v.suspects = list(dict.fromkeys(t["trx"] for t in significant))
    if significant:
        best = [t for t in significant if math.isclose(t["p_adjusted"], significant[0]["p_adjusted"], rel_tol=1e-9)]
        top = best[0]
        v.problem, v.p_adjusted = top["problem"], top["p_adjusted"]
        v.support[:0] = [_support_line(t) for t in significant]
        if len({t["trx"] for t in best}) > 1:
            v.status = SEVERAL
            v.text = (f"{' and '.join(dict.fromkeys(t['trx'] for t in best))} stand out equally "
                      f"({problem_text(top['problem'])}): no single suspect")
        else:
            v.status, v.suspect = SUSPECT, top["trx"]
            v.text = f"suspect {top['trx']}: {_support_line(top)} (adjusted p {top['p_adjusted']:.2g})"
        return v
    if v.all_failing:
        v.status = ALL_FAILING
        v.text = ("all TRXs failing (" + ", ".join(problem_text(k) for k in v.all_failing)
                  + "): not a TRX fault — look at the cell, site, transmission or far end")
        return v
    v.status = NONE
    smallest = min((t["p_adjusted"] for t in v.tests), default=None)
    v.text = "no TRX stands out" + ("" if smallest is None else f" (smallest adjusted p {smallest:.2g})")
    if v.tests:
        worst = min(v.tests, key=lambda t: t["p_adjusted"])
        v.support.append(_support_line(worst))
    return v


def _support_line(t: dict[str, Any]) -> str:
    """ "TRX-69-1: 10 of 10 calls one-way (far end cannot hear us); other TRXs 0 of 20" """
    unit = _unit(t["problem"])
    return (f"{t['trx']}: {t['bad']} of {t['n']} {unit} {problem_text(t['problem'])}; "
            f"other TRXs {t['rest_bad']} of {t['rest_n']}")
