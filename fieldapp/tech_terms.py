"""Every technology in its own terms: the one table of quantities, ranges and colour steps.

A GSM cell is read as RXLEV (dBm) and RXQUAL, a UMTS cell as RSCP and Ec/No, an LTE cell as
RSRP, RSRQ and SINR (docs/domain.md, "Other technologies met in real logs"). The views (level
plot, map route and legend, current channel, neighbour table, headline) all take their
labels, ranges and colour steps from ``TERMS`` below, so a UMTS log is never drawn as RXLEV and
a 10588 UARFCN is never called a "BCCH ARFCN".

The steps are the ones drive-test tools commonly use; GSM's RXLEV steps are the user's
(View → legend thresholds), the others are configurable through ``with_level_bins``.

    technology  level                 quality                              channel / code / area
    GSM         RXLEV -120..-40 dBm   RXQUAL 0..7 (0-3 good, 4-5, 6-7)     ARFCN / BSIC / LAC, CI
    UMTS        RSCP -120..-25 dBm    Ec/No -24..0 dB                      UARFCN / PSC / LAC, CI = RNC·65536 + cell
    LTE         RSRP -140..-44 dBm    RSRQ -19.5..-3 dB, SINR -20..30 dB   EARFCN / PCI / TAC, ECI = eNB·256 + cell

No Qt here: the report renderer and the CLI may use the same table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from fieldapp.model import GSM, LTE, UMTS, Cell, Sample
from fieldapp.radio import RXLEV_BINS_DBM

# Colour steps, best first (the RXLEV legend's colours, docs/domain.md §3).
GREEN, LIGHT_GREEN, YELLOW, ORANGE, RED = "#1a9641", "#a6d96a", "#ffff40", "#fdae61", "#d7191c"
UNKNOWN_COLOUR = "#9e9e9e"

Bins = tuple[tuple[float, str, str], ...]  # (low, label, colour), lows descending, last is -inf


@dataclass(frozen=True)
class Quantity:
    """One measured quantity: where it sits on a ``Cell``, its name, unit, plot range and
    colour steps. ``bins`` are (low, label, colour) with descending lows: a value falls in
    the first bin whose low it reaches. For RXQUAL (lower is better) the lows are negated
    values, see ``bin_index``."""

    key: str  # attribute of Cell (and Signal where it has one)
    name: str  # "RSCP"
    unit: str  # "dBm", "dB" or ""
    lo: float
    hi: float
    bins: Bins
    lower_is_better: bool = False
    decimals: int = 0

    @property
    def label(self) -> str:
        """Axis and column label: "RSCP dBm", "RXQUAL"."""
        return f"{self.name} {self.unit}".strip()

    def bin_index(self, value: float | None) -> int | None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        v = -value if self.lower_is_better else value
        for i, (low, _label, _colour) in enumerate(self.bins):
            if v >= low:
                return i
        return len(self.bins) - 1

    def colour(self, value: float | None) -> str:
        i = self.bin_index(value)
        return UNKNOWN_COLOUR if i is None else self.bins[i][2]

    def bands(self) -> list[tuple[float, float, str]]:
        """(low, high, colour) in the quantity's own units, clipped to the plot range, for
        colour bands behind a plot (integer RXQUAL classes end half-way between values)."""
        out = []
        if self.lower_is_better:
            low = self.lo
            for threshold, _label, colour in self.bins:
                high = self.hi if math.isinf(threshold) else -threshold + 0.5
                high = min(high, self.hi)
                if high > low:
                    out.append((low, high, colour))
                low = high
            return out
        high = self.hi
        for low, _label, colour in self.bins:
            lo = max(low, self.lo)
            if high > lo:
                out.append((lo, high, colour))
            high = lo
        return out

    def text(self, value: float | None) -> str:
        """"RSCP -67.5 dBm" style value text; unknown reads "–"."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        number = f"{value:.{self.decimals}f}"
        return f"{number} {self.unit}".strip()

    def of(self, cell: Cell | None) -> float | None:
        return None if cell is None else getattr(cell, self.key, None)


RXLEV = Quantity("rxlev_dbm", "RXLEV", "dBm", -120.0, -40.0, RXLEV_BINS_DBM)
RXQUAL = Quantity("rxqual", "RXQUAL", "", -0.5, 7.5,
                  ((-3.0, "0-3", GREEN), (-5.0, "4-5", YELLOW), (-math.inf, "6-7", RED)), lower_is_better=True)
RSCP = Quantity("rscp_dbm", "RSCP", "dBm", -120.0, -25.0,
                ((-75.0, "≥ -75", GREEN), (-85.0, "-85 to -75", LIGHT_GREEN), (-95.0, "-95 to -85", YELLOW),
                 (-105.0, "-105 to -95", ORANGE), (-math.inf, "< -105", RED)), decimals=1)
ECNO = Quantity("ecno_db", "Ec/No", "dB", -24.0, 0.0,
                ((-6.0, "≥ -6", GREEN), (-10.0, "-10 to -6", LIGHT_GREEN), (-14.0, "-14 to -10", YELLOW),
                 (-math.inf, "< -14", RED)), decimals=1)
RSRP = Quantity("rsrp_dbm", "RSRP", "dBm", -140.0, -44.0,
                ((-80.0, "≥ -80", GREEN), (-90.0, "-90 to -80", LIGHT_GREEN), (-100.0, "-100 to -90", YELLOW),
                 (-110.0, "-110 to -100", ORANGE), (-math.inf, "< -110", RED)), decimals=1)
# RSRQ steps are not in docs/domain.md's table; these are the ones drive-test tools ship with.
RSRQ = Quantity("rsrq_db", "RSRQ", "dB", -19.5, -3.0,
                ((-10.0, "≥ -10", GREEN), (-15.0, "-15 to -10", YELLOW), (-math.inf, "< -15", RED)), decimals=1)
SINR = Quantity("sinr_db", "SINR", "dB", -20.0, 30.0,
                ((20.0, "≥ 20", GREEN), (13.0, "13 to 20", LIGHT_GREEN), (0.0, "0 to 13", YELLOW),
                 (-math.inf, "< 0", RED)), decimals=1)


@dataclass(frozen=True)
class TechTerms:
    """How one technology is named and read. ``qualities[0]`` is drawn on the quality plot
    unless the user picks another (LTE: RSRQ, or SINR)."""

    tech: str
    level: Quantity
    qualities: tuple[Quantity, ...]
    channel: str  # "ARFCN" / "UARFCN" / "EARFCN"
    code: str  # "BSIC" / "PSC" / "PCI"
    area: str  # "LAC" / "TAC"
    cell_id: str  # "CI" / "ECI"
    short: str  # "2G" / "3G" / "4G", the band on the serving strip
    colour: str  # the technology's colour on the strip and the tech-change markers

    def quantities(self) -> tuple[Quantity, ...]:
        return (self.level, *self.qualities)

    def code_text(self, cell: Cell) -> str | None:
        """BSIC as two octal digits (GSM), PSC/PCI as a number."""
        if self.tech == GSM:
            from fieldapp.radio import bsic_octal

            return bsic_octal(cell.bsic)
        return None if cell.pci is None else str(cell.pci)

    def code_of(self, cell: Cell) -> int | None:
        return cell.bsic if self.tech == GSM else cell.pci

    def split_cell_id(self, ci: int | None) -> str | None:
        """The cell id with its parts: UMTS "RNC 363 · cell 34530", LTE "eNB 52033 · sector 4"."""
        if ci is None:
            return None
        if self.tech == UMTS:
            rnc, cell = divmod(ci, 65536)
            return f"{ci} (RNC {rnc} · cell {cell})"
        if self.tech == LTE:
            enb, sector = divmod(ci, 256)
            return f"{ci} (eNB {enb} · sector {sector})"
        return str(ci)


TERMS: dict[str, TechTerms] = {
    GSM: TechTerms(GSM, RXLEV, (RXQUAL,), "ARFCN", "BSIC", "LAC", "CI", "2G", "#6d8f3c"),
    UMTS: TechTerms(UMTS, RSCP, (ECNO,), "UARFCN", "PSC", "LAC", "CI", "3G", "#3f6fb0"),
    LTE: TechTerms(LTE, RSRP, (RSRQ, SINR), "EARFCN", "PCI", "TAC", "ECI", "4G", "#8a4fb0"),
}
TECH_CODES = {GSM: 0, UMTS: 1, LTE: 2}  # the history keeps the technology of each sample as a number
TECH_OF_CODE = {v: k for k, v in TECH_CODES.items()}
QUALITY_KEYS = tuple(dict.fromkeys(q.key for t in TERMS.values() for q in t.qualities))


def terms_for(tech: str | None) -> TechTerms:
    """The terms of a technology; an unknown one reads as GSM (the handsets' first tongue)."""
    return TERMS.get(tech or GSM, TERMS[GSM])


def with_level_bins(terms: TechTerms, bins: Bins) -> TechTerms:
    """The same terms with the user's own level colour steps."""
    return replace(terms, level=replace(terms.level, bins=tuple(bins)))


def sample_tech(sample: Sample) -> str | None:
    """The serving technology of a sample: the serving cell's, else the sample's."""
    if sample.serving is not None and sample.serving.tech:
        return sample.serving.tech
    return sample.tech


def shown_tech(sample: Sample) -> str | None:
    """The technology a sample's views speak: its serving technology, else (a Nemo CELLMEAS
    that lists only neighbours, a scanner's list) the one its neighbours share; None when they
    are of several technologies or there are none. LTE neighbours are never titled ARFCN/BSIC."""
    tech = sample_tech(sample)
    if tech is not None:
        return tech
    techs = {c.tech for c in sample.neighbours}
    return techs.pop() if len(techs) == 1 else None


def quality_values(sample: Sample, tech: str | None) -> dict[str, float | None]:
    """Each quality key → the sample's value in its serving technology (others None): a
    GSM sample has no Ec/No, a UMTS sample no RXQUAL. Falls back on +CSQ/+CESQ's ``Signal``."""
    out: dict[str, float | None] = dict.fromkeys(QUALITY_KEYS)
    terms = terms_for(tech)
    for q in terms.qualities:
        if q.key == "rxqual":
            out[q.key] = sample.rxqual
            continue
        value = q.of(sample.serving)
        if value is None and sample.signal is not None:
            value = getattr(sample.signal, q.key, None)
        out[q.key] = value
    return out


def headline(sample: Sample | None) -> str:
    """The few values of the serving technology in one line: "LTE  RSRP -84.4 dBm  RSRQ …"."""
    if sample is None:
        return ""
    if sample.serving is None and sample.signal is None and sample.registration is None:
        # No serving cell, no +CSQ/+CESQ, no registration: nothing to give in any technology's terms (not a
        # GSM "RXLEV – RXQUAL –" over a log line that lists LTE neighbours only).
        return "no serving cell"
    tech = sample_tech(sample)
    terms = terms_for(tech)
    values = quality_values(sample, tech)
    # A handset without engineering mode gives +CSQ, an RSSI (not an RXLEV, RSCP or RSRP), and
    # maybe +CESQ, the registered technology's own level: each is named as what it is.
    source = sample.level_source
    name = {"+CSQ": "RSSI (+CSQ)", "+CESQ": f"{terms.level.name} (+CESQ)"}.get(source or "", terms.level.name)
    parts = [f"{name} {terms.level.text(sample.rxlev_dbm)}"]
    rssi = sample.signal.rssi_dbm if sample.signal is not None else None
    if source is None and rssi is not None:  # UMTS/LTE with +CSQ only: the RSSI, said to be one
        parts.append(f"(RSSI (+CSQ) {RXLEV.text(rssi)}, not an {terms.level.name})")
    parts += [f"{q.name} {q.text(values[q.key])}" for q in terms.qualities]
    return "  ".join(parts)


def describe(terms: TechTerms) -> list[dict[str, Any]]:
    """The table as plain rows (Help → thresholds, tests)."""
    rows = []
    for q in terms.quantities():
        rows.append({"tech": terms.tech, "quantity": q.name, "unit": q.unit, "range": (q.lo, q.hi),
                     "steps": [label for _low, label, _c in q.bins]})
    return rows
