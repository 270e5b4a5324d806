"""Samples that fill every part of the record model, shared by the store and export tests."""

from __future__ import annotations

import dataclasses
import json

from fieldapp.model import (
    DEDICATED,
    GSM,
    IDLE,
    LTE,
    NEIGHBOUR,
    UMTS,
    Cell,
    Channel,
    Position,
    Registration,
    Sample,
    Signal,
)

T0 = 1_764_325_637.25  # 2025-11-28 10:27:17.25 UTC


def neighbour(arfcn: int, bsic: int | None, rxlev: int | None, **kw) -> Cell:
    return Cell(role=NEIGHBOUR, arfcn=arfcn, bsic=bsic, rxlev=rxlev,
                rxlev_dbm=None if rxlev is None else float(rxlev - 110), **kw)


def dedicated_sample(ts_utc: float) -> Sample:
    """A GSM call on TRX-69-1's ARFCN 7, six neighbours, a fix: every part filled."""
    serving = Cell(tech=GSM, mcc=262, mnc=1, lac=0x1A2B, ci=0x3C4D, arfcn=7, bsic=35, rxlev=25,
                   rxlev_dbm=-85.0, rxlev_full=25, rxlev_sub=24, rxqual=5, rxqual_sub=4, c1=12, c2=14,
                   ta=3, operator="Test Net", state="dedicated",
                   channel=Channel(tch_arfcn=7, timeslot=3, hopping=False, maio=None, hsn=None,
                                   channel_type="TCH/F", codec="EFR"))
    neighbours = (
        neighbour(12, 21, 30, c1=17, c2=19, lac=0x1A2B, ci=0x3C4E),
        neighbour(24, None, 22),  # BSIC not decoded yet
        neighbour(61, 7, 0),  # RXLEV 0 is a value (-110 dBm), not unknown
        neighbour(975, 63, 63, mcc=262, mnc=1),
        neighbour(10_700, None, None, tech=UMTS, pci=301, rscp_dbm=-97.0, ecno_db=-12.5),
        neighbour(6300, None, None, tech=LTE, pci=77, rsrp_dbm=-105.0, rsrq_db=-11.0, sinr_db=3.5),
    )
    return Sample(
        ts_utc=ts_utc, tech=GSM, mode=DEDICATED, serving=serving, neighbours=neighbours,
        signal=Signal(rssi_dbm=-85.0, rxqual=5, rssi_raw=14, rxlev=25),
        registration=Registration(domain="cs", stat=1, lac=0x1A2B, ci=0x3C4D, act=0, tech=GSM,
                                  operator="Test Net", mcc=262, mnc=1),
        position=Position(ts_utc=ts_utc - 0.4, lat=52.5201, lon=13.4049, alt_m=34.5, speed_mps=8.3,
                          course_deg=271.0, hdop=0.9, sats=9, fix_quality=1))


SAMPLES = [
    dedicated_sample(T0),
    Sample(ts_utc=T0 + 1),  # nothing known at all
    # Parts present with every value unknown stay different from parts absent.
    Sample(ts_utc=T0 + 2, serving=Cell(), signal=Signal(), registration=Registration(domain=None)),
    Sample(ts_utc=T0 + 3, tech=GSM, mode=DEDICATED,
           serving=Cell(arfcn=7, channel=Channel(hopping=True, maio=2, hsn=17, timeslot=5))),
    Sample(ts_utc=T0 + 4, tech=LTE, mode=IDLE,
           serving=Cell(tech=LTE, mcc=262, mnc=2, lac=0x00FE, ci=0x1234567, arfcn=6300, pci=77,
                        rsrp_dbm=-101.5, rsrq_db=-9.5, sinr_db=12.0, state="CONNECT")),
    Sample(ts_utc=T0 + 5, tech=UMTS, serving=Cell(tech=UMTS, arfcn=10_700, pci=301, rscp_dbm=-88.0,
                                                 ecno_db=-7.5),
           signal=Signal(rscp_dbm=-88.0, ecno_db=-7.5)),
    Sample(ts_utc=T0 + 6, neighbours=(neighbour(1, 1, 1, channel=Channel(tch_arfcn=1)),)),
]


# The layout v8 wrote (and migration v8 gives the v1-v7 rows): every field of each part in model
# order; a cell's channel last. record_layouts row 1 of every workspace.
V8_LAYOUT = {"cell": [f.name for f in dataclasses.fields(Cell) if f.name != "channel"],
             **{part: [f.name for f in dataclasses.fields(cls)]
                for part, cls in (("channel", Channel), ("signal", Signal), ("registration", Registration),
                                  ("position", Position))}}


def v8_record_json(sample: Sample) -> str:
    """record_json as fieldapp's schema v8 wrote it: [serving, signal, registration, position,
    neighbours], each part its fields in V8_LAYOUT order, a cell's channel after its fields."""
    def part(record, names):
        return None if record is None else [getattr(record, n) for n in names]

    def cell(c):
        channel = part(c.channel, V8_LAYOUT["channel"])
        if channel is not None and channel[2] is not None:
            channel[2] = bool(channel[2])
        return [*part(c, V8_LAYOUT["cell"]), channel]

    return json.dumps([None if sample.serving is None else cell(sample.serving),
                       part(sample.signal, V8_LAYOUT["signal"]),
                       part(sample.registration, V8_LAYOUT["registration"]),
                       part(sample.position, V8_LAYOUT["position"]),
                       [cell(c) for c in sample.neighbours]], separators=(",", ":"))
