"""The shared real samples read exactly as their golden files say (regenerate with
``python -m tests.logs.regen_golden`` after a deliberate change)."""

from __future__ import annotations

import pytest

from tests.logs.golden import CASES, load, summarise


@pytest.mark.parametrize("name", sorted(CASES))
def test_sample_log_matches_its_golden_file(name):
    fixture, reader = CASES[name]
    assert summarise(fixture, reader) == load(name)


def test_nemo_sample_has_three_normal_calls_and_one_failed_attempt():
    golden = load("nemo-RYG0443_R3_R002.3")
    assert golden["calls"] == {"success": 3, "failed": 1, "dropped": 0}
    assert golden["event_kinds"]["call_attempt"] == 4
    # 16:01:58.567 local on 26.8.2018 with #UT 420 (UTC+7) = 09:01:58.567 UTC
    assert golden["first_sample"]["ts_utc"] == pytest.approx(1535274118.567)


def test_gnettrack_sample_has_41_calls_two_dropped():
    golden = load("gnettrack-Yas_log")
    assert golden["calls"] == {"success": 39, "failed": 0, "dropped": 2}
    assert golden["event_kinds"]["call_attempt"] == 41
    assert golden["techs"] == {"GSM": 156, "LTE": 1861, "UMTS": 702}
