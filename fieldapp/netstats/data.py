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

    @property
    def empty(self) -> bool:
        return not self.objects and not self.alarms

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
    return StatsData(objects, K.counters_frame(rows, names), alarms)


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
