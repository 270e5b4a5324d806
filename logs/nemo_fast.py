"""The compiled reader of a Nemo file's bulk lines (logs/_nemoline.c, issue 15): whether it
runs here, and its set-up for one pass over a file.

The usual UMTS/LTE CELLMEAS and GPS lines are ~85 % of the lines an import reads. In Python a
UMTS CELLMEAS line with 3 cells costs ~7 µs (decode, split of its ~70 fields, five numbers and a
26-field Cell per cell); the compiled part reads its cells in ~1 µs and hands them to the reader
for what depends on its state (the time of day, the held CHI, the last fix). It reads only lines
of the strict usual shape and gives back NotImplemented for any other, which the Python code
then reads as before: the records, bad lines and counts are the same either way
(tests/logs/test_nemo_compiled.py).

``READING`` says which one runs (``fieldapp doctor``'s "nemo reader" line): "compiled", or
"python" where it was not built (setup.py: optional, no C compiler) or FIELDAPP_PURE_READERS=1
asks for the Python code, or "stale" where it was built from another _nemoline.c than the one
beside this module (fieldapp/compiled_parts.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fieldapp import model
from fieldapp.compiled_parts import COMPILED, STALE, build_state
from logs.fast_records import CELL_FIELDS
from logs.nemo_fields import LTE_KIND, UMTS_KIND

PURE_ENV = "FIELDAPP_PURE_READERS"


def _import_compiled() -> Any:
    try:  # by name from the module itself (grimp sees a package import as a circle)
        from logs import _nemoline  # type: ignore[attr-defined]
    except ImportError:
        return None
    return _nemoline


def line_reader(module: Any, on_cellmeas: Callable[..., Any],
                on_gps: Callable[..., Any]) -> tuple[Callable[[bytes], Any] | None, str]:
    """(``read(line)``: the record of a usual CELLMEAS/GPS line or NotImplemented, "compiled"),
    or (None, why not: "python" / "stale"). ``on_cellmeas(time_text, system, serving, cells)``
    and ``on_gps(time_text, lon, lat, alt_m, fix, sats, kmh, hdop)`` make the records."""
    state = build_state(module, Path(__file__).with_name("_nemoline.c"), PURE_ENV)
    if state != COMPILED:
        return None, state
    try:
        reader = module.Reader(model.Cell, CELL_FIELDS, model.SERVING, model.NEIGHBOUR, model.UMTS, model.LTE,
                               UMTS_KIND, LTE_KIND, on_cellmeas, on_gps)
        return reader.read, COMPILED
    except (AttributeError, TypeError, ValueError):  # built for other arguments than these
        return None, STALE


_MODULE = _import_compiled()
# Made once here with stand-in callbacks: a build that does not take this code's arguments is
# "stale" before any file is read (the doctor's line).
READING = line_reader(_MODULE, print, print)[1]


def compiled_line_reader(on_cellmeas: Callable[..., Any],
                         on_gps: Callable[..., Any]) -> Callable[[bytes], Any] | None:
    """``line_reader`` of the part built here (None: read every line in Python)."""
    return line_reader(_MODULE, on_cellmeas, on_gps)[0]
