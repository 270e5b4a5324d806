"""What the window remembers between runs (QSettings): geometry and dock layout, the last port
and the other source choices, the plot window, the map's tile folder and follow modes, and the
RXLEV legend thresholds. An explicit INI path (tests, portable installs) or the per-user
default location.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from fieldapp.radio import RXLEV_BINS_DBM

ORG = "fieldapp"
APP = "fieldapp"
LAYOUT_VERSION = 1  # bump when docks change so an old saved state is not applied


class WindowSettings:
    def __init__(self, path: str | None = None) -> None:
        if path:
            self.qs = QSettings(str(path), QSettings.Format.IniFormat)
        else:
            self.qs = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORG, APP)

    def file_name(self) -> str:
        return self.qs.fileName()

    # ------------------------------------------------------------------ plain values
    def value(self, key: str, default: Any = None) -> Any:
        raw = self.qs.value(key)
        if raw is None:
            return default
        try:
            return json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            return default

    def set_value(self, key: str, value: Any) -> None:
        self.qs.setValue(key, json.dumps(value))

    def sync(self) -> None:
        self.qs.sync()

    # ------------------------------------------------------------------ layout
    def save_layout(self, window) -> None:
        self.qs.setValue("window/geometry", window.saveGeometry())
        self.qs.setValue("window/state", window.saveState(LAYOUT_VERSION))
        self.qs.sync()

    def restore_layout(self, window) -> bool:
        geometry = self.qs.value("window/geometry")
        state = self.qs.value("window/state")
        ok = False
        if isinstance(geometry, QByteArray | bytes):
            ok = window.restoreGeometry(QByteArray(geometry))
        if isinstance(state, QByteArray | bytes):
            ok = window.restoreState(QByteArray(state), LAYOUT_VERSION) and ok
        return ok

    # ------------------------------------------------------------------ choices
    def source_choices(self) -> dict[str, Any]:
        """Last port, baud, family, GPS source, case: whatever the source panel stored."""
        value = self.value("source/choices", {})
        return value if isinstance(value, dict) else {}

    def set_source_choices(self, choices: dict[str, Any]) -> None:
        self.set_value("source/choices", choices)

    def rxlev_bins(self) -> tuple[tuple[float, str, str], ...]:
        """Legend thresholds: a list of [low_dbm, label, colour]; the default is docs/domain.md §3."""
        raw = self.value("legend/rxlev_bins")
        try:
            bins = tuple((float(low), str(label), str(colour)) for low, label, colour in raw)
        except (TypeError, ValueError):
            return RXLEV_BINS_DBM
        lows = [b[0] for b in bins]
        if not bins or lows != sorted(lows, reverse=True):
            return RXLEV_BINS_DBM
        return bins

    def set_rxlev_bins(self, bins) -> None:
        self.set_value("legend/rxlev_bins", [[low if low != float("-inf") else -1e9, label, colour]
                                             for low, label, colour in bins])
