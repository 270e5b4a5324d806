"""Colours and fonts shared by the views, so a cell has the same colour in the trace strip,
the neighbour table and the map, and the legend matches docs/domain.md §3 everywhere."""

from __future__ import annotations

import zlib

from fieldapp.model import (
    EV_CALL_ALERTING,
    EV_CALL_ATTEMPT,
    EV_CALL_CONNECTED,
    EV_CALL_DROPPED,
    EV_CALL_FAILED,
    EV_CALL_INCOMING,
    EV_CALL_RELEASED,
    EV_CELL_CHANGE,
    EV_DEVICE_ERROR,
    EV_DISCONNECTED,
    EV_GAP,
    EV_HANDOVER,
    EV_LOCK,
    EV_RECONNECTED,
    EV_UNLOCK,
)

# Qualitative palette (Tableau 10, readable on white) for serving cells.
CELL_PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#e15759",
                "#9c755f", "#ff9da7", "#bab0ac")
NO_CELL_COLOUR = "#d0d0d0"
SERVING_COLOUR = "#1f1f1f"
NEIGHBOUR_PALETTE = ("#4e79a7", "#f28e2b", "#b07aa1", "#59a14f", "#e15759", "#76b7b2", "#9c755f",
                     "#edc948")

# RXQUAL classes (docs/domain.md §3): 0-3 good, 4-5 fair, 6-7 bad.
RXQUAL_BANDS = ((-0.5, 3.5, "#1a9641"), (3.5, 5.5, "#ffff40"), (5.5, 7.5, "#d7191c"))

EVENT_COLOURS = {
    EV_CALL_ATTEMPT: "#4e79a7", EV_CALL_ALERTING: "#4e79a7", EV_CALL_CONNECTED: "#2e7d32",
    EV_CALL_RELEASED: "#2e7d32", EV_CALL_INCOMING: "#4e79a7",
    EV_CALL_FAILED: "#c62828", EV_CALL_DROPPED: "#c62828", EV_DEVICE_ERROR: "#c62828",
    EV_DISCONNECTED: "#c62828", EV_GAP: "#ef6c00", EV_RECONNECTED: "#2e7d32",
    EV_CELL_CHANGE: "#6a1b9a", EV_HANDOVER: "#6a1b9a", EV_LOCK: "#ef6c00", EV_UNLOCK: "#ef6c00",
}
EVENT_DEFAULT_COLOUR = "#555555"


def cell_colour(key: object) -> str:
    """A stable colour per cell identity (same cell, same colour, across runs)."""
    if key is None:
        return NO_CELL_COLOUR
    return CELL_PALETTE[zlib.crc32(repr(key).encode()) % len(CELL_PALETTE)]


def event_colour(kind: str) -> str:
    return EVENT_COLOURS.get(kind, EVENT_DEFAULT_COLOUR)


STYLE_SHEET = """
QMainWindow { background: #f4f5f7; }
QDockWidget { font-weight: 600; }
QDockWidget::title { background: #e3e6ea; padding: 4px 6px; }
QGroupBox { font-weight: 600; margin-top: 10px; }
QGroupBox::title { subcontrol-origin: margin; left: 6px; padding: 0 3px; }
QTableView { gridline-color: #e0e0e0; selection-background-color: #cfe0f5;
             selection-color: black; }
QHeaderView::section { background: #eceff3; padding: 3px; border: none;
                       border-right: 1px solid #d5d9de; border-bottom: 1px solid #d5d9de; }
QStatusBar QLabel { padding: 0 6px; }
QLabel#valueLabel { font-weight: 600; }
QPushButton#connectButton:checked { background: #2e7d32; color: white; }
QPushButton#recordButton:checked { background: #c62828; color: white; }
"""

# Field mode tiles: large values readable at arm's length.
TILE_STYLE = """
QFrame#fieldTile { border: 1px solid #c8ccd2; border-radius: 6px; }
QLabel#tileTitle { font-size: 15pt; }
QLabel#tileValue { font-size: 34pt; font-weight: 700; }
"""

# The night-drive theme: dark surfaces, light text, the plots on near-black.
DARK_STYLE_SHEET = """
QWidget { background: #1c1f24; color: #e6e6e6; }
QMainWindow { background: #15171b; }
QDockWidget { font-weight: 600; color: #e6e6e6; }
QDockWidget::title { background: #2a2e35; padding: 4px 6px; }
QGroupBox { font-weight: 600; margin-top: 10px; border: 1px solid #3a3f47; }
QGroupBox::title { subcontrol-origin: margin; left: 6px; padding: 0 3px; }
QTableView { gridline-color: #333840; background: #1c1f24; alternate-background-color: #23272d;
             selection-background-color: #2f4f7a; selection-color: #ffffff; }
QHeaderView::section { background: #2a2e35; color: #e6e6e6; padding: 3px; border: none;
                       border-right: 1px solid #3a3f47; border-bottom: 1px solid #3a3f47; }
QLineEdit, QComboBox, QSpinBox, QDoubleSpinBox, QPlainTextEdit, QTextEdit {
    background: #262a30; border: 1px solid #3a3f47; color: #e6e6e6; }
QPushButton, QToolButton { background: #2a2e35; border: 1px solid #3a3f47; padding: 3px 8px; }
QPushButton:checked, QToolButton:checked { background: #2f4f7a; }
QMenuBar, QMenu { background: #1c1f24; color: #e6e6e6; }
QMenu::item:selected, QMenuBar::item:selected { background: #2f4f7a; }
QStatusBar QLabel { padding: 0 6px; }
QLabel#valueLabel { font-weight: 600; color: #ffffff; }
QPushButton#connectButton:checked { background: #2e7d32; color: white; }
QPushButton#recordButton:checked { background: #c62828; color: white; }
"""


class PlotColours:
    """What the plots draw with in a theme (pyqtgraph takes no style sheet)."""

    def __init__(self, dark: bool) -> None:
        self.dark = dark
        self.background = "#121418" if dark else "#ffffff"
        self.map_background = "#181b20" if dark else "#fbfbf8"
        self.foreground = "#d0d0d0" if dark else "#404040"
        self.serving = "#f5f5f5" if dark else SERVING_COLOUR
        self.quality = "#e0e0e0" if dark else "#333333"
        self.text = "#f0f0f0" if dark else "#101010"
        self.band_base = (18, 20, 24) if dark else (255, 255, 255)  # colour bands blend over this


_current = PlotColours(False)


def plot_colours() -> PlotColours:
    return _current


def set_dark(on: bool) -> PlotColours:
    """Switch the plot colours (the window re-applies them to its views)."""
    global _current
    _current = PlotColours(on)
    return _current


def style_sheet(dark: bool) -> str:
    return (DARK_STYLE_SHEET if dark else STYLE_SHEET) + TILE_STYLE
