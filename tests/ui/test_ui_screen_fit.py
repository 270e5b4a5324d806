"""The window on a laptop (issue 18 point 2): the first window fits the available screen at
1366×768 and 1920×1080 with every dock inside it and no widget squeezed under its minimum
size; named layouts are saved, restored and reset; field mode tiles; the dark theme."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from tests.ui import synthetic

SCREENS = [(1366, 768), (1920, 1080)]
# The offscreen platform says so whenever a shown window lays out its docks.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "activateWindow")


def _squeezed(root: QWidget) -> list[str]:
    """Visible widgets smaller than their own minimum size (a scroll area's content may be)."""
    out = []
    for w in root.findChildren(QWidget):
        if not w.isVisible() or w.parentWidget() is None:
            continue
        if isinstance(w.parentWidget().parentWidget(), QAbstractScrollArea):
            continue  # inside a scroll area's viewport: scrolls instead
        hint = w.minimumSize()
        if w.width() < hint.width() or w.height() < hint.height():
            out.append(f"{type(w).__name__}{w.objectName() and ' ' + w.objectName()} {w.size().toTuple()} "
                       f"< {hint.toTuple()}")
    return out


@pytest.mark.parametrize("size", SCREENS)
def test_the_first_window_fits_the_screen_with_every_view_readable(qtbot, window, size):
    screen = QRect(0, 0, *size)
    window.fit_to_screen(screen)
    window.show()
    qtbot.waitExposed(window)
    window.on_records(synthetic.drive(120, synthetic.plan(), call=(30, 90)))
    qtbot.wait(50)
    frame = window.frameGeometry()
    assert frame.width() <= size[0] and frame.height() <= size[1], frame
    inside = window.rect()
    for key, dock in window.docks.items():
        if dock.isVisible() and not dock.isFloating() and not dock.visibleRegion().isEmpty():  # not behind a tab
            g = dock.geometry()
            assert inside.contains(g), (key, g, inside)
    assert not _squeezed(window)
    # Readable: the plots, the map and the tables keep a useful size; the status bar shows.
    assert window.level_plot.level.getViewBox().height() >= 150
    assert window.map_view.plot_widget.width() >= 300 and window.map_view.plot_widget.height() >= 220
    row_h = window.neighbours.view.verticalHeader().defaultSectionSize()
    assert window.neighbours.view.viewport().height() >= 4 * row_h
    assert window.events.height() >= 110
    assert window.statusBar().isVisible() and window.statusBar().geometry().bottom() <= inside.bottom()


def test_a_saved_layout_that_does_not_fit_this_screen_gives_way_to_the_fitted_one(qtbot, settings_path):
    from ui.main_window import MainWindow
    from ui.settings import WindowSettings

    big = MainWindow(WindowSettings(settings_path))
    qtbot.addWidget(big)
    big.setGeometry(0, 0, 2400, 1400)  # saved on a large monitor
    big.save_settings()
    big.close()
    again = MainWindow(WindowSettings(settings_path))
    qtbot.addWidget(again)
    avail = again.available_screen()
    assert again.width() <= avail.width() and again.height() <= avail.height()
    again.close()


def test_named_layouts_are_saved_restored_and_reset(qtbot, window, settings_path):
    window.show()
    window.fit_to_screen(QRect(0, 0, 1366, 768))
    window.docks["map"].hide()
    window.layouts.save("night shift")
    assert "night shift" in window.layouts.names() and {"drive", "CQT", "replay"} <= set(window.layouts.names())
    window.reset_layout()
    assert window.docks["map"].isVisible()
    assert window.apply_layout("night shift")
    assert not window.docks["map"].isVisible()
    assert window.apply_layout("CQT")
    assert window.docks["map"].isVisible() and not window.docks["cqt"].visibleRegion().isEmpty()
    # Per user: another window on the same settings knows the name.
    from ui.main_window import MainWindow
    from ui.settings import WindowSettings

    other = MainWindow(WindowSettings(settings_path))
    qtbot.addWidget(other)
    assert "night shift" in other.layouts.names()
    other.layouts.delete("night shift")
    assert "night shift" not in other.layouts.names()
    other.close()


def test_a_dock_added_by_another_panel_joins_menu_and_layouts(qtbot, window):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    dock = window.add_dock("stats", "Statistics", QLabel("counters"), Qt.DockWidgetArea.BottomDockWidgetArea,
                           tab_with="events", scrolled=True)
    assert dock.objectName() == "dock_stats"
    assert dock.toggleViewAction() in window.view_menu.actions()
    window.layouts.save("with stats")
    dock.hide()
    window.apply_layout("with stats")
    assert not dock.isHidden()


def test_field_mode_shows_large_tiles_of_the_serving_technology(qtbot, window):
    from fieldapp.model import EV_CALL_CONNECTED, Event
    from tests.ui.test_ui_technologies import lte

    window.show()
    window.on_records([lte(i) for i in range(5)] + [Event(synthetic.T0_UTC + 4, EV_CALL_CONNECTED, "connected")])
    window.field_action.setChecked(True)
    assert window.field_mode and window.tiles.isVisible() and not window.level_plot.isVisible()
    tiles = window.tiles
    assert tiles.title("level") == "LTE RSRP dBm" and tiles.text("level") == "-95.0 dBm"
    assert tiles.title("quality") == "RSRQ dB" and tiles.text("quality") == "-10.5 dB"
    assert tiles.text("cell").startswith("ECI ") and tiles.text("call") == "in call"
    assert tiles.tiles["level"].value.font().pointSizeF() >= 24 or \
        tiles.tiles["level"].value.fontInfo().pointSizeF() >= 24
    window.field_action.setChecked(False)
    assert window.level_plot.isVisible()


def test_the_dark_theme_darkens_the_plots_and_is_remembered(qtbot, window, settings_path):
    from PySide6.QtGui import QColor

    window.dark_action.setChecked(True)
    bg = window.level_plot.graphics.backgroundBrush().color()
    assert bg.lightness() < 40
    assert window.map_view.plot_widget.backgroundBrush().color().lightness() < 40
    band = window.level_plot._level_bands.bands[0][2]
    assert QColor(band).lightness() < 120  # bands blended over black, not white
    window.close()
    from ui.main_window import MainWindow
    from ui.settings import WindowSettings

    again = MainWindow(WindowSettings(settings_path))
    qtbot.addWidget(again)
    assert again.dark and again.dark_action.isChecked()
    again.dark_action.setChecked(False)
    assert again.level_plot.graphics.backgroundBrush().color().lightness() > 200
    again.close()


@pytest.mark.parametrize("size", SCREENS)
def test_the_composed_window_with_every_issue_s_dock_fits_the_screen(qtbot, tmp_path, monkeypatch, size):
    """The window as ``fieldapp`` builds it (cases, scan dock and whatever else the composition
    root adds through ``add_dock``)."""
    from fieldapp.app import LiveApp
    from ui.main_window import MainWindow

    monkeypatch.setenv("FIELDAPP_SETTINGS", str(tmp_path / "s.ini"))
    monkeypatch.setattr(MainWindow, "_screen_area", QRect(0, 0, *size), raising=False)  # the laptop's screen
    app = LiveApp(tmp_path / "ws.db")
    win = app.window
    try:
        win.show()
        qtbot.waitExposed(win)
        win.on_records(synthetic.drive(60, synthetic.plan()))
        qtbot.wait(50)
        frame = win.frameGeometry()
        assert frame.width() <= size[0] and frame.height() <= size[1], frame
        for key, dock in win.docks.items():
            if dock.isVisible() and not dock.isFloating() and not dock.visibleRegion().isEmpty():
                assert win.rect().contains(dock.geometry()), key
        assert not _squeezed(win)
        assert win.level_plot.level.getViewBox().height() >= 150
        assert win.map_view.plot_widget.height() >= 220
        assert win.docks["events"].height() <= 0.36 * size[1]  # the bottom row keeps to its share
    finally:
        win.close()
        app.close()
