"""The complaint case: every intake fact of the operator's procedure (docs/domain.md §1), plus the
handling facts (priority, due date, engineer, cells involved), the cause, the action and the
callback.

``FIELDS`` documents each field once: the name (the JSON key of ``fieldapp case new --json``
and, with dashes, the ``--subscriber-name`` style option), a label for the form and the report,
and a one-line help. ``docs/case-fields.md`` is written from the same table.

Unknown is ``None``. Dates are ISO strings ("2026-11-28"); times are POSIX UTC seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from typing import Any

# The procedure's complaint categories, written as in docs/domain.md §1 (the first triage step).
CATEGORIES = (
    "handset problem",
    "no coverage",
    "weak signal",
    "unstable signal",
    "choppy / broken voice",
    "cannot call despite signal (access failure)",
    "echo",
    "subscriber not reachable / not in service area",
    "dropped call",
    "one-way audio",
    "packet data (GPRS) not working",
    "only some handsets fail",
)
# Other ways engineers write the same category (compared after normalising, see _norm).
_CATEGORY_ALIASES = {
    "choppy voice": "choppy / broken voice",
    "broken voice": "choppy / broken voice",
    "choppy": "choppy / broken voice",
    "access failure": "cannot call despite signal (access failure)",
    "cannot call despite signal": "cannot call despite signal (access failure)",
    "cannot call": "cannot call despite signal (access failure)",
    "subscriber not reachable": "subscriber not reachable / not in service area",
    "not reachable": "subscriber not reachable / not in service area",
    "not in service area": "subscriber not reachable / not in service area",
    "subscriber not reachable / not in service area despite signal":
        "subscriber not reachable / not in service area",
    "dropped calls": "dropped call",
    "call drop": "dropped call",
    "drops": "dropped call",
    "one way audio": "one-way audio",
    "packet data not working": "packet data (GPRS) not working",
    "gprs not working": "packet data (GPRS) not working",
    "packet data": "packet data (GPRS) not working",
    "some handsets fail": "only some handsets fail",
}

PRIORITIES = ("low", "normal", "high", "urgent")
PLACES = ("indoor", "outdoor", "both")  # indoor_outdoor
OCCURS = ("always", "often", "sometimes", "rarely")

# Root cause / action, from the procedure's list (issue 6 §5), plus free text.
ACTIONS = (
    "parameter change",
    "antenna tilt/azimuth",
    "TRX block or replacement",
    "frequency change",
    "new site or indoor system request",
    "handset problem explained",
    "other",
)


def _norm(text: str) -> str:
    """Lower case, single spaces, no spaces around "/" or inside "( )"."""
    out = " ".join(text.lower().replace("\u2011", "-").split())
    out = re.sub(r"\s*/\s*", "/", out)
    return re.sub(r"\(\s*(.*?)\s*\)", r"(\1)", out)


_CATEGORY_BY_NORM = {_norm(c): c for c in CATEGORIES} | {_norm(a): c for a, c in _CATEGORY_ALIASES.items()}


def category_named(text: str | None) -> str | None:
    """The category as written in docs/domain.md for any case-insensitive spelling; None if unknown."""
    if text is None:
        return None
    return _CATEGORY_BY_NORM.get(_norm(text))


def action_named(text: str | None) -> str | None:
    if text is None:
        return None
    by_norm = {_norm(a): a for a in ACTIONS}
    return by_norm.get(_norm(text))


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    label: str
    help: str
    kind: str = "text"  # "text", "phone", "float", "date", "choice", "list", "bool", "long"
    choices: tuple[str, ...] = ()
    personal: bool = False  # masked in reports unless the user asks for it
    group: str = "complaint"


FIELDS: tuple[FieldSpec, ...] = (
    # Subscriber
    FieldSpec("subscriber_name", "Subscriber name", "the complaining subscriber's name", personal=True,
              group="subscriber"),
    FieldSpec("subscriber_contact", "Contact", "how to reach the subscriber besides the number (e-mail, "
              "another phone, best time)", personal=True, group="subscriber"),
    FieldSpec("subscriber_number", "Subscriber number", "the subscriber's MSISDN (required), e.g. +43 660 1234567",
              "phone", personal=True, group="subscriber"),
    FieldSpec("calling_number", "Calling number", "the number calls were made from, when not the subscriber's",
              "phone", personal=True, group="subscriber"),
    FieldSpec("called_number", "Called number", "the number that was called (the far end)", "phone", personal=True,
              group="subscriber"),
    FieldSpec("imsi", "IMSI", "the subscriber's IMSI, when known (15 digits)", personal=True, group="subscriber"),
    # Complaint
    FieldSpec("category", "Category", "complaint type (required), one of the procedure's list, any case",
              "choice", CATEGORIES),
    FieldSpec("description", "Description", "the complaint in the subscriber's own words", "long"),
    # Place
    FieldSpec("address", "Address", "street address of the problem spot", group="place"),
    FieldSpec("landmark", "Landmark", "a landmark near the spot (\"hospital bus stop\")", group="place"),
    FieldSpec("indoor_outdoor", "Indoor/outdoor", "indoor, outdoor or both", "choice", PLACES, group="place"),
    FieldSpec("floor", "Floor", "floor when indoor (\"3\", \"basement\")", group="place"),
    FieldSpec("latitude", "Latitude", "map position, decimal degrees WGS84 (-90..90)", "float", group="place"),
    FieldSpec("longitude", "Longitude", "map position, decimal degrees WGS84 (-180..180)", "float", group="place"),
    FieldSpec("spot_private", "Private spot", "yes when the spot is a private place (a home): its address, floor and "
              "exact position are masked in reports (unset: an indoor spot is taken as private)", "bool",
              group="place"),
    FieldSpec("spot_radius_m", "Spot radius (m)", "samples within this distance of the position count as at the "
              "spot (default 200 m)", "float", group="place"),
    # When
    FieldSpec("since", "Since", "since which date it happens (YYYY-MM-DD)", "date", group="when"),
    FieldSpec("hours", "Hours", "which hours it happens (\"17-19 h\", \"all day\"), the spot's local time",
              group="when"),
    FieldSpec("time_zone", "Time zone", "the spot's time zone, an IANA name (\"Europe/Vienna\"): the hours are "
              "read in it (default: this computer's time zone)", group="when"),
    FieldSpec("occurs", "How often", "always, often, sometimes or rarely (every call = always), or in words",
              "choice", OCCURS, group="when"),
    # Handset
    FieldSpec("handset", "Handset", "handset make and model (\"Nokia 105\")", group="handset"),
    FieldSpec("imei", "IMEI", "the handset's IMEI, when known (15 digits)", personal=True, group="handset"),
    FieldSpec("other_handsets_ok", "Other handsets fine", "yes if other handsets work at the same spot, no if "
              "they fail too", "bool", group="handset"),
    FieldSpec("other_info", "Other information", "events nearby, user behaviour, anything else", "long"),
    # Handling
    FieldSpec("title", "Title", "a short title for lists (default: category and place)", group="handling"),
    FieldSpec("priority", "Priority", "low, normal, high or urgent (default normal)", "choice", PRIORITIES,
              group="handling"),
    FieldSpec("due_date", "Due date", "when the case must be answered (YYYY-MM-DD)", "date", group="handling"),
    FieldSpec("engineer", "Engineer", "the engineer in charge", group="handling"),
    FieldSpec("cells", "Cells involved", "cell names, comma separated (\"HOSP-2, HOSP-1\")", "list",
              group="handling"),
    # Outcome
    FieldSpec("cause", "Root cause", "the cause found, in words", "long", group="outcome"),
    FieldSpec("action", "Action", "what was done, from the procedure's list", "choice", ACTIONS, group="outcome"),
    FieldSpec("action_text", "Action details", "details of the action (\"HOSP-2 tilt 13° → 7°\")", "long",
              group="outcome"),
    FieldSpec("action_date", "Action date", "the day the action was done (YYYY-MM-DD, UTC): the statistics are "
              "compared before and after it", "date", group="outcome"),
    FieldSpec("callback_result", "Callback result", "what the subscriber said when called back", "long",
              group="outcome"),
)
FIELD_BY_NAME = {f.name: f for f in FIELDS}
PERSONAL_FIELDS = tuple(f.name for f in FIELDS if f.personal)
# Facts a case cannot be created without, and the intake facts needed before "facts collected".
REQUIRED_AT_CREATION = ("subscriber_number", "category")
INTAKE_FACTS = ("subscriber_name", "subscriber_number", "category", "description", "place", "occurs", "handset")


@dataclass(frozen=True, slots=True)
class Case:
    """One complaint. ``id`` is None until the case is stored; ``status`` is a workflow key."""

    subscriber_number: str | None = None
    category: str | None = None
    description: str | None = None
    subscriber_name: str | None = None
    subscriber_contact: str | None = None
    calling_number: str | None = None
    called_number: str | None = None
    imsi: str | None = None
    address: str | None = None
    landmark: str | None = None
    indoor_outdoor: str | None = None
    floor: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    spot_radius_m: float | None = None
    spot_private: bool | None = None
    since: str | None = None
    hours: str | None = None
    time_zone: str | None = None
    occurs: str | None = None
    handset: str | None = None
    imei: str | None = None
    other_handsets_ok: bool | None = None
    other_info: str | None = None
    title: str | None = None
    priority: str = "normal"
    due_date: str | None = None
    engineer: str | None = None
    cells: tuple[str, ...] = ()
    cause: str | None = None
    action: str | None = None
    action_text: str | None = None
    action_date: str | None = None
    callback_result: str | None = None
    status: str = "new"
    id: int | None = None
    created_utc: float | None = None
    updated_utc: float | None = None

    @property
    def position(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)

    @property
    def place(self) -> str | None:
        """Address, landmark, indoor/outdoor and floor in one line (None when nothing is known)."""
        parts = [p for p in (self.address, self.landmark) if p]
        if self.indoor_outdoor:
            parts.append(self.indoor_outdoor + (f", floor {self.floor}" if self.floor else ""))
        elif self.floor:
            parts.append(f"floor {self.floor}")
        return ", ".join(parts) or None

    def display_title(self) -> str:
        if self.title:
            return self.title
        where = self.landmark or self.address
        what = self.category or "complaint"
        what = what[:1].upper() + what[1:]  # not str.capitalize(): it lowercased "GPRS" to "gprs"
        return f"{what} — {where}" if where else what

    def missing_intake(self) -> list[str]:
        """Intake facts still unknown (field names; "place" = address, landmark or position)."""
        missing = []
        for name in INTAKE_FACTS:
            if name == "place":
                if not (self.address or self.landmark or self.position):
                    missing.append("place (address, landmark or latitude/longitude)")
            elif getattr(self, name) in (None, ""):
                missing.append(name)
        return missing

    # ------------------------------------------------------------------ store mapping

    def to_store(self) -> dict[str, Any]:
        """The fields as the store keeps them. The store's ``title`` column holds the title a
        list shows (``display_title``); a title the user gave is kept as ``custom_title``."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("id", "title")}
        out["cells"] = list(self.cells)
        out["custom_title"] = self.title
        return {k: v for k, v in out.items() if v is not None}

    @classmethod
    def from_store(cls, row: dict[str, Any]) -> Case:
        known = {f.name for f in fields(cls)} - {"title"}
        data = {k: v for k, v in row.items() if k in known and v is not None}
        if row.get("custom_title"):
            data["title"] = row["custom_title"]
        data["cells"] = tuple(data.get("cells") or ())
        if data.get("status") == "open":  # a case made before the workflow existed
            data["status"] = "new"
        return cls(**data)

    def changed(self, **changes: Any) -> Case:
        return replace(self, **changes)


def case_fields() -> list[str]:
    return [f.name for f in FIELDS]


__all__ = ["ACTIONS", "CATEGORIES", "FIELDS", "FIELD_BY_NAME", "INTAKE_FACTS", "OCCURS", "PERSONAL_FIELDS",
           "PLACES", "PRIORITIES", "REQUIRED_AT_CREATION", "Case", "FieldSpec", "action_named", "case_fields",
           "category_named"]
