"""Colours and fonts shared by the views, so a cell has the same colour in the trace strip,
the neighbour table and the map, and the legend matches DOMAIN.md §3 everywhere."""

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

# RXQUAL classes (DOMAIN.md §3): 0-3 good, 4-5 fair, 6-7 bad.
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
