"""GSM radio conversions, from the 3GPP tables (TS 45.008, TS 27.007, TS 45.005).

Every function returns ``None`` for an unknown or out-of-range input instead of a number:
"unknown" is never a value on a plot.
"""

from __future__ import annotations

# ---------------------------------------------------------------- RXLEV (TS 45.008 §8.1.4)
# RXLEV 0 = below -110 dBm, n = -111+n .. -110+n dBm, 63 = above -48 dBm.
# We convert with the lower bound + 1: dBm = RXLEV - 110 (docs/domain.md §3), and keep the raw value.
RXLEV_MIN, RXLEV_MAX = 0, 63
RXLEV_OFFSET_DB = 110


def rxlev_to_dbm(rxlev: int | None) -> float | None:
    if rxlev is None or not RXLEV_MIN <= rxlev <= RXLEV_MAX:
        return None
    return float(rxlev - RXLEV_OFFSET_DB)


def dbm_to_rxlev(dbm: float | None) -> int | None:
    """dBm → RXLEV 0..63, clamped at the ends of the scale (-110 and below → 0, -47 up → 63)."""
    if dbm is None:
        return None
    value = int(round(dbm)) + RXLEV_OFFSET_DB
    return max(RXLEV_MIN, min(RXLEV_MAX, value))


def rxlev_range_dbm(rxlev: int | None) -> tuple[float | None, float | None] | None:
    """The band of levels an RXLEV stands for: (low, high) dBm, open ends as None."""
    if rxlev is None or not RXLEV_MIN <= rxlev <= RXLEV_MAX:
        return None
    if rxlev == 0:
        return (None, -110.0)
    if rxlev == 63:
        return (-48.0, None)
    return (float(rxlev - 111), float(rxlev - 110))


# ---------------------------------------------------------------- RXQUAL (TS 45.008 §8.2.4)
# BER before channel decoding, percent: (low, high); the ends are open.
RXQUAL_BER_PERCENT: dict[int, tuple[float, float | None]] = {
    0: (0.0, 0.2),
    1: (0.2, 0.4),
    2: (0.4, 0.8),
    3: (0.8, 1.6),
    4: (1.6, 3.2),
    5: (3.2, 6.4),
    6: (6.4, 12.8),
    7: (12.8, None),
}


def rxqual_to_ber_range(rxqual: int | None) -> tuple[float, float | None] | None:
    if rxqual is None:
        return None
    return RXQUAL_BER_PERCENT.get(rxqual)


def ber_to_rxqual(ber_percent: float | None) -> int | None:
    if ber_percent is None or ber_percent < 0:
        return None
    for q in range(7):
        if ber_percent < RXQUAL_BER_PERCENT[q][1]:  # type: ignore[operator]
            return q
    return 7


def valid_rxqual(value: int | None) -> int | None:
    """0..7 or None (99 and other unknown markers)."""
    return value if value is not None and 0 <= value <= 7 else None


def rxqual_class(rxqual: int | None) -> str | None:
    """Engineers' reading: 0-3 good, 4-5 fair, 6-7 bad."""
    if valid_rxqual(rxqual) is None:
        return None
    assert rxqual is not None
    return "good" if rxqual <= 3 else "fair" if rxqual <= 5 else "bad"


# ---------------------------------------------------------------- +CSQ (TS 27.007 §8.5)


def csq_to_dbm(rssi: int | None) -> float | None:
    """+CSQ <rssi>: 0 → -113 (or less), 1 → -111, 2..30 → -113+2n, 31 → -51 (or more), 99 → None."""
    if rssi is None or not 0 <= rssi <= 31:
        return None
    if rssi == 1:
        return -111.0
    return float(-113 + 2 * rssi)


def dbm_to_csq(dbm: float | None) -> int:
    """dBm → +CSQ <rssi> (99 for unknown, as the wire carries it)."""
    if dbm is None:
        return 99
    return max(0, min(31, int(round((dbm + 113) / 2))))


# ---------------------------------------------------------------- +CESQ (TS 27.007)


def cesq_rscp_to_dbm(v: int | None) -> float | None:
    return None if v is None or not 0 <= v <= 96 else float(-121 + v)


def cesq_ecno_to_db(v: int | None) -> float | None:
    return None if v is None or not 0 <= v <= 49 else -24.5 + 0.5 * v


def cesq_rsrq_to_db(v: int | None) -> float | None:
    return None if v is None or not 0 <= v <= 34 else -20.0 + 0.5 * v


def cesq_rsrp_to_dbm(v: int | None) -> float | None:
    return None if v is None or not 0 <= v <= 97 else float(-141 + v)


# ---------------------------------------------------------------- ARFCN (TS 45.005 §2)
# Every GSM band of TS 45.005 §2 with its ARFCN range and uplink formula
# Ful(n) = first_ul_mhz + 0.2 * (n - first_n); Fdl(n) = Ful(n) + duplex (10 MHz for 450/480,
# 30 MHz for 750, 45 MHz for 850/900, 95 MHz for DCS, 80 MHz for PCS).
# The 900 MHz channels 0 and 975..1023 count as E-GSM (E-GSM's ARFCN 0 is 890.0 MHz uplink);
# 955..974 exist only in R-GSM (railways). R-GSM also contains all of P- and E-GSM, so a
# network that is R-GSM cannot be told from the ARFCN alone below 955 (the band is the narrowest
# one holding the channel). 512..810 is DCS 1800 unless the network is known to be PCS 1900.
GSM_P900 = "GSM900"  # P-GSM 1..124
GSM_E900 = "E-GSM900"  # E-GSM extension: 0 and 975..1023
GSM_R900 = "R-GSM900"  # R-GSM extension: 955..974
GSM_450 = "GSM450"
GSM_480 = "GSM480"
GSM_750 = "GSM750"
GSM_850 = "GSM850"
DCS_1800 = "DCS1800"
PCS_1900 = "PCS1900"

# (band, first ARFCN, last ARFCN, uplink MHz of the first ARFCN, duplex MHz)
GSM_BANDS: tuple[tuple[str, int, int, float, float], ...] = (
    (GSM_P900, 1, 124, 890.2, 45.0),
    (GSM_E900, 0, 0, 890.0, 45.0),
    (GSM_R900, 955, 974, 876.2, 45.0),   # 890 + 0.2 * (955 - 1024)
    (GSM_E900, 975, 1023, 880.2, 45.0),  # 890 + 0.2 * (975 - 1024)
    (GSM_450, 259, 293, 450.6, 10.0),
    (GSM_480, 306, 340, 479.0, 10.0),
    (GSM_750, 438, 511, 747.2, 30.0),
    (GSM_850, 128, 251, 824.2, 45.0),
    (DCS_1800, 512, 885, 1710.2, 95.0),
)
_PCS = (PCS_1900, 512, 810, 1850.2, 80.0)
ARFCN_MAX = 1023  # a GSM ARFCN is 10 bits (TS 44.018 §10.5.2.1)


def _band_row(arfcn: int | None, pcs: bool) -> tuple[str, int, int, float, float] | None:
    if arfcn is None:
        return None
    if pcs and _PCS[1] <= arfcn <= _PCS[2]:
        return _PCS
    for row in GSM_BANDS:
        if row[1] <= arfcn <= row[2]:
            return row
    return None


def arfcn_band(arfcn: int | None, pcs: bool = False) -> str | None:
    """Band of a GSM ARFCN (TS 45.005 §2), None for a channel no band holds (125..127,
    252..258, 294..305, 341..437, 886..954). 512..810 is DCS 1800 unless ``pcs`` says the
    network is PCS 1900 (the two bands share numbers; only the context tells them apart)."""
    row = _band_row(arfcn, pcs)
    return None if row is None else row[0]


def arfcn_uplink_mhz(arfcn: int | None, pcs: bool = False) -> float | None:
    row = _band_row(arfcn, pcs)
    if row is None or arfcn is None:
        return None
    return round(row[3] + 0.2 * (arfcn - row[1]), 1)


def arfcn_downlink_mhz(arfcn: int | None, pcs: bool = False) -> float | None:
    """Downlink = uplink plus the band's duplex spacing."""
    row = _band_row(arfcn, pcs)
    ul = arfcn_uplink_mhz(arfcn, pcs)
    if row is None or ul is None:
        return None
    return round(ul + row[4], 1)


def valid_arfcn(value: int | None) -> int | None:
    """A GSM ARFCN (0..1023), else None. A channel that no band of the table holds is still an
    ARFCN the device measured: it is kept, with its band unknown (``arfcn_band`` None)."""
    return value if value is not None and 0 <= value <= ARFCN_MAX else None


# ---------------------------------------------------------------- BSIC (TS 23.003 §4.3.2)
# BSIC = NCC (3 bits) * 8 + BCC (3 bits); engineers write it as two octal digits, "35" = NCC 3 BCC 5.


def bsic_split(bsic: int | None) -> tuple[int, int] | None:
    if bsic is None or not 0 <= bsic <= 63:
        return None
    return bsic >> 3, bsic & 7


def bsic_join(ncc: int | None, bcc: int | None) -> int | None:
    if ncc is None or bcc is None or not (0 <= ncc <= 7 and 0 <= bcc <= 7):
        return None
    return ncc * 8 + bcc


def bsic_octal(bsic: int | None) -> str | None:
    parts = bsic_split(bsic)
    return None if parts is None else f"{parts[0]}{parts[1]}"


_OCTAL_BSIC = {f"{ncc}{bcc}": ncc * 8 + bcc for ncc in range(8) for bcc in range(8)}


def bsic_from_octal(text: str | None) -> int | None:
    """"35" → 29. Two digits 0..7 each, else None. (A table: every engineering-mode line of
    some families goes through here.)"""
    if text is None:
        return None
    return _OCTAL_BSIC.get(text.strip())


def valid_bsic(value: int | None) -> int | None:
    return value if value is not None and 0 <= value <= 63 else None


# ---------------------------------------------------------------- timing advance
TA_METRES = 553.5  # one TA step: half a bit period of 3.69 µs at the speed of light, round trip


def valid_ta(value: int | None) -> int | None:
    return value if value is not None and 0 <= value <= 63 else None


def ta_to_metres(ta: int | None) -> float | None:
    return None if valid_ta(ta) is None else ta * TA_METRES  # type: ignore[operator]


def distance_to_ta(metres: float) -> int:
    return max(0, min(63, int(metres // TA_METRES)))


# ---------------------------------------------------------------- colour legend (docs/domain.md §3)
# Upper-exclusive thresholds: ≥ -70 green, -70..-80 light green, -80..-90 yellow,
# -90..-100 orange, < -100 red. Configurable by passing other bins.
RXLEV_BINS_DBM: tuple[tuple[float, str, str], ...] = (
    (-70.0, "≥ -70", "#1a9641"),
    (-80.0, "-80 to -70", "#a6d96a"),
    (-90.0, "-90 to -80", "#ffff40"),
    (-100.0, "-100 to -90", "#fdae61"),
    (float("-inf"), "< -100", "#d7191c"),
)


def rxlev_bin(dbm: float | None, bins=RXLEV_BINS_DBM) -> int | None:
    """Index of the legend bin a level falls in, or None for unknown."""
    if dbm is None:
        return None
    for i, (low, _label, _colour) in enumerate(bins):
        if dbm >= low:
            return i
    return len(bins) - 1


def rxlev_colour(dbm: float | None, bins=RXLEV_BINS_DBM) -> str | None:
    i = rxlev_bin(dbm, bins)
    return None if i is None else bins[i][2]
