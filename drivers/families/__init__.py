"""Modem families: pure parsers (text → model records) and each family's data table.

One module per family (``threegpp``, ``quectel``, ``simcom``, ``telit``, ``ublox``,
``cinterion``, ``wavecom``, ``huawei``); each builds a ``Family`` and registers it here. No
vendor imports another (a contract in pyproject.toml): what several print is in shared
modules: ``fields`` (the AT token layer: splitting and number decoding), ``cced`` (the Wavecom
lineage's +CCED, also Telit), ``smonc`` (the Siemens lineage's ^SMONC, also Huawei), and the
27.007 generic family ``threegpp`` (levels, causes, registration) every vendor builds on.
Nothing in this package does I/O: the handset source (``drivers.handset``) sends the
commands a ``Family`` names and feeds the reply lines to ``parse_lines``.
"""

from __future__ import annotations

# Importing the modules registers the families (order = identification priority).
from drivers.families import threegpp as _threegpp  # noqa: E402,F401  (generic, always present)
from drivers.families.base import (
    FAMILIES,
    MAX_LINE_CHARS,
    Family,
    ParseResult,
    TooLong,
    family_names,
    get_family,
    identify_family,
    parse_line,
    parse_lines,
    register,
)

for _name in ("quectel", "simcom", "telit", "ublox", "cinterion", "wavecom", "huawei"):
    try:
        __import__(f"drivers.families.{_name}")
    except ModuleNotFoundError as exc:  # a family not written yet must not break the others
        if exc.name != f"drivers.families.{_name}":
            raise

__all__ = [
    "FAMILIES", "MAX_LINE_CHARS", "Family", "ParseResult", "TooLong", "family_names", "get_family", "identify_family",
    "parse_line", "parse_lines", "register",
]
