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
"""

from __future__ import annotations

import calendar
import functools
import heapq
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fieldapp import model
from fieldapp.radio import dbm_to_rxlev, valid_arfcn, valid_ta
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
    return None if v is None or v != int(v) else int(v)


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
    """A TAB-separated file with a header row; yields (line_no, {column: value})."""

    def __init__(self, path: Path, stats: ReaderStats, label: str = "") -> None:
        self.path = path
        self.stats = stats
        self.label = label  # prefixes reasons when two files share one ReaderStats

    def rows(self) -> Iterator[tuple[int, str, dict[str, str]]]:
        st = self.stats
        with open(self.path, "rb") as f:
            header: list[str] | None = None
            for line_no, raw in enumerate(f, 1):
                st.lines += 1
                st.bytes_read += len(raw)
                try:
                    line = raw.decode("utf-8").rstrip("\r\n")
                except UnicodeDecodeError:
                    st.bad(line_no, self.label + "not text", raw.decode("utf-8", "replace"))
                    continue
                if not raw.endswith(b"\n") and line.strip():
                    # The file stops inside this row: its last value may be cut ("-96" -> "-9").
                    st.bad(line_no, self.label + "last line cut short (no line end)", line)
                    continue
                if not line.strip():
                    continue
                if header is None and line.startswith("#"):
                    continue  # comment lines before the header (a fixture's provenance)
                cols = line.split("\t")
                if header is None:
                    header = [c.strip().lstrip("\ufeff") for c in cols]
                    while header and not header[-1]:
                        header.pop()
                    continue
                while len(cols) > len(header) and not cols[-1]:
                    cols.pop()  # the trailing TAB
                if len(cols) != len(header):
                    st.bad(line_no, f"{self.label}row has {len(cols)} fields, the header {len(header)}", line)
                    continue
                yield line_no, line, dict(zip(header, cols))


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
        self._groups: list[tuple[str, ...]] | None = None  # the header's neighbour column groups

    def __iter__(self) -> Iterator[model.Record]:
        streams = [self._main()]
        if self.events_path is not None:
            events = GNetTrackEventsReader(self.events_path, utc_offset_min=self.utc_offset_min,
                                           stats=self.stats, label=f"{self.events_path.name}: ")
            streams.append(events._events())
        for rec in heapq.merge(*streams, key=lambda r: r.ts_utc):
            self.stats.records[_KIND[type(rec)]] += 1
            if "start_utc" not in self.header:
                self.header["start_utc"] = rec.ts_utc
            yield rec

    def _main(self) -> Iterator[model.Record]:
        last_fix_ts = None
        for line_no, line, row in _Table(self.path, self.stats).rows():
            try:
                sample, pos = self.parse_row(row)
            except RowError as exc:
                self.stats.bad(line_no, str(exc), line)
                continue
            if pos is not None and pos.ts_utc != last_fix_ts:
                last_fix_ts = pos.ts_utc
                yield pos
            if sample is not None:
                yield sample

    def parse_row(self, row: dict[str, str]) -> tuple[model.Sample | None, model.Position | None]:
        ts = parse_timestamp(row.get("Timestamp", ""), self.utc_offset_min)
        tech_text = (row.get("NetworkTech") or "").strip()
        tech = TECH.get(tech_text)
        lat, lon = _num(row.get("Latitude")), _num(row.get("Longitude"))
        pos = None
        if lat is not None and lon is not None and (lat, lon) != (0.0, 0.0) \
                and -90 <= lat <= 90 and -180 <= lon <= 180:
            pos = model.Position(ts_utc=ts, lat=lat, lon=lon, alt_m=_num(row.get("Altitude")),
                                 speed_mps=_speed_mps(row.get("Speed")))
        if tech is None and tech_text not in NO_SERVICE:
            # A technology this app does not read (5G NR rows of newer versions): its position is
            # kept, its radio values are counted as not read, never shown as "no service".
            self.stats.unknown[f"{tech_text} rows (technology not read)"] += 1
            return None, pos
        serving = None
        if tech is not None:
            serving = self._cell(tech, row)
        neighbours = ()
        if self._groups is None:
            self._groups = neighbour_groups(row)
        if self._groups:
            neighbours = tuple(c for g in self._groups if (c := neighbour(row, g, tech)) is not None)
        return model.Sample(ts_utc=ts, tech=tech, serving=serving, neighbours=neighbours, position=pos), pos

    @staticmethod
    def _cell(tech: str, row: dict[str, str]) -> model.Cell:
        mcc, mnc = split_operator(row.get("Operator"))
        level, qual = level_and_quality(tech, row.get("Level"), row.get("Qual"))
        node, cellid = _pos_int(_int(row.get("Node"))), _pos_int(_int(row.get("CellID")))
        lac = _pos_int(_int(row.get("LAC")))
        arfcn, code = _int(row.get("ARFCN")), _int(row.get("PSC"))
        kw: dict[str, Any] = {"role": model.SERVING, "tech": tech, "mcc": mcc, "mnc": mnc, "lac": lac,
                              "operator": (row.get("Operatorname") or "").strip() or None}
        if tech == model.GSM:
            # 2G: the ARFCN/PSC columns hold stale 3G values on the real rows (3060, 429): a GSM
            # ARFCN is at most 1023, so only a value in a GSM band is kept.
            kw.update(ci=cellid, arfcn=valid_arfcn(arfcn) if cellid else None, rxlev_dbm=level,
                      rxlev=dbm_to_rxlev(level), ta=valid_ta(_int(row.get("TA"))))
        elif tech == model.UMTS:
            # UMTS cell id = RNC id * 65536 + cell id (the 28-bit UC-Id), as Nemo's CHI writes it.
            kw.update(ci=node * 65536 + cellid if node and cellid else None,
                      arfcn=arfcn if arfcn and 0 < arfcn <= 16383 else None,
                      pci=code if code is not None and 0 <= code <= 511 and cellid else None,
                      rscp_dbm=level, ecno_db=qual)
        else:
            # LTE E-UTRAN cell id = eNB id * 256 + cell id.
            kw.update(ci=node * 256 + cellid if node and cellid else None,
                      arfcn=arfcn if arfcn and 0 < arfcn <= 262143 else None,
                      pci=code if code is not None and 0 <= code <= 503 and cellid else None,
                      rsrp_dbm=level, rsrq_db=qual, sinr_db=_snr(row.get("SNR")))
        return model.Cell(**kw)


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


def neighbour_groups(row: dict[str, str]) -> list[tuple[str, ...]]:
    """The column names of each neighbour group the header has (``NTech<n>``, ``NRxLev<n>``, ...
    in NEIGHBOUR_COLUMNS order), in the order of n: made once per file, not per row."""
    numbers = sorted({int(m.group(1)) for name in row if (m := NEIGHBOUR_GROUP_RE.fullmatch(name))})
    return [tuple(f"{c}{n}" for c in NEIGHBOUR_COLUMNS) for n in numbers]


def neighbour(row: dict[str, str], group: tuple[str, ...], serving_tech: str | None) -> model.Cell | None:
    """The neighbour of one column group of a main-log row, or None when the group has neither a
    level nor a cell id (fewer neighbours heard than the export has groups)."""
    k_tech, k_level, k_qual, k_ci, k_lac, k_code, k_arfcn = group
    level_text, ci_text = row.get(k_level), row.get(k_ci)
    if not level_text and not ci_text:
        return None  # an empty group: most of a Pro export's 18-31 groups on most rows
    tech = TECH.get((row.get(k_tech) or "").strip(), serving_tech)
    if tech is None:
        return None
    level, qual = level_and_quality(tech, level_text, row.get(k_qual))
    ci = _pos_int(_int(ci_text))
    ci = ci if ci is not None and ci <= CI_MAX[tech] else None
    lac = _pos_int(_int(row.get(k_lac)))
    lac = lac if lac is not None and lac <= 65535 else None
    code = _int(row.get(k_code))
    code = code if code is not None and 0 <= code <= CODE_MAX[tech] else None
    arfcn = _int(row.get(k_arfcn))
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
        for line_no, line, row in _Table(self.path, self.stats, self.label).rows():
            try:
                yield self.parse_row(row)
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
