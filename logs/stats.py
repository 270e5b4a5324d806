"""What a reader saw while streaming a file: lines, records per kind, skipped and bad lines.

Every reader keeps one ``ReaderStats`` and updates it as it goes, so an import can report
"5513 lines, 314 samples, 4 calls, 3 unknown record types skipped, line 812: bad time" even
when it stops half way (truncated file, cancel).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

MAX_BAD_LINES = 20  # the first bad lines are kept verbatim for the report; the rest are counted


@dataclass(frozen=True, slots=True)
class BadLine:
    line_no: int  # 1-based, as an editor shows it
    reason: str
    text: str  # the start of the line (cut at 120 characters)

    def __str__(self) -> str:
        return f"line {self.line_no}: {self.reason}: {self.text!r}"


@dataclass
class ReaderStats:
    lines: int = 0
    bytes_read: int = 0
    records: Counter = field(default_factory=Counter)  # "samples"/"events"/"positions" -> n
    unknown: Counter = field(default_factory=Counter)  # unknown record type -> n lines skipped
    bad_count: int = 0
    bad_lines: list[BadLine] = field(default_factory=list)

    def bad(self, line_no: int, reason: str, text: str) -> None:
        self.bad_count += 1
        if len(self.bad_lines) < MAX_BAD_LINES:
            self.bad_lines.append(BadLine(line_no, reason, text.rstrip("\r\n")[:120]))

    @property
    def skipped(self) -> int:
        """Lines that gave no record because they were unknown or bad."""
        return sum(self.unknown.values()) + self.bad_count

    def to_json(self) -> dict:
        return {
            "lines": self.lines,
            "records": dict(self.records),
            "unknown": dict(self.unknown),
            "bad_count": self.bad_count,
            "bad_lines": [{"line": b.line_no, "reason": b.reason, "text": b.text} for b in self.bad_lines],
        }


def record_kind(record: object) -> str:
    """The plural key a record is counted under: "samples", "events", "positions"."""
    name = type(record).__name__
    return {"Sample": "samples", "Event": "events", "Position": "positions"}.get(name, name.lower() + "s")
