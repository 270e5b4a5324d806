"""The report's pictures on small known data: legend colours where the samples are, nothing
drawn for unknown levels, the route map's dots, a picture even without positions or plan."""

from __future__ import annotations

from PySide6.QtGui import QColor

from fieldapp.cases.diagnose import SessionData
from fieldapp.model import DEDICATED, IDLE, Cell, PlanCell, Position, Sample
from fieldapp.radio import rxlev_colour
from fieldapp.report.plots import level_quality_plot, route_map
from fieldapp.report.render import ensure_qt

T0 = 1_764_325_637.0


def _count(image, colour: str) -> int:
    target = QColor(colour).rgb()
    return sum(1 for y in range(0, image.height(), 2) for x in range(0, image.width(), 2)
               if image.pixel(x, y) == target)


def _session(levels, mode=IDLE, positions=False):
    samples = []
    for i, v in enumerate(levels):
        pos = Position(T0 + i, 48.2 + i * 0.001, 16.37) if positions else None
        samples.append(Sample(T0 + i, serving=None if v is None else Cell(arfcn=66, rxlev_dbm=v, rxqual=7),
                              mode=mode, position=pos))
    return SessionData(1, None, samples, [])


def test_level_points_take_the_legend_colour_of_their_bin():
    ensure_qt()
    green = rxlev_colour(-60.0)
    red = rxlev_colour(-105.0)
    image = level_quality_plot(_session([-60.0] * 20))
    assert _count(image, green) > 20 and _count(image, red) == 0
    image = level_quality_plot(_session([-105.0] * 20))
    assert _count(image, red) > 20 and _count(image, green) == 0


def test_unknown_levels_draw_nothing_and_quality_only_in_calls():
    ensure_qt()
    blank = level_quality_plot(_session([None] * 10))
    assert _count(blank, rxlev_colour(-60.0)) == 0
    idle = level_quality_plot(_session([-60.0] * 10))
    in_call = level_quality_plot(_session([-60.0] * 10, mode=DEDICATED))
    bad_quality = "#d7191c"  # RXQUAL 7 bars
    assert _count(idle, bad_quality) == 0 and _count(in_call, bad_quality) > 20


def test_the_route_map_draws_the_route_the_cells_and_copes_with_nothing():
    ensure_qt()
    plan = [PlanCell("HOSP-2", lat=48.2, lon=16.371, azimuth_deg=120.0, beamwidth_deg=65.0, tilt_deg=13.0)]
    image = route_map([_session([-60.0] * 10, positions=True)], plan, (48.205, 16.37), serving_names=["HOSP-2"])
    assert _count(image, rxlev_colour(-60.0)) > 10
    assert _count(image, "#d7191c") > 5  # the complaint spot's cross
    empty = route_map([], [], None)
    assert empty.width() == 900 and _count(empty, rxlev_colour(-60.0)) == 0
