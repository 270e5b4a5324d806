"""The window's layouts: the first layout fitted to the screen the window opens on, named
layouts saved per user ("drive", "CQT", "replay" built in, any name the user saves), and a reset.

A layout is the window's dock arrangement (``QMainWindow.saveState``) plus which central view
shows (plots or field tiles). Saved layouts live in the user's settings under
``layouts/<name>``; a built-in name the user has saved over is the user's from then on, and
"Reset layout" returns to the arrangement fitted to the current screen.

Adding a dock (issues that bring their own panel): call ``MainWindow.add_dock(key, title,
widget, area, tab_with=..., scrolled=...)``. It joins the View menu, the default layout, the
built-in layouts (tabbed where ``tab_with`` says) and every saved layout that does not know it
yet keeps it where ``add_dock`` put it.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QRect, Qt

from ui.settings import LAYOUT_VERSION

if TYPE_CHECKING:
    from ui.main_window import MainWindow

DEFAULT_SIZE = (1600, 1000)
BUILT_IN = ("drive", "CQT", "replay")


FRAME_GUESS = (8, 36)  # window-manager frame (borders, title bar) before the window is shown


def fitted_size(available: QRect, frame: tuple[int, int] = FRAME_GUESS) -> tuple[int, int]:
    """The window's first size: the default, shrunk so the window with its frame fits the
    available screen."""
    return (min(DEFAULT_SIZE[0], available.width() - frame[0]), min(DEFAULT_SIZE[1], available.height() - frame[1]))


def arrange(window: MainWindow, width: int, height: int, *, map_share: float = 0.32,
            bottom_share: float = 0.25) -> None:
    """Dock sizes in proportion to the window: the left panel, the map column and the bottom
    row get their share and the plots the rest (at 1366×768 everything stays readable)."""
    docks = window.docks
    side = max(220, min(300, int(width * 0.18)))
    if "source" in docks:  # wide enough for the source panel's fields, not cut on the right
        panel = window.dock_panel("source")
        side = max(side, min(330, panel.minimumSizeHint().width() + 20))
    if width < 1500:  # a laptop screen: the plots and the tables need the room (more beside the source panel)
        live = "source" in docks and docks["source"].isVisible()
        map_share = min(map_share, 0.28 if live else 0.30)
    right = max(340, min(520, int(width * map_share)))
    bottom = max(150, min(260, int(height * bottom_share)))
    if "source" in docks and docks["source"].isVisible():
        window.resizeDocks([docks["source"]], [side], Qt.Orientation.Horizontal)
    window.resizeDocks([docks["map"]], [right], Qt.Orientation.Horizontal)
    column = height - 60
    window.resizeDocks([docks["map"], docks["channel"]], [int(column * 0.55), int(column * 0.45)],
                       Qt.Orientation.Vertical)
    window.resizeDocks([docks["neighbours"]], [bottom], Qt.Orientation.Vertical)
    share = width - side - right
    left_part = int(share * 0.56)  # the neighbour table has more columns than the events list
    window.resizeDocks([docks["neighbours"], docks["events"]], [left_part, share - left_part],
                       Qt.Orientation.Horizontal)


def preset(window: MainWindow, name: str) -> None:
    """A built-in layout, from the fitted default."""
    window.restoreState(window.default_state())
    width, height = window.width(), window.height()
    window.set_field_mode(False)
    if name == "drive":
        arrange(window, width, height, map_share=0.40, bottom_share=0.22)
        window.docks["events"].raise_()
    elif name == "CQT":
        arrange(window, width, height, map_share=0.26, bottom_share=0.42)
        window.docks["cqt"].show()
        window.docks["cqt"].raise_()
    elif name == "replay":
        arrange(window, width, height, map_share=0.36, bottom_share=0.25)
        window.docks["events"].raise_()


class LayoutBook:
    """Named layouts in the user's settings (``settings`` None: kept for this run only)."""

    def __init__(self, window: MainWindow, settings) -> None:
        self.window = window
        self.settings = settings
        self._memory: dict[str, dict] = {}

    def names(self) -> list[str]:
        saved = self._saved_names()
        return list(BUILT_IN) + sorted(n for n in saved if n not in BUILT_IN)

    def _saved_names(self) -> list[str]:
        if self.settings is None:
            return list(self._memory)
        names = self.settings.value("layouts/names", [])
        return [str(n) for n in names] if isinstance(names, list) else []

    def save(self, name: str) -> None:
        name = name.strip()
        if not name:
            raise ValueError("a layout needs a name")
        entry = {"state": base64.b64encode(bytes(self.window.saveState(LAYOUT_VERSION))).decode("ascii"),
                 "field_mode": self.window.field_mode}
        if self.settings is None:
            self._memory[name] = entry
            return
        self.settings.set_value(f"layouts/saved/{name}", entry)
        names = self._saved_names()
        if name not in names:
            self.settings.set_value("layouts/names", names + [name])
        self.settings.sync()

    def delete(self, name: str) -> None:
        if self.settings is None:
            self._memory.pop(name, None)
            return
        self.settings.set_value("layouts/names", [n for n in self._saved_names() if n != name])
        self.settings.qs.remove(f"layouts/saved/{name}")

    def apply(self, name: str) -> bool:
        """Show a layout: the user's saved one of that name, else the built-in one."""
        entry = self._memory.get(name) if self.settings is None else self.settings.value(f"layouts/saved/{name}")
        if isinstance(entry, dict) and "state" in entry:
            state = QByteArray(base64.b64decode(entry["state"]))
            if self.window.restoreState(state, LAYOUT_VERSION):
                self.window.set_field_mode(bool(entry.get("field_mode")))
                self._remember(name)
                return True
        if name in BUILT_IN:
            preset(self.window, name)
            self._remember(name)
            return True
        return False

    def _remember(self, name: str) -> None:
        self.current = name
        if self.settings is not None:
            self.settings.set_value("layouts/current", name)


def on_screen(window: MainWindow, available: QRect) -> bool:
    """Whether the whole window lies inside the available screen area."""
    frame = window.frameGeometry()
    return available.contains(frame.topLeft()) and frame.width() <= available.width() \
        and frame.height() <= available.height()

