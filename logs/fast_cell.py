"""``model.Cell`` built in a reader's hot loop (Nemo CELLMEAS cells, G-NetTrack rows).

``init_cell(new_cell(Cell), role, tech, ...)`` is ``Cell(role, tech, ...)`` without the
argument tuple a class call builds: 0.30 µs a cell against 0.42 positionally and 0.57 by
keyword (bench/import_bench.py, Python 3.11). The arguments are positional, in CELL_FIELDS
order; a change of the model's field order stops the import here rather than shifting values
into the wrong fields.
"""

from __future__ import annotations

from dataclasses import fields

from fieldapp import model

CELL_FIELDS = ("role", "tech", "mcc", "mnc", "lac", "ci", "arfcn", "bsic", "rxlev", "rxlev_dbm", "rxlev_full",
               "rxlev_sub", "rxqual", "rxqual_sub", "c1", "c2", "ta", "channel", "pci", "rscp_dbm", "ecno_db",
               "rsrp_dbm", "rsrq_db", "sinr_db", "operator", "state")
if tuple(f.name for f in fields(model.Cell)) != CELL_FIELDS:  # pragma: no cover - a model change
    raise ImportError("logs.fast_cell passes model.Cell's fields by position: update CELL_FIELDS and its callers")

new_cell = object.__new__
init_cell = model.Cell.__init__
