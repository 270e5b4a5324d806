"""The current channel: idle or dedicated, and in a call where the TCH sits (ARFCN, timeslot,
type, hopping MAIO/HSN), the timing advance, the TRX it maps to in the cell plan, and whether
the handset is locked. A value the device cannot give reads "not available" (from the probed
capabilities); a value it gives but did not report this time reads "–".
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from fieldapp.cellplan import CellPlan
from fieldapp.model import DEDICATED, Capabilities, Sample
from fieldapp.radio import arfcn_band, bsic_octal, ta_to_metres

UNKNOWN = "–"
NOT_AVAILABLE = "not available"

# (row key, label, capability field that gives it or None when always available)
ROWS = (
    ("mode", "Mode", None),
    ("cell", "Serving cell", None),
    ("lac_ci", "LAC / CI", "ci"),
    ("bcch", "BCCH ARFCN / BSIC", "bsic"),
    ("tch", "TCH ARFCN", "tch_arfcn"),
    ("timeslot", "Timeslot", "timeslot"),
    ("channel_type", "Channel type", None),
    ("hopping", "Hopping (MAIO / HSN)", "maio"),
    ("ta", "Timing advance", "ta"),
    ("trx", "TRX (cell plan)", None),
    ("lock", "Lock", None),
)


class ChannelPanel(QWidget):
    def __init__(self, plan: CellPlan | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan if plan is not None else CellPlan()
        self.capabilities: Capabilities | None = None
        self.values: dict[str, QLabel] = {}
        form = QFormLayout(self)
        form.setContentsMargins(8, 6, 8, 6)
        form.setVerticalSpacing(3)
        for key, label, _cap in ROWS:
            value = QLabel(UNKNOWN)
            value.setObjectName("valueLabel")
            self.values[key] = value
            form.addRow(label, value)
        self._lock_text: str | None = None
        self._last: Sample | None = None

    def set_capabilities(self, caps: Capabilities | None) -> None:
        self.capabilities = caps
        self._render()

    def set_lock(self, text: str | None) -> None:
        self._lock_text = text
        self._render()

    def update_sample(self, sample: Sample) -> None:
        self._last = sample
        self._render()

    def text(self, key: str) -> str:
        return self.values[key].text()

    def _available(self, capability: str | None) -> bool:
        caps = self.capabilities
        if capability is None or caps is None or capability not in caps.fields:
            return True
        return bool(caps.fields[capability])

    def _render(self) -> None:
        s = self._last
        cell = s.serving if s else None
        ch = cell.channel if cell else None
        planned = self.plan.match(cell)
        dedicated = s is not None and s.mode == DEDICATED
        out: dict[str, str | None] = {key: None for key, _l, _c in ROWS}
        if s is not None:
            out["mode"] = s.mode or UNKNOWN
        if cell is not None:
            out["cell"] = planned.name if planned else None
            if cell.lac is not None or cell.ci is not None:
                out["lac_ci"] = f"{_v(cell.lac)} / {_v(cell.ci)}"
            if cell.arfcn is not None:
                band = arfcn_band(cell.arfcn)
                out["bcch"] = f"{cell.arfcn}{f' ({band})' if band else ''} / {bsic_octal(cell.bsic) or UNKNOWN}"
            if cell.ta is not None:
                out["ta"] = f"{cell.ta} (≈ {ta_to_metres(cell.ta):.0f} m)"
        if ch is not None and dedicated:
            if ch.hopping:
                out["tch"] = "hopping"
                out["hopping"] = f"on ({_v(ch.maio)} / {_v(ch.hsn)})"
            else:
                out["tch"] = _v(ch.tch_arfcn) if ch.tch_arfcn is not None else None
                out["hopping"] = "off" if ch.hopping is False else None
            out["timeslot"] = str(ch.timeslot) if ch.timeslot is not None else None
            kind = " ".join(x for x in (ch.channel_type, ch.codec) if x)
            out["channel_type"] = kind or None
            trx = planned.trx_for_channel(ch) if planned else None
            out["trx"] = trx.trx_id if trx else ("not attributable (hopping)" if ch.hopping else None)
        elif s is not None and not dedicated:
            for key in ("tch", "timeslot", "channel_type", "hopping", "trx"):
                out[key] = "idle"
        out["lock"] = self._lock_text or "unlocked"
        for key, _label, cap in ROWS:
            value = out[key]
            if value is None:
                value = UNKNOWN if self._available(cap) else NOT_AVAILABLE
            self.values[key].setText(value)


def _v(value: object) -> str:
    return UNKNOWN if value is None else str(value)
