"""Records built in a reader's hot loop (Nemo CELLMEAS and GPS, G-NetTrack rows), the same
objects as the model's constructors give, for less.

- ``init_cell(new_cell(Cell), role, tech, ...)`` is ``Cell(role, tech, ...)`` without the
  argument tuple a class call builds: 0.30 µs a cell against 0.42 positionally and 0.57 by
  keyword (Python 3.11). The arguments are positional, in CELL_FIELDS order.
- ``sample(...)`` and ``position(...)`` fill a frozen ``Sample`` / ``Position`` through its slots'
  own setters instead of the dataclass ``__init__``'s ``object.__setattr__`` per field (~30 %
  fewer instructions: the frozen records were a fifth of a Nemo line's parse).

The model's field lists are checked here: a change (a field added or moved, a
``__post_init__``) stops the import rather than building records the model would not.
"""

from __future__ import annotations

from dataclasses import fields

from fieldapp import model

CELL_FIELDS = ("role", "tech", "mcc", "mnc", "lac", "ci", "arfcn", "bsic", "rxlev", "rxlev_dbm", "rxlev_full",
               "rxlev_sub", "rxqual", "rxqual_sub", "c1", "c2", "ta", "channel", "pci", "rscp_dbm", "ecno_db",
               "rsrp_dbm", "rsrq_db", "sinr_db", "operator", "state")
SAMPLE_FIELDS = ("ts_utc", "tech", "serving", "neighbours", "signal", "registration", "position", "mode")
POSITION_FIELDS = ("ts_utc", "lat", "lon", "alt_m", "speed_mps", "course_deg", "hdop", "sats", "fix_quality")
for _cls, _names in ((model.Cell, CELL_FIELDS), (model.Sample, SAMPLE_FIELDS), (model.Position, POSITION_FIELDS)):
    if tuple(f.name for f in fields(_cls)) != _names or hasattr(_cls, "__post_init__"):  # pragma: no cover
        raise ImportError(f"logs.fast_records builds model.{_cls.__name__} field by field: update it to the model")

new_cell = object.__new__
init_cell = model.Cell.__init__

_new = object.__new__
_Sample, _Position = model.Sample, model.Position
(_s_ts, _s_tech, _s_serving, _s_neighbours, _s_signal, _s_registration, _s_position, _s_mode) = (
    _Sample.__dict__[name].__set__ for name in SAMPLE_FIELDS)
(_p_ts, _p_lat, _p_lon, _p_alt, _p_speed, _p_course, _p_hdop, _p_sats, _p_fix) = (
    _Position.__dict__[name].__set__ for name in POSITION_FIELDS)


def sample(ts_utc: float, tech: str | None, serving: model.Cell | None, neighbours: tuple[model.Cell, ...],
           position: model.Position | None, mode: str | None) -> model.Sample:
    """``model.Sample(ts_utc, tech, serving, neighbours, None, None, position, mode)``."""
    s = _new(_Sample)
    _s_ts(s, ts_utc)
    _s_tech(s, tech)
    _s_serving(s, serving)
    _s_neighbours(s, neighbours)
    _s_signal(s, None)
    _s_registration(s, None)
    _s_position(s, position)
    _s_mode(s, mode)
    return s


def position(ts_utc: float, lat: float, lon: float, alt_m: float | None, speed_mps: float | None,
             hdop: float | None = None, sats: int | None = None, fix_quality: int | None = None) -> model.Position:
    """``model.Position(ts_utc, lat, lon, alt_m, speed_mps, None, hdop, sats, fix_quality)``."""
    p = _new(_Position)
    _p_ts(p, ts_utc)
    _p_lat(p, lat)
    _p_lon(p, lon)
    _p_alt(p, alt_m)
    _p_speed(p, speed_mps)
    _p_course(p, None)
    _p_hdop(p, hdop)
    _p_sats(p, sats)
    _p_fix(p, fix_quality)
    return p
