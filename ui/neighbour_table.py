"""The neighbour list of the latest sample in the serving technology's terms: ARFCN, BSIC,
name from the cell plan, RXLEV dBm, delta to the serving cell, C1/C2 in GSM; UARFCN, PSC, RSCP,
Ec/No in UMTS; EARFCN, PCI, RSRP, RSRQ, SINR in LTE (the headers follow the serving
technology; a neighbour of another technology says which in its channel cell). When the list
is empty a line says why (no sample yet, or a handset that reports no neighbours in
dedicated mode). Rows keep their identity (ARFCN, BSIC) between samples so a
selection or a sort survives live updates; the model keeps the rows sorted itself (strongest
first by default, any column on a header click): a sort proxy asked the model for its row and
column counts hundreds of times per live update. The first column's tick puts a neighbour on the plot.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import (
    QModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QStyle, QTableView, QVBoxLayout, QWidget

from fieldapp.cellplan import CellPlan
from fieldapp.model import DEDICATED, GSM, LTE, UMTS, Cell, Sample
from fieldapp.radio import bsic_octal
from fieldapp.tech_terms import TechTerms, shown_tech, terms_for
from ui.history import neighbour_key, neighbour_label
from ui.table_model import FlatTableModel, Index

COLUMNS = ("Plot", "ARFCN", "BSIC", "Name", "dBm", "Δ dB", "C1", "C2")
COL_PLOT, COL_ARFCN, COL_BSIC, COL_NAME, COL_LEVEL, COL_DELTA, COL_C1, COL_C2 = range(len(COLUMNS))
COLUMN_TIPS = {COL_PLOT: "tick to draw this neighbour on the level plot",
               COL_ARFCN: "the neighbour's carrier: ARFCN (GSM), UARFCN (UMTS), EARFCN (LTE)",
               COL_BSIC: "the neighbour's code: BSIC as two octal digits (GSM), PSC (UMTS), PCI (LTE)",
               COL_NAME: "name in the workspace's cell plan",
               COL_LEVEL: "received level: RXLEV dBm (GSM), RSCP (UMTS), RSRP (LTE)",
               COL_DELTA: "neighbour level minus serving level; positive means stronger than serving "
                          "(only within one technology)",
               COL_C1: "C1 path-loss criterion (GSM), Ec/No (UMTS), RSRQ (LTE)",
               COL_C2: "C2 reselection criterion (GSM), SINR (LTE)"}
UNKNOWN_TEXT = "–"


def headers_for(terms: TechTerms) -> tuple[str, ...]:
    """Column titles in a technology's terms."""
    if terms.tech == UMTS:
        return ("Plot", "UARFCN", "PSC", "Name", "RSCP dBm", "Δ dB", "Ec/No dB", "–")
    if terms.tech == LTE:
        return ("Plot", "EARFCN", "PCI", "Name", "RSRP dBm", "Δ dB", "RSRQ dB", "SINR dB")
    return ("Plot", "ARFCN", "BSIC", "Name", "RXLEV dBm", "Δ dB", "C1", "C2")


def _cell_values(c: Cell) -> tuple:
    """(channel, code, level, quality 1, quality 2) of a cell in its own technology."""
    if c.tech == UMTS:
        return (c.arfcn, c.pci, c.level_dbm, c.ecno_db, None)
    if c.tech == LTE:
        return (c.arfcn, c.pci, c.level_dbm, c.rsrq_db, c.sinr_db)
    return (c.arfcn, c.bsic, c.level_dbm, c.c1, c.c2)



@dataclass
class NeighbourRow:
    key: tuple
    cell: Cell
    name: str | None
    delta_db: float | None
    values: tuple = ()  # per column, computed once per sample (the view asks many times)
    texts: tuple = ()

    def __post_init__(self) -> None:
        self.refresh()

    def refresh(self, serving_tech: str | None = None) -> None:
        c = self.cell
        channel, code, level, q1, q2 = _cell_values(c)
        self.values = (None, channel, code, self.name, level, self.delta_db, q1, q2)
        texts = [_text(col, v, c.tech) for col, v in enumerate(self.values)]
        if serving_tech is not None and (c.tech or GSM) != serving_tech and channel is not None:
            texts[COL_ARFCN] = f"{channel} {terms_for(c.tech).short}"  # an inter-RAT neighbour
        self.texts = tuple(texts)


def _text(col: int, value, tech: str | None = GSM) -> str | None:
    if col == COL_PLOT:
        return None
    if value is None:
        return UNKNOWN_TEXT
    if col == COL_BSIC:
        return bsic_octal(value) if (tech or GSM) == GSM else str(value)
    if col == COL_DELTA:
        return f"{value:+.0f}"
    if isinstance(value, float):
        return f"{value:.0f}" if col == COL_LEVEL and (tech or GSM) == GSM else f"{value:.1f}"
    return str(value)


class NeighbourTableModel(FlatTableModel):
    columns = COLUMNS

    """Rows = neighbours of the latest sample. ``plotted_changed(list)`` gives the ticked keys."""

    plotted_changed = Signal(list)

    def __init__(self, plan: CellPlan | None = None, parent=None) -> None:
        super().__init__(parent)
        self.plan = plan if plan is not None else CellPlan()
        self.rows: list[NeighbourRow] = []
        self.plotted: list[tuple] = []
        self.sort_column = COL_LEVEL
        self.sort_order = Qt.SortOrder.DescendingOrder
        self.terms: TechTerms = terms_for(GSM)
        self.columns = headers_for(self.terms)

    # ------------------------------------------------------------------ Qt model API
    def row_items(self):
        return self.rows

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == COL_PLOT:
            base |= Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and col == COL_PLOT:
            return Qt.CheckState.Checked if row.key in self.plotted else Qt.CheckState.Unchecked
        value = row.values[col]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.texts[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col not in (COL_NAME, COL_PLOT):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_DELTA and value is not None and value > 0:
            return QColor("#c62828")  # stronger than the serving cell: a handover candidate
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMN_TIPS.get(col)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Header click (the view calls this): keep the rows in this order from now on."""
        self.sort_column, self.sort_order = column, order
        self._reorder()

    def _sort_value(self, row: NeighbourRow):
        col = self.sort_column
        if col == COL_PLOT:
            return (0, 1 if row.key in self.plotted else 0)
        value = row.values[col]
        if value is None:  # unknown sorts below every value, in either direction
            return (-1, 0)
        return (0, value if col != COL_NAME else str(value))

    def _reorder(self) -> None:
        descending = self.sort_order == Qt.SortOrder.DescendingOrder
        known = [r for r in self.rows if self._sort_value(r)[0] == 0]
        unknown = [r for r in self.rows if self._sort_value(r)[0] != 0]
        ordered = sorted(known, key=lambda r: self._sort_value(r)[1], reverse=descending) + unknown
        if [r.key for r in ordered] == [r.key for r in self.rows]:
            return
        self.layoutAboutToBeChanged.emit()
        old_keys = [r.key for r in self.rows]
        self.rows = ordered
        new_row = {r.key: i for i, r in enumerate(ordered)}
        old = self.persistentIndexList()
        self.changePersistentIndexList(old, [self.index(new_row[old_keys[i.row()]], i.column()) for i in old])
        self.layoutChanged.emit()

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != COL_PLOT or role != Qt.ItemDataRole.CheckStateRole:
            return False
        key = self.rows[index.row()].key
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2, True)
        if checked and key not in self.plotted:
            self.plotted.append(key)
        elif not checked and key in self.plotted:
            self.plotted.remove(key)
        else:
            return True
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.plotted_changed.emit(list(self.plotted))
        return True

    def plot_keys(self, keys: list[tuple]) -> None:
        """Tick neighbours by identity (``neighbour_key``), in the current rows or not: the
        plotted state is kept by key, so a row that comes later shows ticked and the level
        plot draws the key's series from the history."""
        added = [k for k in dict.fromkeys(keys) if k not in self.plotted]
        if not added:
            return
        self.plotted.extend(added)
        if self.rows:
            self.dataChanged.emit(self.index(0, COL_PLOT), self.index(len(self.rows) - 1, COL_PLOT),
                                  [Qt.ItemDataRole.CheckStateRole])
        self.plotted_changed.emit(list(self.plotted))

    # ------------------------------------------------------------------ live updates
    def set_plan(self, plan: CellPlan) -> None:
        self.plan = plan
        for row in self.rows:
            planned = plan.match(row.cell)
            row.name = planned.name if planned else None
            row.refresh()
        if self.rows:
            self.dataChanged.emit(self.index(0, COL_NAME), self.index(len(self.rows) - 1, COL_NAME))

    def set_tech(self, tech: str | None) -> None:
        terms = terms_for(tech)
        if terms.tech == self.terms.tech:
            return
        self.terms = terms
        self.columns = headers_for(terms)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)

    def update_sample(self, sample: Sample) -> None:
        """Show this sample's neighbours: update rows in place, remove the gone, append the new."""
        serving_dbm = sample.rxlev_dbm
        tech = shown_tech(sample) or GSM  # no serving cell: the neighbours' own technology
        self.set_tech(tech)
        fresh: dict[tuple, NeighbourRow] = {}
        for cell in sample.neighbours:
            key = neighbour_key(cell)
            if key in fresh:
                continue
            planned = self.plan.match(cell)
            level = cell.level_dbm
            same_tech = (cell.tech or GSM) == tech
            delta = None if level is None or serving_dbm is None or not same_tech else level - serving_dbm
            row = NeighbourRow(key, cell, planned.name if planned else None, delta)
            if not same_tech:
                row.refresh(tech)
            fresh[key] = row
        for i in range(len(self.rows) - 1, -1, -1):
            if self.rows[i].key not in fresh:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self.rows[i]
                self.endRemoveRows()
        known = {row.key: i for i, row in enumerate(self.rows)}
        for key, new_row in fresh.items():
            if key in known:
                self.rows[known[key]] = new_row
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(COLUMNS) - 1))
        added = [row for key, row in fresh.items() if key not in known]
        if added:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(added) - 1)
            self.rows.extend(added)
            self.endInsertRows()
        self._reorder()

    def clear(self) -> None:
        self.beginResetModel()
        self.rows = []
        self.endResetModel()


class NeighbourTable(QWidget):
    """The view: a sorted table over the model (strongest first until the user sorts)."""

    def __init__(self, plan: CellPlan | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = NeighbourTableModel(plan, self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(COL_LEVEL, Qt.SortOrder.DescendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(22)
        header = self.view.horizontalHeader()
        # Fixed widths: ResizeToContents would re-measure every cell on every live update.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in zip(range(len(COLUMNS)), (30, 58, 40, 84, 76, 40, 56, 50)):
            header.resizeSection(col, width)
        header.setStretchLastSection(True)
        # Never narrower than Plot, channel, code, name, level and Δ (a squeezed dock or a layout
        # saved when it was narrow showed "Neigh…" and two columns on a 1366-pixel laptop).
        scroll_px = self.view.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        self.view.setMinimumWidth(sum(header.sectionSize(c) for c in range(COL_DELTA + 1))
                                  + 2 * self.view.frameWidth() + scroll_px + 2)
        self.empty_note = QLabel("no sample yet")
        self.empty_note.setObjectName("emptyNote")
        self.empty_note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.empty_note)
        layout.addWidget(self.view)
        self._labels: dict[tuple, str] = {}

    def update_sample(self, sample: Sample) -> None:
        self.model.update_sample(sample)
        for row in self.model.rows:
            self._labels[row.key] = row.name or neighbour_label(row.key)
        self._explain(sample)

    def plot_cells(self, cells: list[Cell]) -> None:
        """Put these neighbours on the level plot, whether or not the latest sample lists them
        (a replay's auto-plot picks them from an earlier sample): named from the cell plan in
        the legend as their rows would be."""
        for cell in cells:
            key = neighbour_key(cell)
            planned = self.model.plan.match(cell)
            self._labels[key] = planned.name if planned else neighbour_label(key)
        self.model.plot_keys([neighbour_key(c) for c in cells])

    def _explain(self, sample: Sample | None) -> None:
        """Why the table is empty, in a line above it (hidden while it has rows)."""
        if self.model.rows:
            self.empty_note.hide()
            return
        if sample is None:
            text = "no sample yet"
        elif sample.mode == DEDICATED:
            text = "this handset reports no neighbours in dedicated mode"
        elif sample.serving is None:
            text = "no serving cell in this sample (no service, or the device gives only signal strength)"
        else:
            text = "this handset reports no neighbours in this sample"
        self.empty_note.setText(text)
        self.empty_note.show()

    def clear(self) -> None:
        self.model.clear()
        self._explain(None)

    def empty_reason(self) -> str | None:
        return None if self.empty_note.isHidden() else self.empty_note.text()

    def headers(self) -> list[str]:
        return [self.model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(COLUMNS))]

    def name_of(self, key: tuple) -> str | None:
        """Name in the cell plan, else "UARFCN 10588 PSC 159": the legend of a plotted neighbour."""
        for row in self.model.rows:
            if row.key == key:
                return row.name or neighbour_label(key)
        return self._labels.get(key)

    def visible_rows(self) -> list[list[str]]:
        """What the table shows, in display order (tests and the bench read this)."""
        out = []
        for r in range(self.model.rowCount()):
            out.append([self.model.index(r, c).data() or "" for c in range(len(COLUMNS))])
        return out
