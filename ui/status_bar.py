"""The status bar: link state, device, family, sample rate, age of the last sample, GPS,
recording and session id, skipped-line count. A lost device turns the link red at once (the
disconnect event arrives through the bridge on the next tick); the age keeps counting so a
device that stopped answering is visible even before the driver gives up.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

STALE_AFTER_S = 5.0  # the age turns orange after this much silence
DEVICE_MAX_PX = 170  # the device's name is elided beyond this (whole in the tooltip)


@dataclass
class LinkInfo:
    """What the status bar shows about the link; the window fills it from controller status."""

    state: str = "disconnected"  # disconnected, connecting, connected, lost, reconnecting, error
    device: str | None = None
    family: str | None = None
    recording: bool = False
    session_id: object = None
    skipped_lines: int = 0
    gps: str | None = None
    message: str | None = None
    # A log (replay): the record types the reader does not read, type → lines. Not errors: a
    # Nemo file holds thousands of lines of types fieldapp has no use for. None: live.
    unread_types: dict[str, int] | None = None


STATE_COLOURS = {"connected": "#2e7d32", "connecting": "#ef6c00", "reconnecting": "#ef6c00",
                 "lost": "#c62828", "error": "#c62828", "disconnected": "#616161"}


class StatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None, clock=time.time) -> None:
        super().__init__(parent)
        self._clock = clock
        self.info = LinkInfo()
        self.last_sample_utc: float | None = None
        self.period_s: float | None = None
        self.labels: dict[str, QLabel] = {}
        self._stale: bool | None = None
        for key in ("state", "device", "family", "rate", "age", "gps", "recording", "skipped", "unread"):
            label = QLabel("")
            self.labels[key] = label
            self.addPermanentWidget(label)
        # The clock-driven labels get fixed widths: a label whose size hint changes every second
        # makes the main window lay out (and repaint) everything on every tick.
        fm = self.fontMetrics()
        for key, template in (("rate", "Rate: 0.00/s"), ("age", "Last sample: 999 days ago"),
                              ("skipped", "Skipped lines: 000000")):
            self.labels[key].setFixedWidth(fm.horizontalAdvance(template) + 16)
        self.set_link(self.info)
        self.tick()

    def set_clock(self, clock) -> None:
        """The clock "last sample N s ago" is measured on (a replay's position, not wall time)."""
        self._clock = clock

    def text(self, key: str) -> str:
        return self.labels[key].text()

    def set_link(self, info: LinkInfo) -> None:
        self.info = info
        colour = STATE_COLOURS.get(info.state, "#616161")
        state = self.labels["state"]
        state.setText(f"● {info.state}")
        state.setStyleSheet(f"color: {colour}; font-weight: 600;")
        state.setToolTip(info.message or "")
        device = self.labels["device"]
        device_text = f"Device: {info.device or '–'}"
        # A log names its program in full ("Qualcomm NEMO OUTDOOR 7.8.0.8"): elided, whole in the
        # tooltip, so that the status messages keep room on a 1366-pixel screen.
        fm = self.fontMetrics()
        device.setText(fm.elidedText(device_text, Qt.TextElideMode.ElideRight, DEVICE_MAX_PX))
        device.setToolTip(device_text if device.text() != device_text else "")
        self.labels["family"].setText(f"Family: {info.family or '–'}")
        gps = self.labels["gps"]
        gps.setText(f"GPS: {info.gps or 'none'}")
        rec = self.labels["recording"]
        # A replay is never recorded: "not recording" there only takes the messages' room.
        rec.setVisible(info.recording or info.state != "replay")
        if info.recording:
            rec.setText(f"● REC session {info.session_id}")
            rec.setStyleSheet("color: #c62828; font-weight: 600;")
        else:
            rec.setText("not recording")
            rec.setStyleSheet("color: #616161;")
        unread = self.labels["unread"]
        if info.unread_types is None:
            self.labels["skipped"].setFixedWidth(fm.horizontalAdvance("Skipped lines: 000000") + 16)
            self.labels["skipped"].setText(f"Skipped lines: {info.skipped_lines}")
            self.labels["skipped"].setToolTip("Lines from the handset that could not be read")
            unread.hide()
        else:  # a log: its bad lines apart from the record types this reader leaves alone
            self.labels["skipped"].setMinimumWidth(0)  # a log's count does not change: no fixed width
            self.labels["skipped"].setMaximumWidth(16777215)
            self.labels["skipped"].setText(f"Bad lines: {info.skipped_lines}")
            self.labels["skipped"].setToolTip("Lines of the log that could not be read (damaged or malformed)")
            lines = sum(info.unread_types.values())
            unread.setText(f"Unread types: {len(info.unread_types)}")  # record types; the tooltip says
            top = sorted(info.unread_types.items(), key=lambda kv: -kv[1])[:12]
            unread.setToolTip(f"{lines} lines of {len(info.unread_types)} record types this reader does not use "
                              "(normal in a drive-test log): " + ", ".join(f"{k} {n}" for k, n in top)
                              + (" …" if len(info.unread_types) > len(top) else ""))
            unread.setVisible(bool(info.unread_types))  # none (G-NetTrack): no room taken
        if info.message and info.state in ("error", "lost"):
            self.showMessage(info.message, 15000)

    def no_sample(self) -> None:
        """No sample yet (a replay jumped back before its first one)."""
        self.last_sample_utc = self.period_s = None
        self.tick()

    def sample_arrived(self, ts_utc: float, period_s: float | None) -> None:
        self.last_sample_utc = ts_utc
        self.period_s = period_s
        self.tick()

    def tick(self) -> None:
        """Refresh the clock-driven parts (the window calls this on every bridge tick)."""
        rate = self.labels["rate"]
        rate.setText("Rate: –" if not self.period_s else f"Rate: {1.0 / self.period_s:.2g}/s")
        age_label = self.labels["age"]
        if self.last_sample_utc is None:
            age_label.setText("Last sample: –")
            self._set_stale(False)
            return
        age = max(0.0, self._clock() - self.last_sample_utc)
        age_label.setText(f"Last sample: {_age_text(age)} ago")
        self._set_stale(age > STALE_AFTER_S)

    def _set_stale(self, stale: bool) -> None:
        # Style sheets are re-polished on every set: only when the state flips, not every tick.
        if stale != self._stale:
            self._stale = stale
            self.labels["age"].setStyleSheet("color: #ef6c00; font-weight: 600;" if stale else "")


def _age_text(age_s: float) -> str:
    if age_s < 120:
        return f"{age_s:.0f} s"
    if age_s < 7200:
        return f"{age_s / 60:.0f} min"
    if age_s < 172800:
        return f"{age_s / 3600:.0f} h"
    return f"{age_s / 86400:.0f} days"
