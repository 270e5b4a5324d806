"""Nemo import throughput and memory on a day of driving (issue 7, "Performance").

Builds a ~120 MB ``.nmf`` in a temporary directory by repeating the real sample
(tests/fixtures/logs/nemo-RYG0443_R3_R002.3.nmf, 2.6 min) with shifted times (about 10 h,
across midnight), then measures in the same run:

- ``bare_read_s``: ``for line in open(f): pass`` on the same file (the goal's yardstick);
- ``parse_only_s``: the Nemo reader alone (records built, nothing stored);
- ``import_s`` / ``import_mb_per_s``: ``fieldapp.importer.import_file`` into a new workspace;
- ``import_vs_bare_read``: import time / bare read time (goal ≤ 4), and the same in CPU seconds
  (``*_cpu_s``: wall time on a shared machine also counts other processes);
- ``rss_growth_*_mb``: growth of the process's peak RSS (ru_maxrss) while importing a quarter-size
  file and then the full file (goal < 200 MB, and flat: both about the same).

``FIELDAPP_BENCH_IMPORT_MB`` changes the size (default 120).
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "logs" / "nemo-RYG0443_R3_R002.3.nmf"
GAP_S = 1.0  # between two copies of the sample


def _fmt_time(seconds: float) -> str:
    ms_total = int(round(seconds * 1000)) % (86400 * 1000)
    h, rest = divmod(ms_total, 3600 * 1000)
    m, rest = divmod(rest, 60 * 1000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _parse_time(text: str) -> float:
    h, m, s = text.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def build_day(path: Path, target_mb: float) -> dict:
    """Write the sample's header once, then its body again and again, each copy later by the
    sample's duration; times wrap past midnight like a real overnight drive."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    header = [ln for ln in lines if ln.startswith("#") and not ln.startswith(("#STOP", "#HASH"))]
    body = []
    for ln in lines:
        if ln.startswith("#"):
            continue
        rid, t, rest = ln.split(",", 2)
        body.append((rid, _parse_time(t) if t else None, rest))
    times = [t for _r, t, _x in body if t is not None]
    span = max(times) - min(times) + GAP_S
    copies = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.writelines(header)
        while out.tell() < target_mb * 1e6:
            shift = copies * span
            out.writelines(f"{rid},{_fmt_time(t + shift) if t is not None else ''},{rest}" for rid, t, rest in body)
            copies += 1
    return {"copies": copies, "hours": copies * span / 3600, "mb": path.stat().st_size / 1e6}


def _maxrss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def _bare_read_s(path: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of the yardstick loop."""
    t0, c0 = time.perf_counter(), time.process_time()
    for _line in open(path):  # noqa: SIM115 - the yardstick is exactly this loop
        pass
    return time.perf_counter() - t0, time.process_time() - c0


def _import(path: Path, ws: Path) -> tuple[float, float, dict]:
    from fieldapp.importer import import_file
    from fieldapp.store import Store

    with Store.open(ws) as store:
        t0, c0 = time.perf_counter(), time.process_time()
        result = import_file(store, path)
        return time.perf_counter() - t0, time.process_time() - c0, result.to_json()


def run() -> dict:
    target_mb = float(os.environ.get("FIELDAPP_BENCH_IMPORT_MB", "120"))
    from logs.nemo import NemoReader

    with tempfile.TemporaryDirectory(prefix="fieldapp-import-bench-") as tmp:
        small, big = Path(tmp) / "quarter.1.nmf", Path(tmp) / "day.1.nmf"
        build_day(small, target_mb / 4)
        built = build_day(big, target_mb)
        bare_runs = [_bare_read_s(big) for _ in range(2)]

        t0, c0 = time.perf_counter(), time.process_time()
        n = sum(1 for _ in NemoReader(big))
        parse_s, parse_cpu = time.perf_counter() - t0, time.process_time() - c0

        base = _maxrss_mb()
        _import(small, Path(tmp) / "ws-small.db")
        rss_small = _maxrss_mb() - base
        import_s, import_cpu, result = _import(big, Path(tmp) / "ws-big.db")
        rss_big = _maxrss_mb() - base
        bare_runs.append(_bare_read_s(big))

    bare = min(w for w, _c in bare_runs)
    bare_cpu = min(c for _w, c in bare_runs)
    mb = built["mb"]
    return {
        "file_mb": round(mb, 1),
        "drive_hours": round(built["hours"], 2),
        "records": n,
        "counts": result["counts"],
        "calls": result["calls"],
        "bad_lines": result["bad_count"],
        "bare_read_s": bare,
        "bare_read_mb_per_s": mb / bare,
        "parse_only_s": parse_s,
        "parse_only_mb_per_s": mb / parse_s,
        "import_s": import_s,
        "import_mb_per_s": mb / import_s,
        "import_vs_bare_read": import_s / bare,
        # CPU seconds of this process: the same ratios, less disturbed by other load on the machine
        "bare_read_cpu_s": bare_cpu,
        "parse_only_cpu_s": parse_cpu,
        "import_cpu_s": import_cpu,
        "import_vs_bare_read_cpu": import_cpu / max(bare_cpu, 1e-9),
        "goal_import_vs_bare_read": 4.0,
        "rss_growth_quarter_file_mb": rss_small,
        "rss_growth_full_file_mb": rss_big,
        "goal_rss_growth_mb": 200.0,
    }


if __name__ == "__main__":  # pragma: no cover
    for k, v in run().items():
        print(f"{k:<32} {v}")
