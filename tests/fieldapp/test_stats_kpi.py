"""KPI formulas (fieldapp/netstats/kpi.py, docs/network-statistics.md) against numbers worked
by hand: ratios of sums over the bin, means weighted by period, missing never zero, and each
vendor's formula chosen by the counters it has."""

from __future__ import annotations

import math

import pytest

from fieldapp.netstats import kpi as K

T0 = 1710147600.0  # 2024-03-11 09:00 UTC


def table(rows, by="hour", names=None):
    """rows: (object, start offset s, period s, {counter: value})."""
    ids = {name: i for i, name in enumerate(sorted({r[0] for r in rows}))}
    long = [(ids[o], T0 + off, per, c, v) for o, off, per, vals in rows for c, v in vals.items()]
    agg = K.aggregate(K.counters_frame(long, {i: n for n, i in ids.items()}), by)
    return agg, K.kpis(agg, names)


def one(tab, obj, col, start_offset=0):
    import pandas as pd

    v = tab.loc[(obj, pd.Timestamp(T0 + start_offset, unit="s", tz="UTC")), col]
    return None if math.isnan(v) else float(v)


def test_two_half_hours_are_summed_before_dividing():
    # 09:00 SDCCH 100 attempts 10 congested (10 %); 09:30 300 attempts 0 congested.
    # Ratio of sums: 10/400 = 2.5 % (not the mean of 10 % and 0 %, which would be 5 %).
    _agg, tab = table([("A", 0, 1800, {"sdcch_attempts": 100, "sdcch_congestion": 10}),
                       ("A", 1800, 1800, {"sdcch_attempts": 300, "sdcch_congestion": 0})])
    assert one(tab, "A", "sdcch_congestion_pct") == pytest.approx(2.5)


def test_erlang_is_a_period_weighted_mean_and_ericsson_scans_become_erlang_first():
    # Huawei K3014: 10 Erl for 30 min then 20 Erl for 30 min -> 15 Erl mean in the hour.
    # Ericsson: TFTRALACC 1800/TFNSCAN 180 = 10 Erl (FR) + THTRALACC 360/THNSCAN 180 = 2 Erl (HR) -> 12 Erl.
    agg, tab = table([("H", 0, 1800, {"tch_traffic_erl": 10.0}), ("H", 1800, 1800, {"tch_traffic_erl": 20.0}),
                      ("E", 0, 3600, {"tch_fr_traffic_acc": 1800, "tch_fr_scans": 180,
                                      "tch_hr_traffic_acc": 360, "tch_hr_scans": 180})])
    assert one(tab, "H", "traffic_erl") == pytest.approx(15.0)
    assert one(tab, "E", "traffic_erl") == pytest.approx(12.0)
    assert one(agg, "H", "hours") == pytest.approx(1.0)


def test_a_day_of_hours_and_drops_per_erlang_hour():
    # 24 h at 5 Erl with 3 drops an hour: 72 drops / 120 Erlh = 0.6 per Erlang-hour.
    rows = [("A", h * 3600, 3600, {"tch_traffic_erl": 5.0, "tch_drops": 3, "tch_assignments": 100})
            for h in range(24)]
    _agg, tab = table(rows, by="day")
    start = -9 * 3600  # the day bin starts at midnight
    assert one(tab, "A", "tch_drops_per_erlh", start) == pytest.approx(0.6)
    assert one(tab, "A", "tch_drop_pct", start) == pytest.approx(100 * 72 / 2400)


def test_missing_is_never_zero():
    # A NIL hour leaves the KPI missing; with one hour NIL and one real, only the real one counts.
    _agg, tab = table([("A", 0, 3600, {"sdcch_attempts": None, "sdcch_congestion": None}),
                       ("B", 0, 3600, {"sdcch_attempts": 0, "sdcch_congestion": 0})])
    assert one(tab, "A", "sdcch_congestion_pct") is None
    assert one(tab, "B", "sdcch_congestion_pct") is None  # 0/0: no rate, not 0 %
    _agg, tab = table([("A", 0, 1800, {"tch_drops": None, "tch_assignments": None}),
                       ("A", 1800, 1800, {"tch_drops": 2, "tch_assignments": 50})])
    assert one(tab, "A", "tch_drop_pct") == pytest.approx(4.0)


def test_call_setup_success_ericsson_and_huawei_formulas():
    # Ericsson: (1-CCONGS/CCALLS)·(1-(CNDROP-CNRELCONG)/CMSESTAB)·TCASSALL/TASSALL
    #   = (1-20/1000)·(1-(15-5)/980)·(490/500) = 0.98 · 0.989796 · 0.98 = 95.060 %
    # Huawei: (K3003/K3000)·(1-CM30/K3003)·(K3013A/K3010A) = (980/1000)·(1-10/980)·(490/500) = 95.06 %
    _agg, tab = table([("E", 0, 3600, {"sdcch_attempts": 1000, "sdcch_congestion": 20, "sdcch_seizures": 980,
                                       "sdcch_drops": 15, "sdcch_rel_tch_congestion": 5, "tch_assignments": 490,
                                       "tch_attempts": 500}),
                       ("H", 0, 3600, {"sdcch_attempts": 1000, "sdcch_seizures": 980, "sdcch_drops": 10,
                                       "tch_assignments": 490, "tch_attempts": 500})])
    assert one(tab, "E", "call_setup_success_pct") == pytest.approx(100 * 0.98 * (1 - 10 / 980) * 0.98)
    assert one(tab, "H", "call_setup_success_pct") == pytest.approx(100 * 0.98 * (1 - 10 / 980) * 0.98)


def test_random_access_tch_congestion_handover_interference_availability_and_packet():
    _agg, tab = table([("E", 0, 3600, {
        "channel_requests": 900, "ra_accepted_ps": 50, "ra_failed": 50,       # RA: 100-100·50/1000 = 95 %
        "tch_attempts": 400, "sdcch_rel_tch_congestion": 4, "tch_rel_congestion": 4,  # (4+4)/400 = 2 %
        "ho_out_attempts": 200, "ho_out_success": 190, "ho_in_attempts": 100, "ho_in_success": 99,
        "idle_tch_band1": 700, "idle_tch_band2": 100, "idle_tch_band3": 100, "idle_tch_band4": 60,
        "idle_tch_band5": 40,                                                  # (60+40)/1000 = 10 %
        "tch_available_acc": 5040, "tch_available_scans": 360, "tch_defined": 15,  # 14/15 = 93.33 %
        "pdch_alloc_attempts": 80, "pdch_alloc_failures": 80,                 # 0 %
        "ul_tbf_requests": 200, "ul_tbf_rejects": 10,                         # 95 %
        "dl_tbf_attempts": 100, "dl_tbf_failures": 25})])                     # 75 %
    assert one(tab, "E", "random_access_success_pct") == pytest.approx(95.0)
    assert one(tab, "E", "tch_congestion_pct") == pytest.approx(2.0)
    assert one(tab, "E", "ho_out_success_pct") == pytest.approx(95.0)
    assert one(tab, "E", "ho_in_success_pct") == pytest.approx(99.0)
    assert one(tab, "E", "interference_band45_pct") == pytest.approx(10.0)
    assert one(tab, "E", "tch_availability_pct") == pytest.approx(100 * 14 / 15)
    assert one(tab, "E", "pdch_allocation_success_pct") == pytest.approx(0.0)
    assert one(tab, "E", "ul_tbf_success_pct") == pytest.approx(95.0)
    assert one(tab, "E", "dl_tbf_success_pct") == pytest.approx(75.0)


def test_huawei_alternatives_ia_success_tch_congestion_trx_availability():
    _agg, tab = table([("H", 0, 3600, {"sdcch_attempts": 540, "sdcch_seizures": 531,  # K3003/K3000 = 98.33 %
                                       "tch_attempts": 300, "tch_busy_failures": 6,   # K3011A/K3010A = 2 %
                                       "trx_configured": 4, "trx_available": 3,      # S3656/S3655 = 75 %
                                       "tch_available": 28, "tch_configured": 30})])  # K3015/K3016
    assert one(tab, "H", "random_access_success_pct") == pytest.approx(100 * 531 / 540)
    assert one(tab, "H", "tch_congestion_pct") == pytest.approx(2.0)
    assert one(tab, "H", "trx_availability_pct") == pytest.approx(75.0)
    assert one(tab, "H", "tch_availability_pct") == pytest.approx(100 * 28 / 30)


def test_drop_reasons_share_of_all_drops_with_other_as_the_rest():
    # 20 drops: 4 low signal, 10 bad quality, 2 sudden, 0 TA -> 20 %, 50 %, 10 %, 0 %, other 20 %.
    _agg, tab = table([("E", 0, 3600, {"tch_drops": 20, "tch_drops_low_ss": 4, "tch_drops_bad_quality": 10,
                                       "tch_drops_sudden": 2, "tch_drops_ta": 0})])
    assert [one(tab, "E", k) for k in ("drop_low_ss_pct", "drop_bad_quality_pct", "drop_sudden_pct", "drop_ta_pct",
                                       "drop_other_pct")] == pytest.approx([20, 50, 10, 0, 20])
    assert one(tab, "E", "drop_equipment_pct") is None  # Ericsson has no such counter: missing, not 0


def test_kpi_grades_for_the_window_colours():
    cssr = K.KPI_BY_NAME["call_setup_success_pct"]
    assert (cssr.grade(99.0), cssr.grade(96.0), cssr.grade(90.0), cssr.grade(None)) == ("good", "fair", "bad", None)
    drop = K.KPI_BY_NAME["tch_drop_pct"]
    assert (drop.grade(0.5), drop.grade(1.5), drop.grade(3.0)) == ("good", "fair", "bad")


def test_every_kpi_is_in_the_docs_table():
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "network-statistics.md").read_text(encoding="utf-8")
    missing = [k.name for k in K.KPIS if f"`{k.name}`" not in doc]
    assert not missing, f"add to docs/network-statistics.md: {missing}"
