"""``fieldapp cqt``: call quality tests per TRX from the terminal (the one-way-audio hunt).

    fieldapp cqt PORT --number N [--cell NAME|CI | --trx "TRX-69-0=3; TRX-69-1=7"]
                 [--calls-per-trx K | --calls N] [--mode lock|block|attribute ...] [--lock-kind cell|channel]
                 [--hold S] [--gap S] [--setup-timeout S] [--workspace DB] [--case ID]
                 [--json] [--auto-audio] [--yes] [--sim-block] [--resume RUN] [--incoming]

Prints the TRX × outcome matrix and the verdict (``--json``: one object with ``trx``, ``calls``
and ``suspect``). Without ``--cell``/``--trx`` the cell under test is the serving cell, looked
up in the workspace's cell plan or the simulator's scenario. Block mode asks on the terminal
(``--yes`` answers yes: someone else does the blocks); ``--sim-block`` also applies them in the
simulator (the live session's ``sim_blocks``; the CLI sends no AT of its own). Without ``--auto-audio`` the listener's verdict is asked after each
connected call (1-8, Enter = not marked). Exit 0 when the plan ran, 1 on a fault, 130 when
aborted with Ctrl-C (either way the calls so far are kept and ``--resume RUN`` continues), 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from fieldapp.cellplan import CellPlan
from fieldapp.cli import CliError
from fieldapp.cli.common import add_workspace_arg, non_negative_seconds, positive_seconds, workspace_from
from fieldapp.cqt.calls import LISTENER_TEXT, LISTENER_VERDICTS, CqtCall
from fieldapp.cqt.matrix import format_matrix, matrix_json
from fieldapp.cqt.plan import MODES, CqtPlan, PlanError, typed_cell
from fieldapp.model import PlanCell, Sample

SERVING_WAIT_S = 15.0
INCOMING_CALLER = "5550100"  # the number the simulator calls from in an incoming test


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("cqt", help="call quality test per TRX on PORT: matrix and verdict (one-way-audio hunt)")
    p.add_argument("port")
    p.add_argument("--number", help="number to call (required unless --resume)")
    p.add_argument("--cell", help="cell under test: name or CI in the workspace plan or the simulator's scenario")
    p.add_argument("--trx", help='TRXs typed in: "TRX-69-0=3; TRX-69-1=7" (several ARFCNs = hopping)')
    p.add_argument("--bcch", type=int, default=None, help="BCCH ARFCN of a typed-in cell (for a lock)")
    p.add_argument("--calls-per-trx", type=int, default=None, help="calls per TRX (default 10)")
    p.add_argument("--calls", type=int, default=None, help="total number of calls instead of per TRX")
    p.add_argument("--mode", action="append", default=None,
                   help="lock, block, attribute; repeat or join with + to combine (default attribute)")
    p.add_argument("--lock-kind", choices=("cell", "channel"), default="channel",
                   help="channel (default): lock to each TRX's ARFCN in turn (the issue's lock mode; "
                        "service is checked after each lock and the run stops with a clear message "
                        "when the device's lock only selects BCCH carriers); cell: lock to the "
                        "cell's BCCH for the whole run, combined with block or attribute")
    p.add_argument("--hold", type=positive_seconds, default=20.0, help="hold time of a connected call, s (default 20)")
    p.add_argument("--gap", type=non_negative_seconds, default=5.0, help="pause between calls, s (default 5)")
    p.add_argument("--setup-timeout", type=float, default=20.0, help="a call not connected by then fails, s")
    p.add_argument("--lock-settle", type=float, default=15.0, help="time for a lock to show service, s")
    p.add_argument("--case", type=int, default=None, help="complaint case to record into and attach the result to")
    p.add_argument("--json", action="store_true")
    p.add_argument("--auto-audio", action="store_true",
                   help="the listener's verdict from the simulator (refused with a real device)")
    p.add_argument("--yes", action="store_true", help="answer yes to the block confirmations")
    p.add_argument("--sim-block", action="store_true", help="also apply the blocks in the simulator")
    p.add_argument("--resume", type=int, default=None, metavar="RUN", help="continue a stopped CQT run")
    p.add_argument("--incoming", action="store_true",
                   help="incoming (mobile-terminated) test calls: wait for rings (the far end calls; on the "
                        "simulator it places the calls), answer, hold, release; no ring within "
                        "--setup-timeout counts as not reachable. --number is then the caller's number")
    p.add_argument("--baud", type=int, default=115200)
    p.add_argument("--family", default=None)
    p.add_argument("--rate", type=positive_seconds, default=1.0, help="poll period, s (default 1)")
    p.add_argument("--gps", default=None, metavar="PORT|gpsd[:HOST[:PORT]]",
                   help="GPS for the recorded samples: an NMEA serial port or gpsd (host:port)")
    add_workspace_arg(p)
    p.set_defaults(func=cmd_cqt)


def _modes(values: list[str] | None) -> frozenset[str]:
    out: set[str] = set()
    for v in values or ["attribute"]:
        out |= {m.strip().lower() for m in v.replace(",", "+").split("+") if m.strip()}
    bad = out - set(MODES)
    if bad:
        raise CliError(f"--mode: {', '.join(sorted(bad))} is not one of {', '.join(MODES)}")
    return frozenset(out)


def _ask(prompt: str) -> str | None:
    print(prompt, end="", file=sys.stderr, flush=True)
    try:
        line = sys.stdin.readline()
    except (OSError, ValueError):
        return None
    return None if line == "" else line.strip()


def _confirm_block(plan_ids: list[str], yes: bool):
    def confirm(trx: str) -> bool:
        others = ", ".join(t for t in plan_ids if t != trx) or "nothing"
        text = f"CQT: have the BSC team block {others} and keep {trx} in service"
        if yes:
            print(f"{text} (--yes)", file=sys.stderr)
            return True
        answer = _ask(f"{text}; Enter when done, n to stop: ")
        return answer is not None and answer.lower() not in ("n", "no")
    return confirm


def _ask_verdict(call: CqtCall) -> tuple[str, str] | None:
    keys = ", ".join(f"{i} {LISTENER_TEXT[v]}" for i, v in enumerate(LISTENER_VERDICTS, start=1))
    while True:
        answer = _ask(f"call #{call.seq}: what did you hear? [{keys}; Enter = not marked]: ")
        if not answer:
            return None
        key, _, note = answer.partition(" ")
        if key.isdigit() and 1 <= int(key) <= len(LISTENER_VERDICTS):
            return LISTENER_VERDICTS[int(key) - 1], note.strip()
        print(f"  {key!r}: type 1-{len(LISTENER_VERDICTS)}", file=sys.stderr)


ABORT_WAIT_S = 60.0  # after Ctrl-C: time for the runner to hang up, undo blocks/locks and store the run


def _short_plan_warning(plan: CqtPlan) -> str | None:
    """Said before the run starts when the plan has fewer calls per TRX than the verdict needs
    to judge a TRX (``fieldapp.cqt.verdict.MIN_CALLS``): such a run ends "not enough calls"."""
    from fieldapp.cqt.verdict import MIN_CALLS

    n_trx = max(1, len(plan.trx_ids))
    per_trx = plan.calls_per_trx if plan.calls_per_trx is not None else (plan.total_calls or 0) // n_trx
    if per_trx >= MIN_CALLS:
        return None
    return (f"{per_trx} call(s) per TRX: the verdict judges a TRX from {MIN_CALLS} counted calls on, so this run "
            f"cannot name a faulty TRX (use --calls-per-trx {MIN_CALLS} or more)")


def _calls_text(plan: Any) -> str:
    """How many calls the run makes. In attribute mode with calls per TRX the BSC picks the TRX
    and the runner keeps calling until each TRX has its calls (up to EXTRA_CALLS_FACTOR times
    the plan): announcing "12 calls" and making 14 reads as a fault."""
    from fieldapp.cqt.runner import EXTRA_CALLS_FACTOR

    planned = len(plan.schedule())
    if plan.forces_trx or plan.calls_per_trx is None:
        return f"{planned} calls"
    return (f"{planned} calls or more (until each TRX has {plan.calls_per_trx}, "
            f"at most {EXTRA_CALLS_FACTOR * planned})")


def _progress_printer(runner: Any):
    """Each call on stderr as it ends (a CQT lasts minutes: the engineer sees it move)."""
    printed: set[int] = set()

    def show() -> None:
        for call in runner.calls():
            if call.over and call.seq not in printed:
                printed.add(call.seq)
                print(f"  {call.summary()}", file=sys.stderr, flush=True)
    return show


def _cell(args: argparse.Namespace, workspace_cells: list[PlanCell], scenario_cells: list[PlanCell],
          serving: Any) -> PlanCell:
    if args.trx:
        try:
            return typed_cell(args.cell or "typed cell", args.trx, bcch=args.bcch)
        except PlanError as exc:
            raise CliError(f"--trx: {exc}") from exc
    for cells in (CellPlan(workspace_cells), CellPlan(scenario_cells)):
        cell = cells.named(args.cell) if args.cell else cells.match(serving)
        if cell is not None:
            return cell
    if args.cell:
        raise CliError(f"--cell {args.cell}: not in the workspace's cell plan"
                       + (" nor in the simulator's scenario" if scenario_cells else "")
                       + ' (type its TRXs in with --trx "TRX-1=ARFCN; ...")')
    if serving is None:
        raise CliError("the handset shows no serving cell: give --cell or --trx")
    raise CliError(f"the serving cell (CI {serving.ci}, ARFCN {serving.arfcn}) is not in the workspace's cell "
                   "plan: give --cell or --trx")


def _forget_session(workspace: Any, session_id: int | None) -> None:
    """A CQT refused before its first call leaves nothing in the workspace."""
    from fieldapp.store import Store, StoreError, UnknownSession

    if session_id is None:
        return
    try:
        with Store.open(workspace) as store:
            store.delete_session(session_id)
    except (StoreError, UnknownSession, OSError):
        pass  # nothing recorded, or the workspace went away: nothing to undo


def _wait_serving(seen: list[Any]) -> Any:
    deadline = time.monotonic() + SERVING_WAIT_S
    while time.monotonic() < deadline:
        for r in reversed(seen):
            if isinstance(r, Sample) and r.serving is not None:
                return r.serving
        time.sleep(0.05)
    return None


def _connect(args: argparse.Namespace, session: Any) -> None:
    """The handset on ``args.port`` through the live session (which probes it, joins the GPS
    and brings the simulator scenario's plan); CliError with the session's reason."""
    from fieldapp.live import ConnectRequest
    from fieldapp.positioning import parse_gps_address

    gps_kind, gps_address = "none", None
    if args.gps:
        try:
            gps_kind, gps_address = parse_gps_address(args.gps)
        except ValueError as exc:
            raise CliError(f"--gps: {exc}") from None
    session.connect(ConnectRequest("handset", port=args.port, baud=args.baud, family=args.family,
                                   rate_s=args.rate, reconnect=False, gps=gps_kind, gps_address=gps_address))
    session.wait_idle()
    status = session.status()
    if status.state == "error":
        raise CliError(f"{args.port}: {status.message}")


def cmd_cqt(args: argparse.Namespace) -> int:
    """Build the request and the plan, run them on a live session, print what happened."""
    from fieldapp.cqt.runner import ABORTED, FAULT, CqtRunner
    from fieldapp.live import LiveSession
    from fieldapp.store import Store, StoreError

    workspace = workspace_from(args)
    if args.resume is None and not args.number:
        if not args.incoming:
            raise CliError("--number is needed (or --incoming, or --resume RUN)")
        args.number = INCOMING_CALLER  # the simulator's caller; a real far end dials from its own
    if args.calls_per_trx is not None and args.calls is not None:
        raise CliError("give --calls-per-trx or --calls, not both")
    try:
        with Store.open(workspace) as store:
            workspace_cells = store.cell_plan()
            if args.case is not None and store.get_case(args.case) is None:
                raise CliError(f"--case {args.case}: no such case in {workspace}")
            stored = store.cqt_run(args.resume) if args.resume is not None else None
    except StoreError as exc:
        raise CliError(str(exc)) from exc
    if args.resume is not None and stored is None:
        raise CliError(f"--resume {args.resume}: no such CQT run in {workspace}")

    seen: list[Any] = []
    session = LiveSession(lambda record: None, workspace)
    session.add_observer(seen.append)
    runner: Any = None
    started = False  # until the run starts, a refusal leaves no session behind
    new_session: int | None = None
    try:
        _connect(args, session)
        caps = session.status().capabilities
        fields = getattr(caps, "fields", None) or {}
        if stored is None and not (args.trx or args.cell) and caps is not None and not any(
                fields.get(k) for k in ("rxlev", "bsic", "neighbours", "tch_arfcn")):
            # The probe knows already: this family's replies carry no serving cell (no
            # engineering mode), so waiting for one would only delay the same refusal.
            raise CliError(f"the handset ({caps.family}) shows no serving cell: give the cell's TRXs with "
                           '--trx "TRX-1=ARFCN; TRX-2=ARFCN" and --mode block (a person has the BSC '
                           "block the other TRXs)")
        session.start_recording(args.case, session_id=stored["session_id"] if stored is not None else None)
        session.wait_idle()
        status = session.status()
        if not status.recording:
            raise CliError(status.message or f"cannot record into {workspace}")
        if stored is None:
            new_session = status.session_id
        sim_blocks = session.sim_blocks() if args.sim_block else None
        if args.sim_block and sim_blocks is None:
            raise CliError("--sim-block works with the simulator only")
        common = dict(workspace=workspace, emit=session.record, sim=sim_blocks, apply_sim_block=bool(sim_blocks),
                      ask_verdict=None if args.auto_audio else _ask_verdict)
        if stored is not None:
            try:
                runner = CqtRunner.load(workspace, args.resume, session.source, **common)
            except PlanError as exc:
                raise CliError(f"--resume {args.resume}: {exc}") from exc
        else:
            serving = None if (args.trx or args.cell) else _wait_serving(seen)
            cell = _cell(args, workspace_cells, session.scenario_cells, serving)
            plan = CqtPlan(number=args.number, cell=cell, modes=_modes(args.mode),
                           calls_per_trx=None if args.calls is not None else (args.calls_per_trx or 10),
                           total_calls=args.calls, setup_timeout_s=args.setup_timeout, hold_s=args.hold,
                           gap_s=args.gap, lock_kind=args.lock_kind, lock_settle_s=args.lock_settle,
                           auto_audio=args.auto_audio, direction="mt" if args.incoming else "mo")
            try:
                plan.validate()
            except PlanError as exc:
                raise CliError(str(exc)) from exc
            runner = CqtRunner(session.source, plan, session_id=status.session_id, case_id=args.case, **common)
        runner.confirm_block = _confirm_block(runner.plan.trx_ids, args.yes)
        if not args.json:
            runner.on_change = _progress_printer(runner)
        try:
            runner.check()
        except PlanError as exc:
            raise CliError(str(exc)) from exc
        session.remove_observer(seen.append)
        session.add_observer(runner.observe)
        short = _short_plan_warning(runner.plan)
        if short:  # the panel asks the same before it starts (ui/cqt_panel.py)
            print(f"warning: {short}", file=sys.stderr)
        if not args.json:
            p = runner.plan
            print(f"CQT: {_calls_text(p)} " + ("incoming" if p.direction == "mt" else f"to {p.number}")
                  + f" on {p.cell.name} "
                  f"({', '.join(p.trx_ids)}), mode {p.mode_text}", file=sys.stderr)
        runner.start()
        started = True
        try:
            while not runner.join(0.2):
                pass
        except KeyboardInterrupt:
            print("fieldapp: aborting the CQT run (the calls so far are kept)", file=sys.stderr)
            runner.abort()
            # A Thread.join() that Ctrl-C interrupted may return at once ever after (CPython
            # gh-90882): the run then printed "(running)" and the session was stopped while the
            # runner was still hanging up. Wait on the runner's own flag instead (bounded).
            deadline = time.monotonic() + ABORT_WAIT_S
            while runner.running and time.monotonic() < deadline:
                time.sleep(0.1)
        status = runner.status()
    finally:
        session.stop_recording(interrupted=runner is not None and runner.status().state == FAULT)
        session.shutdown()
        if not started and new_session is not None:
            _forget_session(workspace, new_session)

    verdict = runner.verdict()
    calls = runner.calls()
    if args.json:
        out = {"run_id": runner.run_id, "session_id": runner.session_id, "case_id": runner.case_id,
               "state": status.state, "message": status.message or None,
               "cell": runner.plan.cell.name, "mode": runner.plan.mode_text, "plan": runner.plan.to_json(),
               "trx": matrix_json(runner.matrix()), "calls": [c.to_json() for c in calls],
               "suspect": verdict.suspect, "verdict": verdict.to_json()}
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        for c in calls:
            print(c.summary() + (f" — {c.attribution}" if c.attribution else ""))
        print()
        print(format_matrix(runner.matrix()))
        print()
        print(f"verdict: {verdict.text}")
        for line in verdict.support:
            print(f"  {line}")
        print(f"rule: {verdict.rule}")
        print(f"CQT run {runner.run_id} ({status.state}), session {runner.session_id}")
    if status.state == FAULT:
        print(f"fieldapp: {status.message} (CQT run {runner.run_id} keeps {len(calls)} calls; "
              f"continue with --resume {runner.run_id})", file=sys.stderr)
        return 1
    if status.state == ABORTED:
        print(f"fieldapp: CQT run {runner.run_id} aborted with {len(calls)} calls kept; "
              f"continue with --resume {runner.run_id}", file=sys.stderr)
        return 130
    return 0
