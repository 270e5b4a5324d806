"""What a complaint's category needs the evidence to test, and which findings explain it
(issue 13 §3).

A GPRS complaint backed by voice calls only has not been tested: the diagnosis says "packet
data not tested" instead of filing a coverage finding as the answer. Each category lists the
kinds of test it needs (``NEEDS``); ``Tested`` counts what the evidence holds; a need with a
count of zero becomes a ``not_tested`` finding with ``data.what`` = the need's name.

``EXPLAINS`` lists, per rule, the categories its finding can explain; a finding of a listed
rule for another category is marked (``data.explains_category`` = False). Rules not listed
(statistics, alarms, scans, handset-only) are not judged here.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldapp.model import EV_CALL_INCOMING, Event

HANDSET = "handset problem"
NO_COVERAGE = "no coverage"
WEAK = "weak signal"
UNSTABLE = "unstable signal"
CHOPPY = "choppy / broken voice"
ACCESS = "cannot call despite signal (access failure)"
ECHO = "echo"
UNREACHABLE = "subscriber not reachable / not in service area"
DROPPED = "dropped call"
ONE_WAY = "one-way audio"
PACKET = "packet data (GPRS) not working"
SOME_HANDSETS = "only some handsets fail"

# The names are what ``data.what`` carries and what the summary says ("<what> not tested").
LEVEL = "level at the spot"
OUTGOING = "outgoing calls"
INCOMING = "incoming calls"
HELD = "held calls"  # calls that connected and were held (drops, audio, quality in a call)
AUDIO = "audio heard by a listener"
PACKET_DATA = "packet data"

NEEDS: dict[str, tuple[str, ...]] = {
    HANDSET: (LEVEL, OUTGOING),
    NO_COVERAGE: (LEVEL,),
    WEAK: (LEVEL,),
    UNSTABLE: (LEVEL,),
    CHOPPY: (LEVEL, HELD),
    ACCESS: (LEVEL, OUTGOING),
    ECHO: (HELD, AUDIO),
    UNREACHABLE: (LEVEL, INCOMING),
    DROPPED: (HELD,),
    ONE_WAY: (HELD, AUDIO),
    PACKET: (PACKET_DATA,),
    SOME_HANDSETS: (LEVEL, OUTGOING),
}

NEXT_STEP = {
    LEVEL: "Measure at the spot itself (the case's position), at the complaint hours, and attach the session.",
    OUTGOING: "Make repeated outgoing calls at the spot (a CQT) while recording, at the complaint hours.",
    INCOMING: "Have the test handset called at the spot (incoming calls: paging and the paging response), "
              "repeated, while recording; ask for a network-side trace at the same time.",
    HELD: "Make calls at the spot that connect and are held (e.g. 20 s each) while recording level and quality.",
    AUDIO: "Run a CQT at the spot with a listener marking each call (normal, one-way, echo, choppy...).",
    PACKET_DATA: "Test packet data at the spot: GPRS attach, a PDP context and a transfer (ping or download) "
                 "while recording; check the packet channel allocation attempts and allocations of the cells "
                 "and their BSC.",
}

_ALL_RADIO = {HANDSET, NO_COVERAGE, WEAK, UNSTABLE, CHOPPY, ACCESS, UNREACHABLE, DROPPED, SOME_HANDSETS}
EXPLAINS: dict[str, set[str]] = {
    "weak_coverage": _ALL_RADIO - {HANDSET},
    "no_coverage": _ALL_RADIO - {HANDSET},
    "no_dominant_server": {WEAK, UNSTABLE, CHOPPY, ACCESS, UNREACHABLE, DROPPED, SOME_HANDSETS},
    "interference": {UNSTABLE, CHOPPY, ACCESS, UNREACHABLE, DROPPED, ECHO, SOME_HANDSETS},
    "access_failure": {ACCESS, UNREACHABLE, SOME_HANDSETS, HANDSET},
    "drops": {DROPPED, UNSTABLE, CHOPPY},
    "suspect_trx": {ONE_WAY, ECHO, CHOPPY, DROPPED, ACCESS, UNREACHABLE, SOME_HANDSETS},
    "cqt_unattributable": {ACCESS, UNREACHABLE, DROPPED, SOME_HANDSETS},
    "trx_setup_failures": {ACCESS, UNREACHABLE, DROPPED, SOME_HANDSETS},
    "candidate_cells": {SOME_HANDSETS, HANDSET},
}

# Event kinds that show packet data was used: a log reader or driver that records a PDP context
# or a transfer uses one of these prefixes; the packet data test (fieldapp.cqt.data_test) emits
# an ``info`` event carrying ``data["data_test"]`` per attach/activation attempt.
_PACKET_KINDS = ("pdp", "packet", "gprs", "data_")


def is_packet_event(ev: Event) -> bool:
    kind = (ev.kind or "").lower()
    data = ev.data or {}
    return kind.startswith(_PACKET_KINDS) or data.get("service") == "packet" or "data_test" in data


def is_incoming_event(ev: Event) -> bool:
    return ev.kind == EV_CALL_INCOMING


@dataclass
class Tested:
    """How much of each kind of test the evidence holds."""

    level_at_spot: int = 0  # samples at the spot (with a level, or showing no service)
    outgoing: int = 0  # outgoing call attempts (sessions and CQT runs)
    incoming: int = 0
    held: int = 0  # connected calls
    judged: int = 0  # calls with a listener verdict
    packet: int = 0
    cqt_runs: int = 0

    def count(self, what: str) -> int:
        return {LEVEL: self.level_at_spot, OUTGOING: self.outgoing, INCOMING: self.incoming, HELD: self.held,
                AUDIO: self.judged, PACKET_DATA: self.packet}[what]

    def any(self) -> bool:
        return any((self.level_at_spot, self.outgoing, self.incoming, self.held, self.judged, self.packet,
                    self.cqt_runs))

    def describe(self) -> str:
        """"38 samples with a level at the spot, 5 outgoing calls (4 held), no incoming call"."""
        parts = [f"{self.level_at_spot} samples at the spot"]
        calls = f"{self.outgoing} outgoing call{'s' if self.outgoing != 1 else ''}"
        if self.held:
            calls += f" ({self.held} held)"
        parts.append(calls)
        parts.append(f"{self.incoming} incoming" if self.incoming else "no incoming call")
        if self.judged:
            parts.append(f"{self.judged} calls judged by a listener")
        parts.append(f"{self.packet} packet data tests" if self.packet else "no packet data test")
        if self.cqt_runs:
            parts.append(f"{self.cqt_runs} CQT run{'s' if self.cqt_runs != 1 else ''}")
        return ", ".join(parts)


def missing(category: str | None, tested: Tested) -> list[str]:
    """The needs of ``category`` that the evidence does not test, in the order of ``NEEDS``."""
    return [w for w in NEEDS.get(category or "", ()) if tested.count(w) == 0]


def explains(rule: str, category: str | None) -> bool | None:
    """True/False when the rule is judged here and the case has a category; None otherwise."""
    if not category or rule not in EXPLAINS:
        return None
    return category in EXPLAINS[rule]
