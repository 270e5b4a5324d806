"""Fisher's exact test against published values, and the verdict rule on its edges."""

from __future__ import annotations

import pytest

from fieldapp.cqt.calls import DROPPED, NORMAL, ONE_WAY_UL, SETUP_FAILED, SUCCESS, CqtCall
from fieldapp.cqt.matrix import build_matrix, format_matrix
from fieldapp.cqt.verdict import (
    ALL_FAILING,
    NONE,
    NOT_ENOUGH,
    SEVERAL,
    SUSPECT,
    fisher_greater,
    fisher_two_sided,
    judge,
)

# (table a b c d, one-sided "greater" p, two-sided p). Sources: R fisher.test on Fisher's
# tea-tasting table; the dieting table of the Wikipedia article "Fisher's exact test"
# (two-sided 0.002759; one-sided 0.001380 = P(X <= 1), i.e. "greater" with rows swapped).
FISHER_TABLE = [
    ("tea tasting", (3, 1, 1, 3), 0.242857, 0.485714),
    ("dieting, rows swapped", (11, 3, 1, 9), 0.001380, 0.002759),
    ("dieting", (1, 9, 11, 3), 0.999966, 0.002759),
    ("10 of 10 vs 0 of 20", (10, 0, 0, 20), 1 / 30045015, 1 / 30045015),
    ("nothing bad", (0, 5, 0, 5), 1.0, 1.0),
]


@pytest.mark.parametrize("name,table,greater,two_sided", FISHER_TABLE, ids=[r[0] for r in FISHER_TABLE])
def test_fisher_exact_matches_published_values(name, table, greater, two_sided):
    assert fisher_greater(*table) == pytest.approx(greater, rel=5e-4)
    assert fisher_two_sided(*table) == pytest.approx(two_sided, rel=5e-4)


def test_fisher_refuses_negative_counts():
    with pytest.raises(ValueError):
        fisher_greater(-1, 2, 3, 4)


def _calls(trx: str, n: int, *, result=SUCCESS, listener=NORMAL, start=0) -> list[CqtCall]:
    out = []
    for i in range(n):
        connected = None if result == SETUP_FAILED else 1.0
        out.append(CqtCall(seq=start + i + 1, start_utc=0.0, trx_id=trx, trx_how="block", result=result,
                           connected_utc=connected, listener=listener if connected else None))
    return out


TRXS = ["TRX-69-0", "TRX-69-1"]


def test_case_3_names_the_one_way_trx_with_its_counts():
    calls = _calls("TRX-69-0", 10) + _calls("TRX-69-1", 10, listener=ONE_WAY_UL)
    v = judge(calls, TRXS)
    assert v.status == SUSPECT and v.suspect == "TRX-69-1" and v.problem == ONE_WAY_UL
    assert v.support[0] == ("TRX-69-1: 10 of 10 marked calls one-way (far end cannot hear us); "
                            "other TRXs 0 of 10")
    assert v.p_adjusted < 0.001


def test_too_few_calls_is_not_enough():
    calls = _calls("TRX-69-0", 4) + _calls("TRX-69-1", 4, listener=ONE_WAY_UL)
    v = judge(calls, TRXS)
    assert v.status == NOT_ENOUGH and v.suspect is None
    assert "TRX-69-0 has 4" in v.text


def test_a_trx_with_too_few_calls_is_not_judged_but_the_others_are():
    trxs = ["A", "B", "C"]
    calls = _calls("A", 8) + _calls("B", 8, listener=ONE_WAY_UL) + _calls("C", 2, listener=ONE_WAY_UL)
    v = judge(calls, trxs)
    assert v.judged == ["A", "B"] and v.not_judged == {"C": 2}
    assert v.suspect == "B"


def test_all_trxs_failing_is_not_a_trx_fault():
    calls = _calls("TRX-69-0", 6, result=SETUP_FAILED) + _calls("TRX-69-1", 6, result=SETUP_FAILED)
    v = judge(calls, TRXS)
    assert v.status == ALL_FAILING and v.suspect is None
    assert "not a TRX fault" in v.text


def test_two_trxs_equally_bad_is_a_tie_without_a_single_suspect():
    trxs = ["A", "B", "C", "D"]
    calls = (_calls("A", 10, listener=ONE_WAY_UL) + _calls("B", 10, listener=ONE_WAY_UL)
             + _calls("C", 10) + _calls("D", 10))
    v = judge(calls, trxs)
    assert v.status == SEVERAL and v.suspect is None and set(v.suspects) == {"A", "B"}


def test_a_few_bad_calls_spread_evenly_is_none():
    calls = (_calls("TRX-69-0", 9) + _calls("TRX-69-0", 1, result=DROPPED, start=9)
             + _calls("TRX-69-1", 9, start=10) + _calls("TRX-69-1", 1, result=DROPPED, start=19))
    v = judge(calls, TRXS)
    assert v.status == NONE and v.suspect is None and v.tests


def test_significant_but_fewer_than_min_bad_calls_is_not_named():
    # 2 of 2 marked vs 0 of 40: p small, but two calls are not enough to name a TRX
    calls = _calls("A", 2, listener=ONE_WAY_UL) + _calls("A", 6, listener=None, start=2) + _calls("B", 40, start=8)
    v = judge(calls, ["A", "B"])
    assert v.suspect is None


def test_unknown_and_error_calls_are_listed_not_counted():
    calls = _calls("TRX-69-0", 5) + _calls("TRX-69-1", 5, listener=ONE_WAY_UL)
    calls.append(CqtCall(seq=99, start_utc=0.0, result=SUCCESS, connected_utc=1.0, listener=ONE_WAY_UL))
    calls.append(CqtCall(seq=100, start_utc=0.0, trx_id="TRX-69-0", result="error"))
    rows = build_matrix(calls, TRXS)
    assert rows["unknown"].calls == 1 and rows["TRX-69-0"].calls == 5
    v = judge(calls, TRXS)
    assert v.uncounted == 1 and v.suspect == "TRX-69-1"
    text = format_matrix(rows)
    assert text.splitlines()[0].startswith("TRX") and "unknown" in text and "5/5" in text
