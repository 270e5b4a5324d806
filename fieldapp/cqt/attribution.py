"""Channel → TRX through the cell's TRX plan (attribute mode, docs/domain.md §4 (c)).

During a call the engineering mode shows the dedicated channel, e.g. Quectel::

    +QENG: "servingcell","CONNECT","GSM",001,01,3EB,45,3,57,-64,...,7,2,...      (tch 7, ts 2)
    +QENG: "servingcell","CONNECT","GSM",001,01,3EB,45,3,57,-64,...,h,2,2,5,...  (hopping)

A call is attributed to a TRX only when every traffic-channel report of the call names the
same TRX of the cell under test. Anything else is "unknown", never a guess: no channel shown
(families without a dedicated report, or a setup that failed before the TCH), hopping (no
single ARFCN identifies the TRX), a handover to another cell, a TCH ARFCN the plan does not
have (or that several TRXs carry), or a channel that moved between TRXs during the call.
"""

from __future__ import annotations

from collections.abc import Iterable

from fieldapp.cellplan import CellPlan
from fieldapp.cqt.calls import BY_ATTRIBUTE, BY_BLOCK, BY_LOCK, CONFLICT, UNKNOWN, CqtCall
from fieldapp.cqt.plan import ATTRIBUTE, BLOCK, CqtPlan
from fieldapp.model import Cell, Channel, PlanCell


def _is_traffic(ch: Channel) -> bool:
    # An SDCCH during setup says nothing about the TCH that carries the audio.
    return not (ch.channel_type or "").upper().startswith("SDCCH")


def attribute(cell: PlanCell, seen: Iterable[tuple[Cell | None, Channel | None]]) -> tuple[str | None, str]:
    """(TRX id or None, why) for one call from the (serving cell, channel) pairs seen in it."""
    reports = [(s, ch) for s, ch in seen if ch is not None and _is_traffic(ch)]
    if not reports:
        return None, "no traffic channel reported during the call"
    for serving, _ch in reports:
        if CellPlan.same(cell, serving) is False:
            where = f"CI {serving.ci}" if serving.ci is not None else f"ARFCN {serving.arfcn}"
            return None, f"the call was on {where}, not on {cell.name}"
    hopping = [ch for _s, ch in reports if ch.hopping]
    if hopping:
        ch = hopping[0]
        return None, (f"hopping (MAIO {'?' if ch.maio is None else ch.maio}, HSN {'?' if ch.hsn is None else ch.hsn}): "
                      "no single ARFCN identifies the TRX")
    trxs: list[str] = []
    for _s, ch in reports:
        if ch.tch_arfcn is None:
            return None, "a channel report without a TCH ARFCN"
        hits = [t for t in cell.trxs if ch.tch_arfcn in t.arfcns]
        trx = cell.trx_for_channel(ch)
        if trx is None:
            if not hits:
                return None, f"TCH ARFCN {ch.tch_arfcn} is not in {cell.name}'s TRX plan"
            return None, (f"TCH ARFCN {ch.tch_arfcn} is carried by {', '.join(t.trx_id for t in hits)}: "
                          "cannot tell which")
        if trx.trx_id not in trxs:
            trxs.append(trx.trx_id)
    if len(trxs) > 1:
        return None, f"the channel moved between {' and '.join(trxs)} during the call"
    last = reports[-1][1]
    ts = "" if last.timeslot is None else f" TS {last.timeslot}"
    return trxs[0], f"TCH ARFCN {last.tch_arfcn}{ts} → {trxs[0]}"


def tie_to_trx(plan: CqtPlan, call: CqtCall, seen: list[tuple[Cell | None, Channel | None]]) -> None:
    """Decide the TRX a finished call counts on, and how we know (sets ``trx_id``, ``trx_how``,
    ``attributed_trx``, ``attribution``). A forced configuration (block, channel lock) names
    the TRX unless the call left the cell or the channel seen says otherwise (then it is not
    counted: "unknown" or "conflict"); without one, the channel decides."""
    if ATTRIBUTE in plan.modes:
        call.attributed_trx, call.attribution = attribute(plan.cell, seen)
    if not (plan.forces_trx and call.planned_trx is not None):
        call.trx_id = call.attributed_trx
        call.trx_how = BY_ATTRIBUTE if call.attributed_trx else UNKNOWN
        return
    how = BY_BLOCK if BLOCK in plan.modes else BY_LOCK
    left = next((s for s, _c in seen if CellPlan.same(plan.cell, s) is False), None)
    if left is not None:
        call.trx_id, call.trx_how = None, UNKNOWN
        call.attribution = f"the call left {plan.cell.name} (CI {left.ci}): not counted"
    elif call.attributed_trx is not None and call.attributed_trx != call.planned_trx:
        call.trx_id, call.trx_how = None, CONFLICT
        call.attribution = f"{how} put it on {call.planned_trx} but the channel shows {call.attributed_trx}: not counted"
    else:
        call.trx_id, call.trx_how = call.planned_trx, how
        forced = f"all TRXs but {call.planned_trx} blocked" if how == BY_BLOCK else f"locked to {call.planned_trx}"
        call.attribution = forced + (f"; channel agrees ({call.attribution})" if call.attributed_trx else "")
