"""The live window: plots and trace in the middle, source panel on the left, map and channel on
the right, neighbours and events at the bottom (docks; the layout persists, fits the screen
the window opens on, and can be saved under a name: ui/layouts.py). Field mode (F9) swaps the
plots for large tiles; View → Dark theme for night drives.

Another issue's panel joins the window with ``add_dock(key, title, widget, area,
tab_with=..., scrolled=...)``: View menu, default and built-in layouts included.

The window owns no threads. ``on_records`` receives each batch the bridge drained, files it in
the history and redraws every view once. Controller status (``LinkStatus``), cell plans
(``PlanUpdate``) and capabilities arrive through the same batches. User requests leave as the
source panel's signals, which the composition root connects to the controller.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QByteArray, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QInputDialog,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fieldapp.live import LinkStatus, PlanUpdate
from fieldapp.model import Capabilities, Event, PlanCell
from fieldapp.radio import RXLEV_BINS_DBM
from fieldapp.tile_sources import TileSetting
from ui.channel_panel import ChannelPanel
from ui.cqt_panel import CqtPanel
from ui.events_list import EventsList
from ui.field_tiles import FieldTiles
from ui.help_texts import GUIDE, keys_html, thresholds_html
from ui.history import History, strongest_neighbours
from ui.layouts import BUILT_IN, LayoutBook, arrange, fitted_size, on_screen
from ui.legend_dialog import LegendDialog
from ui.level_plot import LevelPlot
from ui.map_view import MapView
from ui.neighbour_table import NeighbourTable
from ui.settings import WindowSettings
from ui.source_panel import SourcePanel
from ui.status_bar import LinkInfo, StatusBar
from ui.theme import set_dark, style_sheet
from ui.trace_strip import TraceStrip

SCROLL_ABOVE_PX = 160  # a docked panel taller than this scrolls (1366×768 leaves ~180 px per bottom dock)
STATUS_TICK_MS = 1000  # age of the last sample, skipped-line count
REDRAW_TIMES_KEPT = 2000


class MainWindow(QMainWindow):
    closing = Signal()  # the composition root ends the recording and stops the controller

    def __init__(self, settings: WindowSettings | None = None, *, list_ports=list, family_names=(),
                 scenarios=(), list_cases=list, status_poll=None, title: str = "fieldapp") -> None:
        super().__init__()
        self.setWindowTitle(title)
        self.dark = bool(settings.value("view/dark", False)) if settings is not None else False
        set_dark(self.dark)
        self.setStyleSheet(style_sheet(self.dark))
        self.field_mode = False
        self.settings = settings
        self._status_poll = status_poll  # () -> LinkStatus, read on the status timer
        bins = settings.rxlev_bins() if settings else RXLEV_BINS_DBM
        self.history = History()
        self.redraw_ms: list[float] = []
        # The demo and a replay tick this many strongest neighbours once, so the plot shows
        # more than one line (``_auto_plot``: of the first sample with its serving cell's
        # neighbours). 0: none (the live window).
        self.auto_plot_strongest = 0
        self.last_drawn_sample_utc: float | None = None
        self.replay_mode = False

        self.level_plot = LevelPlot(self.history, bins)
        self.trace = TraceStrip(self.history)
        self.trace.link_x(self.level_plot.level)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(0)
        layout.addWidget(self.level_plot, 1)
        layout.addWidget(self.trace)
        self.tiles = FieldTiles(self.history.plan)
        self.tiles.hide()
        layout.addWidget(self.tiles, 1)
        self.setCentralWidget(central)

        self.source_panel = SourcePanel(list_ports, list(family_names), list(scenarios), list_cases)
        self.map_view = MapView(self.history, bins)
        self.channel_panel = ChannelPanel(self.history.plan)
        self.neighbours = NeighbourTable(self.history.plan)
        self.events = EventsList()
        self.cqt_panel = CqtPanel(list_cases)
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self.docks: dict[str, QDockWidget] = {}
        # Panels taller than a laptop screen's share scroll instead of pushing the window off it.
        self._dock("source", "Source", _scrolled(self.source_panel), Qt.DockWidgetArea.LeftDockWidgetArea)
        self._dock("map", "Map", self.map_view, Qt.DockWidgetArea.RightDockWidgetArea)
        self._dock("channel", "Current channel", _scrolled(self.channel_panel), Qt.DockWidgetArea.RightDockWidgetArea)
        self._dock("neighbours", "Neighbours", self.neighbours, Qt.DockWidgetArea.BottomDockWidgetArea)
        self._dock("events", "Events", self.events, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.splitDockWidget(self.docks["neighbours"], self.docks["events"], Qt.Orientation.Horizontal)
        # In a scroll area: the CQT panel is tall, and the bottom docks must not squeeze the plots.
        self._dock("cqt", "Call quality test", _scrolled(self.cqt_panel), Qt.DockWidgetArea.BottomDockWidgetArea)
        self.tabifyDockWidget(self.docks["events"], self.docks["cqt"])
        self.docks["events"].raise_()
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self._default_state: QByteArray | None = None
        self.fit_to_screen()
        self.layouts = LayoutBook(self, settings)
        self._make_menus()
        self.apply_theme(self.dark)

        self.level_plot.neighbour_name = self.neighbours.name_of
        self.neighbours.model.plotted_changed.connect(self.level_plot.set_plotted_neighbours)
        self.events.event_activated.connect(self.show_event)
        self.source_panel.connect_requested.connect(self._remember_choices)
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(STATUS_TICK_MS)
        self._status_timer.timeout.connect(self._status_tick)
        self._status_timer.start()
        if settings is not None:
            self._restore()

    # ------------------------------------------------------------------ screen and layouts
    def available_screen(self) -> QRect:
        """The screen area the window may use (``fit_to_screen(rect)`` sets another: tests)."""
        if getattr(self, "_screen_area", None) is not None:
            return self._screen_area
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry() if screen is not None else QRect(0, 0, 1600, 1000)

    def fit_to_screen(self, available: QRect | None = None) -> None:
        """Size the window to the screen it opens on and arrange the docks in proportion;
        this arrangement is the default that "Reset layout" returns to."""
        if available is not None:
            self._screen_area = QRect(available)
        available = self.available_screen()
        if self.isVisible():  # the frame is known once shown
            frame = (self.frameGeometry().width() - self.width(), self.frameGeometry().height() - self.height())
            width, height = fitted_size(available, frame)
        else:
            width, height = fitted_size(available)
        self.resize(width, height)
        self.move(available.topLeft())
        arrange(self, width, height)
        if getattr(self, "_default_state", None) is None:
            self._default_state = self.saveState()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """First show: now that the window manager's frame is known, make sure it fits."""
        super().showEvent(event)
        if not getattr(self, "_shown_once", False):
            self._shown_once = True
            if not on_screen(self, self.available_screen()):
                self.fit_to_screen()
            elif not getattr(self, "_layout_restored", False):
                # The first layout pass of a shown window sizes docks by their hints; give them
                # their proportions again once it has run (a restored layout is left alone).
                QTimer.singleShot(0, self._rearrange_first_show)

    def _rearrange_first_show(self) -> None:
        arrange(self, self.width(), self.height())
        self._default_state = self.saveState()

    def reset_layout(self) -> None:
        """Every dock back where it started, sized for this screen; the plots, not the tiles."""
        self.set_field_mode(False)
        self.restoreState(self._default_state)
        self.fit_to_screen()

    def add_dock(self, key: str, title: str, widget: QWidget, area: Qt.DockWidgetArea, *,
                 tab_with: str | None = None, scrolled: bool | None = None) -> QDockWidget:
        """The hook for a new panel: a dock named ``dock_<key>`` (saved layouts know it by that
        name) in ``area``, tabbed behind ``tab_with`` when given, listed in the View menu and
        kept in the default layout. ``scrolled``: in a scroll area; by default a panel taller
        than its share of a laptop screen (``SCROLL_ABOVE_PX``) scrolls rather than pushing the
        plots off it. The docks are then re-proportioned to the window."""
        if scrolled is None:
            scrolled = widget.minimumSizeHint().height() > SCROLL_ABOVE_PX
        self._dock(key, title, _scrolled(widget) if scrolled else widget, area)
        if tab_with in self.docks:
            self.tabifyDockWidget(self.docks[tab_with], self.docks[key])
            self.docks[tab_with].raise_()
        arrange(self, self.width(), self.height())
        self._default_state = self.saveState()
        if getattr(self, "view_menu", None) is not None:
            self.view_menu.insertAction(self._docks_end, self.docks[key].toggleViewAction())
        return self.docks[key]

    def dock_panel(self, key: str) -> QWidget | None:
        """The panel of a dock, through the scroll area ``add_dock`` may have put it in."""
        widget = self.docks[key].widget()
        return widget.widget() if isinstance(widget, QScrollArea) else widget

    def set_field_mode(self, on: bool) -> None:
        """Large tiles instead of the plots (the docks stay)."""
        self.field_mode = on
        self.level_plot.setVisible(not on)
        self.trace.setVisible(not on)
        self.tiles.setVisible(on)
        if on and self.history.last_sample is not None:
            self.tiles.update_sample(self.history.last_sample)
        action = getattr(self, "field_action", None)
        if action is not None and action.isChecked() != on:
            action.setChecked(on)

    def apply_theme(self, dark: bool) -> None:
        """Light or dark (night drives): the style sheet and the plots' own colours."""
        self.dark = dark
        set_dark(dark)
        self.setStyleSheet(style_sheet(dark))
        for view in (self.level_plot, self.trace, self.map_view):
            view.apply_theme()
        action = getattr(self, "dark_action", None)
        if action is not None and action.isChecked() != dark:
            action.setChecked(dark)
        if self.settings is not None:
            self.settings.set_value("view/dark", dark)

    def apply_layout(self, name: str) -> bool:
        return self.layouts.apply(name)

    def _save_layout_as(self) -> None:
        name, ok = QInputDialog.getText(self, "Save layout", "Name of this layout (e.g. drive, CQT, replay):")
        if ok and name.strip():
            self.layouts.save(name)
            self._fill_layouts_menu()

    def _delete_layout(self) -> None:
        saved = [n for n in self.layouts._saved_names()]
        if not saved:
            return
        name, ok = QInputDialog.getItem(self, "Delete layout", "Saved layout:", saved, 0, False)
        if ok:
            self.layouts.delete(name)
            self._fill_layouts_menu()

    def _fill_layouts_menu(self) -> None:
        menu = self.layouts_menu
        menu.clear()
        for name in self.layouts.names():
            action = menu.addAction(name + ("" if name not in BUILT_IN else "  (built in)"))
            action.triggered.connect(lambda _=False, n=name: self.apply_layout(n))
        menu.addSeparator()
        menu.addAction("Save layout as…", self._save_layout_as)
        menu.addAction("Delete a saved layout…", self._delete_layout)
        menu.addAction("Reset layout (fit this screen)", self.reset_layout)

    def _dock(self, key: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> None:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{key}")  # saveState needs names
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(area, dock)
        self.docks[key] = dock

    def _make_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.file_menu = file_menu
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        view = self.menuBar().addMenu("&View")
        self.view_menu = view
        for dock in self.docks.values():
            view.addAction(dock.toggleViewAction())
        self._docks_end = view.addSeparator()
        self.field_action = QAction("Field mode (large tiles)", self)
        self.field_action.setCheckable(True)
        self.field_action.setShortcut(QKeySequence("F9"))
        self.field_action.toggled.connect(self.set_field_mode)
        view.addAction(self.field_action)
        self.dark_action = QAction("Dark theme", self)
        self.dark_action.setCheckable(True)
        self.dark_action.setChecked(self.dark)
        self.dark_action.toggled.connect(self.apply_theme)
        view.addAction(self.dark_action)
        self.layouts_menu = view.addMenu("Layouts")
        self._fill_layouts_menu()
        view.addSeparator()
        fit = QAction("Fit map to route and sites", self)
        fit.triggered.connect(self.map_view.fit_all)
        view.addAction(fit)
        tiles = QAction("Map tiles…", self)
        tiles.triggered.connect(self._choose_tiles)
        view.addAction(tiles)
        legend = QAction("RXLEV legend thresholds…", self)
        legend.triggered.connect(self._edit_legend)
        view.addAction(legend)
        reset = QAction("Reset layout", self)
        reset.triggered.connect(self.reset_layout)
        view.addAction(reset)
        help_menu = self.menuBar().addMenu("&Help")
        for title, body in (("Quick guide", lambda: GUIDE), ("Keys", keys_html),
                            ("Thresholds and colour steps", lambda: thresholds_html(self.level_plot.gsm_bins))):
            action = help_menu.addAction(title)
            action.triggered.connect(lambda _=False, t=title, b=body: self.show_help(t, b()))
        if not help_menu.actions()[0].shortcut():
            help_menu.actions()[0].setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        help_menu.addSeparator()
        about = QAction("About fieldapp", self)
        about.triggered.connect(lambda: QMessageBox.about(
            self, "fieldapp", "Field-test companion for mobile-network complaint handling: GSM, UMTS and LTE "
                              "measurements from AT-command handsets and drive-test logs, per-TRX call "
                              "quality tests, complaint cases and reports.\nHelp → Thresholds lists the "
                              "colour steps of every technology."))
        help_menu.addAction(about)
        self.help_menu = help_menu

    def show_help(self, title: str, body_html: str):
        from ui.help_texts import HelpDialog

        dialog = HelpDialog(title, body_html, self)
        dialog.show()
        self._help_dialog = dialog
        return dialog

    def install_doctor(self, run_checks) -> None:
        """Help → System check: ``run_checks() -> (ok, lines)`` is the ``fieldapp doctor``
        report (the composition root runs it; the window only shows it)."""
        from ui.doctor_dialog import DoctorDialog

        action = QAction("System check (doctor)…", self)

        def show() -> None:
            self.doctor_dialog = DoctorDialog(run_checks, self)
            self.doctor_dialog.show()

        action.triggered.connect(show)
        self.help_menu.insertAction(self.help_menu.actions()[0], action)
        self.doctor_action = action

    # ------------------------------------------------------------------ records in
    def on_records(self, batch: list) -> None:
        """One bridge tick: file everything, then redraw each view once."""
        t0 = time.perf_counter()
        changed = self.history.add(batch)
        self.cqt_panel.observe(batch)
        new_events = [r for r in batch if isinstance(r, Event)]
        for rec in batch:
            if isinstance(rec, LinkStatus):
                self.apply_status(rec)
            elif isinstance(rec, PlanUpdate):
                self.set_cell_plan(list(rec.cells))
            elif isinstance(rec, Capabilities):
                self._set_capabilities(rec)
        if "samples" in changed:
            last = self.history.last_sample
            assert last is not None
            self.level_plot.refresh()
            self.trace.refresh()
            self.neighbours.update_sample(last)
            self._auto_plot()
            self.channel_panel.update_sample(last)
            if self.field_mode:
                self.tiles.update_sample(last)
            self.status.sample_arrived(last.ts_utc, self.history.sample_period_s())
            self.last_drawn_sample_utc = last.ts_utc
        if new_events:
            self.events.add(new_events)
            self.tiles.add_events(new_events)
            self.channel_panel.set_lock(self.history.locked)
        if changed & {"positions", "samples"}:
            self.map_view.refresh()
        if "positions" in changed and self.replay_mode and self.status.info.gps is None:
            self.status.info.gps = "from the log"  # the replayed file carries the positions
            self.status.set_link(self.status.info)
        if changed & {"positions", "samples"}:
            # Settle pyqtgraph's lazy range/matrix updates now: left to the paint, they request
            # a second paint of the plots and the trace on every tick.
            for plot in (self.level_plot.level, self.level_plot.quality, self.trace.plot, self.map_view.plot):
                plot.getViewBox().prepareForPaint()
        self.redraw_ms.append((time.perf_counter() - t0) * 1000.0)
        del self.redraw_ms[:-REDRAW_TIMES_KEPT]

    def _auto_plot(self) -> None:
        """Plot the ``auto_plot_strongest`` strongest neighbours of the history's first sample
        with neighbours of its serving technology (``History.first_plottable``), once: the same
        cells however the records were batched (the bridge's ticks, the replay's speed, a jump
        that filed them at once), and cells the level plot draws in its own quantity. The
        latest sample's table, which the first tick happened to end at, picked by chance: an
        LTE neighbour list without a serving cell put two LTE cells on a UMTS plot. Nothing
        while the user has ticked a neighbour of their own (then never)."""
        if not self.auto_plot_strongest:
            return
        if self.neighbours.model.plotted:
            self.auto_plot_strongest = 0  # the user chose first
            return
        first = self.history.first_plottable
        if first is None:
            return  # not yet: no sample with a serving cell and its neighbours so far
        n, self.auto_plot_strongest = self.auto_plot_strongest, 0
        self.neighbours.plot_cells(strongest_neighbours(first, n))

    def apply_status(self, status: LinkStatus) -> None:
        self.status.set_link(LinkInfo(status.state, status.device, status.family, status.recording,
                                      status.session_id, status.skipped_lines, status.gps, status.message))
        self.source_panel.set_link_state(status.state, status.message)
        self.source_panel.set_gps_in_use(status.gps if status.state not in ("disconnected", "error") else None)
        self.source_panel.set_recording(status.recording)
        if status.capabilities is not None or status.state in ("disconnected", "error"):
            self._set_capabilities(status.capabilities)

    def _set_capabilities(self, caps: Capabilities | None) -> None:
        self.source_panel.set_capabilities(caps)
        self.channel_panel.set_capabilities(caps)

    def set_cell_plan(self, cells: list[PlanCell]) -> None:
        self.history.set_plan(cells)
        self.neighbours.model.set_plan(self.history.plan)
        self.channel_panel.plan = self.history.plan
        self.tiles.plan = self.history.plan
        self.map_view.set_plan(cells)
        self.cqt_panel.set_cell_plan(cells)
        self.trace.redraw_all()  # labels may have changed

    def _status_tick(self) -> None:
        if self._status_poll is not None:
            status = self._status_poll()
            if status.skipped_lines != self.status.info.skipped_lines:
                self.status.info.skipped_lines = status.skipped_lines
                self.status.set_link(self.status.info)
        self.status.tick()

    def show_event(self, event: Event) -> None:
        """An event clicked in the list: move the plots and the map to that moment."""
        self.level_plot.show_time(event.ts_utc)
        self.map_view.show_time(event.ts_utc)
        self.status.showMessage(f"{event.kind.replace('_', ' ')}: {event.text}", 8000)

    def samples_shown(self) -> int:
        return len(self.history.t) if self.history.last_sample is not None else 0

    # ------------------------------------------------------------------ persistence
    def _restore(self) -> None:
        assert self.settings is not None
        self.restore_saved_layout()
        self.source_panel.apply_choices(self.settings.source_choices())
        window = self.settings.value("plot/window")
        if isinstance(window, str):
            self.level_plot.set_window(window)
        self.level_plot.bands_check.setChecked(bool(self.settings.value("plot/bands", True)))
        self.map_view.set_follow(bool(self.settings.value("map/follow", True)))
        self._apply_tiles(self.tile_setting())

    def restore_saved_layout(self) -> None:
        """The user's last layout, unless it does not fit this screen (a laptop after a big
        monitor): then the layout fitted to this screen."""
        if self.settings is None:
            return
        restored = self.settings.restore_layout(self)
        self._layout_restored = restored
        if restored and not on_screen(self, self.available_screen()):
            self._layout_restored = False
            self.fit_to_screen()
        self.set_field_mode(bool(self.settings.value("view/field_mode", False)))

    def save_settings(self) -> None:
        if self.settings is None or self.replay_mode:
            return  # a replay window does not change the live window's layout and choices
        self.settings.save_layout(self)
        self.settings.set_source_choices(self.source_panel.choices())
        self.settings.set_value("plot/window", self.level_plot.window_label())
        self.settings.set_value("plot/bands", self.level_plot.bands_check.isChecked())
        self.settings.set_value("map/follow", self.map_view.follow)
        self.settings.set_value("view/field_mode", self.field_mode)
        self.settings.sync()

    def _remember_choices(self, choices: dict) -> None:
        if self.settings is not None:
            self.settings.set_source_choices(choices)

    def tile_setting(self) -> TileSetting:
        """The street map the user chose (the older tile-folder setting still counts)."""
        if self.settings is None:
            return TileSetting()
        raw = self.settings.value("map/tiles")
        if raw is None and self.settings.value("map/tile_folder"):
            return TileSetting("folder", str(self.settings.value("map/tile_folder")))
        return TileSetting.from_json(raw)

    def _apply_tiles(self, setting: TileSetting) -> bool:
        ok = self.map_view.set_tile_source(setting)
        if not ok:
            self.status.showMessage(f"map tiles: {self.map_view.tile_error}", 15000)
        return ok

    def set_tile_setting(self, setting: TileSetting) -> bool:
        """Use and remember a tile setting (View → Map tiles…)."""
        ok = self._apply_tiles(setting)
        if ok and self.settings is not None:
            self.settings.set_value("map/tiles", setting.to_json())
        return ok

    def _choose_tiles(self) -> None:
        from ui.tile_dialog import TileDialog

        dialog = TileDialog(self.tile_setting(), self)
        if dialog.exec():
            self.set_tile_setting(dialog.setting())

    def _edit_legend(self) -> None:
        dialog = LegendDialog(self.level_plot.bins, self)
        if dialog.exec():
            self.set_bins(dialog.bins())

    def set_bins(self, bins) -> None:
        """A new RXLEV legend for the plot bands and the map (and the next runs)."""
        self.level_plot.set_bins(bins)
        self.map_view.set_bins(bins)
        if self.settings is not None:
            self.settings.set_rxlev_bins(bins)

    # ------------------------------------------------------------------ replay and import
    def clear_history(self) -> None:
        """Forget every sample, position and event shown (a replay sought backwards: the plots
        would otherwise draw the new stretch over the old one). The cell plan stays."""
        self.history.clear()
        self.level_plot.refresh()
        self.trace.redraw_all()
        self.map_view.set_bins(self.map_view.bins)  # fresh route items
        self.events.model.clear()
        self.neighbours.clear()
        # The sample-driven views forget the last sample too: the records filed next may hold
        # none (a replay jumped back before its first sample).
        self.channel_panel.clear()
        self.tiles.clear()
        self.status.no_sample()
        self.last_drawn_sample_utc = None

    def trim_history(self, upto_utc: float, records_back) -> bool:
        """A replay jumped backwards: keep what the views showed up to ``upto_utc`` and drop
        the rest, instead of clearing and filing the session again from its start (the
        history's ``trim``; ``records_back(ts)`` gives the records up to a time, newest first,
        read lazily). Each view then shows what a straight replay to that time shows: the plots,
        the trace and the route cut there, the events up to there, and the neighbours,
        channel, tiles and status of the last sample. False (nothing changed) when no sample
        would be kept: the caller clears and files those records again."""
        t0 = time.perf_counter()
        if not self.history.trim(upto_utc, records_back):
            return False
        self._show_jumped(t0)
        return True

    def adopt_history(self, ahead: History, upto_utc: float, records_back) -> bool:
        """A replay jumped forwards over a long stretch that it had already filed into
        ``ahead`` (read ahead of the playhead, in time order): the views take ``ahead`` cut at
        ``upto_utc`` instead of filing the stretch now. Same views as ``trim_history``. False
        (nothing changed) when ``ahead`` has no sample up to there."""
        t0 = time.perf_counter()
        if not ahead.has_sample_upto(upto_utc):
            return False
        self.history.copy_from(ahead)
        if not self.history.trim(upto_utc, records_back):  # (cannot happen: ahead holds a sample there)
            raise RuntimeError("the history read ahead does not hold the records up to the jump")
        self._show_jumped(t0)
        return True

    def _show_jumped(self, t0: float) -> None:
        """Every view from the history after a jump cut or took it over whole."""
        h = self.history
        last = h.last_sample
        assert last is not None
        self.level_plot.refresh()
        self.trace.redraw_all()
        self.map_view.redraw_route()
        shown = len(self.events.model.events)
        if shown > len(h.events):
            self.events.model.truncate(len(h.events))
        elif shown < len(h.events):
            self.events.add(h.events[shown:])
        self.neighbours.clear()
        self.neighbours.update_sample(last)
        self._auto_plot()  # the history holds its first plottable sample: a straight replay's pick
        self.channel_panel.update_sample(last)
        self.channel_panel.set_lock(h.locked)
        self.tiles.set_events(h.events)
        if self.field_mode:
            self.tiles.update_sample(last)
        self.cqt_panel.observe([last])
        self.status.sample_arrived(last.ts_utc, h.sample_period_s())
        self.last_drawn_sample_utc = last.ts_utc
        for plot in (self.level_plot.level, self.level_plot.quality, self.trace.plot, self.map_view.plot):
            plot.getViewBox().prepareForPaint()
        self.redraw_ms.append((time.perf_counter() - t0) * 1000.0)
        del self.redraw_ms[:-REDRAW_TIMES_KEPT]

    def set_replay_mode(self, timeline: QWidget, clock=None) -> None:
        """Replay: no source to connect (the source panel is hidden), the timeline under the
        plots, the status bar's "last sample" age measured on the replay's clock."""
        self.replay_mode = True
        self.docks["source"].hide()
        self.docks["source"].toggleViewAction().setEnabled(False)
        self._default_state = self.saveState()  # "Reset layout" keeps the source panel away
        self.source_panel.setEnabled(False)
        central = self.centralWidget().layout()
        central.addWidget(timeline)
        self.timeline = timeline
        if clock is not None:
            self.status.set_clock(clock)  # "last sample 0 s ago" at the replay position, not wall time

    def install_import(self, job_factory, on_replay=None, on_imported=None) -> None:
        """File → Import log… (Ctrl+I): the dialog of ui/import_dialog.py over ``job_factory``
        (path, on_progress) -> job with start/cancel/join/running/result/error;
        ``on_replay(session_id)`` opens an imported session in replay (the dialog offers it
        when given); ``on_imported(result)`` follows a successful import."""
        from ui.import_dialog import run_import

        action = QAction("&Import log…", self)
        action.setShortcut(QKeySequence("Ctrl+I"))
        action.triggered.connect(lambda: run_import(self, job_factory, on_replay, on_imported))
        self.file_menu.insertAction(self.file_menu.actions()[0], action)
        self.import_action = action

    def default_state(self) -> QByteArray:
        return self._default_state

    def install_cases(self, desk, **view_kwargs) -> None:
        """The Cases dock (list, new-case form, case windows with evidence and history) over a
        ``fieldapp.cases.desk.CaseDesk``, with "New case here" on the map and "Record into this
        case" through the source panel (ui/case_panel.py)."""
        from ui.case_panel import CasePanel

        self.cases = CasePanel(desk, self, **view_kwargs)
        self.add_dock("cases", "Cases", self.cases, Qt.DockWidgetArea.LeftDockWidgetArea, tab_with="source",
                      scrolled=True)
        self.restore_saved_layout()  # the saved layout knows this dock too
        self.cases.install(self)
        self.closing.connect(self.cases.close_views)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._status_timer.stop()
        self.map_view.close_tiles()
        self.cqt_panel.shutdown()
        self.save_settings()
        self.closing.emit()
        super().closeEvent(event)


def _scrolled(widget: QWidget) -> QScrollArea:
    """A panel in a scroll area, so its minimum size cannot squeeze the plots and the map."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(widget)
    return area
