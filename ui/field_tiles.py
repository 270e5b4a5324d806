"""Field mode: the few values an engineer reads at arm's length, in large tiles — level,
quality, serving cell, timing advance and call state — each tile in the colour of its step
of the serving technology (``fieldapp.tech_terms``). View → Field mode (F9) swaps the plots
for these tiles; the docks stay where they are.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from fieldapp.cellplan import CellPlan
from fieldapp.model import (
    EV_CALL_ALERTING,
    EV_CALL_ATTEMPT,
    EV_CALL_CONNECTED,
    EV_CALL_DROPPED,
    EV_CALL_FAILED,
    EV_CALL_INCOMING,
    EV_CALL_RELEASED,
    Event,
    Sample,
)
from fieldapp.radio import ta_to_metres
from fieldapp.tech_terms import quality_values, sample_tech, terms_for
from ui.history import cell_label

CALL_WORDS = {EV_CALL_ATTEMPT: "dialling", EV_CALL_ALERTING: "ringing", EV_CALL_INCOMING: "incoming",
              EV_CALL_CONNECTED: "in call", EV_CALL_RELEASED: "call ended", EV_CALL_FAILED: "call failed",
              EV_CALL_DROPPED: "call dropped"}
CALL_COLOURS = {"in call": "#1a9641", "call failed": "#d7191c", "call dropped": "#d7191c"}
TILES = ("level", "quality", "cell", "ta", "call")


class Tile(QFrame):
    def __init__(self, title: str) -> None:
        super().__init__()
        self.setObjectName("fieldTile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(title)
        self.title.setObjectName("tileTitle")
        self.value = QLabel("–")
        self.value.setObjectName("tileValue")
        self.value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.value.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.value, 1)
        self.colour: str | None = None

    def set(self, title: str, text: str, colour: str | None = None) -> None:
        self.title.setText(title)
        self.value.setText(text)
        if colour != self.colour:
            self.colour = colour
            if colour is None:
                self.setStyleSheet("")
            else:  # black on the light steps, white on the dark ones
                dark = QColor(colour).lightness() < 140
                self.setStyleSheet(f"QFrame#fieldTile {{ background: {colour}; }}"
                                   f"QLabel {{ color: {'#ffffff' if dark else '#101010'}; }}")


class FieldTiles(QWidget):
    def __init__(self, plan: CellPlan | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan if plan is not None else CellPlan()
        self.tiles = {key: Tile(key) for key in TILES}
        grid = QGridLayout(self)
        grid.setSpacing(8)
        grid.addWidget(self.tiles["level"], 0, 0)
        grid.addWidget(self.tiles["quality"], 0, 1)
        grid.addWidget(self.tiles["cell"], 1, 0, 1, 2)
        grid.addWidget(self.tiles["ta"], 2, 0)
        grid.addWidget(self.tiles["call"], 2, 1)
        self._call = "no call"
        self._sample: Sample | None = None
        self._render()

    def text(self, key: str) -> str:
        return self.tiles[key].value.text()

    def title(self, key: str) -> str:
        return self.tiles[key].title.text()

    def update_sample(self, sample: Sample) -> None:
        self._sample = sample
        self._render()

    def add_events(self, events: list[Event]) -> None:
        for e in events:
            if e.kind in CALL_WORDS:
                self._call = CALL_WORDS[e.kind]
        self._render()

    def set_events(self, events: list[Event]) -> None:
        """The call state from these events alone (a replay jumped backwards)."""
        self._call = "no call"
        self.add_events(events)

    def clear(self) -> None:
        self._sample = None
        self._call = "no call"
        self._render()

    def _render(self) -> None:
        s = self._sample
        tech = sample_tech(s) if s is not None else None
        terms = terms_for(tech)
        level_q = terms.level
        level = s.rxlev_dbm if s is not None else None
        self.tiles["level"].set(f"{tech or ''} {level_q.label}".strip(), level_q.text(level),
                                level_q.colour(level) if level is not None else None)
        q = terms.qualities[0]
        value = quality_values(s, tech)[q.key] if s is not None else None
        if value is None and len(terms.qualities) > 1 and s is not None:  # LTE without RSRQ: SINR
            q = terms.qualities[1]
            value = quality_values(s, tech)[q.key]
        self.tiles["quality"].set(q.label or q.name, q.text(value), q.colour(value) if value is not None else None)
        cell = s.serving if s is not None else None
        self.tiles["cell"].set("Serving cell", cell_label(cell, self.plan) if s is not None else "–")
        ta = cell.ta if cell is not None else None
        if ta is None:
            ta_text = "–"
        elif terms.tech == "GSM":
            ta_text = f"{ta}  (≈ {ta_to_metres(ta):.0f} m)"
        else:
            ta_text = str(ta)
        self.tiles["ta"].set("Timing advance", ta_text)
        self.tiles["call"].set("Call", self._call, CALL_COLOURS.get(self._call))
