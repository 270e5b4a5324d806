"""Run every benchmark and print its figures against the goals of the issues.

``python -m bench`` runs each module in a process of its own, so that no figure carries what an
earlier bench left in the process: the window's memory (ui_bench's ``rss_mb``) would otherwise
count the import bench's freed-but-kept heap, and its redraw the garbage collector's walk over
the open bench's objects. ``python -m bench open_bench ui_bench`` runs the named ones here,
in this process, in that order."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import time
import traceback

MODULES = (
    "bench.parsers_bench",  # parser throughput per family (goal ≥ 50,000 lines/s)
    "bench.recorder_bench",  # recorder CPU at 1 Hz through the real driver (goal < 2 % of a core)
    "bench.store_bench",
    "bench.sim_bench",  # simulator speed-up on a one-hour drive (≥ 100×), CPU at real time (< 5 %)
    "bench.import_bench",  # Nemo and G-NetTrack import vs bare read (≤ 15×), memory (< 200 MB)
    "bench.open_bench",  # an 8-hour session opened in the replay window (< 1 s)
    "bench.ui_bench",  # redraw per tick (< 16 ms), latency (< 250 ms), CPU, memory, start-up
)


def each_in_its_own_process() -> int:
    failures = 0
    for name in MODULES:
        failures += subprocess.run([sys.executable, "-m", "bench", name.split(".")[-1]], check=False).returncode != 0
    return 1 if failures else 0


def main(argv: list[str]) -> int:
    if not argv:
        return each_in_its_own_process()
    wanted = set(argv)
    failures = 0
    for name in MODULES:
        short = name.split(".")[-1]
        if wanted and short not in wanted:
            continue
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                print(f"== {short}: not present")
                continue
            raise
        print(f"== {short}", flush=True)
        t0 = time.perf_counter()
        try:
            figures = module.run()
        except Exception:
            failures += 1
            traceback.print_exc()
            continue
        for key, value in figures.items():
            if isinstance(value, float):
                value = f"{value:,.3f}"
            elif isinstance(value, (dict, list)):
                value = json.dumps(value)
            print(f"   {key:<44} {value}")
        print(f"   ({time.perf_counter() - t0:.1f} s)", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
