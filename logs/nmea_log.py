"""NMEA 0183 logs from a GPS puck (GGA/RMC of any talker) as a ``Position`` track.

Real lines (shared sample ``bu353s4.log``, GlobalSat BU-353-S4, gpsd test log, BSD-2-Clause)::

    # Name: GlobalSat BU-353-S4                       (gpsd's comment header: skipped)
    $GPGGA,030719.000,3747.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000*7D
    $GPGSA,A,3,17,28,06,01,30,20,26,13,,,,,1.8,1.1,1.5*33   (other types: counted, skipped)
    $GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,A*7D

Sentence parsing and the GGA+RMC join are ``fieldapp.nmea``'s (shared with the GPS driver);
this module only streams a file through them. A track is joined to another log's samples by
time with ``logs.track.attach_positions``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fieldapp import model
from fieldapp.nmea import NmeaError, PositionAssembler, parse_sentence
from logs.registry import TIMELINE, ReaderInfo, head_text, register
from logs.stats import ReaderStats

SENTENCE_RE = re.compile(r"^[$!][A-Z]{2}[A-Z]{3},", re.M)


class NmeaLogReader:
    name = "nmea"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.stats = ReaderStats()
        self.header: dict[str, Any] = {"source": "nmea", "path": str(self.path)}

    def __iter__(self) -> Iterator[model.Position]:
        st = self.stats
        assembler = PositionAssembler()
        with open(self.path, "rb") as f:
            for line_no, raw in enumerate(f, 1):
                st.lines = line_no
                st.bytes_read += len(raw)
                try:
                    line = raw.decode("ascii").strip()
                except UnicodeDecodeError:
                    st.bad(line_no, "not text", raw.decode("ascii", "replace"))
                    continue
                if not line:
                    continue
                if not raw.endswith(b"\n"):
                    # The file stops inside this sentence; a sentence may lack "*hh", so a cut
                    # one could still parse with a cut value.
                    st.bad(line_no, "last line cut short (no line end)", line)
                    continue
                if line.startswith("#"):
                    st.unknown["comment"] += 1
                    continue
                if not line.startswith(("$", "!")):
                    st.bad(line_no, "not an NMEA sentence", line)
                    continue
                try:
                    sentence = parse_sentence(line)
                except (NmeaError, IndexError, ValueError) as exc:
                    st.bad(line_no, str(exc) or "bad sentence", line)
                    continue
                if sentence is None:
                    st.unknown[line[3:6] if len(line) > 6 else line] += 1
                    continue
                pos = assembler.feed(sentence)
                if pos is not None:
                    st.records["positions"] += 1
                    self.header.setdefault("start_utc", pos.ts_utc)
                    yield pos


def can_read(path: Path) -> bool:
    head = head_text(path, 4096)
    return bool(SENTENCE_RE.search(head)) and any(
        t in head for t in ("GGA,", "RMC,"))


register(ReaderInfo("nmea", "NMEA 0183 log (GGA/RMC, any talker) as a position track", TIMELINE,
                    can_read, NmeaLogReader, priority=10))
