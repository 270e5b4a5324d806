"""``fieldapp simulate``: run the simulated network + handset (and its GPS) on pseudo-terminals
until interrupted; ``fieldapp scenarios``: list the shipped scenarios.

    $ fieldapp simulate --scenario one-way-trx --family telit --link /tmp/handset
    handset: /tmp/handset
    gps: /dev/pts/6
    scenario: one-way-trx (telit, speed 1, seed 1)

The ``handset:`` and ``gps:`` lines name what a client opens (the ``--link`` symlink when one
was asked for, else the pty); stdout is flushed at once so a parent process can read them.
SIGINT/SIGTERM stop it cleanly (exit 0).

``--tcp 127.0.0.1:PORT`` serves the handset on a loopback TCP port instead (and the GPS on
PORT+1, or ``--gps-tcp``); clients open ``socket://127.0.0.1:PORT`` with the same driver. That
is the default where the OS has no pseudo-terminals (Windows)::

    $ fieldapp simulate --tcp 127.0.0.1:7001
    handset: socket://127.0.0.1:7001
    gps: socket://127.0.0.1:7002
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from fieldapp.cli import CliError


def register(sub) -> None:
    from drivers.sim.dialects import DIALECTS

    sim = sub.add_parser(
        "simulate", help="run the simulated handset (AT) and GPS (NMEA) on pseudo-terminals",
        description="Creates two pseudo-terminals: a simulated GSM handset answering AT commands "
                    "in the dialect of --family inside the network of --scenario, and a GPS "
                    "printing NMEA GGA/RMC at 1 Hz along the same track. Runs until interrupted.")
    sim.add_argument("--scenario", default="demo-drive", help="shipped scenario name or JSON file "
                     "(see `fieldapp scenarios`; default demo-drive)")
    sim.add_argument("--family", default="quectel", choices=sorted(DIALECTS),
                     help="modem family the handset speaks (default quectel)")
    sim.add_argument("--link", default=None, help="make this symlink to the handset's pty")
    sim.add_argument("--gps-link", default=None, help="make this symlink to the GPS pty")
    sim.add_argument("--speed", type=float, default=1.0,
                     help="simulated seconds per real second (default 1)")
    sim.add_argument("--seed", type=int, default=1, help="random seed of the simulated world (default 1)")
    sim.add_argument("--no-gps", action="store_true", help="no GPS pseudo-terminal")
    sim.add_argument("--tcp", metavar="HOST:PORT", default=None,
                     help="serve the handset on this TCP address instead of a pty (port 0: any free "
                          "port); clients open socket://HOST:PORT. Default where there are no ptys")
    sim.add_argument("--gps-tcp", metavar="HOST:PORT", default=None,
                     help="serve the GPS on this TCP address (default with --tcp: the next port)")
    stats = sim.add_argument_group(
        "network statistics (write the OSS exports of the scenario's network and exit)")
    stats.add_argument("--stats-out", metavar="FILE", default=None,
                       help="write hourly counters of every cell (and TRX) to FILE and exit")
    stats.add_argument("--hours", type=int, default=24, help="hours of counters (default 24)")
    stats.add_argument("--vendor", default="huawei", choices=("huawei", "ericsson", "3gpp"),
                       help="export layout: Huawei MAE CSV (TRX counters beside it in FILE_trx.csv), "
                            "Ericsson ENIQ CSV, 3GPP TS 32.435 XML (default huawei)")
    stats.add_argument("--alarms-out", metavar="FILE", default=None, help="write the alarm export to FILE too")
    stats.add_argument("--plan-out", metavar="FILE", default=None,
                       help="write the scenario's cell plan (TRXs and timeslots) as a cell CSV too")
    stats.add_argument("--start", default=None, metavar="TIME",
                       help="first hour, UTC YYYY-MM-DD[ HH:MM] (default: --hours before the current hour)")
    sim.set_defaults(func=cmd_simulate)

    scen = sub.add_parser("scenarios", help="list the simulator's shipped scenarios")
    scen.set_defaults(func=cmd_scenarios)


def cmd_scenarios(args: argparse.Namespace) -> int:
    from drivers.sim import list_scenarios

    rows = list_scenarios()
    width = max((len(name) for name, _ in rows), default=0)
    for name, desc in rows:
        print(f"{name:<{width}}  {desc}")
    return 0


def cmd_stats_out(args: argparse.Namespace) -> int:
    """``--stats-out``: the scenario's counters (and alarms) in a vendor layout; no pty."""
    import time

    from drivers.sim import ScenarioError, load_scenario
    from drivers.sim.netstats import simulate as simulate_stats
    from logs import stats_write
    from logs.stats_table import parse_time

    if not 1 <= args.hours <= 24 * 366:
        raise CliError(f"--hours must be 1..{24 * 366}, not {args.hours}")
    if args.start is not None:
        got = parse_time(args.start)
        if got is None:
            raise CliError(f"--start: not a time: {args.start!r} (YYYY-MM-DD or YYYY-MM-DD HH:MM, UTC)")
        start = got[0] - got[0] % 3600
    else:
        start = time.time() // 3600 * 3600 - args.hours * 3600
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        raise CliError(str(exc)) from exc
    made = simulate_stats(scenario, start_utc=start, hours=args.hours, seed=args.seed)
    try:
        if args.vendor == "huawei":
            files = stats_write.write_huawei(made.rows, args.stats_out, scenario.name)
        elif args.vendor == "ericsson":
            files = stats_write.write_ericsson(made.rows, args.stats_out)
        else:
            files = stats_write.write_3gpp(made.rows, args.stats_out)
        if args.alarms_out:
            writer = stats_write.write_alarms_huawei if args.vendor == "huawei" else stats_write.write_alarms_x733
            files.append(writer(made.alarms, args.alarms_out))
        if args.plan_out:
            from logs.cellfile_csv import write_cells

            write_cells(args.plan_out, scenario.cell_plan())
            files.append(args.plan_out)
    except OSError as exc:
        raise CliError(f"cannot write the export: {exc}") from exc
    cells = len({r["cell"] for r in made.rows})
    for f in files:
        print(f"wrote: {f}")
    alarms = f"{len(made.alarms)} alarm(s)"
    # The X.733 export carries only the alarms with a 3GPP equivalent (a hung BCCH's ALM-4122 has
    # none): say so, rather than count alarms the file the user gets does not hold.
    carried = len(made.alarms) if args.vendor == "huawei" else sum(
        a.alarm_id in stats_write.X733_EQUIVALENT for a in made.alarms)
    if carried != len(made.alarms):
        alarms += (f", {carried} in the {args.vendor} alarm export"
                   f" (the others have no 3GPP/X.733 equivalent)" if args.alarms_out else "")
    print(f"scenario: {scenario.name} ({args.vendor}, {cells} cells, {args.hours} h from "
          f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime(start))} UTC, {alarms}, seed {args.seed})")
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from drivers.sim import ScenarioError, start_simulator

    if args.stats_out:
        return cmd_stats_out(args)
    if args.alarms_out or args.plan_out:
        raise CliError("--alarms-out and --plan-out go with --stats-out")

    if not 0 < args.speed <= 10_000:
        raise CliError(f"--speed must be in (0, 10000], not {args.speed:g}")
    from drivers.sim.tcp import parse_tcp_address

    try:
        tcp = parse_tcp_address(args.tcp) if args.tcp else None
        gps_tcp = parse_tcp_address(args.gps_tcp) if args.gps_tcp else None
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    if (tcp or gps_tcp) and (args.link or args.gps_link):
        raise CliError("--link/--gps-link name a pty; with --tcp the client opens the socket:// address")
    try:
        sim = start_simulator(args.scenario, family=args.family, link=args.link,
                              gps_link=args.gps_link, speed=args.speed, seed=args.seed,
                              gps=not args.no_gps, tcp=tcp, gps_tcp=gps_tcp)
    except ScenarioError as exc:
        raise CliError(str(exc)) from exc
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot start the simulator: {exc}") from exc

    done = threading.Event()
    previous = {}

    def on_signal(signum, frame) -> None:
        done.set()

    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, on_signal)
        print(f"handset: {sim.port}")
        if sim.gps_port:
            print(f"gps: {sim.gps_port}")
        print(f"scenario: {sim.scenario.name} ({sim.family}, speed {args.speed:g}, seed {args.seed})")
        sys.stdout.flush()
        while not done.wait(0.25):
            if not sim.running:
                print("fieldapp: the simulator stopped unexpectedly", file=sys.stderr)
                return 1
        return 0
    finally:
        sim.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
