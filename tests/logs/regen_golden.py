"""Regenerate the golden expectations of the log readers:

    .venv/bin/python -m tests.logs.regen_golden

Run it after a deliberate change to a reader, then read ``git diff tests/fixtures/logs/golden``
before committing: every changed number must be explained by the change.
"""

from __future__ import annotations

import json

from tests.logs.golden import CASES, GOLDEN, golden_path, summarise


def main() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for name, (fixture, reader) in CASES.items():
        summary = summarise(fixture, reader)
        golden_path(name).write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{golden_path(name)}: {summary['counts']} calls {summary['calls']}")


if __name__ == "__main__":
    main()
