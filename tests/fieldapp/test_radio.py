"""fieldapp.radio against the 3GPP tables (TS 45.008 §8.1.4/§8.2.4, TS 27.007 §8.5, TS 45.005 §2)."""

from __future__ import annotations

import pytest

from fieldapp import radio


@pytest.mark.parametrize("rxlev, dbm", [(0, -110.0), (1, -109.0), (30, -80.0), (62, -48.0), (63, -47.0)])
def test_rxlev_to_dbm_is_lower_bound_plus_one(rxlev, dbm):
    assert radio.rxlev_to_dbm(rxlev) == dbm


@pytest.mark.parametrize("bad", [None, -1, 64, 99, 255])
def test_rxlev_unknown_or_out_of_range_is_none(bad):
    assert radio.rxlev_to_dbm(bad) is None


def test_rxlev_ranges_follow_45008():
    assert radio.rxlev_range_dbm(0) == (None, -110.0)
    assert radio.rxlev_range_dbm(1) == (-110.0, -109.0)
    assert radio.rxlev_range_dbm(62) == (-49.0, -48.0)
    assert radio.rxlev_range_dbm(63) == (-48.0, None)


@pytest.mark.parametrize("dbm, rxlev", [(-120, 0), (-110, 0), (-85, 25), (-48, 62), (-30, 63), (-84.6, 25)])
def test_dbm_to_rxlev_clamps_to_scale(dbm, rxlev):
    assert radio.dbm_to_rxlev(dbm) == rxlev


def test_rxlev_round_trip():
    for n in range(64):
        assert radio.dbm_to_rxlev(radio.rxlev_to_dbm(n)) == n


@pytest.mark.parametrize("q, lo, hi", [(0, 0.0, 0.2), (1, 0.2, 0.4), (2, 0.4, 0.8), (3, 0.8, 1.6),
                                       (4, 1.6, 3.2), (5, 3.2, 6.4), (6, 6.4, 12.8), (7, 12.8, None)])
def test_rxqual_ber_table(q, lo, hi):
    assert radio.rxqual_to_ber_range(q) == (lo, hi)
    mid = lo + 0.01
    assert radio.ber_to_rxqual(mid) == q


def test_rxqual_unknown():
    assert radio.rxqual_to_ber_range(99) is None
    assert radio.valid_rxqual(99) is None
    assert radio.rxqual_class(2) == "good" and radio.rxqual_class(5) == "fair" and radio.rxqual_class(7) == "bad"
    assert radio.rxqual_class(None) is None


@pytest.mark.parametrize("rssi, dbm", [(0, -113.0), (1, -111.0), (2, -109.0), (15, -83.0), (30, -53.0),
                                       (31, -51.0), (99, None), (32, None), (-1, None)])
def test_csq_table(rssi, dbm):
    assert radio.csq_to_dbm(rssi) == dbm


def test_cesq_conversions():
    assert radio.cesq_rscp_to_dbm(0) == -121 and radio.cesq_rscp_to_dbm(255) is None
    assert radio.cesq_ecno_to_db(49) == 0.0 and radio.cesq_ecno_to_db(255) is None
    assert radio.cesq_rsrq_to_db(34) == -3.0
    assert radio.cesq_rsrp_to_dbm(97) == -44 and radio.cesq_rsrp_to_dbm(255) is None


@pytest.mark.parametrize("arfcn, band, dl", [
    (1, "GSM900", 935.2), (124, "GSM900", 959.8), (0, "E-GSM900", 935.0), (975, "E-GSM900", 925.2),
    (1023, "E-GSM900", 934.8), (128, "GSM850", 869.2), (251, "GSM850", 893.8),
    (512, "DCS1800", 1805.2), (885, "DCS1800", 1879.8), (7, "GSM900", 936.4),
])
def test_arfcn_band_and_downlink(arfcn, band, dl):
    assert radio.arfcn_band(arfcn) == band
    assert radio.arfcn_downlink_mhz(arfcn) == dl


def test_pcs_needs_context():
    assert radio.arfcn_band(600) == "DCS1800"
    assert radio.arfcn_band(600, pcs=True) == "PCS1900"
    assert radio.arfcn_downlink_mhz(512, pcs=True) == 1930.2
    assert radio.arfcn_band(850, pcs=True) == "DCS1800"  # beyond PCS range


# TS 45.005 §2: every GSM band, first and last channel, uplink/downlink MHz of the first one.
@pytest.mark.parametrize("band,first,last,ul,dl", [
    ("GSM450", 259, 293, 450.6, 460.6), ("GSM480", 306, 340, 479.0, 489.0),
    ("GSM750", 438, 511, 747.2, 777.2), ("GSM850", 128, 251, 824.2, 869.2),
    ("GSM900", 1, 124, 890.2, 935.2), ("E-GSM900", 975, 1023, 880.2, 925.2),
    ("R-GSM900", 955, 974, 876.2, 921.2), ("DCS1800", 512, 885, 1710.2, 1805.2),
])
def test_every_band_of_45005(band, first, last, ul, dl):
    assert radio.arfcn_band(first) == band and radio.arfcn_band(last) == band
    assert radio.arfcn_uplink_mhz(first) == ul and radio.arfcn_downlink_mhz(first) == dl
    assert radio.arfcn_band(first - 1) != band or first - 1 in (0,)
    assert radio.arfcn_band(last + 1) != band


def test_pcs_range_and_duplex():
    assert radio.arfcn_band(810, pcs=True) == "PCS1900" and radio.arfcn_band(811, pcs=True) == "DCS1800"
    assert radio.arfcn_uplink_mhz(512, pcs=True) == 1850.2


@pytest.mark.parametrize("gap", [125, 127, 252, 258, 294, 305, 341, 437, 886, 954])
def test_arfcn_between_bands_is_kept_with_band_unknown(gap):
    """A measurement on a channel no band holds keeps its ARFCN; only the band is unknown."""
    assert radio.arfcn_band(gap) is None and radio.arfcn_downlink_mhz(gap) is None
    assert radio.valid_arfcn(gap) == gap


@pytest.mark.parametrize("bad", [None, 1024, -1, 99999])
def test_not_an_arfcn(bad):
    assert radio.arfcn_band(bad) is None and radio.valid_arfcn(bad) is None


def test_uplink_duplex():
    assert radio.arfcn_uplink_mhz(1) == 890.2
    assert radio.arfcn_uplink_mhz(512) == 1710.2


def test_bsic_octal():
    assert radio.bsic_join(3, 5) == 29
    assert radio.bsic_split(29) == (3, 5)
    assert radio.bsic_octal(29) == "35"
    assert radio.bsic_from_octal("35") == 29
    assert radio.bsic_from_octal("38") is None
    assert radio.bsic_octal(64) is None and radio.bsic_split(None) is None


def test_ta_distance():
    assert radio.ta_to_metres(2) == pytest.approx(1107.0)
    assert radio.distance_to_ta(500) == 0 and radio.distance_to_ta(1200) == 2
    assert radio.valid_ta(64) is None


@pytest.mark.parametrize("dbm, colour", [(-60, "#1a9641"), (-70, "#1a9641"), (-75, "#a6d96a"),
                                         (-85, "#ffff40"), (-95, "#fdae61"), (-100, "#fdae61"),
                                         (-101, "#d7191c"), (None, None)])
def test_legend_bins(dbm, colour):
    assert radio.rxlev_colour(dbm) == colour
