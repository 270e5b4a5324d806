"""Nemo Outdoor / Handy measurement files (``*.N.nmf``, file format 2.x), streamed line by line.

Wire format (docs/log-formats.md §1; real lines from the shared sample
``RYG0443_R3_R002.3.nmf``, Nemo Outdoor 7.8, #FF 2.27)::

    #START,16:01:58.536,,"26.8.2018"          header: date D.M.YYYY of the first line
    #UT,,,420,420                              minutes to add to UTC to get the PC's local time
    CELLMEAS,16:01:58.567,,5,0,1,3,10588,...   EVENT,local time,context,params...
    CAA,16:02:04.424,1,44,5,1,1,"0800000000",,15000,,   context "1,44" = one context id, 44

Times are the logging PC's local HH:MM:SS.mmm without a date: the date comes from #START and
a time that jumps back by more than 12 h means midnight passed. Repeating groups carry their
own counts; newer versions append fields, so counts are used and unknown trailing fields are
ignored. Unknown record types are counted and skipped.

Record mapping:
- CELLMEAS (system 1 GSM, 5 UMTS, 7/8 LTE) → one ``Sample`` per line; RXQ, TAD and CHI (held
  at most ``HOLD_S``) fill the GSM serving cell's RXQUAL, TA and channel.
- CAA/CAC/CAF/CAD → call ``Event``s keyed by the context id (CSFB: CAA says LTE, CAC/CAD say
  UMTS for the same call).
- GPS → ``Position`` (longitude first!); LOCK → EV_LOCK / EV_UNLOCK.
- Scanner files: FREQSCAN (GSM), PILOTSCAN (UMTS), OFDMSCAN (LTE) → one ``Scan`` per line with
  the last fix (``logs/nemo_scan.py``).

Speed (bench/import_bench.py, issue 15): ~90 % of a file's lines are types we skip; they are
counted in bulk, by numpy (logs/chunks.py), and only the wanted lines reach Python. The usual
UMTS/LTE CELLMEAS and GPS lines, most of those, are read by a compiled part
(logs/nemo_fast.py: ~2.8 µs a UMTS line with its Sample, ~1.6 µs a GPS line) that calls back
``_cellmeas_read`` / ``_gps_read`` here; the parse is then ~6.5x the bare line read of the file
in CPU time. Every other line, and every line where that part is not built, is read here in
Python (a UMTS CELLMEAS line ~6.5-7 µs: decode, split, 3-4 Cells read in place, the Sample; GPS
~3 µs; the parse ~9x): the hot paths read the usual line with the fewest calls (fields in place,
numbers converted once per distinct text, the minute of the time and a held CHI reused);
anything unusual takes the general code, which says why a line is bad.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fieldapp import model
from fieldapp.radio import valid_rxqual, valid_ta
from logs.chunks import CHUNK_BYTES, WantedLines
from logs.fast_records import position, sample
from logs.nemo_fast import compiled_line_reader
from logs.nemo_fields import (
    CELL_PARSERS,
    NemoError,
    Numbers,
    field,
    float_or_none,
    int64,
    int_or_none,
    parse_date,
    parse_time_of_day,
    split_context,
    split_line,
    umts_line_cells,
)
from logs.nemo_scan import SCAN_PARSERS, SCAN_SYSTEMS
from logs.registry import TIMELINE, ReaderInfo, head_text, register
from logs.stats import ReaderStats

SYSTEM_TECH = {1: model.GSM, 5: model.UMTS, 7: model.LTE, 8: model.LTE}
HOLD_S = 2.0  # RXQ/TAD/CHI older than this are not put on a sample (SACCH reports every 0.48 s)
_CHI_KEY = {1: "chi1", 5: "chi5", 7: "chi7", 8: "chi8"}  # CELL_PARSERS' systems -> the held CHI
GPS_HOLD_S = 5.0  # a sample carries the last fix when it is at most this old
ROLLOVER_S = 12 * 3600  # a time this much earlier than the previous one is the next day

# The lines we read; every other record type is only counted (logs/chunks.py).
WANTED_IDS = ("CELLMEAS", "RXQ", "TAD", "CHI", "CAA", "CAC", "CAF", "CAD", "GPS", "LOCK", "#STOP",
              "FREQSCAN", "PILOTSCAN", "OFDMSCAN")
# A record id; "# ..." (hash, space) is a comment line such as a test fixture's provenance.
VALID_ID_RE = re.compile(rb"#?[A-Z][A-Z0-9_]*|# .*")

# CAC status, CAF fail status, CAD disconnect status (docs/log-formats.md §1.5, AWE NemoEvents [S]).
CAC_STATUS = {1: "traffic channel allocated", 2: "alerting", 3: "connected", 4: "dial-up established"}
CAF_STATUS = {1: "timeout before connection", 2: "released before connection", 3: "service not available",
              4: "rejected", 5: "test system failure", 6: "SDCCH blocking", 7: "TCH blocking",
              8: "RRC connection failed"}
CAD_STATUS = {1: "normal", 2: "dropped", 3: "dropped, out of service", 4: "dropped in handover"}
CALL_TYPE = {1: "voice", 3: "data", 7: "video", 10: "VoIP", 14: "LTE IMS voice"}


class NemoReader:
    """Iterate a ``.nmf`` file's records in file order. ``utc_offset_min`` overrides #UT."""

    name = "nemo"
    chunk_bytes = CHUNK_BYTES  # the file is read in blocks of this size (logs/chunks.py)

    def __init__(self, path: str | Path, *, utc_offset_min: int | None = None,
                 date: str | None = None, compiled: bool = True) -> None:
        self.path = Path(path)
        self._compiled = compiled  # False: every line in Python (logs/nemo_fast.py; tests compare the two)
        self.stats = ReaderStats()
        self._utc_offset_override = utc_offset_min
        self._date_override = date
        self.header: dict[str, Any] = self._read_header()

    # ------------------------------------------------------------------ header
    def _read_header(self) -> dict[str, Any]:
        """The '#' lines at the top (stops at the first data line; cheap)."""
        header: dict[str, Any] = {"source": "nemo", "path": str(self.path)}
        with open(self.path, "rb") as f:
            for n, raw in enumerate(f):
                if n > 500:
                    break
                if not raw.startswith(b"#"):
                    if VALID_ID_RE.fullmatch(raw.split(b",", 1)[0]):
                        break  # the first data line
                    continue  # a broken line inside the header (a stray quote): skip it
                try:
                    self._header_line(header, split_line(raw.decode("utf-8").rstrip("\r\n")))
                except (UnicodeDecodeError, NemoError, StopIteration):
                    continue
        if self._utc_offset_override is not None:
            header["utc_offset_min"] = self._utc_offset_override
        if self._date_override:
            header["date"] = self._date_override
        if "date" in header:
            try:
                midnight = parse_date(header["date"]) - 60 * header.get("utc_offset_min", 0)
            except NemoError:
                # Every data line's time counts from this date: the reader cannot go on (a
                # NemoError is a ValueError: the import and the replay say it in one line).
                if self._date_override:
                    raise NemoError(f"date {header['date']!r} is not D.M.YYYY") from None
                raise NemoError(f"{self.path.name}: the #START date {header['date']!r} is not D.M.YYYY; "
                                "give the file's date with --date D.M.YYYY") from None
            if "start_s" in header:
                header["start_utc"] = midnight + header["start_s"]
        return header

    @staticmethod
    def _header_line(header: dict[str, Any], f: list[str]) -> None:
        key = f[0]
        vals = [v.strip() for v in f[3:]]
        if key == "#PRODUCT" and vals:
            header["product"] = " ".join(v for v in vals if v)
        elif key == "#FF" and vals:
            header["file_format"] = vals[0]
        elif key == "#DN" and vals:
            header["device"] = vals[0]
        elif key == "#UT" and vals and vals[0]:
            header["utc_offset_min"] = int_or_none(vals[0])
        elif key == "#START" and vals:
            header["date"] = vals[0]
            if f[1]:
                header["start_s"] = parse_time_of_day(f[1])
        elif key == "#DS" and vals:
            header["systems"] = [int(v) for v in vals[1:] if v.isdecimal()]
        elif key == "#DT" and vals:
            # #DT,,,1 a UE (phone), #DT,,,2 a scanner (log-formats.md §1.3)
            header["device_type"] = {"1": "ue", "2": "scanner"}.get(vals[0], vals[0] or None)

    # ------------------------------------------------------------------ records
    def __iter__(self) -> Iterator[model.Record]:
        self._day0 = None if "date" not in self.header else (
            parse_date(self.header["date"]) - 60 * self.header.get("utc_offset_min", 0))
        # The #START time is the first time of the file: data after midnight is the next day.
        self._last_s: float | None = self.header.get("start_s")
        self._day = 0
        self._day_utc = self._day0  # _day0 + _day * 86400
        self._minute_text, self._minute_s = "", 0  # the last "HH:MM:" read and its seconds
        self._held: dict[str, tuple[float, Any]] = {}  # "rxq"/"ta"/"chi<sys>" -> (ts, value)
        self._fix: model.Position | None = None
        self._chi_anchor: dict[int, tuple[float, tuple]] = {}
        self._chi_memo: list[Any] = [None]  # [held CHI, mode, channel, (ci, lac) or None]
        self._ints, self._floats = Numbers(int64), Numbers(float)  # field texts converted once
        st = self.stats
        lines = WantedLines(self.path, WANTED_IDS, VALID_ID_RE, st, self.chunk_bytes)
        record, counts = self._record, st.records
        # The usual CELLMEAS and GPS lines read by the compiled part (logs/nemo_fast.py), which
        # calls back for the records; NotImplemented: any other line, read here. (A local, not an
        # attribute: it holds this reader's methods, which would make a reference cycle.)
        fast = compiled_line_reader(self._cellmeas_read, self._gps_read) if self._compiled else None
        for block in lines.blocks():
            for k, raw in enumerate(block):
                try:
                    rec = NotImplemented if fast is None else fast(raw)
                    if rec is NotImplemented:
                        line = raw.decode("utf-8")
                        rec = record(line.split(",") if '"' not in line else next(csv.reader([line])))
                # NemoError is a ValueError; OverflowError: an 'inf' where an integer is read
                # (int(float('inf')) in a level or BSIC field of a damaged line)
                except (ValueError, IndexError, OverflowError, csv.Error) as exc:
                    reason = "not text" if isinstance(exc, UnicodeDecodeError) else \
                        "too few fields" if isinstance(exc, IndexError) else \
                        str(exc) if isinstance(exc, NemoError) else f"bad value ({exc})"
                    st.bad(lines.line_no(k), reason, raw.decode("utf-8", "replace"))
                    continue
                if rec is not None:
                    counts[_KIND[type(rec)]] += 1
                    yield rec

    def _ts(self, text: str) -> float:
        """A line's time of day → POSIX seconds UTC. The usual HH:MM:SS.mmm of the minute read
        last, not before the previous time, is one float(); anything else _ts_general."""
        if text[:6] == self._minute_text and len(text) == 12:
            try:
                sec = float(text[6:])
            except ValueError:
                sec = -1.0
            if 0 <= sec < 61:
                s = self._minute_s + sec
                if s >= self._last_s - ROLLOVER_S:  # (a minute is known only with a day and a last time)
                    self._last_s = s
                    return self._day_utc + s
        return self._ts_general(text)

    def _ts_general(self, text: str) -> float:
        s = parse_time_of_day(text)
        if self._day0 is None:
            raise NemoError("data before #START: the file has no date (use --date)")
        if self._last_s is not None and s < self._last_s - ROLLOVER_S:
            self._day += 1  # midnight passed
            self._day_utc = self._day0 + self._day * 86400
        self._last_s = s
        if len(text) == 12 and text[2] == ":" and text[5] == ":":  # parse_time_of_day checked it
            self._minute_text, self._minute_s = text[:6], int(text[:2]) * 3600 + int(text[3:5]) * 60
        return self._day_utc + s

    def _record(self, f: list[str]) -> model.Record | None:
        """The record of one wanted line's fields, or None (state such as CHI, or skipped)."""
        rid = f[0]
        if rid == "#STOP":
            if f[1]:
                self.header["stop_utc"] = self._ts(f[1])
            return None
        ts = self._ts(f[1])
        if len(f) > 2 and not f[2]:  # no context ids (most lines): split_context's result, cheaper
            if rid == "CELLMEAS" and len(f) > 3 and f[3] == "5":
                # UMTS, the bulk of a drive: _cellmeas(ts, f[3:]) with the cells read in place
                serving, cells = umts_line_cells(f, self._ints, self._floats)
                return self._sample(ts, 5, serving, tuple(cells))
            ids: list[str] = []
            p = f[3:]
        else:
            ids, p = split_context(f)
        if rid == "CELLMEAS":
            return self._cellmeas(ts, p)
        if rid == "GPS":
            return self._gps(ts, p)
        if rid in ("CAA", "CAC", "CAF", "CAD"):
            return self._call(rid, ts, ids, p)
        if rid == "LOCK":
            return self._lock(ts, p)
        if rid in SCAN_PARSERS:
            return self._scan(rid, ts, p)
        system = int_or_none(p[0])
        if system != 1 and rid in ("RXQ", "TAD"):
            return None  # UMTS/LTE RXQ/TAD: other units, not put on GSM cells
        if rid == "RXQ":
            # RXQ,t,,1,<RxQual full>,<RxQual sub>
            self._held["rxq"] = (ts, (valid_rxqual(int_or_none(p[1])), valid_rxqual(int_or_none(field(p, 2)))))
        elif rid == "TAD":
            # TAD,t,,1,<TA>
            self._held["ta"] = (ts, valid_ta(int_or_none(p[1])))
        elif rid == "CHI":
            self._held[f"chi{system}"] = (ts, p)
        return None

    def _recent(self, key: str, ts: float, hold_s: float = HOLD_S) -> Any:
        item = self._held.get(key)
        if item is None or ts - item[0] > hold_s:
            return None
        return item[1]

    def _cellmeas(self, ts: float, p: list[str]) -> model.Sample | None:
        t = p[0]
        try:
            system = self._ints[t]
        except ValueError:
            system = int_or_none(t)  # type: ignore[assignment]
        parse = CELL_PARSERS.get(system)
        if parse is None:
            self.stats.unknown[f"CELLMEAS system {system}"] += 1
            return None
        serving, cells = parse(p, self._ints, self._floats)
        return self._sample(ts, system, serving, tuple(cells))

    def _cellmeas_read(self, time_text: str, system: int, serving: model.Cell | None,
                       cells: tuple[model.Cell, ...]) -> model.Sample:
        """The Sample of a CELLMEAS line whose cells the compiled part read (logs/nemo_fast.py)."""
        return self._sample(self._ts(time_text), system, serving, cells)

    def _sample(self, ts: float, system: int, serving: model.Cell | None,
                cells: tuple[model.Cell, ...]) -> model.Sample:
        mode = None if serving is None else self._complete_serving(system, ts, serving)
        fix = self._fix
        pos = fix if fix is not None and ts - fix.ts_utc <= GPS_HOLD_S else None
        # A measurement without a serving cell (neighbours of another system, a scanner's
        # list) says nothing about the technology the device was on: no tech, so it cannot
        # flip the session's technology; its cells are kept.
        return sample(ts, SYSTEM_TECH[system] if serving is not None else None, serving, cells, pos, mode)

    def _complete_serving(self, system: int, ts: float, cell: model.Cell) -> str | None:
        """Put the held CHI (cell id, LAC, channel) and GSM RXQ/TA on the serving cell's
        fields (only values that are known); return the radio mode. CHI is state (sent on
        change), so it is held as long as it names the same cell."""
        held = self._held.get(_CHI_KEY[system])
        mode = None
        if held is not None:
            chi = held[1]
            if system != 1:
                # A CHI is read once for the CELLMEAS lines it serves (several a second): the
                # mode and the channel it names, then the cell id and LAC when first put on a
                # cell. A bad field raises each time, as it would unremembered.
                memo = self._chi_memo
                if memo[0] is not held:
                    memo = self._chi_memo = [held, *self._chi_mode_channel(system, chi), None]
                mode = memo[1]
                if system == 5:
                    ok = memo[2] == cell.arfcn and self._chi_cell_ok(system, held[0], cell)
                else:
                    ok = memo[2] == cell.arfcn and int_or_none(field(chi, 5)) == cell.pci
                if ok:
                    if memo[3] is None:
                        k = 4 if system == 5 else 6
                        memo[3] = (int_or_none(field(chi, k)), int_or_none(field(chi, k + 1)))
                    ci, lac = memo[3]
                    if ci is not None:  # an unknown keeps the cell's value
                        cell.ci = ci
                    if lac is not None:
                        cell.lac = lac
            else:
                # CHI,t,,1,<band>,<channel type>,<ARFCN>,<cell ID>,<LAC>,<DTX UL>,<RLT max>,
                #   <ext. channel type>,<timeslot>,<BCCH>[,<BSIC>,<BCCH band>] [S]
                # (``chi`` starts with the system, so the band is chi[1])
                bcch = int_or_none(field(chi, 10))
                if bcch == cell.arfcn or (bcch is None and self._chi_cell_ok(system, held[0], cell)):
                    if cell.ci is None:
                        self._set_ci_lac(cell, int_or_none(field(chi, 4)), int_or_none(field(chi, 5)))
                    timeslot = int_or_none(field(chi, 9))
                    if timeslot is not None:  # held until the call ends (CAD/CAF drop it)
                        mode = model.DEDICATED
                        cell.channel = model.Channel(tch_arfcn=int_or_none(field(chi, 3)), timeslot=timeslot)
        if system == 1:
            rxq = self._recent("rxq", ts)
            if rxq is not None:
                if rxq[0] is not None:
                    cell.rxqual = rxq[0]
                if rxq[1] is not None:
                    cell.rxqual_sub = rxq[1]
            ta = self._recent("ta", ts)
            if ta is not None:
                cell.ta = ta
        return mode

    @staticmethod
    def _chi_mode_channel(system: int, chi: list[str]) -> tuple[str | None, int | None]:
        """(radio mode, channel) of a UMTS or LTE CHI."""
        rrc = int_or_none(field(chi, 2))
        if system == 5:
            # CHI,16:02:04.572,,5,50001,4,10588,23823345,3122,...: band, RRC state, UARFCN, cell id, LAC
            # RRC state 1 idle .. 5 CELL_DCH [G: the sample shows 5 between CAC and CAD].
            return model.DEDICATED if rrc == 5 else model.IDLE if rrc == 1 else None, int_or_none(field(chi, 3))
        # CHI,16:03:34.176,,7,70001,1,25,125,400,13320452,174,...: band, RRC state
        # (1 idle, 2 connected), ?, EARFCN, PCI, cell identity, TAC
        return model.DEDICATED if rrc == 2 else model.IDLE if rrc == 1 else None, int_or_none(field(chi, 4))

    @staticmethod
    def _set_ci_lac(cell: model.Cell, ci: int | None, lac: int | None) -> None:
        # The Cell is not published yet (Cell is immutable once out); an unknown keeps its value.
        if ci is not None:
            cell.ci = ci
        if lac is not None:
            cell.lac = lac

    def _chi_cell_ok(self, system: int, ts_chi: float, cell: model.Cell) -> bool:
        """A CHI that does not name its cell (UMTS: no PSC; GSM without BCCH) gives its cell id
        only while the serving cell is the one that was serving when that CHI arrived (a
        soft handover or a reselection changes the cell without a new CHI)."""
        key = (cell.arfcn, cell.pci, cell.bsic)
        anchor = self._chi_anchor.get(system)
        if anchor is None or anchor[0] != ts_chi:
            self._chi_anchor[system] = (ts_chi, key)
            return True
        return anchor[1] == key

    # Real lines (sample): CAA,16:02:04.424,1,44,5,1,1,"0800000000",,15000,,
    #   CAC,16:02:16.467,1,44,5,1,3,0   CAD,16:02:40.706,1,44,5,1,1,16   CAF,16:04:34.351,1,47,5,1,2,
    def _call(self, rid: str, ts: float, ids: list[str], p: list[str]) -> model.Event:
        call_id = ids[0] if ids else ""
        system = int_or_none(p[0])
        call_type = int_or_none(field(p, 1))
        data: dict[str, Any] = {"call_id": call_id, "system": system,
                                "tech": SYSTEM_TECH.get(system) if system else None,  # type: ignore[arg-type]
                                "call_type": CALL_TYPE.get(call_type, call_type)}  # type: ignore[arg-type]
        if rid == "CAA":
            direction = int_or_none(field(p, 2))
            data.update(direction={1: "mo", 2: "mt"}.get(direction), number=field(p, 3) or None)  # type: ignore[arg-type]
            return model.Event(ts, model.EV_CALL_ATTEMPT, f"call attempt ({data['call_type']})", data)
        status = int_or_none(field(p, 2))
        data["status"] = status
        if rid == "CAC":
            data["status_text"] = text = CAC_STATUS.get(status, f"status {status}")  # type: ignore[arg-type]
            kind = {2: model.EV_CALL_ALERTING, 3: model.EV_CALL_CONNECTED,
                    4: model.EV_CALL_CONNECTED}.get(status, model.EV_INFO)  # type: ignore[arg-type]
            return model.Event(ts, kind, f"call {text}", data)
        data["cause"] = int_or_none(field(p, 3))
        for key in ("rxq", "ta", "chi1"):  # dedicated-mode values end with the call
            self._held.pop(key, None)
        if rid == "CAF":
            data["status_text"] = text = CAF_STATUS.get(status, f"status {status}")  # type: ignore[arg-type]
            return model.Event(ts, model.EV_CALL_FAILED, f"call failed: {text}", data)
        data["status_text"] = text = CAD_STATUS.get(status, f"status {status}")  # type: ignore[arg-type]
        kind = model.EV_CALL_RELEASED if status == 1 else model.EV_CALL_DROPPED
        return model.Event(ts, kind, f"call ended: {text}", data)

    def _scan(self, rid: str, ts: float, p: list[str]) -> model.Scan | None:
        system = int_or_none(p[0])
        if system not in SCAN_SYSTEMS[rid]:
            self.stats.unknown[f"{rid} system {system}"] += 1
            return None
        pos = self._fix if self._fix is not None and ts - self._fix.ts_utc <= GPS_HOLD_S else None
        scan = SCAN_PARSERS[rid](ts, p, pos)
        if scan is None:  # a measurement of the record we do not read (OFDMSCAN type 2)
            self.stats.unknown[f"{rid} type {field(p, 3)}"] += 1
        return scan

    # Real line (sample): GPS,16:01:59.777,,101.267143,12.659351,10,0,1,9,0,1.90,1.10,1.60,1
    #   lon, lat, height m, distance m, fix (1 = fix), satellites, velocity km/h[, PDOP, HDOP, VDOP, ..]
    def _gps(self, ts: float, p: list[str]) -> model.Position | None:
        if len(p) > 8:  # the usual whole line, all numbers there: one C call per number
            try:
                ints, floats = self._ints, self._floats
                lon, lat, fix, kmh = float(p[0]), float(p[1]), ints[p[4]], floats[p[6]]
                alt, hdop, sats = floats[p[2]], floats[p[8]], ints[p[5]]
            except ValueError:
                pass  # an empty or odd field: the general path below says what it is
            else:
                if fix != 0 and -90 <= lat <= 90 and -180 <= lon <= 180:
                    self._fix = position(ts, lat, lon, alt, kmh / 3.6, hdop, sats, fix)
                    return self._fix
        return self._gps_general(ts, p)

    def _gps_read(self, time_text: str, lon: float, lat: float, alt: float, fix: int, sats: int, kmh: float,
                  hdop: float) -> model.Position:
        """The fix of a GPS line the compiled part read (all numbers there, a fix, in range)."""
        self._fix = position(self._ts(time_text), lat, lon, alt, kmh / 3.6, hdop, sats, fix)
        return self._fix

    def _gps_general(self, ts: float, p: list[str]) -> model.Position | None:
        """Any GPS line: blanks, missing fields, no fix; the reason of a bad one."""
        lon, lat = float_or_none(p[0]), float_or_none(p[1])
        fix = int_or_none(field(p, 4))
        if lon is None or lat is None or fix == 0:
            self.stats.unknown["GPS without fix"] += 1
            return None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise NemoError(f"position out of range: {lat}, {lon}")
        kmh = float_or_none(field(p, 6))
        self._fix = model.Position(
            ts_utc=ts, lat=lat, lon=lon, alt_m=float_or_none(field(p, 2)),
            speed_mps=None if kmh is None else kmh / 3.6, hdop=float_or_none(field(p, 8)),
            sats=int_or_none(field(p, 5)), fix_quality=fix)
        return self._fix

    # Real line (sample): LOCK,16:01:58.567,,2,3,1,5,4,1,70001
    # Read as count-prefixed groups [G]: 2 locks: (type 3, 1 value: system 5), (type 4, 1 value:
    # band 70001). A LOCK with 0 groups releases every lock.
    def _lock(self, ts: float, p: list[str]) -> model.Event:
        raw = ",".join(p)
        locks = []
        try:
            n = int_or_none(p[0]) or 0
            i = 1
            for _ in range(n):
                ltype, count = int_or_none(p[i]), int_or_none(p[i + 1]) or 0
                locks.append({"type": ltype, "values": [int_or_none(v) for v in p[i + 2:i + 2 + count]]})
                i += 2 + count
        except (NemoError, IndexError):
            locks = []
            n = -1
        data = {"locks": locks, "raw": raw}
        if n == 0:
            return model.Event(ts, model.EV_UNLOCK, "locks released", data)
        return model.Event(ts, model.EV_LOCK, f"lock {raw}", data)


_KIND = {model.Sample: "samples", model.Event: "events", model.Position: "positions", model.Scan: "scans"}


def can_read(path: Path) -> bool:
    head = head_text(path, 512).lstrip()
    return head.startswith(("#PRODUCT,", "#FF,")) or (path.suffix.lower() == ".nmf" and head.startswith("#"))


def open_reader(path: str | Path, **options: Any) -> NemoReader:
    return NemoReader(path, **options)


register(ReaderInfo("nemo", "Nemo Outdoor/Handy measurement file (.nmf 2.x)", TIMELINE,
                    can_read, open_reader, priority=50))
