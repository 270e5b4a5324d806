"""The headline names the quantity the number is (fieldapp/tech_terms.py)."""

from __future__ import annotations

from fieldapp.model import GSM, Cell, Registration, Sample, Signal
from fieldapp.tech_terms import headline


def test_a_plain_handsets_level_is_an_rssi_from_csq_not_an_rxlev():
    # A plain 3GPP 27.007 modem (no engineering mode): +CSQ 17,99 and +CREG only.
    plain = Sample(ts_utc=0.0, tech=GSM, signal=Signal(rssi_dbm=-79.0, rssi_raw=17),
                   registration=Registration(stat=1, lac=10, ci=20))
    assert headline(plain).startswith("RSSI (+CSQ) -79")
    assert "RXLEV" not in headline(plain).split("RXQUAL")[0]


def test_an_engineering_mode_level_keeps_its_own_name():
    ceng = Sample(ts_utc=0.0, tech=GSM, serving=Cell(arfcn=7, rxlev=31, rxlev_dbm=-79.0),
                  signal=Signal(rssi_dbm=-79.0))
    assert headline(ceng).startswith("RXLEV -79")


def test_a_sample_without_serving_cell_signal_or_registration_says_so():
    from fieldapp.model import LTE, NEIGHBOUR, UMTS
    from fieldapp.tech_terms import shown_tech

    lte_only = Sample(ts_utc=0.0, tech=None, neighbours=(Cell(role=NEIGHBOUR, tech=LTE, arfcn=125, pci=364),))
    assert headline(lte_only) == "no serving cell"
    assert shown_tech(lte_only) == LTE
    mixed = Sample(ts_utc=0.0, tech=None, neighbours=(Cell(role=NEIGHBOUR, tech=LTE, arfcn=125, pci=364),
                                                      Cell(role=NEIGHBOUR, tech=UMTS, arfcn=10588, pci=159)))
    assert shown_tech(mixed) is None
    registered = Sample(ts_utc=0.0, tech=GSM, registration=Registration(stat=1, lac=10, ci=20))
    assert headline(registered) != "no serving cell"  # a plain handset registered on a cell
