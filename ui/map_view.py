"""The map: the route coloured by the serving technology's level steps (RXLEV, RSCP or RSRP,
each point by its own technology, ``fieldapp.tech_terms``) with a legend of the current
technology, the cell plan's sites as
sector wedges by azimuth, a line from the current position to the serving cell, and follow
mode. Drawn in Web Mercator metres so an optional local z/x/y tile folder lines up; without
tiles (no internet on site) it is a plain white map, which is enough to read coverage.
"""

from __future__ import annotations

import html
import math
import statistics

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QGraphicsItem,
    QGraphicsPathItem,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fieldapp.cellplan import cell_key
from fieldapp.model import GSM, PlanCell
from fieldapp.radio import RXLEV_BINS_DBM
from fieldapp.tech_terms import TERMS, terms_for
from fieldapp.tile_sources import TileSetting, TileSourceError, open_source
from ui.geo import lonlat_to_mercator, lonlat_to_mercator_arrays, mercator_scale, sector_points
from ui.history import History
from ui.map_tiles import TileLayer
from ui.theme import cell_colour, plot_colours

UNKNOWN_COLOUR = "#9e9e9e"
POINT_SIZE_PX = 7
SECTOR_RADIUS_M = (60.0, 500.0)  # wedge length on the ground, clamped
FOLLOW_SPAN_M = 2500.0  # view width when follow mode first centres on the car


class RouteItem(pg.GraphicsObject):
    """The route as round dots, one colour per legend bin, the last (unknown level) under the
    others. Points live in numpy arrays and only those inside the view are handed to
    QPainter.drawPoints: a ScatterPlotItem re-prepares every spot when points are added, too
    slow for an 8-hour drive at one fix a second."""

    def __init__(self, colours: list[str], size_px: float) -> None:
        super().__init__()
        self.colours = colours
        self.size_px = size_px
        self.xs: list[np.ndarray] = [np.empty(0) for _ in colours]
        self.ys: list[np.ndarray] = [np.empty(0) for _ in colours]
        self._bounds = QRectF()
        self._cache: dict[int, tuple] = {}

    def add(self, index: int, xs: np.ndarray, ys: np.ndarray) -> None:
        self.prepareGeometryChange()
        self.xs[index] = np.concatenate([self.xs[index], xs])
        self.ys[index] = np.concatenate([self.ys[index], ys])
        allx = np.concatenate(self.xs)
        ally = np.concatenate(self.ys)
        self._bounds = QRectF(float(allx.min()), float(ally.min()), float(np.ptp(allx)) or 1.0,
                              float(np.ptp(ally)) or 1.0)
        self.update()

    def clear(self) -> None:
        self.prepareGeometryChange()
        self.xs = [np.empty(0) for _ in self.colours]
        self.ys = [np.empty(0) for _ in self.colours]
        self._bounds = QRectF()
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def dataBounds(self, axis: int, frac: float = 1.0, orthoRange=None):
        if self._bounds.isNull():
            return None
        if axis == 0:
            return (self._bounds.left(), self._bounds.right())
        return (self._bounds.top(), self._bounds.bottom())

    def paint(self, p, *args) -> None:
        vb = self.getViewBox()
        view = vb.viewRect() if vb is not None else self._bounds
        px_w, px_h = (vb.viewPixelSize() if vb is not None else (1.0, 1.0))
        view_key = (view.left(), view.top(), view.width(), view.height(), px_w, px_h)
        # The last colour (unknown level) is painted first, under the levels: a stretch driven
        # again (a loop, a replay jump that files hours at once) keeps the colours measured
        # there instead of vanishing under grey dots that look like the dimmed unplayed route.
        last = len(self.colours) - 1
        for i in (last, *range(last)):
            colour = self.colours[i]
            poly = self._polygon(i, view, view_key, px_w, px_h)
            if poly is None:
                continue
            pen = QPen(QColor(colour), self.size_px)
            pen.setCosmetic(True)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            p.setPen(pen)
            p.drawPoints(poly)

    def _polygon(self, i: int, view: QRectF, view_key: tuple, px_w: float, px_h: float):
        """The dots of bin ``i`` inside the view, one per 2x2-pixel cell (a loop driven ten
        times looks the same with far fewer dots); cached while the view and the bin's points
        stay the same (a new fix changes one bin, follow mode seldom moves the view)."""
        xs, ys = self.xs[i], self.ys[i]
        key = (view_key, len(xs))
        cached = self._cache.get(i)
        if cached is not None and cached[0] == key:
            return cached[1]
        poly = None
        if len(xs):
            inside = (xs >= view.left()) & (xs <= view.right()) & (ys >= view.top()) & (ys <= view.bottom())
            if inside.any():
                vx, vy = xs[inside], ys[inside]
                cell_w, cell_h = max(px_w, 1e-9) * 2, max(px_h, 1e-9) * 2
                cells = (np.floor((vx - view.left()) / cell_w).astype(np.int64) * 1_000_003
                         + np.floor((vy - view.top()) / cell_h).astype(np.int64))
                _, keep = np.unique(cells, return_index=True)
                poly = pg.functions.create_qpolygonf(len(keep))
                arr = pg.functions.ndarray_from_qpolygonf(poly)
                arr[:, 0] = vx[keep]
                arr[:, 1] = vy[keep]
        self._cache[i] = (key, poly)
        return poly


def bin_indices(dbm: np.ndarray, bins=RXLEV_BINS_DBM) -> np.ndarray:
    """Legend bin per level (vectorised ``radio.rxlev_bin``); -1 for unknown (NaN)."""
    out = np.full(len(dbm), -1, dtype=np.int64)
    known = np.isfinite(dbm)
    remaining = known.copy()
    for i, (low, _label, _colour) in enumerate(bins):
        hit = remaining & (dbm >= low)
        out[hit] = i
        remaining &= ~hit
    out[remaining] = len(bins) - 1
    return out


def route_colour_indices(dbm: np.ndarray, tech_codes: np.ndarray, level_bins: dict[int, tuple],
                         colours: list[str]) -> np.ndarray:
    """Index into ``colours`` of each route point: its level in its own technology's steps
    (``level_bins``: tech code → bins); the last colour (unknown) for no level."""
    out = np.full(len(dbm), len(colours) - 1, dtype=np.int64)
    for code, bins in level_bins.items():
        mine = tech_codes == code
        if code == 0:
            mine |= ~np.isfinite(tech_codes)  # technology unknown: read as GSM (a +CSQ-only handset)
        if not mine.any():
            continue
        idx = bin_indices(dbm[mine], bins)
        lookup = np.array([colours.index(colour) for _low, _label, colour in bins] + [len(colours) - 1])
        out[mine] = lookup[idx]
    return out


MAX_LABELS_SHOWN = 150  # more sites than this in view: no labels (unreadable, and costly per pan)
# Where a label may go beside its wedge's tip when beyond it is taken: above, below, right, left.
LABEL_SIDES = ((0.5, 1.0), (0.5, 0.0), (0.0, 0.5), (1.0, 0.5), (0.0, 1.0), (1.0, 1.0), (0.0, 0.0), (1.0, 0.0))
LEGEND_SMALL_SCALE = 0.8  # the legend when no corner of the map is free of sites at full size


class MapLegend(pg.LegendItem):
    """The level legend; remembers that the user dragged it (then it is not moved for them)."""

    user_placed = False

    def mouseDragEvent(self, ev):  # noqa: N802 (pyqtgraph's name)
        self.user_placed = True
        super().mouseDragEvent(ev)


class MapView(QWidget):
    def __init__(self, history: History, bins=RXLEV_BINS_DBM, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self.bins = bins
        self.legend_tech = GSM
        self.follow = True
        self.plot_widget = pg.PlotWidget()
        self.plot_widget.setBackground("#fbfbf8")
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.plot.setAspectLocked(True)
        for name in ("top", "bottom", "left", "right"):  # hidden axes: no label work when following
            self.plot.getAxis(name).enableAutoSIPrefix(False)
        self.viewbox = self.plot.getViewBox()
        self.viewbox.sigRangeChangedManually.connect(lambda *a: self.set_follow(False))
        self.viewbox.sigRangeChanged.connect(lambda *a: self.tiles.update())
        # Labels re-placed and the legend kept off the sites as the view pans and zooms.
        self.viewbox.sigRangeChanged.connect(lambda *a: (self.declutter_labels(), self.place_legend()))
        self.tiles = TileLayer(self.viewbox)
        self.tile_error: str | None = None

        self.site_items: list[QGraphicsPathItem] = []
        self.site_labels: list[pg.TextItem] = []
        self.sector_polygons: dict[str, list[tuple[float, float]]] = {}
        self._site_xy: dict[str, tuple[float, float]] = {}
        # Replay: the whole route of the log, dimmed, under the bright played part.
        self.whole_route = pg.PlotDataItem([], [], pen=pg.mkPen(QColor(150, 150, 150, 150), width=4),
                                           connect="finite")
        self.whole_route.setZValue(4)
        self.plot.addItem(self.whole_route)
        self._whole_xy: tuple[np.ndarray, np.ndarray] = (np.empty(0), np.empty(0))
        self.serving_line = pg.PlotDataItem([], [], pen=pg.mkPen("#202020", width=2, style=Qt.PenStyle.DashLine))
        self.serving_line.setZValue(5)
        self.plot.addItem(self.serving_line)

        # Compact (small rows, one column) and movable: drag it off whatever it covers.
        self.legend = MapLegend(offset=(6, -6), labelTextSize="7pt", brush=QColor(255, 255, 255, 220),
                                    pen=pg.mkPen("#c0c0c0"), verSpacing=-6, horSpacing=4,
                                    labelTextColor="#202020")
        self.legend.setZValue(30)
        self.legend.setParentItem(self.viewbox)
        self.legend.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)  # static: paint once
        self.route: RouteItem | None = None
        self.legend_samples: list[pg.ScatterPlotItem] = []
        self._make_route_items()
        self.current = pg.ScatterPlotItem(size=14, pen=pg.mkPen("#000000", width=2), brush=QColor("#ffffff"),
                                          symbol="o")
        self.current.setZValue(20)
        self.plot.addItem(self.current)
        self.cursor = pg.ScatterPlotItem(size=16, pen=pg.mkPen("#6a1b9a", width=3), brush=None, symbol="s")
        self.cursor.setZValue(21)
        self.plot.addItem(self.cursor)
        self._drawn_positions = 0
        self._fitted = False

        self.follow_check = QCheckBox("Follow")
        self.follow_check.setChecked(True)
        self.follow_check.toggled.connect(self.set_follow)
        self.follow_check.setToolTip("Keep the car in view; pan or zoom to stop")
        self.fit_button = QToolButton()
        self.fit_button.setText("Fit")
        self.fit_button.setToolTip("Fit the map to the route and the sites")
        self.fit_button.clicked.connect(self.fit_all)
        self.info = QLabel("")
        # The tile provider's attribution, as its licence asks (© OpenStreetMap contributors).
        self.attribution = QLabel("")
        self.attribution.setObjectName("attribution")
        self.attribution.setStyleSheet("font-size: 8pt; color: #555555;")
        self.attribution.setOpenExternalLinks(True)
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 0)
        bar.addWidget(self.follow_check)
        bar.addWidget(self.fit_button)
        bar.addStretch(1)
        bar.addWidget(self.info)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.attribution)
        self.attribution.hide()

    # ------------------------------------------------------------------ route
    def _make_route_items(self) -> None:
        if getattr(self, "route", None) is not None:
            self.plot.removeItem(self.route)
        for item in self.legend_samples:
            self.legend.removeItem(item)
        self.level_bins = {0: tuple(self.bins), 1: TERMS["UMTS"].level.bins, 2: TERMS["LTE"].level.bins}
        colours: list[str] = []
        for bins in self.level_bins.values():
            colours += [c for _low, _label, c in bins if c not in colours]
        self.bin_colours = colours + [UNKNOWN_COLOUR]
        self._fill_legend()
        self.route = RouteItem(self.bin_colours, POINT_SIZE_PX)
        self.route.setZValue(10)
        self.plot.addItem(self.route)
        self._drawn_positions = 0

    def _fill_legend(self) -> None:
        """The level steps of the current technology ("RSRP dBm" then its bins)."""
        for item in self.legend_samples:
            self.legend.removeItem(item)
        terms = terms_for(self.legend_tech)
        bins = self.bins if terms.tech == GSM else terms.level.bins
        self.legend_samples = []
        rows = [(None, f"<b>{terms.level.label}</b>")]
        rows += [(colour, html.escape(label)) for _low, label, colour in bins]  # "<" is markup
        rows.append((UNKNOWN_COLOUR, "unknown"))
        for colour, label in rows:
            brush = QColor(colour) if colour else QColor(0, 0, 0, 0)
            sample = pg.ScatterPlotItem(size=POINT_SIZE_PX, pen=None, brush=brush, symbol="o")
            self.legend.addItem(sample, label)
            self.legend_samples.append(sample)

    def legend_labels(self) -> list[str]:
        return [label.text for _sample, label in self.legend.items]

    def apply_theme(self) -> None:
        c = plot_colours()
        self.plot_widget.setBackground(c.map_background)
        back = QColor(c.background)
        back.setAlpha(220)
        self.legend.setBrush(back)
        self.legend.setLabelTextColor(c.text)
        self._fill_legend()

    def set_legend_tech(self, tech: str | None) -> None:
        tech = terms_for(tech).tech
        if tech != self.legend_tech:
            self.legend_tech = tech
            self._fill_legend()

    def set_bins(self, bins) -> None:
        self.bins = bins
        self._make_route_items()
        self.refresh()

    def redraw_route(self) -> None:
        """Draw the route again from the history (a replay jumped backwards: fewer positions)."""
        self._make_route_items()
        self.refresh()

    def route_points(self, bin_index: int, tech: str = GSM) -> np.ndarray:
        """(n, 2) mercator points drawn in one level step of a technology (-1: unknown level)."""
        bins = self.level_bins[{"GSM": 0, "UMTS": 1, "LTE": 2}[tech]]
        i = len(self.bin_colours) - 1 if bin_index == -1 else self.bin_colours.index(bins[bin_index][2])
        return np.column_stack([self.route.xs[i], self.route.ys[i]])

    # ------------------------------------------------------------------ cell plan
    def set_plan(self, cells: list[PlanCell]) -> None:
        for item in self.site_items:
            self.plot.removeItem(item)
        for label in self.site_labels:
            self.plot.removeItem(label)
        self.site_items, self.site_labels = [], []
        self.sector_polygons, self._site_xy = {}, {}
        placed = [c for c in cells if c.lat is not None and c.lon is not None]
        if not placed:
            return
        radius_m = self._sector_radius_m(placed)
        self._wedge_m = radius_m * mercator_scale(placed[0].lat)  # type: ignore[arg-type]
        spots: dict[tuple, list] = {}  # site (whole metres) and direction (30° steps) → cells
        for cell in placed:
            x, y = lonlat_to_mercator(cell.lon, cell.lat)  # type: ignore[arg-type]
            radius = radius_m * mercator_scale(cell.lat)  # type: ignore[arg-type]
            points = sector_points(x, y, cell.azimuth_deg, cell.beamwidth_deg, radius)
            path = QPainterPath()
            path.moveTo(*points[0])
            for px, py in points[1:]:
                path.lineTo(px, py)
            item = QGraphicsPathItem(path)
            colour = QColor(cell_colour(cell_key(cell)))
            pen = QPen(colour.darker(140), 1.5)
            pen.setCosmetic(True)
            item.setPen(pen)
            fill = QColor(colour)
            fill.setAlpha(110)
            item.setBrush(QBrush(fill))
            item.setZValue(2)
            item.setToolTip(self._cell_tooltip(cell))
            self.plot.addItem(item)
            self.site_items.append(item)
            self.sector_polygons[cell.name] = points
            self._site_xy[cell.name] = (x, y)
            tip = points[len(points) // 2] if cell.azimuth_deg is not None else (x, y + radius)
            spot = (round(x), round(y), None if cell.azimuth_deg is None else round(cell.azimuth_deg / 30) % 12)
            spots.setdefault(spot, []).append((cell, tip))
        # One label per spot: cells whose labels would print at the same place (two sites on
        # one mast, an omni pair) share it ("STATION-69/70"); each sits beyond its wedge's tip,
        # away from the site, so opposite wedges' labels do not run into each other.
        for group in spots.values():
            cell, tip = group[0]
            label = pg.TextItem(combined_name([c.name for c, _t in group]), color="#202020",
                                anchor=outward_anchor(cell.azimuth_deg))
            label.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            label.setPos(*tip)
            label.setZValue(3)
            label.setToolTip("\n\n".join(self._cell_tooltip(c) for c, _t in group))
            label.tip_xy = tip  # map metres; the label sits beyond it (outward) or beside it
            label.outward = outward_anchor(cell.azimuth_deg)
            self.plot.addItem(label)
            self.site_labels.append(label)
        if not self._fitted:
            self.fit_all()
        else:
            self.declutter_labels()
            self.place_legend()

    def label_rect(self, label, anchor=None, tip=None) -> QRectF:
        """Where a site label is painted (scene pixels) with an anchor (default: its own);
        ``tip``: its tip already in scene pixels."""
        ax, ay = anchor if anchor is not None else label.anchor
        size = label.textItem.boundingRect()
        if tip is None:
            tip = self.viewbox.mapViewToScene(pg.Point(*label.tip_xy))
        return QRectF(tip.x() - ax * size.width(), tip.y() - ay * size.height(), size.width(), size.height())

    def declutter_labels(self) -> None:
        """Labels of different sites must not print over each other at this zoom: each label
        goes beyond its wedge's tip, else to the first free side of the tip, else it hides
        (its wedge's tooltip still names the cell). Too many in view to read: none shown."""
        if not self.site_labels or self.viewbox.width() <= 1:
            return
        view = self.viewbox.viewRect()
        inside = [lb for lb in self.site_labels if view.contains(*lb.tip_xy)]
        inside_ids = {id(lb) for lb in inside}
        for label in self.site_labels:
            if id(label) not in inside_ids and label.isVisible():
                label.setVisible(False)
        crowded = len(inside) > MAX_LABELS_SHOWN
        placed: list[QRectF] = []
        frame = self.viewbox.sceneBoundingRect()
        self.viewbox.updateMatrix()  # the range may have just changed
        to_scene = self.viewbox.childGroup.sceneTransform()  # one transform for every tip
        for label in inside:
            chosen = None
            tip = to_scene.map(QPointF(*label.tip_xy))
            # First a free place inside the map (a label past the edge is cut: "RIVER-4"),
            # then any free place.
            for whole in (True, False):
                if crowded or chosen is not None:
                    break
                for anchor in (label.outward, *LABEL_SIDES):
                    rect = self.label_rect(label, anchor, tip).adjusted(1, 1, -1, -1)
                    if whole and not frame.contains(rect):
                        continue
                    if not any(rect.intersects(other) for other in placed):
                        chosen = (anchor, rect)
                        break
            if chosen is None:
                label.setVisible(False)
                continue
            if tuple(label.anchor) != tuple(chosen[0]):
                label.setAnchor(chosen[0])
            if not label.isVisible():
                label.setVisible(True)
            placed.append(chosen[1])

    def shown_label_rects(self) -> dict[str, QRectF]:
        return {lb.textItem.toPlainText(): self.label_rect(lb) for lb in self.site_labels if lb.isVisible()}

    @staticmethod
    def _sector_radius_m(cells: list[PlanCell]) -> float:
        """A third of the median distance between neighbouring sites, clamped: wedges that
        read as directions without covering each other."""
        sites = list({(round(c.lat, 5), round(c.lon, 5)) for c in cells})  # type: ignore[arg-type]
        if len(sites) < 2:
            return 200.0
        nearest = []
        for i, (la, lo) in enumerate(sites):
            d = min(_ground_m(la, lo, lb, lob) for j, (lb, lob) in enumerate(sites) if j != i)
            nearest.append(d)
        return max(SECTOR_RADIUS_M[0], min(SECTOR_RADIUS_M[1], statistics.median(nearest) / 3))

    @staticmethod
    def _cell_tooltip(cell: PlanCell) -> str:
        parts = [cell.name]
        if cell.ci is not None:
            parts.append(f"LAC {cell.lac} CI {cell.ci}")
        if cell.bcch_arfcn is not None:
            parts.append(f"BCCH {cell.bcch_arfcn}")
        if cell.azimuth_deg is not None:
            parts.append(f"azimuth {cell.azimuth_deg:.0f}°")
        if cell.tilt_deg is not None:
            parts.append(f"tilt {cell.tilt_deg:.0f}°")
        return "\n".join(parts)

    # ------------------------------------------------------------------ live
    def set_follow(self, on: bool) -> None:
        self.follow = on
        if self.follow_check.isChecked() != on:
            self.follow_check.setChecked(on)
        if on:
            self.cursor.setData([], [])
            self._centre_on_current()

    def refresh(self) -> None:
        """Add the positions that arrived since the last tick, move the car and the line."""
        h = self.history
        n = len(h.pos_t)
        if n > self._drawn_positions:
            sl = slice(self._drawn_positions, n)
            xs, ys = h.pos_x.view()[sl], h.pos_y.view()[sl]
            idx = route_colour_indices(h.pos_dbm.view()[sl], h.pos_tech.view()[sl], self.level_bins,
                                       self.bin_colours)
            for b in range(len(self.bin_colours)):
                mask = idx == b
                if mask.any():
                    self.route.add(b, xs[mask], ys[mask])
            self._drawn_positions = n
        self.set_legend_tech(h.current_tech)
        if n == 0:
            return
        x, y = float(h.pos_x.view()[-1]), float(h.pos_y.view()[-1])
        self.current.setData([x], [y])
        self._update_serving_line(x, y)
        if not self._fitted and not self.site_items:
            self.fit_all()
        if self.follow:
            self._centre_on_current()

    def _update_serving_line(self, x: float, y: float) -> None:
        s = self.history.last_sample
        planned = self.history.plan.match(s.serving) if s is not None else None
        site = self._site_xy.get(planned.name) if planned is not None else None
        if site is None:
            self.serving_line.setData([], [])
            self.info.setText("")
            return
        self.serving_line.setData([x, site[0]], [y, site[1]])
        lon, lat = planned.lon, planned.lat  # type: ignore[union-attr]
        p = self.history.last_position
        if p is not None and lon is not None and lat is not None:
            self.info.setText(f"{planned.name}: {_ground_m(p.lat, p.lon, lat, lon):.0f} m")

    def serving_line_points(self) -> list[tuple[float, float]]:
        x, y = self.serving_line.getData()
        return [] if x is None else list(zip(map(float, x), map(float, y)))

    def _centre_on_current(self) -> None:
        h = self.history
        if len(h.pos_t) == 0:
            return
        x, y = float(h.pos_x.view()[-1]), float(h.pos_y.view()[-1])
        (x0, x1), (y0, y1) = self.viewbox.viewRange()
        half_w, half_h = (x1 - x0) / 2, (y1 - y0) / 2
        if not self._fitted or half_w <= 0:
            half_w = half_h = FOLLOW_SPAN_M / 2
            self._fitted = True
        if abs(x - (x0 + half_w)) < half_w * 0.8 and abs(y - (y0 + half_h)) < half_h * 0.8:
            return  # well inside the view: do not scroll (a fitted route stays in view)
        self.viewbox.setRange(xRange=(x - half_w, x + half_w), yRange=(y - half_h, y + half_h), padding=0)

    def set_whole_route(self, latlon) -> None:
        """Replay: the log's whole route, ``(lat, lon)`` pairs in order, drawn dimmed from the
        start (the played part is drawn bright over it as the replay goes); the map fits it.
        Unknown or infinite coordinates are left out."""
        pairs = np.array(latlon, dtype=float).reshape(-1, 2)  # None → NaN
        keep = np.isfinite(pairs).all(axis=1)
        xs, ys = lonlat_to_mercator_arrays(pairs[keep, 1], pairs[keep, 0])
        self._whole_xy = (xs, ys)
        self.whole_route.setData(xs, ys, connect="finite")
        if len(xs):
            self.fit_all()

    def fit_all(self) -> None:
        """Fit the route (the whole route of a replay, else the drive so far); with no route
        yet, the sites."""
        route_x = np.concatenate([self._whole_xy[0], self.history.pos_x.view()])
        route_y = np.concatenate([self._whole_xy[1], self.history.pos_y.view()])
        if len(route_x):
            xs, ys = route_x, route_y  # numpy min/max: a replay's whole route is ~60,000 points
        else:
            xs = np.array([p[0] for p in self._site_xy.values()], dtype=float)
            ys = np.array([p[1] for p in self._site_xy.values()], dtype=float)
        finite = np.isfinite(xs) & np.isfinite(ys)  # the history's gap rows are NaN
        xs, ys = xs[finite], ys[finite]
        if not len(xs):
            return
        # Sites only: room for the wedges and the labels beyond their tips.
        pad = 300.0 if len(route_x) else max(300.0, 1.8 * getattr(self, "_wedge_m", 0.0))
        x0, x1, y0, y1 = float(xs.min()), float(xs.max()), float(ys.min()), float(ys.max())
        self.viewbox.setRange(xRange=(x0 - pad, x1 + pad), yRange=(y0 - pad, y1 + pad),
                              padding=0.05)
        self._fitted = True
        self.declutter_labels()
        self.place_legend()

    # Corners the legend may sit in: (anchor on the legend, anchor on the map, offset px).
    # Then the middles of the edges, for a map whose four corners all hold sites.
    LEGEND_CORNERS = (((0, 1), (0, 1), (6, -6)), ((1, 1), (1, 1), (-6, -6)),
                      ((0, 0), (0, 0), (6, 6)), ((1, 0), (1, 0), (-6, 6)),
                      ((0, 0.5), (0, 0.5), (6, 0)), ((1, 0.5), (1, 0.5), (-6, 0)),
                      ((0.5, 1), (0.5, 1), (0, -6)), ((0.5, 0), (0.5, 0), (0, 6)))

    def legend_covers(self) -> int:
        """How much the legend hides now: 50 for each site wedge or site label under it, 1 for
        each route point."""
        scene_rect = self.legend.sceneBoundingRect()
        mapped = self.viewbox.mapSceneToView(scene_rect)  # scene px → map metres
        rect = mapped.boundingRect() if hasattr(mapped, "boundingRect") else mapped
        n = sum(50 for item in self.site_items if item.path().boundingRect().intersects(rect))
        n += sum(50 for label in self.site_labels if label.isVisible()
                 and self.label_rect(label).intersects(scene_rect))
        for xs, ys in ((self._whole_xy[0], self._whole_xy[1]), (self.history.pos_x.view(), self.history.pos_y.view())):
            if len(xs):
                n += int(np.count_nonzero((xs >= rect.left()) & (xs <= rect.right())
                                          & (ys >= rect.top()) & (ys <= rect.bottom())))
        return n

    def legend_hides_a_site(self) -> bool:
        return self.legend_covers() >= 50

    def place_legend(self) -> None:
        """The legend to the map corner where it hides no site wedge or label (and the least
        route); where every corner would, it shrinks to 80 % and tries again. Once the
        user drags it, it stays where they put it."""
        if self.viewbox.width() <= 1 or self.legend.user_placed or getattr(self, "_placing", False):
            return
        self._placing = True  # anchoring moves the item, not the view; no re-entry all the same
        try:
            for scale in (1.0, LEGEND_SMALL_SCALE):
                self.legend.setScale(scale)
                best = None
                for item_pos, parent_pos, offset in self.LEGEND_CORNERS:
                    self.legend.anchor(item_pos, parent_pos, offset)
                    covered = self.legend_covers()
                    if covered == 0:
                        return
                    if best is None or covered < best[0]:
                        best = (covered, item_pos, parent_pos, offset)
                if best[0] < 50 or scale != 1.0:  # no site hidden (only route), or the smallest tried
                    self.legend.anchor(*best[1:])
                    return
        finally:
            self._placing = False

    def show_time(self, ts_utc: float) -> None:
        """Mark where the car was at an instant (an event clicked) and centre there."""
        xy = self.history.position_at(ts_utc)
        if xy is None:
            return
        self.set_follow(False)
        self.cursor.setData([xy[0]], [xy[1]])
        (x0, x1), (y0, y1) = self.viewbox.viewRange()
        half_w, half_h = (x1 - x0) / 2, (y1 - y0) / 2
        self.viewbox.setRange(xRange=(xy[0] - half_w, xy[0] + half_w), yRange=(xy[1] - half_h, xy[1] + half_h),
                              padding=0)

    def set_tile_folder(self, folder) -> None:
        self.tiles.set_folder(folder)
        self._show_attribution()
        self.tiles.update()

    def set_tile_source(self, setting: TileSetting, cache_dir=None) -> bool:
        """Street map from a tile setting (XYZ URL, folder, MBTiles, or none). False, with
        ``tile_error`` set, when the setting cannot be used (the map stays plain)."""
        try:
            source = open_source(setting, cache_dir)
        except TileSourceError as exc:
            self.tile_error = str(exc)
            self.tiles.set_source(None)
            self._show_attribution()
            return False
        self.tile_error = None
        self.tiles.set_source(source)
        self._show_attribution()
        self.tiles.update()
        return True

    def _show_attribution(self) -> None:
        text = self.tiles.attribution
        self.attribution.setText(html.escape(text) if text else "")
        self.attribution.setVisible(bool(text))

    def close_tiles(self) -> None:
        self.tiles.close()


def outward_anchor(azimuth_deg: float | None) -> tuple[float, float]:
    """The TextItem anchor that puts a label beyond a wedge's tip in the wedge's direction
    (north up: 0° → above the tip, 90° → right of it); no azimuth: centred."""
    if azimuth_deg is None:
        return (0.5, 0.5)
    a = math.radians(azimuth_deg)
    return (0.5 - 0.5 * math.sin(a), 0.5 + 0.5 * math.cos(a))


def combined_name(names: list[str]) -> str:
    """Names that share a label: "STATION-69/70" when they share the part before the last
    "-", else "A / B"."""
    names = list(dict.fromkeys(names))
    if len(names) == 1:
        return names[0]
    heads = {n.rpartition("-")[0] for n in names}
    if len(heads) == 1 and all("-" in n for n in names):
        head = heads.pop()
        return f"{head}-" + "/".join(n.rpartition("-")[2] for n in names)
    return " / ".join(names)


def _ground_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6371000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))
