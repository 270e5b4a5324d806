"""G-NetTrack Pro/Lite text logs (Android): the main log and its ``_events`` side file.

Real lines (shared sample ``Yas_log.txt``, Dakar 2025; TAB separated, CRLF, a trailing TAB on
data rows; columns are chosen by the user, so they are mapped by header name)::

    Timestamp	Longitude	Latitude	Operatorname	Operator	Cellname	Node	CellID	LAC	NetworkTech	Level	Qual	SNR	...
    2025.07.18_22.11.08	-17.436165	14.665338	Yas	60802		1032	1	701	4G	-96	-15	0.0	...
    2025.07.18_22.15.03	-17.43523	14.665197	Yas	60802		5	10593	43	2G	-73	-	-	...

``Level`` is dBm (RSSI 2G, RSCP 3G, RSRP 4G), ``Qual`` is EcNo/RSRQ and always "-" on 2G
(Android gives no RXQUAL). Sentinels (-113 "no measurement" on 2G/3G, -200 with tech "--",
CellID -1/0, out-of-range values) become ``None``. Times are the phone's local time with no
zone: ``utc_offset_min`` (default 0) turns them into UTC and the header says it was assumed.

Events (``Yas_log_events.txt``)::

    2025.07.18_22.12.39	...	CALL_START	608-02-701-1059-1 VOICE SEQUENCE:1	D
    2025.07.18_22.13.24	...	CALL_END	608-02-43-5-10593 VOICE SEQUENCE:1	V
    2025.07.18_22.13.49	...	CALL_END	608-02-43-5-10593	I        (a repeat without a sequence)
    2025.07.18_22.11.36	...	IRAT_HANDOVER_DATA_2G4G	608-02-0--0-0-0:608-02-701-1032-1-1850-132	D

Speed (bench/import_bench.py, issue 15): a row costs ~5.5 µs to parse (12.8 before): columns
are found by name once per file, the serving cell's repeated columns converted once, the records
built positionally. A row is 100 bytes that Python reads in 0.08 µs, and every row becomes a
Sample and a Position, so the parse stays ~70x the bare read (the import ~240x, the store the
rest).
"""

from __future__ import annotations

import calendar
import functools
import heapq
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from fieldapp import model
from fieldapp.radio import dbm_to_rxlev, valid_arfcn, valid_ta
from logs.fast_records import init_cell, new_cell, position, sample
from logs.registry import TIMELINE, ReaderInfo, head_text, register
from logs.stats import ReaderStats

TECH = {"2G": model.GSM, "3G": model.UMTS, "4G": model.LTE}
NO_SERVICE = {"", "-", "--"}  # NetworkTech of a row with no network (Operator NO_COVERAGE) [O]
# Plausible ranges; anything outside is a sentinel or garbage and becomes None.
LEVEL_RANGE = {model.GSM: (-120.0, -25.0), model.UMTS: (-125.0, -25.0), model.LTE: (-140.0, -44.0)}
QUAL_RANGE = {model.UMTS: (-24.0, 0.0), model.LTE: (-34.0, 3.0)}  # -24 EcNo is a sentinel [O]
NO_MEASUREMENT_DBM = -113.0  # 2G/3G rows with nothing measured [O]
SEQUENCE_RE = re.compile(r"SEQUENCE:(\d+)")


class RowError(ValueError):
    pass


@functools.lru_cache(maxsize=4096)
def _minute_utc(prefix: str) -> float:
    """'2025.07.18_22.11' → POSIX seconds of that minute (as if UTC): the calendar arithmetic
    once per minute of log instead of once per row (most of a row's parse time before)."""
    return _parse_timestamp(prefix + ".00")


def parse_timestamp(text: str, utc_offset_min: int = 0) -> float:
    """'2025.07.18_22.11.08' (phone local time) → POSIX seconds UTC."""
    if len(text) == 19 and text[16] == "." and text[17:].isdecimal() and int(text[17:]) < 61:
        try:
            return _minute_utc(text[:16]) + int(text[17:]) - 60 * utc_offset_min
        except RowError:
            pass  # reported below with the row's own text
    return _parse_timestamp(text, utc_offset_min)


def _parse_timestamp(text: str, utc_offset_min: int = 0) -> float:
    try:
        date, time = text.strip().split("_")
        y, mo, d = (int(x) for x in date.split("."))
        h, mi, s = (int(x) for x in time.split("."))
        if not (1 <= mo <= 12 and 1 <= d <= 31 and 0 <= h < 24 and 0 <= mi < 60 and 0 <= s < 61):
            raise ValueError
        return float(calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0)) - 60 * utc_offset_min)
    except ValueError:
        raise RowError(f"bad timestamp {text!r}") from None


def _num(text: str | None) -> float | None:
    if text:  # fast path: a number in one C call (float() skips blanks; NaN is no value)
        try:
            v = float(text)
        except ValueError:
            pass
        else:
            return v if v == v else None
    if text is None:
        return None
    t = text.strip()
    if not t or t == "-":
        return None
    try:
        v = float(t)
    except ValueError:
        raise RowError(f"not a number: {t!r}") from None
    return v if v == v else None


def _int(text: str | None) -> int | None:
    v = _num(text)
    # not an integer (5.5, inf) is no value; int(inf) would raise
    if v is None or v in _INFINITE or v != int(v):
        return None
    if not -_INT64 <= v < _INT64:  # a garbled field: no counter or identity gets there
        raise RowError(f"a whole number beyond 64 bits: {text!r}")
    return int(v)


_INT64 = 2.0**63


_INFINITE = (float("inf"), float("-inf"))


def _in(v: float | None, rng: tuple[float, float] | None) -> float | None:
    if v is None or rng is None:
        return None
    return v if rng[0] <= v <= rng[1] else None


def level_and_quality(tech: str, level_text: str | None, qual_text: str | None) -> tuple[float | None, float | None]:
    """A row's level (dBm) and quality (EcNo/RSRQ dB) of ``tech``, serving or neighbour columns
    alike: the -113 "no measurement" (2G/3G), the -24 EcNo and values out of range are unknown."""
    level = _num(level_text)
    if level == NO_MEASUREMENT_DBM and tech in (model.GSM, model.UMTS):
        level = None
    qual = _in(_num(qual_text), QUAL_RANGE.get(tech))
    if tech == model.UMTS and qual == QUAL_RANGE[model.UMTS][0]:
        qual = None
    return _in(level, LEVEL_RANGE[tech]), qual


def _pos_int(v: int | None) -> int | None:
    """Ids where -1 and 0 mean "not known" [O]."""
    return v if v is not None and v > 0 else None


def split_operator(text: str | None) -> tuple[int | None, int | None]:
    """'60802' → (608, 2). MCC is always 3 digits; the MNC is the rest."""
    t = (text or "").strip()
    if len(t) in (5, 6) and t.isdecimal():
        return int(t[:3]), int(t[3:])
    return None, None


split_operator_cached = functools.lru_cache(maxsize=256)(split_operator)
level_and_quality_cached = functools.lru_cache(maxsize=8192)(level_and_quality)


@functools.lru_cache(maxsize=4096)
def _cell_ids(node: str | None, cellid: str | None, lac: str | None, arfcn: str | None,
              psc: str | None) -> tuple[int | None, ...]:
    """A serving row's Node, CellID, LAC (-1 and 0 unknown), ARFCN and PSC columns as integers."""
    return _pos_int(_int(node)), _pos_int(_int(cellid)), _pos_int(_int(lac)), _int(arfcn), _int(psc)


def parse_cell_string(text: str) -> dict[str, Any] | None:
    """'608-02-701-1032-1-1850-132' → MCC-MNC-LAC/TAC-Node-CellID-ARFCN-PSC/PCI [G: field names
    inferred from the values]; unknown parts ('0', '') become None."""
    parts = text.strip().split("-")
    if len(parts) < 5:
        return None
    names = ("mcc", "mnc", "lac", "node", "cellid", "arfcn", "psc")
    out: dict[str, Any] = {}
    for name, part in zip(names, parts):
        out[name] = int(part) if part.isdecimal() and int(part) > 0 else None
    return out


class _Table:
    """A TAB-separated file with a header row; yields (line_no, line, columns) for each row with
    as many columns as the header (``header`` is set when the first row comes)."""

    def __init__(self, path: Path, stats: ReaderStats, label: str = "") -> None:
        self.path = path
        self.stats = stats
        self.label = label  # prefixes reasons when two files share one ReaderStats
        self.header: list[str] = []

    def rows(self) -> Iterator[tuple[int, str, list[str]]]:
        st = self.stats
        with open(self.path, "rb") as f:
            header: list[str] | None = None
            n = 0
            for line_no, raw in enumerate(f, 1):
                st.lines += 1
                st.bytes_read += len(raw)
                try:
                    line = raw.decode("utf-8").rstrip("\r\n")
                except UnicodeDecodeError:
                    st.bad(line_no, self.label + "not text", raw.decode("utf-8", "replace"))
                    continue
                if not line or line.isspace():
                    continue
                if not raw.endswith(b"\n"):
                    # The file stops inside this row: its last value may be cut ("-96" -> "-9").
                    st.bad(line_no, self.label + "last line cut short (no line end)", line)
                    continue
                if header is None and line.startswith("#"):
                    continue  # comment lines before the header (a fixture's provenance)
                cols = line.split("\t")
                if header is None:
                    header = self.header = [c.strip().lstrip("\ufeff") for c in cols]
                    while header and not header[-1]:
                        header.pop()
                    n = len(header)
                    continue
                while len(cols) > n and not cols[-1]:
                    cols.pop()  # the trailing TAB
                if len(cols) != n:
                    st.bad(line_no, f"{self.label}row has {len(cols)} fields, the header {n}", line)
                    continue
                yield line_no, line, cols


class GNetTrackReader:
    """The main log as Samples (+ a Position per new second), merged in time order with the
    ``<name>_events.txt`` side file when it lies next to it."""

    name = "gnettrack"

    def __init__(self, path: str | Path, *, utc_offset_min: int | None = None,
                 events_path: str | Path | None = None, with_events: bool = True) -> None:
        self.path = Path(path)
        self.stats = ReaderStats()
        self.utc_offset_min = utc_offset_min or 0
        sibling = self.path.with_name(self.path.stem + "_events" + self.path.suffix)
        self.events_path = Path(events_path) if events_path else (
            sibling if with_events and sibling.exists() else None)
        self.header: dict[str, Any] = {
            "source": "gnettrack", "path": str(self.path), "utc_offset_min": self.utc_offset_min,
            "utc_offset_assumed": utc_offset_min is None,
            "events_path": str(self.events_path) if self.events_path else None}

    def __iter__(self) -> Iterator[model.Record]:
        stream = self._main()
        if self.events_path is not None:
            events = GNetTrackEventsReader(self.events_path, utc_offset_min=self.utc_offset_min,
                                           stats=self.stats, label=f"{self.events_path.name}: ")
            stream = heapq.merge(stream, events._events(), key=lambda r: r.ts_utc)
        counts, header = self.stats.records, self.header
        for rec in stream:
            counts[_KIND[type(rec)]] += 1
            if "start_utc" not in header:
                header["start_utc"] = rec.ts_utc
            yield rec

    def _main(self) -> Iterator[model.Record]:
        last_fix_ts = None
        table = _Table(self.path, self.stats)
        parse = None
        for line_no, line, cols in table.rows():
            if parse is None:
                parse = self._row_parser(table.header)
            try:
                sample, pos = parse(cols)
            except RowError as exc:
                self.stats.bad(line_no, str(exc), line)
                continue
            if pos is not None and pos.ts_utc != last_fix_ts:
                last_fix_ts = pos.ts_utc
                yield pos
            if sample is not None:
                yield sample

    def _row_parser(self, header: list[str]) -> Callable[[list[str]], tuple[model.Sample | None,
                                                                           model.Position | None]]:
        """The parse of one main-log row (its columns, as many as the header's), for this header.

        Columns are found by name once (the last of a repeated name; a missing one reads as
        None) and held in the closure, so a row costs no dict and no name lookup: the hot path
        of a G-NetTrack import, one row a second of driving (bench/import_bench.py)."""
        where = {name: i for i, name in enumerate(header)}
        absent = len(header)  # a row gets one None appended at this index

        def col(name: str) -> int:
            return where.get(name, absent)

        i_ts, i_tech, i_lat, i_lon, i_alt, i_speed = (
            col("Timestamp"), col("NetworkTech"), col("Latitude"), col("Longitude"), col("Altitude"), col("Speed"))
        i_operator, i_level, i_qual, i_node, i_cellid, i_lac, i_arfcn, i_psc, i_name, i_ta, i_snr = (
            col("Operator"), col("Level"), col("Qual"), col("Node"), col("CellID"), col("LAC"), col("ARFCN"),
            col("PSC"), col("Operatorname"), col("TA"), col("SNR"))
        groups = [tuple(col(name) for name in g) for g in neighbour_groups(header)]
        offset_s = 60 * self.utc_offset_min
        utc_offset_min = self.utc_offset_min
        unknown = self.stats.unknown
        minute = ["", 0.0]  # the last "YYYY.MM.DD_HH.MM" read and its seconds (as if UTC)
        SERVING, GSM, UMTS = model.SERVING, model.GSM, model.UMTS
        Cell = model.Cell

        def parse(c: list[str]) -> tuple[model.Sample | None, model.Position | None]:
            c.append(None)  # type: ignore[arg-type]  # the absent columns' value
            t = c[i_ts] if i_ts != absent else ""
            # '2025.07.18_22.11.08': the minute's calendar arithmetic once per minute of log
            sec = _SECONDS.get(t[17:])
            if sec is not None and t[:16] == minute[0] and len(t) == 19 and t[16] == ".":
                ts = minute[1] + sec - offset_s
            else:
                ts = parse_timestamp(t, utc_offset_min)
                if len(t) == 19 and t[16] == "." and t[17:].isdecimal() and int(t[17:]) < 61:
                    minute[0], minute[1] = t[:16], _minute_utc(t[:16])  # parse_timestamp read it so
            tech_text = (c[i_tech] or "").strip()
            tech = TECH.get(tech_text)
            try:  # _num(), in one C call each when both are numbers
                lat, lon = float(c[i_lat]), float(c[i_lon])  # type: ignore[arg-type]
            except (ValueError, TypeError):
                lat, lon = _num(c[i_lat]), _num(c[i_lon])
            else:
                if lat != lat or lon != lon:  # NaN is no value
                    lat, lon = _num(c[i_lat]), _num(c[i_lon])
            pos = None
            if lat is not None and lon is not None and (lat, lon) != (0.0, 0.0) \
                    and -90 <= lat <= 90 and -180 <= lon <= 180:
                t = c[i_speed]
                pos = position(ts, lat, lon, _num(c[i_alt]), None if t is None else _speed_mps(t))
            if tech is None:
                if tech_text not in NO_SERVICE:
                    # A technology this app does not read (5G NR rows of newer versions): its
                    # position is kept, its radio values are counted as not read, never shown as
                    # "no service".
                    unknown[f"{tech_text} rows (technology not read)"] += 1
                    return None, pos
                serving = None
            else:
                # The serving cell's columns repeat row after row: their conversions are
                # remembered (pure functions; a bad value raises each time, in column order).
                mcc, mnc = split_operator_cached(c[i_operator])
                level, qual = level_and_quality_cached(tech, c[i_level], c[i_qual])
                node, cellid, lac, arfcn, code = _cell_ids(c[i_node], c[i_cellid], c[i_lac], c[i_arfcn], c[i_psc])
                operator = (c[i_name] or "").strip() or None
                serving = new_cell(Cell)
                if tech == GSM:
                    # 2G: the ARFCN/PSC columns hold stale 3G values on the real rows (3060, 429):
                    # a GSM ARFCN is at most 1023, so only a value in a GSM band is kept.
                    init_cell(serving, SERVING, tech, mcc, mnc, lac, cellid, valid_arfcn(arfcn) if cellid else None,
                              None, dbm_to_rxlev(level), level, None, None, None, None, None, None,
                              valid_ta(_int(c[i_ta])), None, None, None, None, None, None, None, operator)
                elif tech == UMTS:
                    # UMTS cell id = RNC id * 65536 + cell id (the 28-bit UC-Id), as Nemo's CHI writes it.
                    init_cell(serving, SERVING, tech, mcc, mnc, lac, node * 65536 + cellid if node and cellid else None,
                              arfcn if arfcn and 0 < arfcn <= 16383 else None, None, None, None, None, None, None,
                              None, None, None, None, None,
                              code if code is not None and 0 <= code <= 511 and cellid else None,
                              level, qual, None, None, None, operator)
                else:
                    # LTE E-UTRAN cell id = eNB id * 256 + cell id.
                    init_cell(serving, SERVING, tech, mcc, mnc, lac, node * 256 + cellid if node and cellid else None,
                              arfcn if arfcn and 0 < arfcn <= 262143 else None, None, None, None, None, None, None,
                              None, None, None, None, None,
                              code if code is not None and 0 <= code <= 503 and cellid else None,
                              None, None, level, qual, _snr_cached(c[i_snr]), operator)
            neighbours = ()
            if groups:
                neighbours = tuple(n for g in groups if (n := neighbour(c, g, tech)) is not None)
            return sample(ts, tech, serving, neighbours, pos, None), pos

        return parse


# Neighbour columns of the Pro export, one group per neighbour n = 1, 2, ... [G: names from a public
# import schema of Pro exports; the sample has none]: NTech<n> NCellName<n> NCellid<n> NLAC<n>
# NCell<n> NARFCN<n> NRxLev<n> NQual<n> NDistance<n> NBearing<n>, e.g. (TAB shown as " | ")::
#
#     ... | 2G | BUSSTOP-2 | 10594 | 43 | 27 | 62 | -81 | - | 0.4 | 211 | 2G | ...
#
# NRxLev is dBm like the serving "Level" (RSSI 2G, RSCP 3G, RSRP 4G), NQual EcNo/RSRQ. NCell is
# the code beside the cell id: BSIC 2G, PSC 3G, PCI 4G [G: by its value ranges]. NCellid is the
# whole cell id (Android's neighbour CellIdentity); Android's "unknown" (2147483647, -1, 0) and
# values outside the technology's id space become None.
NEIGHBOUR_GROUP_RE = re.compile(r"N(?:Tech|Cellid|RxLev|ARFCN|Cell)(\d+)")
CI_MAX = {model.GSM: 65535, model.UMTS: (1 << 28) - 1, model.LTE: (1 << 28) - 1}
CODE_MAX = {model.GSM: 63, model.UMTS: 511, model.LTE: 503}
ARFCN_MAX = {model.UMTS: 16383, model.LTE: 262143}


NEIGHBOUR_COLUMNS = ("NTech", "NRxLev", "NQual", "NCellid", "NLAC", "NCell", "NARFCN")


def neighbour_groups(names: Iterable[str]) -> list[tuple[str, ...]]:
    """The column names of each neighbour group a header has (``NTech<n>``, ``NRxLev<n>``, ...
    in NEIGHBOUR_COLUMNS order), in the order of n: made once per file, not per row."""
    numbers = sorted({int(m.group(1)) for name in names if (m := NEIGHBOUR_GROUP_RE.fullmatch(name))})
    return [tuple(f"{c}{n}" for c in NEIGHBOUR_COLUMNS) for n in numbers]


def neighbour(row: Sequence[str | None], group: tuple[int, ...], serving_tech: str | None) -> model.Cell | None:
    """The neighbour of one column group of a main-log row (``group``: the indexes of the group's
    NEIGHBOUR_COLUMNS in ``row``; a column the header lacks reads None), or None when the group
    has neither a level nor a cell id (fewer neighbours heard than the export has groups)."""
    k_tech, k_level, k_qual, k_ci, k_lac, k_code, k_arfcn = group
    level_text, ci_text = row[k_level], row[k_ci]
    if not level_text and not ci_text:
        return None  # an empty group: most of a Pro export's 18-31 groups on most rows
    tech = TECH.get((row[k_tech] or "").strip(), serving_tech)
    if tech is None:
        return None
    level, qual = level_and_quality(tech, level_text, row[k_qual])
    ci = _pos_int(_int(ci_text))
    ci = ci if ci is not None and ci <= CI_MAX[tech] else None
    lac = _pos_int(_int(row[k_lac]))
    lac = lac if lac is not None and lac <= 65535 else None
    code = _int(row[k_code])
    code = code if code is not None and 0 <= code <= CODE_MAX[tech] else None
    arfcn = _int(row[k_arfcn])
    if tech == model.GSM:
        arfcn = valid_arfcn(arfcn)
    else:
        arfcn = arfcn if arfcn is not None and 0 < arfcn <= ARFCN_MAX[tech] else None
    if level is None and ci is None:
        return None  # zeros and dashes only
    if arfcn == 0 and not code:
        arfcn = code = None  # a zeroed pair is Android's "unknown", not ARFCN 0 with BSIC 00
    kw: dict[str, Any] = {"role": model.NEIGHBOUR, "tech": tech, "lac": lac, "ci": ci, "arfcn": arfcn}
    if tech == model.GSM:
        kw.update(bsic=code, rxlev_dbm=level, rxlev=dbm_to_rxlev(level))
    elif tech == model.UMTS:
        kw.update(pci=code, rscp_dbm=level, ecno_db=qual)
    else:
        kw.update(pci=code, rsrp_dbm=level, rsrq_db=qual)
    return model.Cell(**kw)


def _snr(text: str | None) -> float | None:
    # "0.0" on every 4G row of the real log [O]: the phone did not report SNR.
    v = _in(_num(text), (-25.0, 50.0))
    return None if v == 0.0 else v


_snr_cached = functools.lru_cache(maxsize=1024)(_snr)
_SECONDS = {f"{s:02d}": s for s in range(61)}  # a timestamp's "SS" -> int(SS), the usual ASCII digits


def _speed_mps(text: str | None) -> float | None:
    kmh = _num(text)  # G-NetTrack Pro "Speed" column is km/h [G]
    return None if kmh is None or kmh < 0 else kmh / 3.6


class GNetTrackEventsReader:
    """The ``_events.txt`` side file alone."""

    name = "gnettrack-events"

    def __init__(self, path: str | Path, *, utc_offset_min: int | None = None,
                 stats: ReaderStats | None = None, label: str = "") -> None:
        self.path = Path(path)
        self.stats = stats or ReaderStats()
        self.label = label
        self.utc_offset_min = utc_offset_min or 0
        self.header: dict[str, Any] = {"source": "gnettrack", "path": str(self.path),
                                       "utc_offset_min": self.utc_offset_min,
                                       "utc_offset_assumed": utc_offset_min is None}
        self._open_calls: set[str] = set()

    def __iter__(self) -> Iterator[model.Record]:
        for ev in self._events():
            self.stats.records["events"] += 1
            self.header.setdefault("start_utc", ev.ts_utc)
            yield ev

    def _events(self) -> Iterator[model.Event]:
        table = _Table(self.path, self.stats, self.label)
        for line_no, line, cols in table.rows():
            try:
                yield self.parse_row(dict(zip(table.header, cols)))
            except RowError as exc:
                self.stats.bad(line_no, f"{self.label}{exc}", line)

    def parse_row(self, row: dict[str, str]) -> model.Event:
        ts = parse_timestamp(row.get("Timestamp", ""), self.utc_offset_min)
        etype = (row.get("EventType") or "").strip()
        details = (row.get("EventDetails") or "").strip()
        data: dict[str, Any] = {"gnettrack_event": etype, "details": details,
                                "state": (row.get("State") or "").strip() or None,
                                "tech": TECH.get((row.get("NetworkTech") or "").strip())}
        if etype.startswith("CALL_"):
            seq = SEQUENCE_RE.search(details)
            if seq is None:
                # CALL_END without a sequence follows the sequenced one by seconds [O]: a
                # repeated indication, kept as information so calls are not counted twice.
                return model.Event(ts, model.EV_INFO, f"{etype} (no call sequence)", data)
            call_id = seq.group(1)
            data["call_id"] = call_id
            data["cell"] = parse_cell_string(details.split(" ")[0])
            if etype == "CALL_START":
                self._open_calls.add(call_id)
                return model.Event(ts, model.EV_CALL_ATTEMPT, f"call {call_id} start", data)
            self._open_calls.discard(call_id)
            if etype == "CALL_DROP":
                return model.Event(ts, model.EV_CALL_DROPPED, f"call {call_id} dropped", data)
            if etype == "CALL_END":
                return model.Event(ts, model.EV_CALL_RELEASED, f"call {call_id} ended", data)
            return model.Event(ts, model.EV_INFO, f"{etype} call {call_id}", data)
        if "HANDOVER" in etype or "RESELECTION" in etype:
            src, _, dst = details.partition(":")
            data.update({"from": parse_cell_string(src), "to": parse_cell_string(dst)})
            kind = model.EV_HANDOVER if "HANDOVER" in etype else model.EV_CELL_CHANGE
            return model.Event(ts, kind, etype.lower().replace("_", " "), data)
        return model.Event(ts, model.EV_INFO, etype or details, data)


_KIND = {model.Sample: "samples", model.Event: "events", model.Position: "positions"}

HEADER_START = "Timestamp\t"  # the user picks the other columns; Timestamp stays first [S: 2.3]


def _first_line(path: Path) -> str:
    lines = head_text(path, 4096).lstrip("\ufeff").splitlines()
    return next((ln for ln in lines if ln.strip() and not ln.startswith("#")), "")


def can_read_main(path: Path) -> bool:
    first = _first_line(path)
    return first.startswith(HEADER_START) and "EventType" not in first and "NetworkTech" in first


def can_read_events(path: Path) -> bool:
    first = _first_line(path)
    return first.startswith(HEADER_START) and "EventType" in first


register(ReaderInfo("gnettrack", "G-NetTrack Pro/Lite main log (+ its _events file)", TIMELINE,
                    can_read_main, GNetTrackReader, priority=40))
register(ReaderInfo("gnettrack-events", "G-NetTrack events log alone", TIMELINE,
                    can_read_events, GNetTrackEventsReader, priority=41))
