"""KML writer: route cut where the RXLEV legend bin changes, gaps break the line, colours in
KML's aabbggrr order, cell sites with their facts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from fieldapp import model
from fieldapp.radio import RXLEV_BINS_DBM
from logs.kml import kml_colour, write_kml

NS = "{http://www.opengis.net/kml/2.2}"


def sample(t, dbm, lat):
    return model.Sample(ts_utc=t, tech=model.GSM, serving=model.Cell(rxlev_dbm=dbm),
                        position=model.Position(ts_utc=t, lat=lat, lon=-17.4))


def test_kml_colour_is_alpha_blue_green_red():
    assert kml_colour("#1a9641") == "ff41961a"
    assert kml_colour(RXLEV_BINS_DBM[-1][2]) == "ff1c19d7"


def test_route_segments_follow_the_level_bins_and_gaps(tmp_path):
    samples = [sample(0, -65, 14.0), sample(1, -66, 14.001), sample(2, -85, 14.002), sample(3, -86, 14.003),
               sample(4, None, 14.004), sample(5, None, 14.005),
               sample(100, -105, 14.1), sample(101, -106, 14.101)]  # 95 s without a fix: a new line
    cells = [model.PlanCell(name="HOSP-1", lat=14.0, lon=-17.4, bcch_arfcn=7, bsic=29,
                            trxs=(model.PlanTrx("TRX-1-0", (7,)),))]
    events = [model.Event(2.5, model.EV_CALL_DROPPED, "dropped")]
    positions = [s.position for s in samples]
    write_kml(tmp_path / "r.kml", "test", samples, events, positions, cells)
    doc = ET.parse(tmp_path / "r.kml").getroot()
    route = [f for f in doc.iter(f"{NS}Folder") if f.findtext(f"{NS}name") == "Route"][0]
    segs = [(p.findtext(f"{NS}styleUrl"), p.find(f".//{NS}coordinates").text.split())
            for p in route.findall(f"{NS}Placemark")]
    assert [s for s, _ in segs] == ["#lvl-0", "#lvl-2", "#lvl-none", "#lvl-4"]
    # a colour starts where the previous one ended: no hole in the line
    assert segs[1][1][0] == segs[0][1][-1] and segs[2][1][0] == segs[1][1][-1]
    # the gap: the red segment does not start at the last grey point
    assert segs[3][1][0] != segs[2][1][-1]
    site = [p for p in doc.iter(f"{NS}Placemark") if p.findtext(f"{NS}name") == "HOSP-1"][0]
    assert "BSIC 35" in site.findtext(f"{NS}description") and "TRX-1-0" in site.findtext(f"{NS}description")
    assert [p.findtext(f"{NS}name") for p in doc.iter(f"{NS}Placemark")].count("call_dropped") == 1
