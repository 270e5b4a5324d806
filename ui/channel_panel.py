"""The current channel in the serving technology's terms: GSM idle or dedicated, and in a call
where the TCH sits (ARFCN, timeslot, type, hopping MAIO/HSN), the timing advance, the TRX it
maps to in the cell plan; UMTS UARFCN/PSC and the CI split into RNC and cell; LTE EARFCN/PCI,
TAC and the ECI split into eNB and sector (the GSM-only rows are hidden there); the level and
quality in the technology's own quantities; and whether the handset is locked. A value the device cannot give reads "not available" (from the probed
capabilities); a value it gives but did not report this time reads "–".
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from fieldapp.cellplan import CellPlan
from fieldapp.model import DEDICATED, GSM, Capabilities, Sample
from fieldapp.radio import arfcn_band, bsic_octal, ta_to_metres
from fieldapp.tech_terms import TechTerms, headline, sample_tech, terms_for

UNKNOWN = "–"
NOT_AVAILABLE = "not available"

# (row key, label, capability field that gives it or None when always available)
ROWS = (
    ("tech", "Technology", None),
    ("mode", "Mode", None),
    ("cell", "Serving cell", None),
    ("lac_ci", "LAC / CI", "ci"),
    ("bcch", "BCCH ARFCN / BSIC", "bsic"),
    ("level", "Level / quality", None),
    ("tch", "TCH ARFCN", "tch_arfcn"),
    ("timeslot", "Timeslot", "timeslot"),
    ("channel_type", "Channel type", None),
    ("hopping", "Hopping (MAIO / HSN)", "maio"),
    ("ta", "Timing advance", "ta"),
    ("trx", "TRX (cell plan)", None),
    ("lock", "Lock", None),
)
GSM_ONLY = ("tch", "timeslot", "channel_type", "hopping", "trx")
TIPS = {
    "tech": "serving technology of the latest sample (changes are marked on the plot and the strip)",
    "lac_ci": "location/tracking area and cell identity; UMTS CI = RNC·65536 + cell, LTE ECI = eNB·256 + sector",
    "bcch": "the serving carrier and its code: BCCH ARFCN/BSIC (GSM), UARFCN/PSC (UMTS), EARFCN/PCI (LTE)",
    "level": "the serving technology's level and quality (thresholds: View → Thresholds)",
    "ta": "timing advance: one GSM step is about 553 m of distance to the site",
    "trx": "the transceiver of the cell plan that carries this TCH (not attributable when hopping)",
}


class ChannelPanel(QWidget):
    def __init__(self, plan: CellPlan | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan if plan is not None else CellPlan()
        self.capabilities: Capabilities | None = None
        self.values: dict[str, QLabel] = {}
        self.labels: dict[str, QLabel] = {}
        form = QFormLayout(self)
        form.setContentsMargins(8, 6, 8, 6)
        form.setVerticalSpacing(3)
        self.form = form
        for key, label, _cap in ROWS:
            value = QLabel(UNKNOWN)
            value.setObjectName("valueLabel")
            # No word wrap: a wrapping label re-lays the dock out whenever its text changes
            # (the level changes every tick); the panel sits in a scroll area instead.
            name = QLabel(label)
            if key in TIPS:
                name.setToolTip(TIPS[key])
                value.setToolTip(TIPS[key])
            self.values[key] = value
            self.labels[key] = name
            form.addRow(name, value)
        self.terms: TechTerms = terms_for(GSM)
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

    def clear(self) -> None:
        """No sample (a replay jumped back before its first one)."""
        self._last = None
        self._lock_text = None
        self._render()

    def text(self, key: str) -> str:
        return self.values[key].text()

    def label(self, key: str) -> str:
        return self.labels[key].text()

    def row_shown(self, key: str) -> bool:
        return not self.values[key].isHidden()

    def _set_terms(self, terms: TechTerms) -> None:
        if terms == self.terms:
            return
        self.terms = terms
        gsm = terms.tech == GSM
        self.labels["lac_ci"].setText(f"{terms.area} / {terms.cell_id}")
        self.labels["bcch"].setText("BCCH ARFCN / BSIC" if gsm else f"{terms.channel} / {terms.code}")
        for key in GSM_ONLY:
            self.form.setRowVisible(self.values[key], gsm)

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
        tech = sample_tech(s) if s is not None else None
        terms = terms_for(tech)
        self._set_terms(terms)
        gsm = terms.tech == GSM
        out: dict[str, str | None] = {key: None for key, _l, _c in ROWS}
        if s is not None:
            out["mode"] = s.mode or UNKNOWN
            out["tech"] = tech
            out["level"] = headline(s)
        if cell is not None:
            out["cell"] = planned.name if planned else None
            if cell.lac is not None or cell.ci is not None:
                ci = terms.split_cell_id(cell.ci) if cell.ci is not None else None
                out["lac_ci"] = f"{_v(cell.lac)} / {ci or UNKNOWN}"
            if cell.arfcn is not None and gsm:
                band = arfcn_band(cell.arfcn)
                out["bcch"] = f"{cell.arfcn}{f' ({band})' if band else ''} / {bsic_octal(cell.bsic) or UNKNOWN}"
            elif cell.arfcn is not None:
                out["bcch"] = f"{cell.arfcn} / {terms.code_text(cell) or UNKNOWN}"
            if cell.ta is not None:
                out["ta"] = f"{cell.ta} (≈ {ta_to_metres(cell.ta):.0f} m)" if gsm else str(cell.ta)
        reg = s.registration if s is not None else None
        if out["lac_ci"] is None and reg is not None and (reg.lac is not None or reg.ci is not None):
            # No engineering mode (a plain 27.007 handset): the location it registered with,
            # named by the command that gave it.
            ci = terms.split_cell_id(reg.ci) if reg.ci is not None else None
            source = {"cs": "+CREG", "ps": "+CGREG", "eps": "+CEREG"}.get(reg.domain, "registration")
            out["lac_ci"] = f"{_v(reg.lac)} / {ci or UNKNOWN} ({source})"
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
        elif s is not None and not dedicated and gsm:
            for key in ("tch", "timeslot", "channel_type", "hopping", "trx"):
                out[key] = "idle"
        # (no sample yet: not known, as before the first one)
        out["lock"] = self._lock_text or ("unlocked" if s is not None else None)
        for key, _label, cap in ROWS:
            value = out[key]
            if value is None:
                value = UNKNOWN if self._available(cap) else NOT_AVAILABLE
            self.values[key].setText(value)


def _v(value: object) -> str:
    return UNKNOWN if value is None else str(value)
