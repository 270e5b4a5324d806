"""The case list: filters (status, category, due by, text search) over a table of cases; a
double click (or Enter) opens a case. Reads through a ``CaseDesk`` (no SQL here)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fieldapp.cases.desk import CaseDesk
from fieldapp.cases.model import CATEGORIES, Case
from fieldapp.cases.workflow import OPEN_STATUSES, STATUS_LABELS, STATUSES
from ui.table_model import FlatTableModel, Index

COLUMNS = ("ID", "Title", "Status", "Due", "Priority", "Category")  # title early: the dock is narrow
OVERDUE = QColor("#c62828")
ALL = "__all__"
OPEN = "__open__"


class CaseTableModel(FlatTableModel):
    columns = COLUMNS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.cases: list[Case] = []
        self.today = date.today().isoformat()

    def set_cases(self, cases: list[Case]) -> None:
        self.beginResetModel()
        self.cases = list(cases)
        self.today = date.today().isoformat()
        self.endResetModel()

    def row_items(self):
        return self.cases

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.cases):
            return None
        case = self.cases[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (str(case.id), case.display_title(), STATUS_LABELS.get(case.status, case.status).split(" (")[0],
                    case.due_date or "", case.priority, case.category or "")[col]
        if role == Qt.ItemDataRole.ForegroundRole and col == COLUMNS.index("Due") and self.overdue(case):
            return OVERDUE
        if role == Qt.ItemDataRole.ToolTipRole:
            return case.description or case.display_title()
        if role == Qt.ItemDataRole.UserRole:
            return case.id
        return None

    def overdue(self, case: Case) -> bool:
        return bool(case.due_date) and case.status != "closed" and case.due_date < self.today


class CaseList(QWidget):
    case_activated = Signal(int)
    new_requested = Signal()

    def __init__(self, desk: CaseDesk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.status_combo = QComboBox()
        self.status_combo.addItem("open (not closed)", OPEN)
        self.status_combo.addItem("all", ALL)
        for key in STATUSES:
            self.status_combo.addItem(STATUS_LABELS[key], key)
        self.category_combo = QComboBox()
        self.category_combo.addItem("any category", None)
        for c in CATEGORIES:
            self.category_combo.addItem(c, c)
        self.due_check = QCheckBox("Due by")
        self.due_edit = QDateEdit(QDate.currentDate())
        self.due_edit.setCalendarPopup(True)
        self.due_edit.setDisplayFormat("yyyy-MM-dd")
        self.due_edit.setEnabled(False)
        self.search = QLineEdit()
        self.search.setPlaceholderText("search: name, place, cell, text…")
        self.search.setClearButtonEnabled(True)
        self.new_button = QPushButton("New case…")
        self.count = QLabel("")
        self.count.setStyleSheet("color: #606060;")

        self.model = CaseTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 200)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(self._activated)
        self.table.activated.connect(self._activated)

        filters = QGridLayout()
        filters.addWidget(QLabel("Status"), 0, 0)
        filters.addWidget(self.status_combo, 0, 1)
        filters.addWidget(QLabel("Category"), 1, 0)
        filters.addWidget(self.category_combo, 1, 1)
        filters.addWidget(self.due_check, 2, 0)
        filters.addWidget(self.due_edit, 2, 1)
        filters.addWidget(QLabel("Search"), 3, 0)
        filters.addWidget(self.search, 3, 1)
        filters.setColumnStretch(1, 1)
        top = QHBoxLayout()
        top.addWidget(self.new_button)
        top.addStretch(1)
        top.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)

        for combo in (self.status_combo, self.category_combo):
            combo.currentIndexChanged.connect(self.refresh)
        self.due_check.toggled.connect(self.due_edit.setEnabled)
        self.due_check.toggled.connect(self.refresh)
        self.due_edit.dateChanged.connect(self.refresh)
        self.search.textChanged.connect(self.refresh)
        self.new_button.clicked.connect(self.new_requested)
        self.refresh()

    def filters(self) -> dict[str, Any]:
        status = self.status_combo.currentData()
        statuses: tuple[str, ...] = () if status == ALL else OPEN_STATUSES if status == OPEN else (status,)
        return {"statuses": statuses, "category": self.category_combo.currentData(),
                "due_before": self.due_edit.date().toString("yyyy-MM-dd") if self.due_check.isChecked() else None,
                "text": self.search.text().strip() or None}

    def refresh(self, *args: Any) -> None:
        try:
            cases = self.desk.cases(**self.filters())
        except Exception as exc:  # an unreadable workspace: say so in the list, keep the window
            self.count.setText(f"cases cannot be read: {exc}")
            self.model.set_cases([])
            return
        self.model.set_cases(cases)
        self.count.setText(f"{len(cases)} case{'s' if len(cases) != 1 else ''}")

    def case_ids(self) -> list[int]:
        return [c.id for c in self.model.cases if c.id is not None]

    def select(self, case_id: int) -> None:
        for row, case in enumerate(self.model.cases):
            if case.id == case_id:
                self.table.selectRow(row)
                return

    def _activated(self, index: QModelIndex) -> None:
        case_id = self.model.data(index, Qt.ItemDataRole.UserRole)
        if case_id is not None:
            self.case_activated.emit(int(case_id))
