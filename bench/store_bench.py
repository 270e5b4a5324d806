"""Workspace store figures: insert throughput and the recorder's CPU use at a drive-test rate.

    .venv/bin/python -c "import bench.store_bench as b; print(b.run())"

- ``insert_samples_per_s``: samples with a serving cell, channel, signal, position and 6
  neighbours added in batches of 500 and committed, on a real file in a temp directory.
- ``read_samples_per_s``: the same samples rebuilt whole through ``Store.samples``.
- ``*_per_cpu_s``: the same per second of this process's CPU time (steadier on a busy machine).
- ``insert_samples_per_cpu_s_python``: the same insert with the records packed by the Python code
  (``rows.record_text_python``) instead of the compiled packer (fieldapp/store/_rowpack.c, the
  "compiled path" issue 15 asks to measure beside the pure-Python one); ``packing`` says which
  one the main figures used (the Python one where the compiled part was not built).
- ``recorder_cpu_percent``: process CPU time / wall time while a Recorder takes one such sample
  (and one GPS fix) per second for ``duration_s``, i.e. a 1 Hz drive test. Everything else in
  the process sleeps, so the figure is the recorder's cost (one core = 100 %).

Figures (issue 15, Python 3.11, SQLite 3.40, 2 shared cores; per CPU second, best of 3, old and
new code run alternately because the machine's load moves every figure by ±15 %):

- schema v8 (every cell field in record_json, 1,026 bytes a sample): insert ~39,000/s, read
  ~55,000/s; schema v9 (cell forms, store/rows.py, ~310 bytes): insert ~50,000-53,000/s, read
  ~61,000-64,000/s; recorder ~0.1 % of a core at 1 Hz, as before (one commit per second).
- Where the ~19 µs of a v9 sample go (micro-benchmarks, results discarded so that the garbage
  collector does not count): the 7 cells' 24 fields read by attrgetter ~4.7 µs, choosing the
  form and leaving out the trailing nulls ~1.6 µs, the C JSON encoder ~6 µs (~80 values: ~45 ns a
  value, ~110-270 ns a float), query columns and tuples ~1.5 µs, SQLite ~4.5 µs (insert ~3.3 with
  the index ~1 and the two foreign keys ~1; commit and WAL checkpoint ~1.1).
- With no JSON encoder at all (a constant text) the Python packing's insert ran at ~60,000/s: the
  goal of 100,000/s (10 µs a sample) was out of reach in Python with one object per cell, and
  orjson (a compiled JSON encoder) gave only ~61,000-76,000/s. Issue 15's compiled path is now
  the store's own: fieldapp/store/_rowpack.c reads the records' slots and writes the same text
  (2.1 µs a sample against 13.8 in Python): insert 117,000-142,000/s wall, 126,000-153,000 per
  CPU second (3 runs; the Python packing 49,000-55,000 in the same runs). Reading rows back
  through it (``Packer.sample``): ~55,000-60,000/s -> ~230,000/s.
  Its cost: a C compiler and Python's headers when installing from source (setup.py builds it
  as optional; without them the Python packing runs, ``fieldapp doctor`` says so), and one
  compiled file per platform and Python version in a wheel or bundle. No new dependency.
- Nemo import (``bench/import_bench.py``, ``store_us_per_record``, 2.5 neighbours a sample,
  mostly UMTS/LTE): samples ~19 µs (v8, 598 bytes) -> ~15 µs (v9, 241 bytes).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from fieldapp.model import DEDICATED, GSM, NEIGHBOUR, Cell, Channel, Position, Sample, Signal
from fieldapp.session import Recorder
from fieldapp.store import Store


def drive_test_sample(ts_utc: float, i: int) -> Sample:
    neighbours = tuple(Cell(role=NEIGHBOUR, arfcn=10 + n, bsic=n, rxlev=20 + n, rxlev_dbm=-90.0 + n,
                            c1=5 + n, c2=7 + n) for n in range(6))
    return Sample(
        ts_utc=ts_utc, tech=GSM, mode=DEDICATED,
        serving=Cell(mcc=262, mnc=1, lac=0x1A2B, ci=0x3C4D + i % 3, arfcn=7, bsic=35, rxlev=25,
                     rxlev_dbm=-85.0, rxqual=i % 8, ta=3,
                     channel=Channel(tch_arfcn=7, timeslot=3, hopping=False, channel_type="TCH/F")),
        neighbours=neighbours,
        signal=Signal(rssi_dbm=-85.0, rxqual=i % 8, rssi_raw=14),
        position=Position(ts_utc, 52.52 + i * 1e-5, 13.40 + i * 1e-5, speed_mps=8.0))


def bench_insert(directory: Path, count: int, batch: int = 500) -> dict[str, float]:
    samples = [drive_test_sample(1_700_000_000.0 + i, i) for i in range(count)]
    (directory / "insert.db").unlink(missing_ok=True)
    with Store.open(directory / "insert.db") as store:
        sid = store.create_session("bench:insert")
        started, cpu = time.perf_counter(), time.process_time()
        for start in range(0, count, batch):
            store.add_samples(sid, samples[start:start + batch])
            store.commit()
        insert_s, insert_cpu_s = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        read = sum(1 for _ in store.samples(sid))
        read_s, read_cpu_s = time.perf_counter() - started, time.process_time() - cpu
    assert read == count
    # Per CPU second too: on a shared machine the wall-clock rate mostly measures the neighbours.
    return {"insert_samples_per_s": round(count / insert_s),
            "insert_samples_per_cpu_s": round(count / insert_cpu_s),
            "read_samples_per_s": round(count / read_s),
            "read_samples_per_cpu_s": round(count / read_cpu_s)}


def bench_recorder(directory: Path, duration_s: float) -> dict[str, float]:
    recorder = Recorder(directory / "recorder.db", "bench:1hz")
    cpu0, wall0 = time.process_time(), time.monotonic()
    i = 0
    try:
        while time.monotonic() - wall0 < duration_s:
            now = time.time()
            recorder.put(drive_test_sample(now, i))
            recorder.put(Position(now, 52.52, 13.40))
            i += 1
            time.sleep(max(0.0, wall0 + i - time.monotonic()))
    finally:
        recorder.close()
    cpu_s, wall_s = time.process_time() - cpu0, time.monotonic() - wall0
    assert recorder.counts["samples"] == i
    return {"recorder_samples": i, "recorder_cpu_s": round(cpu_s, 4),
            "recorder_cpu_percent": round(100.0 * cpu_s / wall_s, 3)}


def bench_insert_python(directory: Path, count: int) -> dict[str, float | str]:
    from fieldapp.store import rows

    compiled = rows.record_text_compiled, rows.sample_row_compiled
    rows.record_text_compiled = rows.sample_row_compiled = None
    try:
        figures = bench_insert(directory, count)
    finally:
        rows.record_text_compiled, rows.sample_row_compiled = compiled
    return {"insert_samples_per_cpu_s_python": figures["insert_samples_per_cpu_s"]}


def run(duration_s: float = 10.0, insert_count: int = 20000) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="fieldapp-bench-") as tmp:
        directory = Path(tmp)
        from fieldapp.store.rows import PACKING

        return {"packing": PACKING, **bench_insert(directory, insert_count),
                **bench_insert_python(directory, insert_count),
                "goal_insert_samples_per_s": 100_000, **bench_recorder(directory, duration_s)}


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
