"""Against a real test handset, opt-in: ``pytest --handset-port /dev/ttyUSB0 [--handset-baud N]
-m hardware``. Without the option these tests are skipped (conftest.py). They check what the
simulator cannot: that a real module's replies go through the same driver without a skipped
line and with values in their physical ranges."""

from __future__ import annotations

import pytest

from drivers.handset import HandsetSource
from fieldapp.model import Sample
from tests.drivers.test_handset_source import Collector

pytestmark = pytest.mark.hardware


@pytest.fixture
def real_source(request):
    port = request.config.getoption("--handset-port")
    baud = request.config.getoption("--handset-baud")
    src = HandsetSource(port, baud, rate_s=1.0)
    yield src
    src.stop()


def test_probe_names_a_family_and_every_capability(real_source):
    caps = real_source.open()
    assert caps.family
    assert set(caps.fields) >= {"rxlev", "rxqual", "bsic", "tch_arfcn", "neighbours", "cell_lock"}
    assert real_source.simulator is None


def test_five_samples_in_physical_ranges(real_source):
    sink = Collector()
    real_source.start(sink)
    assert sink.wait_for(lambda r: sum(isinstance(x, Sample) for x in r) >= 5, timeout=30)
    for s in sink.samples():
        for cell in (s.serving, *s.neighbours):
            if cell is None:
                continue
            assert cell.rxlev is None or 0 <= cell.rxlev <= 63
            assert cell.rxlev_dbm is None or -110 <= cell.rxlev_dbm <= -47
            assert cell.rxqual is None or 0 <= cell.rxqual <= 7
            assert cell.bsic is None or 0 <= cell.bsic <= 63
    assert real_source.stats["skipped_lines"] == 0, "a reply the parsers did not understand"


def test_band_scan_or_a_clear_not_available(real_source):
    """A module with a survey command scans the 900 band with carriers in physical ranges;
    one without says "not available" at once."""
    from drivers.scan import ScanNotAvailable

    caps = real_source.open()
    if not caps.scan.get("available"):
        assert caps.scan["text"].startswith("not available")
        with pytest.raises(ScanNotAvailable):
            real_source.scan("GSM900")
        return
    scan = real_source.scan("GSM900", (0, 124) if caps.scan.get("arfcn_range") else None)
    assert scan.carriers, "a scan of the 900 band heard nothing"
    for c in scan.carriers:
        assert c.arfcn is not None and (0 <= c.arfcn <= 124 or 975 <= c.arfcn <= 1023)
        assert c.rxlev_dbm is None or -125 <= c.rxlev_dbm <= -20
        assert c.bsic is None or 0 <= c.bsic <= 63
