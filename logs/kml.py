"""KML export for Google Earth and GIS tools: the drive route coloured by level, call events
and the cell sites of the plan.

The route is cut into LineStrings where the level's legend bin changes (``RXLEV_BINS_DBM``
from fieldapp.radio, the colours engineers expect: ≥ -70 green … < -100 red); samples with no
level are grey, and a gap of more than ``GAP_S`` without a position breaks the line instead of
drawing a straight jump. KML colours are ``aabbggrr``. Written as it streams (a session of a
day is never held in memory as a document).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape

from fieldapp import model
from fieldapp.radio import RXLEV_BINS_DBM, bsic_octal, rxlev_bin

GAP_S = 30.0
NO_VALUE_COLOUR = "#9e9e9e"
EVENT_KINDS = (model.EV_CALL_FAILED, model.EV_CALL_DROPPED, model.EV_HANDOVER, model.EV_LOCK,
               model.EV_UNLOCK, model.EV_BLOCK, model.EV_NOTE, model.EV_GAP)


def kml_colour(hex_rgb: str, alpha: str = "ff") -> str:
    """'#1a9641' → 'ff41961a' (KML is alpha, blue, green, red)."""
    h = hex_rgb.lstrip("#")
    return f"{alpha}{h[4:6]}{h[2:4]}{h[0:2]}".lower()


def _style_id(bin_index: int | None) -> str:
    return "lvl-none" if bin_index is None else f"lvl-{bin_index}"


class KmlWriter:
    def __init__(self, out: IO[str], name: str, bins=RXLEV_BINS_DBM) -> None:
        self.out = out
        self.bins = bins
        self.segments = 0
        self._run: list[tuple[float, float]] = []
        self._run_bin: int | None = None
        self._run_started = False
        self._last_ts: float | None = None
        self._last_point: tuple[float, float] | None = None
        w = out.write
        w('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">\n<Document>\n')
        w(f"<name>{escape(name)}</name>\n")
        for i, (_low, label, colour) in enumerate(bins):
            w(f'<Style id="{_style_id(i)}"><LineStyle><color>{kml_colour(colour)}</color><width>4</width>'
              f"</LineStyle></Style><!-- {escape(label)} dBm -->\n")
        w(f'<Style id="lvl-none"><LineStyle><color>{kml_colour(NO_VALUE_COLOUR)}</color><width>2</width>'
          "</LineStyle></Style>\n")
        w('<Style id="site"><IconStyle><Icon><href>http://maps.google.com/mapfiles/kml/shapes/'
          "placemark_circle.png</href></Icon></IconStyle></Style>\n")
        w('<Style id="event"><IconStyle><color>ff0000ff</color></IconStyle></Style>\n')
        w("<Folder><name>Route</name>\n")

    # ------------------------------------------------------------------ route
    def add_sample(self, sample: model.Sample) -> None:
        pos = sample.position
        if pos is None:
            return
        point = (pos.lon, pos.lat)
        b = rxlev_bin(sample.rxlev_dbm, self.bins)
        gap = self._last_ts is not None and sample.ts_utc - self._last_ts > GAP_S
        self._last_ts = sample.ts_utc
        if gap:
            self._flush()
            self._last_point = None
        if self._run and b != self._run_bin:
            self._flush()
            if self._last_point is not None:
                self._run.append(self._last_point)  # the new colour starts where the old one ended
        self._run_bin = b
        if not self._run or self._run[-1] != point:
            self._run.append(point)
        self._last_point = point

    def _flush(self) -> None:
        if len(self._run) >= 2:
            coords = " ".join(f"{lon:.7f},{lat:.7f}" for lon, lat in self._run)
            label = "no value" if self._run_bin is None else self.bins[self._run_bin][1] + " dBm"
            self.out.write(f"<Placemark><name>{escape(label)}</name><styleUrl>#{_style_id(self._run_bin)}</styleUrl>"
                           f"<LineString><tessellate>1</tessellate><coordinates>{coords}</coordinates>"
                           "</LineString></Placemark>\n")
            self.segments += 1
        self._run = []

    # ------------------------------------------------------------------ events, sites
    def finish_route(self) -> None:
        self._flush()
        self.out.write("</Folder>\n")

    def add_events(self, events: Iterable[model.Event], positions: list[model.Position]) -> int:
        """Events worth a pin, placed at the last fix before them (none when the fix is stale)."""
        times = [p.ts_utc for p in positions]
        n = 0
        self.out.write("<Folder><name>Events</name>\n")
        for ev in events:
            if ev.kind not in EVENT_KINDS:
                continue
            i = bisect.bisect_right(times, ev.ts_utc) - 1
            if i < 0 or ev.ts_utc - times[i] > GAP_S:
                continue
            p = positions[i]
            self.out.write(f"<Placemark><name>{escape(ev.kind)}</name><description>{escape(ev.text)}</description>"
                           f"<styleUrl>#event</styleUrl><Point><coordinates>{p.lon:.7f},{p.lat:.7f}</coordinates>"
                           "</Point></Placemark>\n")
            n += 1
        self.out.write("</Folder>\n")
        return n

    def add_cells(self, cells: Iterable[model.PlanCell]) -> int:
        n = 0
        self.out.write("<Folder><name>Cell sites</name>\n")
        for c in cells:
            if c.lat is None or c.lon is None:
                continue
            facts = [("CGI", "-".join("?" if v is None else str(v) for v in (c.mcc, c.mnc, c.lac, c.ci))),
                     ("BCCH", c.bcch_arfcn), ("BSIC", bsic_octal(c.bsic)), ("azimuth", c.azimuth_deg),
                     ("tilt", c.tilt_deg), ("TRX", ", ".join(t.trx_id for t in c.trxs) or None)]
            desc = "; ".join(f"{k} {v}" for k, v in facts if v is not None)
            self.out.write(f"<Placemark><name>{escape(c.name)}</name><description>{escape(desc)}</description>"
                           f"<styleUrl>#site</styleUrl><Point><coordinates>{c.lon:.7f},{c.lat:.7f}</coordinates>"
                           "</Point></Placemark>\n")
            n += 1
        self.out.write("</Folder>\n")
        return n

    def close(self) -> None:
        self.out.write("</Document>\n</kml>\n")
        self.out.flush()


def write_kml(path: str | Path, name: str, samples: Iterable[model.Sample],
              events: Iterable[model.Event] = (), positions: Iterable[model.Position] = (),
              cells: Iterable[model.PlanCell] = ()) -> int:
    """Write a whole KML file; returns the number of placemarks written."""
    with open(path, "w", encoding="utf-8") as f:
        w = KmlWriter(f, name)
        for s in samples:
            w.add_sample(s)
        w.finish_route()
        n = w.segments + w.add_events(events, sorted(positions, key=lambda p: p.ts_utc)) + w.add_cells(cells)
        w.close()
    return n
