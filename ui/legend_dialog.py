"""Edit the RXLEV legend thresholds (docs/domain.md §3: the usual -70/-80/-90/-100 dBm, but operators
use their own). Colours stay those of the usual legend; the labels follow the thresholds."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QLabel, QPushButton

from fieldapp.radio import RXLEV_BINS_DBM


def bins_from_thresholds(thresholds: list[float], colours: list[str]) -> tuple[tuple[float, str, str], ...]:
    """Descending thresholds t0 > t1 > ... → legend bins ≥ t0, t1..t0, ..., < t_last."""
    out = [(thresholds[0], f"≥ {thresholds[0]:g}", colours[0])]
    for i in range(1, len(thresholds)):
        out.append((thresholds[i], f"{thresholds[i]:g} to {thresholds[i - 1]:g}", colours[i]))
    out.append((float("-inf"), f"< {thresholds[-1]:g}", colours[len(thresholds)]))
    return tuple(out)


class LegendDialog(QDialog):
    def __init__(self, bins=RXLEV_BINS_DBM, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("RXLEV legend")
        self.colours = [colour for _low, _label, colour in RXLEV_BINS_DBM]
        form = QFormLayout(self)
        form.addRow(QLabel("Lower edge of each colour band, dBm (strongest first)"))
        self.spins: list[QDoubleSpinBox] = []
        lows = [low for low, _label, _colour in bins][:-1]
        defaults = [low for low, _label, _colour in RXLEV_BINS_DBM][:-1]
        for i, default in enumerate(defaults):
            spin = QDoubleSpinBox()
            spin.setRange(-120.0, -40.0)
            spin.setDecimals(0)
            spin.setValue(lows[i] if i < len(lows) else default)
            spin.setStyleSheet(f"border-left: 14px solid {self.colours[i]};")
            self.spins.append(spin)
            form.addRow(f"Band {i + 1}", spin)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #c62828;")
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        reset = QPushButton("Usual legend")
        reset.clicked.connect(lambda: [s.setValue(v) for s, v in zip(self.spins, defaults)])
        buttons.addButton(reset, QDialogButtonBox.ButtonRole.ResetRole)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def thresholds(self) -> list[float]:
        return [s.value() for s in self.spins]

    def bins(self) -> tuple[tuple[float, str, str], ...]:
        return bins_from_thresholds(self.thresholds(), self.colours)

    def _accept(self) -> None:
        t = self.thresholds()
        if any(a <= b for a, b in zip(t, t[1:])):
            self.error.setText("each edge must be below the one above it")
            return
        self.accept()
