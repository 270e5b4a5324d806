"""Shared pieces of the statistics rules (fieldapp/netstats/rules.py and its siblings): thresholds,
number formatting that says "n/a" for missing values, and the cell plan's cell of a statistics
object (by name, else by CGI)."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

import pandas as pd

from fieldapp.model import PlanCell
from fieldapp.netstats import kpi as K
from fieldapp.netstats.data import StatsData

HUNG_MIN_PERIODS = 3  # periods in a row with no access while handovers still come in
NEAR_ZERO = 2  # "no random access": at most this many in a period
PACKET_FAIL_PCT = 20.0  # below this allocation / TBF success a cell's packet service is down
PACKET_MIN_ATTEMPTS = 10
PACKET_MIN_CELLS = 2
VOICE_OK_PCT = 90.0
BAND45_PCT = 10.0  # idle TCHs in bands 4-5: normally ~0 (docs/network-statistics.md §5)
LOW_ARFCN_MAX = 20
SDCCH_FAIL_PCT = 10.0  # SDCCH seizures failing beyond congestion
MAX_CITES = 8
CLEAN_KPIS = ("call_setup_success_pct", "tch_drop_pct", "sdcch_congestion_pct", "tch_congestion_pct",
              "interference_band45_pct", "ul_tbf_success_pct")


def when(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d %H:%M")


def num(v: Any) -> float | None:
    if v is None:
        return None
    f = float(v)
    return None if math.isnan(f) else f


def fmt(v: float | None, digits: int = 0) -> str:
    return "n/a" if v is None else f"{v:.{digits}f}"


def coalesce(df: pd.DataFrame, *names: str) -> pd.Series:
    out = pd.Series(float("nan"), index=df.index)
    for n in names:
        if n in df.columns:
            out = out.combine_first(df[n].astype(float))
    return out


def plan_for(plan: list[PlanCell], name: str, cgi: str | None = None) -> PlanCell | None:
    """The plan's cell for a statistics object: by name, else by CGI (MCC MNC LAC CI in hex)."""
    hit = next((c for c in plan if c.name == name), None)
    if hit is not None or not cgi or len(cgi) < 13:
        return hit
    try:
        lac, ci = int(cgi[-8:-4], 16), int(cgi[-4:], 16)
    except ValueError:
        return None
    return next((c for c in plan if c.lac == lac and c.ci == ci), None)


def cell_periods(stats: StatsData) -> pd.DataFrame:
    return K.aggregate(stats.frame("cell"), "period")
