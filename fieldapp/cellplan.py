"""The workspace's cell plan and where it comes from.

An engineer's plan comes from a cell file (``fieldapp import cells.cel``); the simulator brings
the plan of its scenario (source ``scenario:<name>``). A scenario's plan may replace another
scenario's plan or an empty one, never a plan imported from a cell file: a demo must not
overwrite the real network.

Kernel-free of devices: where a scenario's cells come from (``drivers.sim``) is the live
session's business (``fieldapp.live.scenario_plan``); this module only decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fieldapp.model import PlanCell

SCENARIO_PREFIX = "scenario:"


def may_replace(current_source: str | None, new_source: str) -> bool:
    if not new_source.startswith(SCENARIO_PREFIX):
        return True  # a cell file the engineer chose to import
    return not current_source or current_source.startswith(SCENARIO_PREFIX)


def adopt_plan(store: Any, cells: Sequence[PlanCell], source: str) -> bool:
    """Make ``cells`` the workspace's plan when ``may_replace`` allows; True when it did."""
    if not cells or not may_replace(store.cell_plan_source(), source):
        return False
    store.put_cell_plan(list(cells), source)
    return True

