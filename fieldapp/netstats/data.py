"""Statistics evidence read from the workspace: counter objects, their counters as a pandas
frame, and alarms; for a case (its imports), for named cells, or all of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from fieldapp.netstats import kpi as K
from fieldapp.store import Store


@dataclass
class StatsData:
    objects: list[dict[str, Any]]
    counters: pd.DataFrame  # counters_frame: object, start, period_s, counters...
    alarms: list[dict[str, Any]] = field(default_factory=list)
    # The alarm exports imported (store.stat_imports of kind "alarms": source, summary...). An
    # alarm list with no row is evidence too ("hardware check done: no alarm"); no list at all
    # means the alarms were never checked, which ``alarms`` alone cannot tell apart.
    alarm_lists: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.objects and not self.alarms and not self.alarm_lists

    @property
    def alarms_checked(self) -> bool:
        """An alarm list was imported (possibly with no alarm): procedure step 3.2 was done."""
        return bool(self.alarm_lists or self.alarms)

    def alarm_sources(self) -> list[str]:
        """The file names of the alarm lists imported, in import order, each once."""
        return list(dict.fromkeys(str(i.get("source") or "?") for i in self.alarm_lists))

    def object_names(self, kind: str) -> list[str]:
        return [object_name(o) for o in self.objects if o["kind"] == kind]

    def by_name(self) -> dict[str, dict[str, Any]]:
        return {object_name(o): o for o in self.objects}

    def frame(self, kind: str) -> pd.DataFrame:
        names = set(self.object_names(kind))
        if self.counters.empty:
            return self.counters
        return self.counters[self.counters["object"].isin(names)]

    def kpi_table(self, kind: str = "cell", by: str = "hour", names: list[str] | None = None) -> pd.DataFrame:
        return K.kpis(K.aggregate(self.frame(kind), by), names)


def object_name(o: dict[str, Any]) -> str:
    if o["kind"] == "bsc":
        return o["bsc"] or "?"
    if o["kind"] == "trx":
        return f"{o['cell']}/{o['trx']}"
    if o["kind"] == "ncell":
        return f"{o['cell']}->{o['neighbour']}"
    return o["cell"] or "?"


def load(store: Store, *, case_id: int | None = None, cells: list[str] | None = None,
         from_utc: float | None = None, to_utc: float | None = None) -> StatsData:
    objects = store.stat_objects(case_id=case_id, cells=cells)
    names = {o["id"]: object_name(o) for o in objects}
    rows = store.stat_values(list(names), from_utc=from_utc, to_utc=to_utc)
    alarms = store.alarms(case_id=case_id)
    if cells is not None:
        wanted = set(cells)
        alarms = [a for a in alarms if alarm_cell_match(a, wanted)]
    lists = [i for i in store.stat_imports(case_id=case_id) if i["kind"] == "alarms"]
    return StatsData(objects, K.counters_frame(rows, names), alarms, lists)


def alarm_cell_match(alarm: dict[str, Any], cells: set[str]) -> str | None:
    """The cell of ``cells`` an alarm is on: its cell, or the site/MO name the cell's name
    starts with (Huawei MO Name "STH0456" covers cells STH0456A..C)."""
    for c in (alarm.get("cell"), alarm.get("managed_object")):
        if not c:
            continue
        if c in cells:
            return c
        hits = sorted(x for x in cells if x.startswith(c))
        if hits:
            return hits[0]
    return None


# Counters a chart may show besides the KPIs (name -> the canonical counters, first present wins).
SERIES_COUNTERS = {
    "access_attempts": ("channel_requests", "ia_attempts", "sdcch_attempts"),
    "sdcch_seizures": ("sdcch_seizures", "ia_success"),
    "ho_in_success": ("ho_in_success",),
    "tch_drops": ("tch_drops",),
}
SERIES_TITLES = {"access_attempts": "Channel requests / SDCCH attempts", "sdcch_seizures": "SDCCH seizures",
                 "ho_in_success": "Incoming handovers", "tch_drops": "TCH drops"}


def series_title(name: str) -> tuple[str, str]:
    """(title, unit) of a KPI or a counter series."""
    if name in K.KPI_BY_NAME:
        k = K.KPI_BY_NAME[name]
        return k.title, k.unit
    return SERIES_TITLES.get(name, name), "count"


def series(stats: StatsData, name: str, by: str = "hour", cells: list[str] | None = None
           ) -> dict[str, list[tuple[float, float | None]]]:
    """Per cell, the (period start, value) points of a KPI or of a counter series; missing
    values are None (a gap in a plot, never 0)."""
    frame = stats.frame("cell")
    if frame.empty:
        return {}
    agg = K.aggregate(frame, by)
    if name in K.KPI_BY_NAME:
        values = K.KPI_BY_NAME[name].value(agg)
    elif name in SERIES_COUNTERS:
        values = pd.Series(float("nan"), index=agg.index)
        for c in SERIES_COUNTERS[name]:
            if c in agg.columns:
                values = values.combine_first(agg[c].astype(float))
    else:
        raise ValueError(f"unknown series {name!r}")
    out: dict[str, list[tuple[float, float | None]]] = {}
    for (obj, start), v in values.items():
        if cells is not None and obj not in cells:
            continue
        out.setdefault(str(obj), []).append((start.timestamp(), None if pd.isna(v) else float(v)))
    return out


def cell_kpi_means(stats: StatsData, names: list[str]) -> dict[str, dict[str, float | None]]:
    """Per cell, each KPI over the whole export (ratios of the sums of every period)."""
    frame = stats.frame("cell")
    if frame.empty:
        return {}
    agg = K.aggregate(frame, "day")
    totals = agg.groupby(level="object").sum(min_count=1)
    for mean in K.MEANS:  # means are averaged, not summed, over the days
        if mean in agg.columns:
            totals[mean] = agg[mean].groupby(level="object").mean()
    tab = K.kpis(totals, names)
    return {str(cell): {k: (None if pd.isna(v) else float(v)) for k, v in row.items()} for cell, row in tab.iterrows()}


# A ratio over the whole export is a ratio of sums: hours without a single attempt add nothing to
# it, so BRIDGE-1's "random access success 99.7 %" can come from 6 of 24 hours while the BCCH hung
# for the other 18 (trial 2026-12-06 P10b). ``cell_kpi_cells`` therefore counts, per cell and
# KPI, the hours whose ratio is undefined: the denominator counters present but summing to 0
# ("no requests") or missing ("no data"). The formulas stay as they are.
DENOMINATORS: dict[str, tuple[tuple[str, ...], str]] = {  # KPI -> (denominator counters, what they count)
    "call_setup_success_pct": (("sdcch_attempts", "tch_attempts"), "call attempts"),
    "random_access_success_pct": (("channel_requests", "ia_attempts", "sdcch_attempts", "ra_failed"), "requests"),
    "sdcch_congestion_pct": (("sdcch_attempts",), "SDCCH attempts"),
    "sdcch_drop_pct": (("sdcch_seizures",), "SDCCH seizures"),
    "tch_congestion_pct": (("tch_attempts",), "TCH attempts"),
    "tch_assignment_success_pct": (("tch_attempts",), "TCH attempts"),
    "tch_drop_pct": (("tch_assignments", "ho_in_success"), "calls"),
    "ho_in_success_pct": (("ho_in_attempts",), "handover attempts"),
    "ho_out_success_pct": (("ho_out_attempts", "ho_attempts"), "handover attempts"),
    "pdch_allocation_success_pct": (("pdch_alloc_attempts",), "allocation attempts"),
    "ul_tbf_success_pct": (("ul_tbf_requests",), "TBF requests"),
    "dl_tbf_success_pct": (("dl_tbf_attempts",), "TBF attempts"),
    "interference_band45_pct": (K.BANDS, "idle-TCH measurements"),
}
# A share of hours without attempts from which a "good" or "fair" ratio is shown as a warning.
SPARSE_SHARE = 0.25


@dataclass(frozen=True)
class KpiCell:
    """One cell × KPI of the table: the value over the export, its colour grade ("good", "fair",
    "bad", or "warning" when too many hours had no attempts) and those hours."""
    value: float | None
    grade: str | None
    hours: int  # hours of the export with counters for the cell
    empty_hours: int  # of them, hours whose ratio is undefined (no attempts / no data)
    note: str  # "no requests in 18 of 24 h", "" when every hour has a value

    def text(self, digits: int = 1, unit: str = "") -> str:
        shown = "—" if self.value is None else f"{self.value:.{digits}f}" + (f" {unit}" if unit else "")
        return shown + (f" ({self.note})" if self.note else "")


def cell_kpi_cells(stats: StatsData, names: list[str]) -> dict[str, dict[str, KpiCell]]:
    """Per cell, each KPI over the whole export (``cell_kpi_means``) with the hours in which it
    had no attempts; a good/fair ratio built on SPARSE_SHARE or more such hours grades "warning"."""
    means = cell_kpi_means(stats, names)
    if not means:
        return {}
    agg = K.aggregate(stats.frame("cell"), "hour")
    hourly = K.kpis(agg, names)
    out: dict[str, dict[str, KpiCell]] = {}
    for cell, values in means.items():
        rows = hourly.loc[cell]
        cells: dict[str, KpiCell] = {}
        for name in names:
            v = values.get(name)
            grade = K.KPI_BY_NAME[name].grade(v)
            undefined = rows[name].isna()
            hours, empty = len(rows), int(undefined.sum())
            note = ""
            if v is not None and empty and name in DENOMINATORS:
                counters, noun = DENOMINATORS[name]
                present = [c for c in counters if c in agg.columns]
                den = agg.loc[cell][present].sum(axis=1, min_count=1) if present else None
                zero = int(((den == 0) & undefined).sum()) if den is not None else 0
                bits = ([f"no {noun} in {zero} of {hours} h"] if zero else []) + (
                    [f"no data in {empty - zero} of {hours} h"] if empty - zero else [])
                note = ", ".join(bits)
                if grade in ("good", "fair") and empty >= SPARSE_SHARE * hours:
                    grade = "warning"
            cells[name] = KpiCell(v, grade, hours, empty if note else 0, note)
        out[cell] = cells
    return out
