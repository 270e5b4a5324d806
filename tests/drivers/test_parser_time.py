"""No parser can hang (issue 16): every family's parsers take time linear in the line, and a
line over ``MAX_LINE_CHARS`` is skipped unparsed and counted as "too long".

The regression that started it: Cinterion ``AT^MONI`` fragment matching took 18 s on a reply
line of 28 digits and a comma (×4 per two more digits); a Cinterion module that prints such a
line kept ``record`` at 100 % CPU for good. Each family gets the worst shapes we know (long
runs of one token, blanks between tokens, unbalanced brackets) at the full line cap after each
of its prefixes and as an unprefixed block row, plus hypothesis token soup of any length.

``make fuzz`` runs the property with many more examples (FIELDAPP_FUZZ_EXAMPLES), outside
``make test``.
"""

from __future__ import annotations

import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.families import FAMILIES, MAX_LINE_CHARS, parse_lines

# Generous for two loaded cores: a linear parser needs a few ms for a 4 KB line; the old
# Cinterion regex needed minutes.
BOUND_S = 0.5
EXAMPLES = int(os.environ.get("FIELDAPP_FUZZ_EXAMPLES", "150"))

# (family, command) pairs: every block parser's command, and no command (line parsers only).
TARGETS = [(fam.name, cmd) for fam in FAMILIES.values() for cmd in (*fam.block_parsers, None)]
PREFIXES = sorted({p for fam in FAMILIES.values() for p in fam.line_parsers} | {""})
# Units repeated to the cap: runs that nested or adjacent quantifiers backtrack on.
UNITS = ["1", "1,", "1 ", "-1", "\u2013" + "1", "a", "A_HR ", " ", "\t", "(1,", "(", "0x", "1.",
         ":", "cause ", ",", '"', "S_FR ", "h ", "1-", "-", "I ", "[SCELL]", "END:", "F,"]
ENDS = ["", "x", ",", "!", " I", '"']


def _timed(line: str, family: str, command: str | None) -> float:
    t0 = time.perf_counter()
    parse_lines([line], FAMILIES[family], command=command)
    return time.perf_counter() - t0


def test_the_cinterion_moni_digit_run_is_fast():
    # 18 s for 28 digits before the fix; here 4000 digits.
    line = "1" * (MAX_LINE_CHARS - 1) + ","
    assert _timed(line, "cinterion", "AT^MONI") < BOUND_S
    assert _timed("-1" * (MAX_LINE_CHARS // 2 - 1) + "x", "cinterion", "AT^MONI") < BOUND_S


@pytest.mark.parametrize("family,command", TARGETS, ids=[f"{f}-{c}" for f, c in TARGETS])
def test_worst_known_shapes_at_the_cap_parse_in_bounded_time(family, command):
    # A command's block parser sees the rows no line parser claims (no prefix); without a
    # command, the family's own line parsers (the generic ones are the "generic" target's).
    prefixes = [""] if command else sorted(FAMILIES[family].line_parsers)
    slow = []
    for prefix in prefixes:
        for unit in UNITS:
            for end in ENDS[:3]:
                body_len = MAX_LINE_CHARS - len(prefix) - len(end) - 1
                line = f"{prefix} {(unit * (body_len // len(unit) + 1))[:body_len]}{end}"
                assert len(line) <= MAX_LINE_CHARS
                dt = _timed(line, family, command)
                if dt > BOUND_S:
                    slow.append((round(dt, 2), line[:40]))
    assert not slow, slow


def test_a_line_over_the_cap_is_skipped_and_counted_too_long():
    fam = FAMILIES["cinterion"]
    good = "^SMONI: 2G,71,-61,262,02,0143,83BA,33,33,3,6,G,NOCONN"
    result = parse_lines([good, "+CSQ: " + "1" * MAX_LINE_CHARS, good], fam)
    assert result.too_long == 1 and result.skipped == 1
    assert len(result.records) == 2  # the good lines around it are kept
    assert result.skipped_lines[0].endswith(f"({MAX_LINE_CHARS + 6} characters)")
    assert len(result.skipped_lines[0]) < 300
    # a line exactly at the cap is still parsed
    at_cap = parse_lines([good + " " * (MAX_LINE_CHARS - len(good))], fam)
    assert at_cap.too_long == 0 and len(at_cap.records) == 1


TOKEN = st.one_of(st.sampled_from(UNITS), st.text(alphabet="0123456789aAfF-\u2013 ,.:()\"hxI_SRE\t",
                                                  max_size=8))


@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(target=st.sampled_from(TARGETS), prefix=st.sampled_from(PREFIXES),
       unit=st.lists(TOKEN, min_size=1, max_size=4).map("".join), repeat=st.integers(1, 4000),
       end=st.sampled_from(ENDS))
def test_any_line_parses_in_bounded_time(target, prefix, unit, repeat, end):
    family, command = target
    line = (prefix + " " + unit * repeat)[:MAX_LINE_CHARS - len(end)] + end
    assert _timed(line, family, command) < BOUND_S


# ------------------------------------------------------------------ every module-level regex

def _patterns():
    import importlib
    import pkgutil
    import re

    import drivers.families
    import logs

    names = ["drivers.at_lines", "drivers.transcript", "fieldapp.nmea", "logs.cellfile_common"]
    for pkg in (drivers.families, logs):
        names += [f"{pkg.__name__}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__)]
    found = []
    for name in sorted(set(names)):
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            pattern = getattr(value, "__self__", value)  # re.compile(...).fullmatch kept as a method
            if isinstance(pattern, re.Pattern):
                found.append((f"{name}.{attr}", pattern))
    return found


PATTERNS = _patterns()
# Long runs a backtracking engine trips on, after the openers the patterns look for.
OPENERS = ["", "(", "[", "$GPGGA,", "cause", "N ", "#", "a:", "1,"]
RUNS = ["1", "a", " ", "1 ", "-1", "1,", "a ", ",", ":", "\t", "\"", "1.", "(1,", "0x", "S_FR "]


@pytest.mark.parametrize("name,pattern", PATTERNS, ids=[n for n, _ in PATTERNS])
def test_every_parser_regex_scans_a_hostile_line_in_linear_time(name, pattern):
    """An audit of every regex in drivers.families, logs and fieldapp.nmea (issue 16), so a
    new exponential or cubic one fails here: match, fullmatch and search on a line at the cap
    take milliseconds, and so does findall (which retries from every position, so quadratic
    is its floor for many harmless patterns) on a quarter of it."""
    slow = []
    for opener in OPENERS:
        for run in RUNS:
            for end in ("", "x", "!"):
                text = opener + run * ((MAX_LINE_CHARS - len(opener)) // len(run)) + end
                subject = text.encode() if isinstance(pattern.pattern, bytes) else text
                t0 = time.perf_counter()
                pattern.match(subject)
                pattern.fullmatch(subject)
                pattern.search(subject)
                pattern.findall(subject[:MAX_LINE_CHARS // 4])
                dt = time.perf_counter() - t0
                if dt > BOUND_S / 2:
                    slow.append((round(dt, 2), repr(text[:30])))
    assert not slow, slow
