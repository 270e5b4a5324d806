"""Intake validation: raw values (form text, JSON, command-line strings) → typed case fields,
with one clear message per problem that names the field.

    clean({"subscriber_number": "+43 660 123", "category": "Weak Signal", "latitude": "48.2"})
    → {"subscriber_number": "+43 660 123", "category": "weak signal", "latitude": 48.2}
    clean({"latitude": "95"})  → CaseInvalid("latitude: 95 is off the globe (-90..90)")
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from fieldapp.cases.model import (
    ACTIONS,
    CATEGORIES,
    FIELD_BY_NAME,
    OCCURS,
    PLACES,
    PRIORITIES,
    REQUIRED_AT_CREATION,
    Case,
    action_named,
    category_named,
)

# A phone number as people write it: digits with spaces, dashes, dots, slashes or brackets,
# an optional leading + or 00. E.164 allows at most 15 digits; 3 covers short service numbers.
_PHONE_CHARS = re.compile(r"^\+?[0-9 ()./\-]+$")
_TRUE = {"yes", "y", "true", "1", "on"}
_FALSE = {"no", "n", "false", "0", "off"}
_OCCURS_ALIASES = {"every call": "always", "every time": "always", "each call": "always",
                   "frequently": "often", "occasionally": "sometimes", "seldom": "rarely"}
MAX_TEXT = 10_000
MAX_LIST_ITEMS = 50  # cells involved in one complaint
MAX_LIST_ITEM_CHARS = 64  # a cell name


class CaseInvalid(ValueError):
    """A value a case cannot take. ``field`` names it; str() is the one-line message."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True, slots=True)
class Problem:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def phone_number(value: str, name: str = "number") -> str:
    text = " ".join(str(value).split())
    digits = re.sub(r"\D", "", text)
    if not _PHONE_CHARS.match(text) or text.count("+") > 1:
        raise CaseInvalid(name, f"{value!r} is not a phone number (digits, spaces, + - ( ) only)")
    if not 3 <= len(digits) <= 15:
        raise CaseInvalid(name, f"{value!r} is not a phone number ({len(digits)} digits; 3 to 15 expected)")
    return text


def _float(value: Any, name: str, low: float, high: float, what: str) -> float:
    try:
        number = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise CaseInvalid(name, f"{value!r} is not a number") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise CaseInvalid(name, f"{value} is off the globe ({what} must be {low:g}..{high:g})")
    return number


def _date(value: Any, name: str) -> str:
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise CaseInvalid(name, f"{value!r} is not a date (YYYY-MM-DD)") from None


def _choice(value: str, name: str, choices: tuple[str, ...], aliases: dict[str, str] | None = None) -> str:
    text = " ".join(str(value).lower().split())
    text = (aliases or {}).get(text, text)
    for choice in choices:
        if choice.lower() == text:
            return choice
    raise CaseInvalid(name, f"{value!r} is not one of: {', '.join(choices)}")


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CaseInvalid(name, f"{value!r} is not yes or no")


def _identity(value: Any, name: str) -> str:
    digits = re.sub(r"[\s-]", "", str(value))
    if not digits.isdigit() or not 14 <= len(digits) <= 16:
        raise CaseInvalid(name, f"{value!r} is not an {name.upper()} (15 digits)")
    return digits


def clean_value(name: str, value: Any) -> Any:
    """One field's raw value → its typed value (None for empty). Raises CaseInvalid."""
    spec = FIELD_BY_NAME.get(name)
    if spec is None:
        raise CaseInvalid(name, "unknown field (see docs/case-fields.md)")
    if value is None or (isinstance(value, str) and not value.strip()):
        return () if spec.kind == "list" else None
    if name == "category":
        found = category_named(str(value))
        if found is None:
            raise CaseInvalid(name, f"{value!r} is not a complaint category; one of: {'; '.join(CATEGORIES)}")
        return found
    if name == "action":
        found = action_named(str(value))
        if found is None:
            raise CaseInvalid(name, f"{value!r} is not an action; one of: {'; '.join(ACTIONS)}")
        return found
    if name in ("imsi", "imei"):
        return _identity(value, name)
    if spec.kind == "phone":
        return phone_number(value, name)
    if name == "latitude":
        return _float(value, name, -90.0, 90.0, "latitude")
    if name == "longitude":
        return _float(value, name, -180.0, 180.0, "longitude")
    if name == "time_zone":
        return _time_zone(value, name)
    if name == "spot_radius_m":
        radius = _float(value, name, -math.inf, math.inf, "radius")
        if not 10.0 <= radius <= 5000.0:
            raise CaseInvalid(name, f"{value} m: the spot radius must be 10..5000 m")
        return radius
    if spec.kind == "date":
        return _date(value, name)
    if spec.kind == "bool":
        return _bool(value, name)
    if spec.kind == "list":
        # Cell names: a handful of short texts. Unbounded, a 1 MB value made a report take
        # minutes (issue 16); nested lists or objects are not names.
        if not isinstance(value, (list, tuple, str, int)):
            raise CaseInvalid(name, "give names as text or a list of texts")
        items = value if isinstance(value, (list, tuple)) else str(value).split(",")
        if any(not isinstance(i, (str, int)) or isinstance(i, bool) for i in items):
            raise CaseInvalid(name, "each entry must be a name (text)")
        names = tuple(str(i).strip() for i in items if str(i).strip())
        if len(names) > MAX_LIST_ITEMS:
            raise CaseInvalid(name, f"{len(names)} entries: at most {MAX_LIST_ITEMS}")
        if any(len(n) > MAX_LIST_ITEM_CHARS for n in names):
            raise CaseInvalid(name, f"an entry longer than {MAX_LIST_ITEM_CHARS} characters")
        return names
    if name == "priority":
        return _choice(value, name, PRIORITIES)
    if name == "indoor_outdoor":
        return _choice(value, name, PLACES)
    if name == "occurs":
        # The procedure's words are normalised ("every call" → always); anything else people say
        # ("twice a week", "every evening") is kept as they said it.
        try:
            return _choice(value, name, OCCURS, _OCCURS_ALIASES)
        except CaseInvalid:
            text = " ".join(str(value).split())
            if len(text) > 200:
                raise CaseInvalid(name, "longer than 200 characters") from None
            return text
    if not isinstance(value, (str, int, float)):
        raise CaseInvalid(name, f"{value!r} is not text")
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise CaseInvalid(name, f"longer than {MAX_TEXT} characters")
    return text


def clean(raw: dict[str, Any]) -> dict[str, Any]:
    """Every field of ``raw`` cleaned; the first problem raises CaseInvalid."""
    return {name: clean_value(name, value) for name, value in raw.items()}


def problems(raw: dict[str, Any], *, creating: bool = True) -> list[Problem]:
    """All problems at once (the form shows them together)."""
    out: list[Problem] = []
    cleaned: dict[str, Any] = {}
    for name, value in raw.items():
        try:
            cleaned[name] = clean_value(name, value)
        except CaseInvalid as exc:
            out.append(Problem(exc.field, str(exc).split(": ", 1)[1]))
    if creating:
        for name in REQUIRED_AT_CREATION:
            if cleaned.get(name) in (None, "", ()) and not any(p.field == name for p in out):
                out.append(Problem(name, f"missing: a case needs {FIELD_BY_NAME[name].help.replace(' (required)', '')}"))
    lat, lon = cleaned.get("latitude"), cleaned.get("longitude")
    if (lat is None) != (lon is None) and not any(p.field in ("latitude", "longitude") for p in out):
        missing = "longitude" if lon is None else "latitude"
        out.append(Problem(missing, "a map position needs both latitude and longitude"))
    return out


def new_case(raw: dict[str, Any]) -> Case:
    """A Case from raw intake values, refused with the first problem (CaseInvalid)."""
    found = problems(raw, creating=True)
    if found:
        raise CaseInvalid(found[0].field, found[0].message)
    return Case(**{k: v for k, v in clean(raw).items() if v is not None})


def check_case(case: Case) -> None:
    """A whole Case (e.g. after an edit) against the same rules."""
    raw = {name: getattr(case, name) for name in FIELD_BY_NAME}
    new_case(raw)


def _time_zone(value: object, name: str) -> str:
    """An IANA time zone name ("Europe/Vienna") that this computer can resolve."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    text = str(value).strip()
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise CaseInvalid(name, f"{text!r} is not a time zone name (e.g. Europe/Vienna, Africa/Dakar)") from None
    return text
