"""The smoke round of an installed fieldapp (a wheel in a clean venv, or the desktop bundle):

    python3 packaging/smoke.py PATH/TO/fieldapp [--site-packages DIR]

1. ``fieldapp --version``;
2. ``fieldapp doctor --json`` prints the report (``ok``/``checks``; a failed check on this
   machine does not fail the round, a missing or broken report does);
3. headless: ``fieldapp simulate --tcp 127.0.0.1:0`` and, on its socket, ``probe``, ``record``
   (with the simulated GPS), ``sessions --json``, ``export --format csv`` and a PDF case report
   (Qt, fonts and data files inside the installation);
4. with ``--site-packages``: no top-level ``drivers``, ``logs`` or ``ui`` was installed there.

Standard library only; everything in a temporary folder; exit 0 when all passed, else 1 with
the failing step on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

GENERIC_TOPS = ("drivers", "logs", "ui")


class SmokeFailed(Exception):
    pass



def compiler_present() -> bool:
    """A C compiler and Python's headers on this machine (what setup.py needs to build the
    compiled parts)."""
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(cc) is not None and (Path(sysconfig.get_paths()["include"]) / "Python.h").is_file()

def run(cmd: list[str], env: dict, timeout: float = 120, ok_codes=(0,)) -> subprocess.CompletedProcess:
    started = time.monotonic()
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    took = time.monotonic() - started
    print(f"  {' '.join(Path(c).name if i == 0 else c for i, c in enumerate(cmd))}  -> {res.returncode} "
          f"({took:.1f} s)")
    if res.returncode not in ok_codes:
        raise SmokeFailed(f"{cmd[1:]} exited {res.returncode}: {res.stderr.strip()[-800:]}")
    return res


def smoke(exe: list[str], work: Path, site_packages: Path | None) -> None:
    env = dict(os.environ, FIELDAPP_WORKSPACE=str(work / "ws.db"), QT_QPA_PLATFORM="offscreen",
               HOME=str(work), XDG_DATA_HOME=str(work / "data"))
    version = run(exe + ["--version"], env).stdout.strip()
    if not version.startswith("fieldapp "):
        raise SmokeFailed(f"--version printed {version!r}")
    doc = run(exe + ["doctor", "--json"], env, ok_codes=(0, 1))
    report = json.loads(doc.stdout)
    if set(report) != {"ok", "checks"} or not report["checks"]:
        raise SmokeFailed(f"doctor --json: unexpected report {doc.stdout[:300]!r}")
    qt = [c for c in report["checks"] if c["name"] == "qt"]
    if not qt or qt[0]["status"] != "ok":
        raise SmokeFailed(f"doctor: Qt does not work in this installation: {qt}")
    # The compiled parts (setup.py, optional: the store's packer, the Nemo reader): built
    # wherever the wheel was built with a C compiler; a wheel that silently lost one would store
    # samples or read Nemo lines at half the speed.
    for name in ("store", "logs"):
        line = [c for c in report["checks"] if c["name"] == name]
        if not line:
            raise SmokeFailed(f"doctor: no '{name}' line")
        if line[0]["status"] != "ok" and compiler_present():
            raise SmokeFailed(f"doctor: a compiled part is missing from this installation: {line[0]}")
        print(f"  {name}: {line[0]['detail']}")

    sim = subprocess.Popen(exe + ["simulate", "--scenario", "bus-stop-tilt13", "--speed", "5",
                                  "--tcp", "127.0.0.1:0"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        lines = [sim.stdout.readline().strip() for _ in range(2)]
        if not lines[0].startswith("handset: socket://"):
            raise SmokeFailed(f"simulate --tcp printed {lines!r}: {sim.stderr.read() if sim.poll() is not None else ''}")
        handset, gps = lines[0].split(" ", 1)[1], lines[1].split(" ", 1)[1]
        print(f"  simulator: {handset} (gps {gps})")
        probe = json.loads(run(exe + ["probe", handset, "--json"], env).stdout)
        if probe.get("family") != "quectel":
            raise SmokeFailed(f"probe: {probe}")
        run(exe + ["record", handset, "--gps", gps, "--duration", "4"], env)
    finally:
        sim.send_signal(signal.SIGINT if os.name != "nt" else signal.SIGTERM)
        try:
            sim.wait(timeout=15)
        except subprocess.TimeoutExpired:
            sim.kill()
            sim.wait()
        sim.stdout.close()
        sim.stderr.close()
    sessions = json.loads(run(exe + ["sessions", "--json"], env).stdout)
    if len(sessions) != 1 or sessions[0]["samples"] < 2:
        raise SmokeFailed(f"sessions: {sessions}")
    csv = work / "s.csv"
    run(exe + ["export", str(sessions[0]["id"]), "--format", "csv", "--out", str(csv)], env)
    if len(csv.read_text().splitlines()) < 3:
        raise SmokeFailed("export: the CSV has no samples")
    case = work / "case.json"
    case.write_text(json.dumps({"subscriber_name": "Smoke Test", "subscriber_number": "+43 660 1234567",
                                "category": "Weak signal", "description": "smoke round",
                                "address": "Spitalgasse 23"}))
    case_id = run(exe + ["case", "new", "--json", str(case)], env).stdout.strip()
    run(exe + ["case", "attach", case_id, "--session", str(sessions[0]["id"]), "--role", "before"], env)
    pdf = work / "case.pdf"
    run(exe + ["case", "report", case_id, "--out", str(pdf)], env)
    data = pdf.read_bytes()
    if not data.startswith(b"%PDF") or b"DejaVuSans" not in data:
        raise SmokeFailed("case report: not a PDF with the shipped DejaVu Sans")

    if site_packages is not None:
        tops = sorted(p.name for p in site_packages.iterdir() if p.name in GENERIC_TOPS)
        if tops:
            raise SmokeFailed(f"generic top-level packages installed in {site_packages}: {tops}")
        print(f"  {site_packages}: no top-level {', '.join(GENERIC_TOPS)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("fieldapp", help="the installed fieldapp executable")
    parser.add_argument("--site-packages", type=Path, default=None,
                        help="check that no top-level drivers/logs/ui landed in this folder")
    args = parser.parse_args(argv)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fieldapp-smoke-") as tmp:
        try:
            smoke([args.fieldapp], Path(tmp), args.site_packages)
        except (SmokeFailed, subprocess.TimeoutExpired, json.JSONDecodeError, OSError) as exc:
            print(f"smoke: FAILED: {exc}", file=sys.stderr)
            return 1
    print(f"smoke: passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
