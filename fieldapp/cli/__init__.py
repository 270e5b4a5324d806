"""The ``fieldapp`` command line. One module per command group; each has ``register(sub)``
that adds its sub-commands to the argparse sub-parser set and sets ``func`` on them.

Exit codes: 0 success, 1 failure of the work itself, 2 bad usage or a device/port/file that
cannot be used (with a one-line message on stderr), 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from fieldapp import __version__

# Command modules, in the order their commands appear in --help.
COMMAND_MODULES = (
    "fieldapp.cli.device",    # ports, probe, record, parse-at
    "fieldapp.cli.scan",      # scan (band scans with the handset's survey command)
    "fieldapp.cli.sessions",  # sessions, export
    "fieldapp.cli.window",    # demo (the window itself opens with no command)
    "fieldapp.cli.logs",      # import, replay
    "fieldapp.cli.simulate",  # simulate, scenarios
    "fieldapp.cli.cqt",       # cqt (call quality tests per TRX)
    "fieldapp.cli.case",      # case new/list/show/attach/report/pack ...
    "fieldapp.cli.stats",     # stats import/show/kpis, alarms import (network statistics)
    "fieldapp.cli.doctor",    # doctor (is this machine ready for a field session)
    "fieldapp.cli.workspace", # workspace check [--recover]
)


class CliError(Exception):
    """A message for the user, printed as one line on stderr; exits with ``code``."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fieldapp",
        description="Field-test companion for GSM complaint handling. "
                    "Without a command it opens the window.")
    parser.add_argument("--version", action="version", version=f"fieldapp {__version__}")
    parser.add_argument("--workspace", default=None, help="workspace database (default: user data dir)")
    parser.add_argument("--screenshot", metavar="PATH", default=None,
                        help="(window) save a PNG of the whole window after --exit-after seconds, then exit")
    parser.add_argument("--exit-after", metavar="SECONDS", type=float, default=None,
                        help="(window) close the window after this many seconds")
    parser.add_argument("--port", default=None,
                        help="(window) connect to the handset on this serial port at start")
    parser.add_argument("--baud", type=int, default=115200, help="(window) baud rate for --port")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        if args.command is None:
            try:
                app = importlib.import_module("fieldapp.app")
            except ModuleNotFoundError:
                parser.print_help()
                return 0
            try:
                return app.run_window(args)
            except app.NoDisplay as exc:
                print(f"fieldapp: {exc}", file=sys.stderr)
                return 2
            except ImportError as exc:
                return _missing_library(exc)
        parser.print_help()
        return 2
    from fieldapp.cli import terminal

    old_streams = terminal.install()
    try:
        return int(func(args) or 0)
    except BrokenPipeError:  # `fieldapp sessions | head`: the reader has all it wanted
        return terminal.quiet_broken_pipe()
    except CliError as exc:
        print(f"fieldapp: {exc}", file=sys.stderr)
        return exc.code
    except ImportError as exc:  # before Exception: a missing system library is not a workspace fault
        return _missing_library(exc)
    except Exception as exc:
        code = _workspace_failure(exc, args)
        if code is None:
            raise
        return code
    except KeyboardInterrupt:
        print("fieldapp: interrupted", file=sys.stderr)
        return 130
    finally:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            terminal.quiet_broken_pipe()
        except (OSError, ValueError):
            pass
        sys.stdout, sys.stderr = old_streams


def _workspace_failure(exc: Exception, args: argparse.Namespace) -> int | None:
    """A workspace that turns out damaged (or otherwise unusable) in the middle of a command:
    one line, never a traceback. None: not a workspace problem."""
    from fieldapp.store import StoreDamaged, as_store_error

    err = as_store_error(exc, getattr(args, "workspace", None) or "(default workspace)")
    if err is None:
        return None
    print(f"fieldapp: {err}", file=sys.stderr)
    return 1 if isinstance(err, StoreDamaged) else 2


def _missing_library(exc: ImportError) -> int:
    """Qt's modules fail to import when a system library is missing (libegl1, libfontconfig1
    on a bare Debian): one line naming the package instead of a traceback."""
    from fieldapp.syscheck import explain_load_error

    line = explain_load_error(str(exc))
    if line is None:
        raise exc
    print(f"fieldapp: {line}", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
