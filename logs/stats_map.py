"""The counter map (``stats_counters.csv``): vendor counter name -> canonical measurement.

Column headers of real exports name counters in several ways; ``split_header`` turns each into
(counter name, long name, unit), ``CounterMap.canonical`` maps the counter name of a vendor:

    K3014:Traffic Volume on TCH (Erl)          Huawei MAE query   -> K3014, Erl
    K3014:Traffic Volume on TCH(Erl)           Huawei report      -> K3014, Erl
    A330_Delivered_Paging_Messages_for_CS_Service   Huawei in a DB     -> A330
    CLSDCCH_CCALLS / clsdcch_ccalls / CCALLS   Ericsson ENIQ      -> CCALLS
    attTCHSeizures                             3GPP TS 52.402     -> attTCHSeizures

A counter the map does not know is kept under its own name (the caller lists it).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MAP_PATH = Path(__file__).with_name("stats_counters.csv")
VENDORS = ("huawei", "ericsson", "3gpp")

# A Huawei counter ID: K3014, CM33, CH313, AS4207D, NCS413A, RA303G, ZK3001, 1278087421
_HUAWEI_ID = re.compile(r"^(?:[A-Z]{1,4}\d{2,5}[A-Z]?|\d{6,12})$")
# (?<!\s): the search never restarts inside a run of blanks (quadratic on a 200 KB header
# of blanks otherwise, issue 16). Same matches.
_SHORT_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.]{0,23}$")
_UNIT = re.compile(r"(?<!\s)\s*\(([^()]*)\)\s*$")


@dataclass(frozen=True, slots=True)
class Mapped:
    canonical: str
    unit: str
    status: str


def split_header(text: str) -> tuple[str, str, str | None]:
    """(counter name, long name, unit) of a column header; the unit is the trailing
    parenthesis, "None" (Huawei's word for a plain count) becomes "count"."""
    head = text.strip().strip('"').strip()
    unit = None
    m = _UNIT.search(head)
    if m and ":" in head[: m.start()]:
        unit = m.group(1).strip() or None
        head = head[: m.start()].strip()
    if ":" in head:
        ident, _, name = head.partition(":")
        ident = ident.strip()
        if _HUAWEI_ID.match(ident) or _SHORT_ID.match(ident):  # a known ID shape, or any short token
            return ident, name.strip(), ("count" if unit in (None, "None") else unit)
    if "_" in head and not head.isupper() and not head.islower():
        ident = head.split("_", 1)[0]
        if _HUAWEI_ID.match(ident):  # A330_Delivered_Paging_Messages_for_CS_Service
            return ident, head.split("_", 1)[1].replace("_", " "), unit
    return head, head, unit


@dataclass
class CounterMap:
    by_vendor: dict[str, dict[str, Mapped]]

    def canonical(self, vendor: str, name: str) -> Mapped | None:
        table = self.by_vendor.get(vendor, {})
        hit = table.get(name) or table.get(name.upper())
        if hit is None and vendor == "ericsson" and "_" in name:
            # ENIQ flattens OBJTYPE + COUNTER: CLSDCCH_CCALLS, celtchf_tftralacc
            hit = table.get(name.rsplit("_", 1)[1].upper())
        if hit is None and vendor == "huawei" and len(name) > 4 and name[0] == "Z":
            hit = table.get(name[1:])  # per-BSC variant: ZK3001 = K3001 summed over the BSC (docs/network-statistics.md §2)
        if hit is None and vendor == "3gpp":
            hit = table.get(_band_name(name))
        return hit

    def vendor_names(self, vendor: str, canonical: str) -> list[str]:
        """The vendor counters that make up a canonical measurement (for writers and docs)."""
        return [n for n, m in self.by_vendor.get(vendor, {}).items() if m.canonical == canonical]

    def unit_of(self, canonical: str) -> str | None:
        for table in self.by_vendor.values():
            for m in table.values():
                if m.canonical == canonical:
                    return m.unit
        return None


def _band_name(name: str) -> str:
    """``meanNbrOfIdleTCHsPerInterferenceBand_4`` / ``...Band4`` -> ``...Band.4``."""
    m = re.match(r"^(meanNbrOfIdleTCHsPerInterferenceBand)[._ ]?(\d)$", name)
    return f"{m.group(1)}.{m.group(2)}" if m else name


@lru_cache(maxsize=1)
def load_map(path: Path = MAP_PATH) -> CounterMap:
    by_vendor: dict[str, dict[str, Mapped]] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        lines = (line for line in fh if line.strip() and not line.startswith("#"))
        for row in csv.DictReader(lines):
            vendor = row["vendor"].strip()
            by_vendor.setdefault(vendor, {})[row["name"].strip()] = Mapped(
                row["canonical"].strip(), row["unit"].strip(), row["status"].strip())
    return CounterMap(by_vendor)
