"""``fieldapp demo``: the live window on a simulated drive. (``fieldapp`` with no command opens
the window; its ``--screenshot``/``--exit-after`` options live on the main parser.)"""

from __future__ import annotations

import argparse

from fieldapp.cli import CliError


def add_screenshot_args(parser: argparse.ArgumentParser, default=None) -> None:
    """``--screenshot PATH --exit-after SECONDS``: for automation and for documentation."""
    parser.add_argument("--screenshot", metavar="PATH", default=default,
                        help="save a PNG of the whole window (after --exit-after seconds, default 3) and exit")
    parser.add_argument("--exit-after", metavar="SECONDS", type=_seconds, default=default,
                        help="close the window after this many seconds")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 <= value <= 86400:
        raise argparse.ArgumentTypeError(f"seconds must be 0..86400, not {text}")
    return value


def register(sub) -> None:
    demo = sub.add_parser(
        "demo", help="open the window on a simulated drive (simulator over a real pty), recording",
        description="Opens the live window on the demo-drive scenario: the simulated handset answers "
                    "AT on a pseudo-terminal, the real driver polls it, and the session is recorded "
                    "into a demo workspace (or --workspace).")
    demo.add_argument("--workspace", default=argparse.SUPPRESS,
                      help="workspace database (default: demo-workspace.db in the user data directory)")
    demo.add_argument("--scenario", default="demo-drive", help="shipped scenario name or JSON file")
    demo.add_argument("--family", default=None, help="modem family the simulated handset speaks")
    demo.add_argument("--speed", type=float, default=1.0, help="simulated time per real second (default 1)")
    demo.add_argument("--seed", type=int, default=None, help="random seed of the simulated world")
    demo.add_argument("--tcp", action="store_true",
                      help="serve the simulated handset on a loopback TCP port (socket://) instead of a "
                           "pseudo-terminal; automatic where there are no ptys (Windows)")
    add_screenshot_args(demo, default=argparse.SUPPRESS)
    demo.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from fieldapp.app import NoDisplay, run_demo

    if not 0 < args.speed <= 1000:
        raise CliError(f"--speed must be in (0, 1000], not {args.speed}")
    # Refuse a bad scenario or family here, with the simulator's own message, before a window opens.
    from drivers.sim.dialects import get_dialect
    from drivers.sim.scenario import ScenarioError, load_scenario

    try:
        load_scenario(args.scenario)
        if args.family:
            get_dialect(args.family)
    except (ScenarioError, ValueError) as exc:
        raise CliError(str(exc)) from exc
    try:
        return run_demo(args)
    except NoDisplay as exc:
        raise CliError(str(exc)) from exc
