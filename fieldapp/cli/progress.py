"""A one-line progress display for headless commands on a terminal: ``record`` rewrites one
stderr line about once a second (elapsed time, samples, serving cell, level in its own terms).
Nothing is written when stderr is not a terminal (pipes, logs, tests of the output)."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from fieldapp.tech_terms import headline, sample_tech, terms_for


def sample_line(elapsed_s: float, samples: int, events: int, last: Any) -> str:
    """``00:01:20  80 samples  2 events  LTE TAC 174 ECI 3409892  RSRP -84.4 dBm …``"""
    minutes, seconds = divmod(int(elapsed_s), 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours:02d}:{minutes:02d}:{seconds:02d}", f"{samples} samples", f"{events} events"]
    if last is not None:
        tech = sample_tech(last)
        cell = last.serving
        terms = terms_for(tech)
        if cell is not None and cell.ci is not None:
            parts.append(f"{tech or ''} {terms.area} {cell.lac} {terms.cell_id} {cell.ci}".strip())
        parts.append(headline(last))
    return "  ".join(parts)


class TerminalProgress:
    def __init__(self, stream: TextIO | None = None, every_s: float = 1.0) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every_s = every_s
        self.started = time.monotonic()
        self._shown = 0.0
        self._width = 0
        self.samples = 0
        self.events = 0
        self.last: Any = None

    def show(self, force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self._shown < self.every_s):
            return
        self._shown = now
        line = sample_line(now - self.started, self.samples, self.events, self.last)
        pad = max(0, self._width - len(line))
        self._width = len(line)
        self.stream.write("\r" + line + " " * pad)
        self.stream.flush()

    def message(self, text: str) -> None:
        """A line of its own (an event) above the progress line."""
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self._width = 0
        print(text, file=self.stream, flush=True)

    def end(self) -> None:
        if self.enabled and self._width:
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0
