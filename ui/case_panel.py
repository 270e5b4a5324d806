"""The Cases dock of the main window: the case list, the new-case dialog, one window per open
case, and the hooks into the live window: "New case here" on the map's context menu and
"Record into this case", which selects the case in the source panel and starts recording.

``install(window)`` wires it (called by ``MainWindow.install_cases``); the panel itself only
needs a ``CaseDesk``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QVBoxLayout, QWidget

from fieldapp.cases.desk import CaseDesk
from ui.case_form import CaseFormDialog
from ui.case_list import CaseList
from ui.case_view import CaseView
from ui.geo import mercator_to_lonlat


class CasePanel(QWidget):
    case_created = Signal(int)
    message = Signal(str)  # for the status bar

    def __init__(self, desk: CaseDesk, parent: QWidget | None = None, **view_kwargs: Any) -> None:
        super().__init__(parent)
        self.desk = desk
        self.view_kwargs = view_kwargs  # choose_save / choose_open for the case windows
        self.list = CaseList(desk)
        self.views: dict[int, CaseView] = {}
        self.dialog: CaseFormDialog | None = None
        self.window_ = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        self.list.new_requested.connect(lambda: self.new_case())
        self.list.case_activated.connect(self.open_case)

    # ------------------------------------------------------------------ cases
    def new_case(self, initial: dict[str, Any] | None = None) -> CaseFormDialog:
        """Open the new-case dialog (non-modal); the case is created when it is accepted."""
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        dialog = CaseFormDialog(self.window() if self.window() is not self else None, initial=initial)
        dialog.accepted.connect(lambda: self._create(dialog))
        self.dialog = dialog
        dialog.show()
        return dialog

    def new_case_here(self, lat: float, lon: float) -> CaseFormDialog:
        return self.new_case({"latitude": round(lat, 6), "longitude": round(lon, 6)})

    def _create(self, dialog: CaseFormDialog) -> None:
        try:
            case_id = self.desk.create(dialog.raw())
        except Exception as exc:  # the dialog validated; a workspace that cannot be written says why
            self.message.emit(f"case not created: {exc}")
            return
        self.list.refresh()
        self.list.select(case_id)
        self.case_created.emit(case_id)
        self.message.emit(f"case {case_id} created")
        self.open_case(case_id)

    def open_case(self, case_id: int) -> CaseView:
        view = self.views.get(case_id)
        if view is None:
            view = CaseView(self.desk, case_id, **self.view_kwargs)
            view.setWindowFlag(Qt.WindowType.Window, True)
            view.changed.connect(lambda _cid: self.list.refresh())
            view.record_requested.connect(self.record_into)
            self.views[case_id] = view
        view.show()
        view.raise_()
        return view

    def close_views(self) -> None:
        for view in self.views.values():
            view.close()
            view.deleteLater()
        self.views.clear()
        if self.dialog is not None:
            self.dialog.close()
            self.dialog = None

    # ------------------------------------------------------------------ the live window
    def install(self, window: Any) -> None:
        """Hooks into the main window: map context menu, source panel, a Cases menu."""
        self.window_ = window
        plot = window.map_view.plot_widget
        plot.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        plot.customContextMenuRequested.connect(lambda pos: self.map_menu(pos).popup(plot.mapToGlobal(pos)))
        self.case_created.connect(lambda _cid: window.source_panel.refresh_cases())
        self.message.connect(lambda text: window.status.showMessage(text, 8000))
        menu = window.menuBar().addMenu("&Cases")
        new = QAction("New case…", self)
        new.triggered.connect(lambda: self.new_case())
        menu.addAction(new)
        menu.addAction(window.docks["cases"].toggleViewAction())

    def map_position(self, pos: QPoint) -> tuple[float, float]:
        """(lat, lon) under a point of the map widget."""
        plot = self.window_.map_view.plot_widget
        view_pt = self.window_.map_view.viewbox.mapSceneToView(plot.mapToScene(pos))
        lon, lat = mercator_to_lonlat(view_pt.x(), view_pt.y())
        return lat, lon

    def map_menu(self, pos: QPoint) -> QMenu:
        lat, lon = self.map_position(pos)
        menu = QMenu(self.window_)
        action = menu.addAction(f"New case here ({lat:.5f}, {lon:.5f})")
        action.triggered.connect(lambda: self.new_case_here(lat, lon))
        return menu

    def record_into(self, case_id: int) -> None:
        """Select the case in the source panel and start recording into it when a source is up."""
        window = self.window_
        if window is None:
            return
        panel = window.source_panel
        panel.refresh_cases()
        index = panel.case_combo.findData(case_id)
        if index < 0:  # a panel given no case list (or a stale one): add this case to it
            panel.case_combo.addItem(f"{case_id}: {self.desk.get(case_id).display_title()}", case_id)
            index = panel.case_combo.findData(case_id)
        window.docks["source"].show()
        window.docks["source"].raise_()
        if panel.record_button.isChecked():
            self.message.emit("a recording is running: stop it first, then record into the case")
            return
        panel.case_combo.setCurrentIndex(index)
        if panel.record_button.isEnabled():
            panel.record_button.click()  # the panel emits record_toggled(True, case_id)
            self.message.emit(f"recording into case {case_id}")
        else:
            self.message.emit(f"case {case_id} selected: connect a handset (or the demo), then press Record")
