"""3GPP TS 32.435 XML measurement files (``measCollecFile``), as OSS northbound interfaces
deliver them (Huawei NBI with numeric counter IDs, any vendor with TS 52.402 names), and the
older TS 32.401 ``mdc`` layout. Parsed streaming (``iterparse``), namespace-agnostic::

    <measCollecFile xmlns="http://www.3gpp.org/ftp/specs/archive/32_series/32.435#measCollec">
      <fileHeader ...><measCollec beginTime="2024-03-11T09:00:00+00:00"/></fileHeader>
      <measData>
        <managedElement localDn="BSC_NORTH1"/>
        <measInfo measInfoId="CELL">
          <granPeriod duration="PT3600S" endTime="2024-03-11T10:00:00+00:00"/>
          <measType p="1">attTCHSeizures</measType> ...   (or <measTypes>a b c</measTypes>)
          <measValue measObjLdn="BSC_NORTH1,GsmCell=NTH0123A">
            <r p="1">402</r> ...                          (or <measResults>402 398</measResults>)
          </measValue>
        </measInfo>
      </measData>
    </measCollecFile>

``NIL`` and empty results are missing. The object: ``GsmCell=``/``GCELL:LABEL=``/``CELL=`` names
the cell, ``GsmTrx=``/``TRX=``/``TRXID=`` a TRX, ``GsmRelation=``/``NCELL=`` a neighbour.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from logs import registry
from logs.registry import head_text
from logs.stats_map import load_map
from logs.stats_records import CounterRow, StatsFile
from logs.stats_table import composite, number, parse_time

CELL_KEYS = ("gsmcell", "gcell", "label", "cellname", "cell", "utrancell", "bts")
TRX_KEYS = ("gsmtrx", "trx", "trxid", "gtrx", "trxindex", "channelgroup")
NCELL_KEYS = ("gsmrelation", "ncell", "neighbour", "neighbor", "relation")
BSC_KEYS = ("bscfunction", "bsc", "gbsc", "managedelement", "subnetwork")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _duration_s(text: str | None) -> int | None:
    if not text:
        return None
    m = re.match(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$", text.strip(), re.I)
    if m and any(m.groups()):
        h, mi, s = (int(g or 0) for g in m.groups())
        return h * 3600 + mi * 60 + s or None
    return int(text) if text.strip().isdigit() else None


def _time(text: str | None) -> float | None:
    if not text:
        return None
    t = text.strip()
    m = re.match(r"^(\d{14})(Z|[+-]\d{4})?$", t)  # 32.401: 20240311090000Z
    if m:
        dt = datetime.strptime(m.group(1) + "+0000" if m.group(2) in (None, "Z") else m.group(1) + m.group(2),
                               "%Y%m%d%H%M%S%z")
        return dt.timestamp()
    got = parse_time(t)
    return got[0] if got else None


def parse_ldn(ldn: str, bsc_default: str | None) -> dict[str, str | None]:
    kv = composite(ldn.replace(";", ","))
    first = re.split(r"[,/]", ldn, maxsplit=1)[0].strip()
    cell = next((kv[k] for k in CELL_KEYS if kv.get(k)), None)
    trx = next((kv[k] for k in TRX_KEYS if kv.get(k)), None)
    ncell = next((kv[k] for k in NCELL_KEYS if kv.get(k)), None)
    bsc = next((kv[k] for k in BSC_KEYS if kv.get(k)), None)
    if bsc is None and first and "=" not in first and ":" not in first:
        bsc = first
    if cell is None and not kv and ldn.strip():
        cell = ldn.strip()
    return {"bsc": bsc or bsc_default, "cell": cell, "trx": trx, "neighbour": ncell, "cgi": kv.get("cgi")}


def read_xml(path: str | Path, vendor: str | None = None) -> StatsFile:
    p = Path(path)
    sf = StatsFile(iter(()), {"vendor": vendor or "3gpp", "layout": "3gpp-xml", "source": p.name})
    sf._rows = _rows(p, sf)
    return sf


def _rows(p: Path, sf: StatsFile) -> Iterator[CounterRow]:
    cmap = load_map()
    stats = sf.stats
    begin: float | None = None
    element: str | None = None
    info: dict = {}
    types: dict[str, str] = {}  # p -> name
    type_list: list[str] = []

    def counter_name(raw: str) -> str:
        for vendor in ("3gpp", "huawei", "ericsson"):
            mapped = cmap.canonical(vendor, raw)
            if mapped is not None:
                sf.units[mapped.canonical] = mapped.unit
                return mapped.canonical
        sf.unknown[raw] += 1
        sf.units.setdefault(raw, None)
        return raw

    def row(ldn: str, results: list[tuple[str | None, str]]) -> CounterRow | None:
        end = info.get("end")
        period = info.get("period")
        start = end - period if end is not None and period else info.get("begin", begin)
        if start is None:
            stats.bad(stats.lines, "no period time (granPeriod endTime / beginTime)", ldn)
            return None
        obj = parse_ldn(ldn, element)
        values: dict[str, float | None] = {}
        for i, (pos, text) in enumerate(results):
            name = types.get(pos) if pos is not None else (type_list[i] if i < len(type_list) else None)
            if name is None:
                continue
            try:
                v = number(text or "")
            except ValueError:
                v = None
                stats.bad(stats.lines, f"{name}: not a number", text or "")
            key = counter_name(name)
            if values.get(key) is not None and v is not None:
                values[key] += v
            elif values.get(key) is None:
                values[key] = v
        kind = "trx" if obj["trx"] else "ncell" if obj["neighbour"] else "cell" if obj["cell"] else "bsc"
        stats.records[kind + "s"] += 1
        return CounterRow(start_utc=start, period_s=period, kind=kind, bsc=obj["bsc"], cell=obj["cell"],
                          trx=obj["trx"], neighbour=obj["neighbour"], cgi=obj["cgi"], values=values)

    results: list[tuple[str | None, str]] = []
    ldn = ""
    try:
        for event, el in ET.iterparse(p, events=("start", "end")):
            tag = _local(el.tag)
            if event == "start":
                if tag in ("measInfo", "mi"):
                    info = {"begin": begin}
                    types.clear()
                    type_list.clear()
                elif tag in ("measValue", "mv"):
                    results = []
                    ldn = el.get("measObjLdn", "")
                continue
            stats.lines += 1
            if tag == "measCollec" and el.get("beginTime"):
                begin = _time(el.get("beginTime"))
            elif tag == "managedElement":
                element = el.get("localDn") or el.get("userLabel") or element
            elif tag in ("neun", "nedn") and el.text:
                element = el.text.strip()
            elif tag == "granPeriod":
                info["period"] = _duration_s(el.get("duration"))
                info["end"] = _time(el.get("endTime"))
            elif tag == "mts":
                info["begin"] = _time(el.text)
            elif tag == "gp" and el.text and el.text.strip().isdigit():
                info["period"] = int(el.text.strip())
                if info.get("begin") is not None:  # mts is the end of the granularity period
                    info["end"] = info["begin"]
            elif tag in ("measType", "mt"):
                name = (el.text or "").strip()
                if el.get("p") is not None:
                    types[el.get("p")] = name
                else:
                    type_list.append(name)
            elif tag == "measTypes":
                type_list.extend((el.text or "").split())
            elif tag == "moid":
                ldn = (el.text or "").strip()
            elif tag == "r":
                results.append((el.get("p"), el.text or ""))
            elif tag == "measResults":
                results.extend((None, t) for t in (el.text or "").split())
            elif tag in ("measValue", "mv"):
                got = row(ldn, results)
                if got is not None:
                    yield got
                el.clear()
            elif tag in ("measInfo", "mi"):
                el.clear()
    except ET.ParseError as exc:
        stats.bad(stats.lines, f"XML broken: {exc}", "")


def _can_read(path: Path) -> bool:
    head = head_text(path, 2048)
    return "<measCollecFile" in head or "<mdc" in head and "<mfh" in head


registry.register(registry.ReaderInfo(
    name="stats-3gpp", description="3GPP TS 32.435 / 32.401 XML measurement file",
    produces=registry.STATS, can_read=_can_read, open=lambda path, **kw: read_xml(path), priority=30))
