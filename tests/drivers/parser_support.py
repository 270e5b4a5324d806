"""Helpers shared by the table-driven parser tests."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "at"


def fixture_lines(name: str) -> list[str]:
    """Body of a fixture: the leading "# " provenance header is skipped ("#MONI:" is body)."""
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines) and (lines[i].startswith("# ") or lines[i] == "#"):
        i += 1
    return lines[i:]


def check(records, expected: list[dict]) -> None:
    """Each record's JSON has at least the expected key/values, in order, and no extra record."""
    got = [r.to_json() for r in records]
    assert len(got) == len(expected), got
    for rec, want in zip(got, expected):
        for key, value in want.items():
            assert rec[key] == value, (key, rec)


def parse_with(family):
    """A ``parse_one(line, family=family)`` for a test module: the line must not be skipped."""
    from drivers.families import parse_lines

    def parse_one(line: str, family=family) -> list:
        result = parse_lines([line], family)
        assert result.skipped == 0, f"{line!r} was skipped"
        return result.records

    return parse_one


def fields_of(rec, names) -> dict:
    return {k: getattr(rec, k) for k in names}
