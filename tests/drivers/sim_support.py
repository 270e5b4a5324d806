"""Helpers for the simulator tests: a handset on a hand-stepped clock, commands in, reply lines
and parsed records out (through the real family parsers)."""

from __future__ import annotations

from drivers.families import get_family, parse_lines
from drivers.sim.dialects import get_dialect
from drivers.sim.engine import manual_engine
from drivers.sim.handset import Handset
from drivers.sim.scenario import Scenario, load_scenario


class Bench:
    """A simulated handset driven by hand: ``ask`` sends one command and returns its reply lines
    (echo and final result stripped, like the AT channel does); ``wait`` moves time on and
    returns the URC lines that came out meanwhile."""

    def __init__(self, scenario: str | Scenario = "one-way-trx", family: str = "quectel", seed: int = 1):
        scen = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        self.engine, self.clock = manual_engine(scen, seed)
        self.handset = Handset(self.engine, get_dialect(family))
        self.family = get_family(family)
        self.urcs: list[str] = []

    def raw(self, command: str) -> bytes:
        self.handset.tick()
        self.urcs += _lines(self.handset.take_output())
        self.handset.feed(command.encode() + b"\r")
        return self.handset.take_output()

    def ask(self, command: str) -> tuple[list[str], str]:
        """(information lines, final result)"""
        lines = _lines(self.raw(command))
        if lines and lines[0] == command:
            lines = lines[1:]
        final = lines[-1] if lines else ""
        return lines[:-1], final

    def records(self, command: str):
        lines, final = self.ask(command)
        assert final == "OK", (command, lines, final)
        result = parse_lines(lines, self.family, command)
        assert not result.skipped, result.skipped_lines
        return result.records

    def records_of(self, line: str):
        """Records of one unsolicited line, parsed by the family's parsers."""
        result = parse_lines([line], self.family)
        assert not result.skipped, result.skipped_lines
        return result.records

    def poll(self):
        """One poll cycle of the family's own poll commands → records."""
        out = []
        for cmd in self.family.poll_commands:
            out += self.records(cmd)
        return out

    def init(self) -> None:
        for cmd in self.family.init_commands:
            self.ask(cmd)

    def wait(self, seconds: float, step: float = 0.25) -> list[str]:
        got: list[str] = []
        t = 0.0
        while t < seconds - 1e-9:
            self.clock.advance(step)
            t += step
            self.handset.tick()
            got += _lines(self.handset.take_output())
        self.urcs += got
        return got


def _lines(data: bytes) -> list[str]:
    return [line.strip() for line in data.decode("ascii", "replace").replace("\r", "\n").split("\n")
            if line.strip()]


def serving(records):
    from fieldapp.model import SERVING, Cell

    cells = [r for r in records if isinstance(r, Cell) and r.role == SERVING and r.rxlev_dbm is not None]
    return cells[0] if cells else None
