"""The case's Statistics view (issue 14, procedure steps 3.1/3.2): a KPI or counter per cell
over time (pyqtgraph; missing periods are gaps, never 0), the alarm intervals of those cells
shaded, the case's action date marked, and a cells × KPIs table coloured by the KPI thresholds
(docs/network-statistics.md). It shows a ``StatsData`` it is given; reading the workspace is
the caller's (``CaseDesk.statistics``): no SQL here.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fieldapp.netstats import kpi as K
from fieldapp.netstats.data import (
    SERIES_COUNTERS,
    StatsData,
    alarm_cell_match,
    cell_kpi_cells,
    series,
    series_title,
)

LINE_COLOURS = ("#2c7bb6", "#d7191c", "#1a9641", "#7b3294", "#fdae61", "#4d4d4d", "#35978f", "#a6611a")
# "warning": a good-looking ratio over hours of which many had no attempts (netstats.data.KpiCell)
GRADE_COLOURS = {"good": "#dff0d8", "fair": "#fcf3cf", "warning": "#fbd38d", "bad": "#f5c6c6"}
TABLE_KPIS = ["call_setup_success_pct", "random_access_success_pct", "sdcch_congestion_pct", "tch_congestion_pct",
              "tch_drop_pct", "traffic_erl", "interference_band45_pct", "ho_out_success_pct", "ul_tbf_success_pct",
              "tch_availability_pct"]
MAX_CELLS = 8
EMPTY_HINT = ("No statistics in this case yet: import the OSS exports with "
              "`fieldapp stats import FILE --case ID` and `fieldapp alarms import FILE --case ID`.")


class StatsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stats: StatsData | None = None
        self.action_date: str | None = None
        self.cells: list[str] | None = None
        self.series_combo = QComboBox()
        for name in [k.name for k in K.KPIS] + list(SERIES_COUNTERS):
            title, unit = series_title(name)
            self.series_combo.addItem(f"{title} ({unit})", name)
        self.series_combo.setCurrentIndex(self.series_combo.findData("traffic_erl"))
        self.by_combo = QComboBox()
        for text in ("hour", "day", "period"):
            self.by_combo.addItem(f"per {text}", text)
        self.info = QLabel(EMPTY_HINT)
        self.info.setWordWrap(True)
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
        self.plot.setBackground("w")
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        self.legend = self.plot.addLegend(offset=(-10, 10))
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.alarm_regions: list[pg.LinearRegionItem] = []
        self.action_line: pg.InfiniteLine | None = None
        self.table = QTableWidget(0, len(TABLE_KPIS) + 1)
        self.table.setHorizontalHeaderLabels(["Cell"] + [f"{K.KPI_BY_NAME[k].title} ({K.KPI_BY_NAME[k].unit})"
                                                         for k in TABLE_KPIS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        top.addWidget(self.series_combo, 1)
        top.addWidget(self.by_combo)
        split = QSplitter()
        split.setOrientation(pg.QtCore.Qt.Orientation.Vertical)
        split.addWidget(self.plot)
        split.addWidget(self.table)
        split.setSizes([340, 200])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.info)
        layout.addWidget(split, 1)
        self.series_combo.currentIndexChanged.connect(self.redraw)
        self.by_combo.currentIndexChanged.connect(self.redraw)

    # ------------------------------------------------------------------ data in

    def set_data(self, stats: StatsData | None, *, action_date: str | None = None,
                 cells: list[str] | None = None) -> None:
        self.stats, self.action_date = stats, action_date
        have = set(stats.object_names("cell")) if stats is not None else set()
        chosen = [c for c in (cells or []) if c in have]
        self.cells = chosen or None  # the case's cells when it names some, else all
        self._fill_table()
        self.redraw()

    def select(self, name: str, by: str = "hour") -> None:
        self.by_combo.setCurrentIndex(self.by_combo.findData(by))
        self.series_combo.setCurrentIndex(self.series_combo.findData(name))
        self.redraw()

    # ------------------------------------------------------------------ drawing

    def _clear_plot(self) -> None:
        for item in list(self.curves.values()) + self.alarm_regions:
            self.plot.removeItem(item)
        if self.action_line is not None:
            self.plot.removeItem(self.action_line)
            self.action_line = None
        self.legend.clear()
        self.curves.clear()
        self.alarm_regions.clear()

    def redraw(self) -> None:
        self._clear_plot()
        stats = self.stats
        if stats is None or stats.counters.empty:
            self.info.setText(EMPTY_HINT)
            self.info.show()
            return
        name = self.series_combo.currentData()
        by = self.by_combo.currentData()
        data = series(stats, name, by, self.cells)
        names = sorted(data)[:MAX_CELLS]
        title, unit = series_title(name)
        self.plot.setLabel("left", title, units=None if unit in ("count", "%") else unit)
        self.plot.setLabel("bottom", "time (UTC)")
        for i, cell in enumerate(names):
            xs = [t for t, _v in data[cell]]
            ys = [math.nan if v is None else v for _t, v in data[cell]]
            self.curves[cell] = self.plot.plot(xs, ys, pen=pg.mkPen(LINE_COLOURS[i % len(LINE_COLOURS)], width=2),
                                               connect="finite", name=cell)
        shown = set(names)
        t_end = max((t for c in names for t, _v in data[c]), default=None)
        for a in stats.alarms:
            if not alarm_cell_match(a, shown):
                continue
            end = a.get("cleared_utc") or (t_end + 3600 if t_end is not None else a["raised_utc"] + 3600)
            region = pg.LinearRegionItem(values=(a["raised_utc"], end), movable=False,
                                         brush=pg.mkBrush(215, 25, 28, 45), pen=pg.mkPen(None))
            region.setToolTip(f"{a.get('severity') or ''} {a.get('alarm_id') or ''} {a['name']} on "
                              f"{a.get('managed_object')}".strip())
            region.setZValue(-10)
            self.plot.addItem(region)
            self.alarm_regions.append(region)
        if self.action_date:
            try:
                ts = datetime.strptime(self.action_date, "%Y-%m-%d").replace(tzinfo=timezone.utc).timestamp()
            except ValueError:
                ts = None
            if ts is not None:
                self.action_line = pg.InfiniteLine(pos=ts, angle=90, movable=False,
                                                   pen=pg.mkPen("#000000", width=2, style=pg.QtCore.Qt.PenStyle.DashLine),
                                                   label=f"action {self.action_date}",
                                                   labelOpts={"position": 0.92, "color": "#000000"})
                self.plot.addItem(self.action_line)
        alarms = len(self.alarm_regions)
        self.info.setText(f"{title} of {len(names)} cell(s) per {by}; {alarms} alarm interval(s) shaded"
                          + (f"; action on {self.action_date} marked" if self.action_line is not None else "")
                          + ("" if stats.alarms_checked else "; no alarm list imported: alarms not checked")
                          + ". Gaps are periods without data (never 0).")

    def _fill_table(self) -> None:
        stats = self.stats
        table = cell_kpi_cells(stats, TABLE_KPIS) if stats is not None else {}
        rows = sorted(c for c in table if self.cells is None or c in self.cells)
        self.table.setRowCount(len(rows))
        for r, cell in enumerate(rows):
            self.table.setItem(r, 0, QTableWidgetItem(cell))
            for c, name in enumerate(TABLE_KPIS, 1):
                kc = table[cell][name]
                item = QTableWidgetItem(kc.text())
                item.setData(Qt.ItemDataRole.UserRole, kc.grade)
                if kc.grade:
                    item.setBackground(QColor(GRADE_COLOURS[kc.grade]))
                    item.setToolTip(kc.grade + (f": {kc.note}; the ratio is over the other hours only" if kc.note
                                                else ""))
                self.table.setItem(r, c, item)

    def grades(self) -> dict[tuple[str, str], str | None]:
        """(cell, KPI) -> the colour grade shown (for tests and the status line)."""
        out = {}
        for r in range(self.table.rowCount()):
            cell = self.table.item(r, 0).text()
            for c, name in enumerate(TABLE_KPIS, 1):
                out[(cell, name)] = self.table.item(r, c).data(Qt.ItemDataRole.UserRole) or None
        return out
