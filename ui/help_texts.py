"""Help menu texts: a short guide, the keys, and the thresholds table (from
``fieldapp.tech_terms``, so Help says exactly what the views draw)."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from fieldapp.tech_terms import TERMS

GUIDE = """
<h3>fieldapp in five steps</h3>
<ol>
<li><b>Connect</b> the test handset: Source → Port (or "Demo handset"), Connect. The status bar
says connected, the device and the GPS in use.</li>
<li><b>Record</b> into a case: pick the case, press Record. Every sample is kept in the workspace
(at most the last second is lost if the laptop dies).</li>
<li><b>Read</b> the views: level and quality in the serving technology's terms (RXLEV/RXQUAL,
RSCP/Ec/No, RSRP/RSRQ/SINR) with their colour steps, the serving-cell strip (cell bars, 2G/3G/4G
band), the map (route coloured by level, sites as wedges), the current channel and neighbours.
Hover the plot for values at a time; click an event to go there.</li>
<li><b>Test calls per TRX</b> in the "Call quality test" dock; keys 1–8 mark what the listener
heard.</li>
<li><b>Replay and import</b>: File → Import log… (Nemo, G-NetTrack, own format), "Replay it";
Space plays, [ ] change speed, , . jump between events.</li>
</ol>
<p>View → Layouts keeps arrangements by name ("drive", "CQT", "replay"); F9 shows large tiles
for reading at arm's length; View → Dark theme for night drives; View → Map tiles… puts a street
map under the route (web tiles cached for offline use, a tile folder or an MBTiles file).</p>
"""

KEYS = (
    ("F9", "field mode: large tiles instead of the plots"),
    ("Ctrl+I", "import a log or a cell file"),
    ("Ctrl+Q", "quit (the recording is closed cleanly)"),
    ("Space", "replay: play / pause"),
    ("[  ]", "replay: slower / faster"),
    (",  .  (PageUp / PageDown)", "replay: previous / next event"),
    ("1 – 8", "call quality test: what the listener heard"),
    ("mouse wheel / drag", "zoom / pan the plots and the map (pauses Follow)"),
)


def keys_html() -> str:
    rows = "".join(f"<tr><td><b>{html.escape(k)}</b></td><td>{html.escape(v)}</td></tr>" for k, v in KEYS)
    return f"<h3>Keys</h3><table cellpadding='3'>{rows}</table>"


def thresholds_html(gsm_bins=None) -> str:
    """One table: each technology's quantities, ranges and colour steps (best first)."""
    rows = []
    for terms in TERMS.values():
        for q in terms.quantities():
            bins = gsm_bins if (q is terms.level and terms.tech == "GSM" and gsm_bins) else q.bins
            steps = " ".join(f"<span style='background:{c}'>&nbsp;{html.escape(label)}&nbsp;</span>"
                             for _low, label, c in bins)
            rows.append(f"<tr><td>{terms.tech}</td><td>{html.escape(q.label)}</td>"
                        f"<td>{q.lo:g} … {q.hi:g}</td><td>{steps}</td></tr>")
    ident = "".join(f"<tr><td>{t.tech}</td><td colspan='3'>{t.channel} · {t.code} · {t.area} · {t.cell_id}"
                    + (" (RNC·65536 + cell)" if t.tech == "UMTS" else " (eNB·256 + sector)" if t.tech == "LTE" else "")
                    + "</td></tr>" for t in TERMS.values())
    return ("<h3>Thresholds</h3><table cellpadding='3' border='0'>"
            "<tr><th>tech</th><th>quantity</th><th>range</th><th>colour steps</th></tr>"
            + "".join(rows) + "</table><h3>Identities</h3><table cellpadding='3'>" + ident + "</table>")


class HelpDialog(QDialog):
    def __init__(self, title: str, body_html: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        self.browser.setHtml(body_html)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(620, 520)
