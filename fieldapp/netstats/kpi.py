"""KPIs over counters, with the formulas stated (docs/network-statistics.md has the table).

Counters of one object and period come from the store as canonical names (logs/stats_counters.csv).
``aggregate`` bins them per period, hour or day: counts are summed (``min_count=1``: a bin whose
values are all missing stays missing, never 0), mean quantities (Erlang, available channels)
are averaged weighted by period length, and scan accumulators become means per period first
(TFTRALACC/TFNSCAN Erlang) before they are averaged. ``kpis`` then takes ratios of the sums.
Each KPI lists its formulas in order; a bin gets the first one whose counters it has (an
Ericsson formula needs Ericsson-only counters, so a Huawei export falls through to its own).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Quantities that are means over the period (not counts): averaged, weighted by period length.
MEANS = ("tch_traffic_erl", "sdcch_traffic_erl", "tch_available", "tch_configured", "tch_defined",
         "tch_available_mean", "trx_configured", "trx_available", "sdcch_available", "sdcch_configured",
         "pdch_allocated_mean", "downtime_share")
# Scan accumulators -> per-period means: (accumulator, scans, mean name)
SCANNED = (("tch_fr_traffic_acc", "tch_fr_scans", "tch_traffic_erl"),
           ("tch_hr_traffic_acc", "tch_hr_scans", "tch_traffic_erl"),
           ("sdcch_traffic_acc", "sdcch_scans", "sdcch_traffic_erl"),
           ("tch_available_acc", "tch_available_scans", "tch_available_mean"),
           ("pdch_allocated_acc", "pdch_scans", "pdch_allocated_mean"),
           ("downtime_acc", "downtime_scans", "downtime_share"))
BANDS = tuple(f"idle_tch_band{i}" for i in range(1, 6))
DROP_REASONS = ("tch_drops_low_ss", "tch_drops_bad_quality", "tch_drops_sudden", "tch_drops_ta",
                "tch_drops_equipment", "tch_drops_abis")
FREQS = {"period": None, "hour": "h", "day": "D"}


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    if name in df.columns:
        return df[name].astype(float)
    return pd.Series(np.nan, index=df.index, dtype=float)


def ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """num/den; missing where den is missing or not positive (no 0/0 = 0)."""
    return num / den.where(den > 0)


def _sum(df: pd.DataFrame, names: tuple[str, ...], *, all_required: bool = False) -> pd.Series:
    part = pd.concat([_col(df, n) for n in names], axis=1)
    if all_required:
        return part.sum(axis=1, min_count=len(names))
    return part.sum(axis=1, min_count=1)


@dataclass(frozen=True)
class Kpi:
    name: str
    title: str
    unit: str
    formulas: tuple[str, ...]  # as in the docs table, one per alternative, in order
    compute: tuple[Callable[[pd.DataFrame], pd.Series], ...]
    good_above: float | None = None  # thresholds for the colours of the window's table
    bad_below: float | None = None
    good_below: float | None = None
    bad_above: float | None = None

    def value(self, df: pd.DataFrame) -> pd.Series:
        out = pd.Series(np.nan, index=df.index, dtype=float)
        for fn in self.compute:
            out = out.combine_first(fn(df).astype(float))
        return out.where(np.isfinite(out))

    def grade(self, value: float | None) -> str | None:
        """"good", "fair" or "bad" by this KPI's thresholds; None without a value or thresholds."""
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None
        if self.good_above is not None and self.bad_below is not None:
            return "good" if value >= self.good_above else "bad" if value < self.bad_below else "fair"
        if self.good_below is not None and self.bad_above is not None:
            return "good" if value <= self.good_below else "bad" if value > self.bad_above else "fair"
        return None


def _pct(x: pd.Series) -> pd.Series:
    return 100.0 * x


def _cssr_ericsson(d: pd.DataFrame) -> pd.Series:
    sd = (1 - ratio(_col(d, "sdcch_congestion"), _col(d, "sdcch_attempts")))
    drop = 1 - ratio(_col(d, "sdcch_drops") - _col(d, "sdcch_rel_tch_congestion"), _col(d, "sdcch_seizures"))
    return 100 * sd * drop * ratio(_col(d, "tch_assignments"), _col(d, "tch_attempts"))


def _cssr_product(d: pd.DataFrame) -> pd.Series:
    ia = ratio(_col(d, "sdcch_seizures"), _col(d, "sdcch_attempts"))
    drop = 1 - ratio(_col(d, "sdcch_drops"), _col(d, "sdcch_seizures"))
    return 100 * ia * drop * ratio(_col(d, "tch_assignments"), _col(d, "tch_attempts"))


def _drop_denominator(d: pd.DataFrame) -> pd.Series:
    return _col(d, "tch_assignments") + _col(d, "ho_in_success") - _col(d, "ho_out_success")


def _reason(name: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda d: _pct(ratio(_col(d, name), _col(d, "tch_drops")))


def _other_drops(d: pd.DataFrame) -> pd.Series:
    known = _sum(d, DROP_REASONS)
    return _pct(ratio(_col(d, "tch_drops") - known, _col(d, "tch_drops")))


KPIS: tuple[Kpi, ...] = (
    Kpi("call_setup_success_pct", "Call setup success", "%",
        ("(1-CCONGS/CCALLS)·(1-(CNDROP-CNRELCONG)/CMSESTAB)·TCASSALL/TASSALL·100 [Ericsson]",
         "(sdcch_seizures/sdcch_attempts)·(1-sdcch_drops/sdcch_seizures)·(tch_assignments/tch_attempts)·100"),
        (_cssr_ericsson, _cssr_product), good_above=98, bad_below=95),
    Kpi("random_access_success_pct", "Random access success", "%",
        ("100-100·ra_failed/(channel_requests+ra_accepted_ps+ra_failed) [Ericsson RAACCFA, CNROCNT, PDRAC]",
         "100-100·ra_failed/(channel_requests+ra_failed)",
         "100·ia_success/ia_attempts [3GPP]", "100·sdcch_seizures/sdcch_attempts [Huawei K3003/K3000]"),
        (lambda d: 100 - _pct(ratio(_col(d, "ra_failed"), _col(d, "channel_requests") + _col(d, "ra_accepted_ps")
                                    + _col(d, "ra_failed"))),
         lambda d: 100 - _pct(ratio(_col(d, "ra_failed"), _col(d, "channel_requests") + _col(d, "ra_failed"))),
         lambda d: _pct(ratio(_col(d, "ia_success"), _col(d, "ia_attempts"))),
         lambda d: _pct(ratio(_col(d, "sdcch_seizures"), _col(d, "sdcch_attempts")))),
        good_above=98, bad_below=95),
    Kpi("sdcch_congestion_pct", "SDCCH congestion", "%", ("100·sdcch_congestion/sdcch_attempts",),
        (lambda d: _pct(ratio(_col(d, "sdcch_congestion"), _col(d, "sdcch_attempts"))),), good_below=0.5, bad_above=2),
    Kpi("sdcch_drop_pct", "SDCCH drop", "%", ("100·sdcch_drops/sdcch_seizures",),
        (lambda d: _pct(ratio(_col(d, "sdcch_drops"), _col(d, "sdcch_seizures"))),), good_below=1, bad_above=3),
    Kpi("tch_congestion_pct", "TCH congestion", "%",
        ("100·tch_busy_failures/tch_attempts [Huawei K3011A/K3010A, 3GPP]",
         "100·(sdcch_rel_tch_congestion+tch_rel_congestion)/tch_attempts [Ericsson (CNRELCONG+T*NRELCONG*)/TASSALL]"),
        (lambda d: _pct(ratio(_col(d, "tch_busy_failures"), _col(d, "tch_attempts"))),
         lambda d: _pct(ratio(_sum(d, ("sdcch_rel_tch_congestion", "tch_rel_congestion")), _col(d, "tch_attempts")))),
        good_below=1, bad_above=2),
    Kpi("tch_assignment_success_pct", "TCH assignment success", "%", ("100·tch_assignments/tch_attempts",),
        (lambda d: _pct(ratio(_col(d, "tch_assignments"), _col(d, "tch_attempts"))),), good_above=98, bad_below=95),
    Kpi("tch_drop_pct", "TCH drop rate (per call)", "%",
        ("100·tch_drops/(tch_assignments+ho_in_success-ho_out_success)", "100·tch_drops/tch_assignments"),
        (lambda d: _pct(ratio(_col(d, "tch_drops"), _drop_denominator(d))),
         lambda d: _pct(ratio(_col(d, "tch_drops"), _col(d, "tch_assignments")))),
        good_below=1, bad_above=2),
    Kpi("tch_drops_per_erlh", "TCH drops per Erlang-hour", "1/Erlh", ("tch_drops/(tch_traffic_erl·hours)",),
        (lambda d: ratio(_col(d, "tch_drops"), _col(d, "tch_traffic_erl") * _col(d, "hours")),),
        good_below=0.5, bad_above=1.5),
    Kpi("drop_low_ss_pct", "Drops on low signal strength", "% of drops", ("100·tch_drops_low_ss/tch_drops",),
        (_reason("tch_drops_low_ss"),)),
    Kpi("drop_bad_quality_pct", "Drops on bad quality", "% of drops", ("100·tch_drops_bad_quality/tch_drops",),
        (_reason("tch_drops_bad_quality"),)),
    Kpi("drop_sudden_pct", "Sudden-loss drops", "% of drops", ("100·tch_drops_sudden/tch_drops",),
        (_reason("tch_drops_sudden"),)),
    Kpi("drop_ta_pct", "Drops on excessive TA", "% of drops", ("100·tch_drops_ta/tch_drops",), (_reason("tch_drops_ta"),)),
    Kpi("drop_equipment_pct", "Drops on equipment failure", "% of drops", ("100·tch_drops_equipment/tch_drops",),
        (_reason("tch_drops_equipment"),)),
    Kpi("drop_other_pct", "Other drops (total minus known reasons)", "% of drops",
        ("100·(tch_drops-Σ known reasons)/tch_drops",), (_other_drops,)),
    Kpi("ho_in_success_pct", "Incoming handover success", "%", ("100·ho_in_success/ho_in_attempts",),
        (lambda d: _pct(ratio(_col(d, "ho_in_success"), _col(d, "ho_in_attempts"))),), good_above=95, bad_below=90),
    Kpi("ho_out_success_pct", "Outgoing handover success", "%",
        ("100·ho_out_success/ho_out_attempts", "100·ho_success/ho_attempts [per relation: HOVERSUC/HOVERCNT]"),
        (lambda d: _pct(ratio(_col(d, "ho_out_success"), _col(d, "ho_out_attempts"))),
         lambda d: _pct(ratio(_col(d, "ho_success"), _col(d, "ho_attempts")))), good_above=95, bad_below=90),
    Kpi("traffic_erl", "TCH traffic", "Erl",
        ("tch_traffic_erl [Huawei K3014, 3GPP meanTCHBusyTime]; Ericsson TFTRALACC/TFNSCAN+THTRALACC/THNSCAN per period",),
        (lambda d: _col(d, "tch_traffic_erl"),)),
    Kpi("interference_band45_pct", "Idle TCH in interference bands 4-5", "%",
        ("100·(idle_tch_band4+idle_tch_band5)/Σ idle_tch_band1..5",),
        (lambda d: _pct(ratio(_sum(d, BANDS[3:], all_required=True), _sum(d, BANDS, all_required=True))),),
        good_below=2, bad_above=10),
    Kpi("tch_availability_pct", "TCH availability", "%",
        ("100·tch_available_mean/tch_defined [Ericsson (TAVAACC/TAVASCAN)/TNUCHCNT]",
         "100·tch_available/tch_configured [Huawei K3015/K3016]"),
        (lambda d: _pct(ratio(_col(d, "tch_available_mean"), _col(d, "tch_defined"))),
         lambda d: _pct(ratio(_col(d, "tch_available"), _col(d, "tch_configured")))), good_above=99, bad_below=95),
    Kpi("trx_availability_pct", "TRX availability", "%", ("100·trx_available/trx_configured [Huawei S3656/S3655]",),
        (lambda d: _pct(ratio(_col(d, "trx_available"), _col(d, "trx_configured"))),), good_above=99.9, bad_below=99),
    Kpi("pdch_allocation_success_pct", "PDCH allocation success", "%",
        ("100·(1-pdch_alloc_failures/pdch_alloc_attempts) [Ericsson PCHALLFAIL/PCHALLATT]",),
        (lambda d: 100 - _pct(ratio(_col(d, "pdch_alloc_failures"), _col(d, "pdch_alloc_attempts"))),),
        good_above=95, bad_below=80),
    Kpi("ul_tbf_success_pct", "UL TBF establishment success", "%",
        ("100·(1-ul_tbf_rejects/ul_tbf_requests) [Ericsson (PREJTFI+PREJOTH)/PSCHREQ, Huawei A9003/A9001]",),
        (lambda d: 100 - _pct(ratio(_col(d, "ul_tbf_rejects"), _col(d, "ul_tbf_requests"))),),
        good_above=95, bad_below=80),
    Kpi("tch_drops_count", "TCH drops", "count", ("tch_drops (per cell, or per TRX where the vendor counts them)",),
        (lambda d: _col(d, "tch_drops"),)),
    Kpi("ul_rxqual_bad_pct", "UL measurement reports with RXQUAL 5-7", "%",
        ("100·Σ trx_ul_rxqual5..7/Σ trx_ul_rxqual0..7 [Huawei NCS413F-H / NCS413A-H, per TRX]",),
        (lambda d: _pct(ratio(_sum(d, tuple(f"trx_ul_rxqual{i}" for i in (5, 6, 7)), all_required=True),
                              _sum(d, tuple(f"trx_ul_rxqual{i}" for i in range(8)), all_required=True))),),
        good_below=5, bad_above=15),
    Kpi("sdcch_imm_ass_count", "Immediate assignments on SDCCH", "count",
        ("trx_imm_ass_sdcch [Huawei R4400A, per TRX]",), (lambda d: _col(d, "trx_imm_ass_sdcch"),)),
    Kpi("dl_tbf_success_pct", "DL TBF establishment success", "%",
        ("100·(1-dl_tbf_failures/dl_tbf_attempts) [Ericsson FAILDLTBFEST/DLTBFEST]",),
        (lambda d: 100 - _pct(ratio(_col(d, "dl_tbf_failures"), _col(d, "dl_tbf_attempts"))),),
        good_above=95, bad_below=80),
)
KPI_BY_NAME = {k.name: k for k in KPIS}


def counters_frame(rows: list[tuple], names: dict[int, str]) -> pd.DataFrame:
    """Long rows (object_id, start_utc, period_s, counter, value) -> one row per object and
    period: columns ``object``, ``start`` (UTC timestamps), ``period_s`` and one per counter."""
    if not rows:
        return pd.DataFrame(columns=["object", "start", "period_s"])
    long = pd.DataFrame(rows, columns=["object_id", "start_utc", "period_s", "counter", "value"])
    long["value"] = long["value"].astype(float)
    wide = long.pivot_table(index=["object_id", "start_utc"], columns="counter", values="value",
                            aggfunc="first", dropna=False)
    periods = long.groupby(["object_id", "start_utc"])["period_s"].first()
    wide = wide.join(periods).reset_index()
    wide["object"] = wide["object_id"].map(names)
    wide["start"] = pd.to_datetime(wide["start_utc"], unit="s", utc=True)
    wide["period_s"] = wide["period_s"].fillna(3600).astype(float)
    return wide.drop(columns=["object_id", "start_utc"])


def per_period(df: pd.DataFrame) -> pd.DataFrame:
    """Scan accumulators to means for each period (ACC/SCAN), before any aggregation."""
    out = df.copy()
    for acc, scans, mean in SCANNED:
        if acc in out.columns and scans in out.columns:
            value = ratio(_col(out, acc), _col(out, scans))
            out[mean] = value if mean not in out.columns else pd.concat([_col(out, mean), value], axis=1).sum(
                axis=1, min_count=1)
    return out


def aggregate(df: pd.DataFrame, by: str = "hour") -> pd.DataFrame:
    """Bins per ``by`` ("period", "hour", "day") and object: counters summed, means weighted by
    period length, ``hours`` = the hours of data in the bin. Index: (object, start)."""
    if by not in FREQS:
        raise ValueError(f"by must be one of {', '.join(FREQS)}")
    if df.empty:
        return pd.DataFrame(index=pd.MultiIndex.from_tuples([], names=["object", "start"]))
    d = per_period(df)
    freq = FREQS[by]
    d["bin"] = d["start"] if freq is None else d["start"].dt.floor(freq)
    skip = {"object", "start", "bin", "period_s"}
    scans = {c for trio in SCANNED for c in trio[:2]}
    columns = [c for c in d.columns if c not in skip and c not in scans]
    keys = [d["object"], d["bin"]]
    sums = d[[c for c in columns if c not in MEANS]].groupby(keys).sum(min_count=1)
    parts = [sums]
    for c in columns:
        if c in MEANS:
            w = d["period_s"].where(d[c].notna())
            num = (d[c] * d["period_s"]).groupby(keys).sum(min_count=1)
            parts.append((num / w.groupby(keys).sum(min_count=1)).rename(c))
    hours = (d["period_s"].groupby(keys).sum() / 3600.0).rename("hours")
    out = pd.concat(parts + [hours], axis=1)
    out.index.names = ["object", "start"]
    return out


def kpis(agg: pd.DataFrame, names: list[str] | None = None) -> pd.DataFrame:
    """The KPIs (all, or ``names``) of each bin of ``aggregate``: same index, one column each."""
    chosen = [KPI_BY_NAME[n] for n in names] if names else list(KPIS)
    return pd.DataFrame({k.name: k.value(agg) for k in chosen}, index=agg.index)


def unknown_kpis(names: list[str]) -> list[str]:
    return [n for n in names if n not in KPI_BY_NAME]


def as_records(table: pd.DataFrame) -> list[dict]:
    """Rows of a KPI table as plain dicts; NaN becomes None (missing, never 0)."""
    out = []
    for (obj, start), row in table.iterrows():
        rec = {"object": obj, "start_utc": start.timestamp()}
        rec.update({k: (None if pd.isna(v) else round(float(v), 4)) for k, v in row.items()})
        out.append(rec)
    return out
