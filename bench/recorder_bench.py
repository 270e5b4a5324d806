"""CPU of the headless recorder at 1 Hz polling (goal < 2 % of one core).

The simulator runs in its own process (``fieldapp simulate``) so its CPU is not counted; this
process runs exactly what ``fieldapp record`` runs: the AT channel's reader thread, the poll
loop, the parsers and the recorder writing to a SQLite workspace.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

DURATION_S = 20.0


def run() -> dict:
    from drivers.handset import HandsetSource
    from fieldapp.session import Recorder

    with tempfile.TemporaryDirectory() as tmp:
        link = Path(tmp) / "handset"
        sim = subprocess.Popen([sys.executable, "-m", "fieldapp", "simulate", "--scenario", "demo-drive",
                                "--link", str(link), "--no-gps"], stdout=subprocess.PIPE, text=True)
        try:
            sim.stdout.readline()  # "handset: <path>" once the pty exists
            src = HandsetSource(str(link), rate_s=1.0)
            src.open()
            rec = Recorder(Path(tmp) / "ws.db", src.name)
            cpu0, wall0 = time.process_time(), time.perf_counter()
            src.start(rec.put)
            time.sleep(DURATION_S)
            src.stop()
            rec.close()
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            counts = rec.counts
        finally:
            sim.terminate()
            sim.wait(10)
    return {
        "recorder CPU at 1 Hz (% of one core)": 100.0 * cpu / wall,
        "samples recorded": counts.get("samples", 0),
        "wall seconds": wall,
    }
