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


def cmd_simulate(args: argparse.Namespace) -> int:
    from drivers.sim import ScenarioError, start_simulator

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
