"""Masking of subscriber identity in reports and evidence packs: the name, the numbers
(subscriber, calling, called) and any IMSI/IMEI — wherever they appear in the case or its
attached data (event texts, device descriptions, notes, file names).

    masker = Masker(case)               # include_personal=False
    masker.text("dialling +43 660 1234567")  → "dialling +43 *** ****567" (last 3 digits kept)

Numbers are matched on their digits, whatever the spacing, so "06601234567" and
"+43 660 1234567" are both found when one of them is on the case. Any run of 14 to 16 digits
(IMSI, IMEI, IMEISV) is masked too, known or not — but not the decimals of a number
("48.19682123456789" is a latitude, not an identity).

A private complaint spot (``spot_private``; unset: an indoor spot is taken as private, a home)
has its address and floor masked; the spot's position is always shown rounded to
``POSITION_DECIMALS`` (about 100 m). Nothing else is touched: measurements, cells, times and the
positions of sessions are data, not identity (``fieldapp.report.pack`` masks session files
record by record for that reason).
"""

from __future__ import annotations

import re
from typing import Any

from fieldapp.cases.model import Case

_IDENTITY_RUN = re.compile(r"(?<![\d.,])\d{14,16}(?![\d]|[.,]\d)")
_DIGITISH = re.compile(r"\+?\d[\d ()./\-]{2,}\d")
KEEP_DIGITS = 3
MIN_NUMBER_DIGITS = 5  # shorter numbers (a 4-digit test number, a cell id) are not identities
LOCAL_NUMBER_DIGITS = 6  # a known number's tail this long is its local form (dialled without area code)
POSITION_DECIMALS = 3  # 0.001° of latitude ≈ 111 m: the spot's street block, not the door
PRIVATE_PLACE_FIELDS = ("address", "floor")


def mask_number(text: str) -> str:
    """Every digit but the last three replaced by "*", the layout kept."""
    total = sum(ch.isdigit() for ch in text)
    seen = 0
    out = []
    for ch in text:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > total - KEEP_DIGITS else "*")
        else:
            out.append(ch)
    return "".join(out)


def mask_name(name: str) -> str:
    """"Anna Berger" → "A. B."."""
    return " ".join(part[0] + "." for part in name.split() if part) or "***"


def is_private_spot(case: Case) -> bool:
    if case.spot_private is not None:
        return case.spot_private
    return case.indoor_outdoor == "indoor"


def position_text(lat: float, lon: float, masked: bool) -> str:
    """The spot's position as a report shows it: exact, or rounded to about 100 m."""
    if masked:
        return f"{lat:.{POSITION_DECIMALS}f}, {lon:.{POSITION_DECIMALS}f} (rounded to about 100 m)"
    return f"{lat:.5f}, {lon:.5f}"


class Masker:
    def __init__(self, case: Case, include_personal: bool = False) -> None:
        self.include_personal = include_personal
        self._numbers: set[str] = set()
        for value in (case.subscriber_number, case.calling_number, case.called_number, case.imsi, case.imei):
            digits = re.sub(r"\D", "", value or "")
            if len(digits) >= MIN_NUMBER_DIGITS:
                self._numbers.add(digits)
                if digits.startswith("00"):
                    self._numbers.add(digits[2:])
                elif digits.startswith("0") and len(digits.lstrip("0")) >= MIN_NUMBER_DIGITS + 2:
                    self._numbers.add(digits.lstrip("0"))  # national → the part an international form contains
        # Also the national form of an international number (+43 660 … → 0660 …) and back.
        for digits in list(self._numbers):
            for cc_len in (1, 2, 3):
                if len(digits) > cc_len + 6:
                    self._numbers.add("0" + digits[cc_len:])
        self._names = [n for n in (case.subscriber_name or "").split() if len(n) >= 3]
        if case.subscriber_name:
            self._names.insert(0, case.subscriber_name.strip())
        self._contact = (case.subscriber_contact or "").strip()
        self.private_spot = is_private_spot(case)
        self._place = [v.strip() for v in (case.address, case.floor) if v and len(v.strip()) >= 3] \
            if self.private_spot else []

    def field(self, name: str, value: Any) -> Any:
        """A case field's value as the report shows it."""
        if value is None or self.include_personal:
            return value
        if name == "subscriber_name":
            return mask_name(str(value))
        if name in ("subscriber_number", "calling_number", "called_number", "imsi", "imei"):
            return mask_number(str(value))
        if name == "subscriber_contact":
            return "(masked)"
        if name in PRIVATE_PLACE_FIELDS and self.private_spot:
            return "(masked)"
        if name in ("latitude", "longitude") and isinstance(value, float):
            return round(value, POSITION_DECIMALS)
        return self.text(value) if isinstance(value, str) else value

    def text(self, text: str) -> str:
        """Free text with every identity in it masked."""
        if self.include_personal or not text:
            return text
        out = _IDENTITY_RUN.sub(lambda m: mask_number(m.group(0)), text)
        if self._numbers:
            def known(m: re.Match[str]) -> str:
                digits = re.sub(r"\D", "", m.group(0))
                # A known number inside the run, or the run as a known number's tail: the local
                # form dialled without its area code ("5550100" of "+43 1 5550100").
                hit = any(n in digits or (len(digits) >= LOCAL_NUMBER_DIGITS and n.endswith(digits))
                          for n in self._numbers)
                return mask_number(m.group(0)) if hit else m.group(0)
            out = _DIGITISH.sub(known, out)
        if self._contact and self._contact in out:
            out = out.replace(self._contact, "(masked)")
        for place in self._place:
            out = out.replace(place, "(masked)")
        for name in self._names:  # whole words: "Anna" is masked, "Annaberg Street" is not
            out = re.sub(rf"\b{re.escape(name)}\b", mask_name(name), out, flags=re.IGNORECASE)
        return out

    def data(self, value: Any) -> Any:
        """JSON-like data (dicts, lists, strings) with every string masked; identity keys too."""
        if self.include_personal:
            return value
        if isinstance(value, dict):
            return {k: (mask_number(str(v)) if k in ("imei", "imsi", "msisdn") and v else self.data(v))
                    for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.data(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value
