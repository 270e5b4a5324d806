"""The families the simulated handset can speak, as data tables (one module per family)."""

from __future__ import annotations

from drivers.sim.dialects.base import AtError, Dialect
from drivers.sim.dialects.quectel import QUECTEL
from drivers.sim.dialects.simcom import SIMCOM
from drivers.sim.dialects.telit import TELIT

DIALECTS: dict[str, Dialect] = {d.name: d for d in (QUECTEL, SIMCOM, TELIT)}


def get_dialect(name: str) -> Dialect:
    """The dialect of a family name; ValueError naming the known ones otherwise."""
    try:
        return DIALECTS[name.lower()]
    except KeyError:
        raise ValueError(f"unknown family {name!r} (simulated: {', '.join(DIALECTS)})") from None


__all__ = ["DIALECTS", "AtError", "Dialect", "get_dialect"]
