"""Where the data comes from: the serial port (with description and USB ids) or the demo handset
(the built-in simulator), baud rate, modem family (auto or forced), a GPS source (none, an NMEA
serial port, or gpsd at host:port), connect/disconnect, record on/off into a case, and the
probed capabilities of the device ("not available" where it cannot give a value).

The panel does no I/O itself: it is given plain callables (list ports, list cases) and emits
what the user asked for; the composition root connects those requests to the controller.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fieldapp.model import Capabilities

DEMO_PORT = "sim:"  # port value of the "Demo handset (simulator)" entry; the scenario follows
BAUDS = (9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600)
GPS_KINDS = (("none", "No GPS"), ("nmea", "NMEA serial port"), ("gpsd", "gpsd host:port"))
DEFAULT_GPSD = "localhost:2947"
AUTO = "auto"


def port_label(info: dict[str, Any]) -> str:
    """'/dev/ttyUSB0 — Quectel EC25 [2c7c:0125]' from a ``drivers.transport.list_ports`` row."""
    text = str(info.get("device", "?"))
    desc = info.get("description")
    if desc and desc != "n/a" and desc != text:
        text += f" — {desc}"
    vid, pid = info.get("vid"), info.get("pid")
    if vid is not None and pid is not None:
        text += f" [{vid:04x}:{pid:04x}]"
    return text


class SourcePanel(QWidget):
    connect_requested = Signal(dict)
    disconnect_requested = Signal()
    record_toggled = Signal(bool, object)  # on/off, case id (None: no case)

    def __init__(self, list_ports: Callable[[], list[dict]] = list, family_names: list[str] = (),
                 scenarios: list[str] = (), list_cases: Callable[[], list[tuple[Any, str]]] = list,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._list_ports = list_ports
        self._list_cases = list_cases
        self.connected = False

        self.port_combo = QComboBox()
        self.port_combo.setEditable(True)  # a pyserial URL or a pty path typed by hand
        self.port_combo.setMinimumContentsLength(18)
        self.port_combo.currentIndexChanged.connect(self._port_changed)
        self.refresh_button = QToolButton()
        self.refresh_button.setText("⟳")
        self.refresh_button.setToolTip("Refresh the list of serial ports")
        self.refresh_button.clicked.connect(self.refresh_ports)
        self.scenario_combo = QComboBox()
        self.scenario_combo.addItems(list(scenarios) or ["demo-drive"])
        self.scenario_combo.setToolTip("Scenario the demo handset drives through")
        self.baud_combo = QComboBox()
        self.baud_combo.addItems([str(b) for b in BAUDS])
        self.baud_combo.setCurrentText("115200")
        self.family_combo = QComboBox()
        self.family_combo.addItems([AUTO, *family_names])
        self.family_combo.setToolTip("auto: identify the modem from ATI/+CGMI/+CGMM")
        self._chosen_gps: tuple[str | None, str | None] | None = None  # the user's, while the fields show the GPS in use
        self.gps_combo = QComboBox()
        for key, label in GPS_KINDS:
            self.gps_combo.addItem(label, key)
        self.gps_combo.currentIndexChanged.connect(self._gps_changed)
        self.gps_address = QLineEdit()
        self.gps_address.setPlaceholderText(("COM4" if sys.platform == "win32" else "/dev/ttyACM0") + " or host:port")
        self.connect_button = QPushButton("Connect")
        self.connect_button.setObjectName("connectButton")
        self.connect_button.setCheckable(True)
        self.connect_button.clicked.connect(self._connect_clicked)
        self.case_combo = QComboBox()
        self.case_combo.setToolTip("Complaint case the recording belongs to")
        self.record_button = QPushButton("● Record")
        self.record_button.setObjectName("recordButton")
        self.record_button.setCheckable(True)
        self.record_button.setEnabled(False)
        self.record_button.clicked.connect(self._record_clicked)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828;")
        self.capabilities = QListWidget()
        self.capabilities.setToolTip("What the probed device can measure (\"no\": shown as \"not available\")")
        self.port_combo.setToolTip("Serial port of the test handset (USB ids shown), or the built-in demo handset")
        self.baud_combo.setToolTip("Serial speed; USB modems ignore it, real UARTs need the right one")
        self.gps_combo.setToolTip("Where positions come from: none, an NMEA serial GPS, or gpsd")
        self.gps_address.setToolTip("NMEA: the GPS's serial port; gpsd: host:port (default localhost:2947)")
        self.capabilities.setMaximumHeight(220)
        self.capabilities.setWordWrap(True)
        self.capabilities.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        device = QGroupBox("Handset")
        form = QFormLayout(device)
        port_row = QHBoxLayout()
        port_row.addWidget(self.port_combo, 1)
        port_row.addWidget(self.refresh_button)
        form.addRow("Port", port_row)
        form.addRow("Scenario", self.scenario_combo)
        form.addRow("Baud", self.baud_combo)
        form.addRow("Family", self.family_combo)
        gps = QGroupBox("GPS")
        gps_form = QFormLayout(gps)
        gps_form.addRow("Source", self.gps_combo)
        gps_form.addRow("Address", self.gps_address)
        # What the link actually uses (the same words as the status bar's "GPS:"): the demo
        # handset brings its own GPS even when "No GPS" is chosen.
        self.gps_in_use = QLabel("GPS: none")
        self.gps_in_use.setObjectName("valueLabel")
        self.gps_in_use.setToolTip("The GPS the connection uses now (as in the status bar)")
        gps_form.addRow("In use", self.gps_in_use)
        rec = QGroupBox("Recording")
        rec_form = QFormLayout(rec)
        rec_form.addRow("Case", self.case_combo)
        rec_form.addRow(self.record_button)
        caps = QGroupBox("Capabilities")
        caps_layout = QVBoxLayout(caps)
        caps_layout.addWidget(self.capabilities)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(device)
        layout.addWidget(gps)
        layout.addWidget(self.connect_button)
        layout.addWidget(self.message)
        layout.addWidget(rec)
        layout.addWidget(caps)
        layout.addStretch(1)
        self.refresh_ports()
        self.refresh_cases()
        self._gps_changed()

    # ------------------------------------------------------------------ lists
    def refresh_ports(self) -> None:
        current = self.port()
        self.port_combo.blockSignals(True)
        self.port_combo.clear()
        self.port_combo.addItem("Demo handset (simulator)", DEMO_PORT)
        try:
            ports = self._list_ports()
        except Exception as exc:  # an OS that cannot enumerate ports still lets one type a path
            ports = []
            self.message.setText(f"cannot list serial ports: {exc}")
        for info in ports:
            self.port_combo.addItem(port_label(info), info.get("device"))
        self.port_combo.blockSignals(False)
        self.set_port(current or DEMO_PORT)
        self.port_combo.lineEdit().setCursorPosition(0)
        self._port_changed()

    def refresh_cases(self) -> None:
        current = self.case_combo.currentData()
        self.case_combo.clear()
        self.case_combo.addItem("(no case)", None)
        try:
            cases = self._list_cases()
        except Exception:
            cases = []
        for case_id, title in cases:
            self.case_combo.addItem(f"{case_id}: {title}", case_id)
        index = self.case_combo.findData(current)
        self.case_combo.setCurrentIndex(max(0, index))

    # ------------------------------------------------------------------ choices
    def port(self) -> str:
        index = self.port_combo.currentIndex()
        data = self.port_combo.itemData(index) if index >= 0 else None
        text = self.port_combo.currentText().strip()
        if data is not None and self.port_combo.itemText(index) == text:
            return str(data)
        return text

    def set_port(self, port: str) -> None:
        index = self.port_combo.findData(port)
        if index >= 0:
            self.port_combo.setCurrentIndex(index)
        elif port:
            self.port_combo.setEditText(port)

    def choices(self) -> dict[str, Any]:
        family = self.family_combo.currentText()
        return {
            "port": self.port(),
            "scenario": self.scenario_combo.currentText(),
            "baud": int(self.baud_combo.currentText()),
            "family": None if family == AUTO else family,
            "gps": self._chosen_gps[0] if self._chosen_gps else self.gps_combo.currentData(),
            "gps_address": self._chosen_gps[1] if self._chosen_gps else (self.gps_address.text().strip() or None),
            "case": self.case_combo.currentData(),
        }

    def apply_choices(self, choices: dict[str, Any]) -> None:
        if choices.get("port"):
            self.set_port(str(choices["port"]))
        if choices.get("scenario"):
            self.scenario_combo.setCurrentText(str(choices["scenario"]))
        if choices.get("baud"):
            self.baud_combo.setCurrentText(str(choices["baud"]))
        self.family_combo.setCurrentText(choices.get("family") or AUTO)
        self._chosen_gps = None
        index = self.gps_combo.findData(choices.get("gps") or "none")
        self.gps_combo.setCurrentIndex(max(0, index))
        self.gps_address.setText(choices.get("gps_address") or "")
        index = self.case_combo.findData(choices.get("case"))
        self.case_combo.setCurrentIndex(max(0, index))
        self._port_changed()
        self._gps_changed()

    def _port_changed(self, *args) -> None:
        demo = self.port() == DEMO_PORT
        self.scenario_combo.setEnabled(demo)
        self.baud_combo.setEnabled(not demo)

    def _gps_changed(self, *args) -> None:
        kind = self.gps_combo.currentData()
        self.gps_address.setEnabled(kind != "none")
        if kind == "gpsd" and not self.gps_address.text():
            self.gps_address.setText(DEFAULT_GPSD)

    # ------------------------------------------------------------------ actions
    def _connect_clicked(self) -> None:
        if self.connected or not self.connect_button.isChecked():
            self.connect_button.setChecked(self.connected)
            self.disconnect_requested.emit()
            return
        self.message.setText("")
        self.connect_button.setChecked(False)
        self.connect_requested.emit(self.choices())

    def _record_clicked(self) -> None:
        self.record_toggled.emit(self.record_button.isChecked(), self.case_combo.currentData())

    # ------------------------------------------------------------------ state shown
    def set_link_state(self, state: str, message: str | None = None) -> None:
        """connected / connecting / reconnecting / lost / disconnected / error."""
        self.connected = state in ("connected", "connecting", "reconnecting", "lost")
        self.connect_button.setChecked(self.connected)
        self.connect_button.setText({"connecting": "Connecting…", "disconnected": "Connect",
                                     "error": "Connect"}.get(state, "Disconnect"))
        self.record_button.setEnabled(state in ("connected", "lost", "reconnecting"))
        for w in (self.port_combo, self.refresh_button, self.baud_combo, self.family_combo, self.gps_combo,
                  self.gps_address, self.scenario_combo):
            w.setEnabled(not self.connected)
        if not self.connected:
            self._port_changed()
            self._gps_changed()
        if state == "error" or message:
            self.message.setText(message or "")
        elif state == "connected":
            self.message.setText("")

    def set_gps_in_use(self, text: str | None) -> None:
        """``text`` as the status bar words it ("NMEA /dev/ttyACM0"), None: no GPS.

        While connected, the GPS fields show the GPS in use, so they agree with the status bar
        (the demo handset brings its own NMEA GPS though "No GPS" was chosen); the user's
        choice comes back on disconnect and is what ``choices()`` saves."""
        self.gps_in_use.setText(f"GPS: {text or 'none'}")
        kind, _, address = (text or "").partition(" ")
        kind = {"NMEA": "nmea", "gpsd": "gpsd"}.get(kind)
        if self.connected and kind is not None:
            if self._chosen_gps is None:
                self._chosen_gps = (self.gps_combo.currentData(), self.gps_address.text().strip() or None)
            self._show_gps(kind, address)
        elif self._chosen_gps is not None and not self.connected:
            chosen, self._chosen_gps = self._chosen_gps, None
            self._show_gps(chosen[0] or "none", chosen[1] or "")
            self._gps_changed()

    def _show_gps(self, kind: str, address: str) -> None:
        self.gps_combo.blockSignals(True)
        self.gps_combo.setCurrentIndex(max(0, self.gps_combo.findData(kind)))
        self.gps_combo.blockSignals(False)
        self.gps_address.setText(address)

    def gps_shown(self) -> tuple[str, str]:
        """(the GPS combo's text, the address field): what the Source panel says."""
        return self.gps_combo.currentText(), self.gps_address.text()

    def set_recording(self, on: bool) -> None:
        self.record_button.setChecked(on)
        self.record_button.setText("■ Stop recording" if on else "● Record")
        self.case_combo.setEnabled(not on)

    def set_capabilities(self, caps: Capabilities | None) -> None:
        self.capabilities.clear()
        if caps is None:
            return
        head = " ".join(x for x in (caps.manufacturer, caps.model) if x) or caps.family
        self.capabilities.addItem(f"{head} ({caps.family})")
        if caps.firmware:
            self.capabilities.addItem(f"firmware {caps.firmware}")
        for name, available in caps.fields.items():
            item = QListWidgetItem(f"{name}: {'yes' if available else 'not available'}")
            if not available:
                item.setForeground(Qt.GlobalColor.gray)
            self.capabilities.addItem(item)
        self.capabilities.addItem(f"call state: {caps.call_state_by}")
        for note in caps.notes:
            self.capabilities.addItem(note)

    def capability_texts(self) -> list[str]:
        return [self.capabilities.item(i).text() for i in range(self.capabilities.count())]
