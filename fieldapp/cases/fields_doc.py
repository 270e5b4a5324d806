"""docs/case-fields.md, written from the field table so the two never disagree.

    python -m fieldapp.cases.fields_doc > docs/case-fields.md
"""

from __future__ import annotations

from fieldapp.cases.model import ACTIONS, CATEGORIES, FIELDS, REQUIRED_AT_CREATION
from fieldapp.cases.workflow import NEXT, STATUS_LABELS, STATUSES

_EXAMPLE = """```json
{"subscriber_name": "Anna Berger", "subscriber_number": "+43 660 1234567",
 "category": "weak signal", "description": "No signal at the hospital bus stop",
 "address": "Spitalgasse 23", "landmark": "hospital bus stop", "indoor_outdoor": "outdoor",
 "latitude": 48.19682, "longitude": 16.37477, "since": "2026-10-01", "hours": "all day",
 "occurs": "always", "handset": "Nokia 105", "other_handsets_ok": false,
 "priority": "high", "due_date": "2026-12-05", "engineer": "M. Huber", "cells": ["HOSP-2"]}
```"""


def fields_markdown() -> str:
    lines = [
        "# Case fields", "",
        "The complaint case's fields (docs/domain.md §1 intake facts plus handling and outcome), as",
        "`fieldapp case new --json FILE` takes them (JSON keys) and as options (`--subscriber-name`:",
        "underscores become dashes). Written from `fieldapp.cases.model.FIELDS` by",
        "`python -m fieldapp.cases.fields_doc > docs/case-fields.md`; a test keeps them in step.",
        "Values are validated (`fieldapp.cases.validate`); a bad one exits with code 2 and one line",
        "naming the field, e.g. `fieldapp: latitude: 91 is off the globe (latitude must be -90..90)`.", "",
        f"Required to create a case: {', '.join('`' + r + '`' for r in REQUIRED_AT_CREATION)}. Needed before the "
        "case can move to *facts collected*: subscriber name and number, category, description, a place "
        "(address, landmark or latitude/longitude), how often (`occurs`), handset.", "",
        "| Field | Label | Kind | Meaning |", "|---|---|---|---|"]
    for f in FIELDS:
        kind = f.kind + (", personal: masked in reports" if f.personal else "")
        lines.append(f"| `{f.name}` | {f.label} | {kind} | {f.help} |")
    lines += ["", "## Categories", "",
              "Written as in docs/domain.md §1, matched case-insensitively (spacing around `/` and inside brackets",
              "does not matter; short forms such as `access failure`, `choppy voice`, `one way audio` are",
              "accepted):", ""]
    lines += [f"- `{c}`" for c in CATEGORIES]
    lines += ["", "## Actions (root cause and action)", ""] + [f"- `{a}`" for a in ACTIONS]
    lines += ["", "## Statuses", "", "`fieldapp case status ID STATUS` takes the key or the label, any case:", ""]
    lines += [f"- `{s}` ({STATUS_LABELS[s]}) → " + (", ".join(f"`{n}`" for n in NEXT[s]) or "reopen only")
              for s in STATUSES]
    lines += ["", "Guards: *facts collected* needs the intake facts, *fix pending* a root cause or an action,",
              "*subscriber called back* the callback result (`--callback-result TEXT` on the same command).",
              "Every change, edit, note and attachment is a history entry with its time and author (`--author`).",
              "", "## Example", "", _EXAMPLE, ""]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(fields_markdown(), end="")
