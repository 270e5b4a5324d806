"""The events of the session as a list: call steps (attempt, alerting, connected, released with
cause), cell changes, lock changes, device errors, disconnects and gaps. Clicking one emits
``event_activated`` so the window moves the plots and the map to that moment.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from fieldapp.model import Event
from ui.table_model import FlatTableModel, Index
from ui.theme import event_colour

COLUMNS = ("Time", "Event", "Details")
COL_TIME, COL_KIND, COL_TEXT = range(3)
EVENT_ROLE = Qt.ItemDataRole.UserRole + 1



def kind_text(kind: str) -> str:
    return kind.replace("_", " ")


def local_time_text(ts_utc: float) -> str:
    """Wall-clock time as the engineer's laptop shows it."""
    return time.strftime("%H:%M:%S", time.localtime(ts_utc))


class EventsModel(FlatTableModel):
    columns = COLUMNS

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.events: list[Event] = []

    def row_items(self):
        return self.events

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.events):
            return None
        e = self.events[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (local_time_text(e.ts_utc), kind_text(e.kind), e.text)[col]
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_KIND:
            return QColor(event_colour(e.kind))
        if role == Qt.ItemDataRole.ToolTipRole:
            details = ", ".join(f"{k}={v}" for k, v in e.data.items()) if e.data else ""
            return f"{e.text}\n{details}".strip()
        if role == EVENT_ROLE:
            return e
        return None

    def add(self, events: list[Event]) -> None:
        if not events:
            return
        first = len(self.events)
        self.beginInsertRows(QModelIndex(), first, first + len(events) - 1)
        self.events.extend(events)
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self.events = []
        self.endResetModel()

    def truncate(self, n: int) -> None:
        """Keep the first ``n`` events (a replay jumped backwards)."""
        if n >= len(self.events):
            return
        self.beginRemoveRows(QModelIndex(), n, len(self.events) - 1)
        del self.events[n:]
        self.endRemoveRows()


class EventsList(QWidget):
    event_activated = Signal(object)  # the Event clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = EventsModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(COL_TIME, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(COL_TIME, 72)
        header.setSectionResizeMode(COL_KIND, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(COL_KIND, 120)
        header.setStretchLastSection(True)
        self.view.clicked.connect(self._clicked)
        self.view.activated.connect(self._clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def add(self, events: list[Event]) -> None:
        bar = self.view.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 2
        self.model.add(events)
        if at_bottom:
            self.view.scrollToBottom()

    def activate_row(self, row: int) -> None:
        """Select a row as a click would (keyboard users and tests)."""
        index = self.model.index(row, 0)
        self.view.setCurrentIndex(index)
        self._clicked(index)

    def _clicked(self, index: QModelIndex) -> None:
        event = self.model.data(index, EVENT_ROLE)
        if event is not None:
            self.event_activated.emit(event)
