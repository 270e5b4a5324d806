"""The neighbour list of the latest sample: ARFCN, BSIC, name from the cell plan, RXLEV dBm,
delta to the serving cell, C1/C2. Rows keep their identity (ARFCN, BSIC) between samples so a
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
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from fieldapp.cellplan import CellPlan
from fieldapp.model import Cell, Sample
from fieldapp.radio import bsic_octal
from ui.history import neighbour_key
from ui.table_model import FlatTableModel, Index

COLUMNS = ("Plot", "ARFCN", "BSIC", "Name", "dBm", "Δ dB", "C1", "C2")
COL_PLOT, COL_ARFCN, COL_BSIC, COL_NAME, COL_LEVEL, COL_DELTA, COL_C1, COL_C2 = range(len(COLUMNS))
COLUMN_TIPS = {COL_PLOT: "tick to draw this neighbour on the level plot",
               COL_LEVEL: "received level (RXLEV dBm)",
               COL_DELTA: "neighbour level minus serving level; positive means stronger than serving"}
UNKNOWN_TEXT = "–"



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

    def refresh(self) -> None:
        c = self.cell
        self.values = (None, c.arfcn, c.bsic, self.name, c.level_dbm, self.delta_db, c.c1, c.c2)
        self.texts = tuple(_text(col, v) for col, v in enumerate(self.values))


def _text(col: int, value) -> str | None:
    if col == COL_PLOT:
        return None
    if value is None:
        return UNKNOWN_TEXT
    if col == COL_BSIC:
        return bsic_octal(value)
    if col == COL_DELTA:
        return f"{value:+.0f}"
    if isinstance(value, float):
        return f"{value:.0f}"
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

    # ------------------------------------------------------------------ live updates
    def set_plan(self, plan: CellPlan) -> None:
        self.plan = plan
        for row in self.rows:
            planned = plan.match(row.cell)
            row.name = planned.name if planned else None
            row.refresh()
        if self.rows:
            self.dataChanged.emit(self.index(0, COL_NAME), self.index(len(self.rows) - 1, COL_NAME))

    def update_sample(self, sample: Sample) -> None:
        """Show this sample's neighbours: update rows in place, remove the gone, append the new."""
        serving_dbm = sample.rxlev_dbm
        fresh: dict[tuple, NeighbourRow] = {}
        for cell in sample.neighbours:
            key = neighbour_key(cell)
            if key in fresh:
                continue
            planned = self.plan.match(cell)
            level = cell.level_dbm
            delta = None if level is None or serving_dbm is None else level - serving_dbm
            fresh[key] = NeighbourRow(key, cell, planned.name if planned else None, delta)
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
        for col, width in zip(range(len(COLUMNS)), (36, 56, 44, 96, 48, 48, 40, 40)):
            header.resizeSection(col, width)
        header.setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def update_sample(self, sample: Sample) -> None:
        self.model.update_sample(sample)

    def name_of(self, key: tuple) -> str | None:
        for row in self.model.rows:
            if row.key == key:
                return row.name
        return None

    def visible_rows(self) -> list[list[str]]:
        """What the table shows, in display order (tests and the bench read this)."""
        out = []
        for r in range(self.model.rowCount()):
            out.append([self.model.index(r, c).data() or "" for c in range(len(COLUMNS))])
        return out
