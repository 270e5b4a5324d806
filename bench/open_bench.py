"""Opening a long session (issue 15 point 4): 8 hours at 1 Hz, stored, opened in the window.

A workspace gets an 8-hour drive (the UI bench's synthetic drive: serving cell, 6 neighbours, a
position per second, a call), then, in the same process, measures what the user waits for
until the window shows the history, the map and the timeline, as "Replay it" and
``fieldapp replay SESSION`` open it:

- ``read_records_s``: the session read in bulk (``Store.replay_records``): each record's time
  and kind, the route (the samples' ``lat``/``lon`` query columns and the positions), the
  events and the scans, one query each; no Sample is rebuilt from its ``record_json`` here
  (the replay rebuilds them in blocks as it plays or seeks);
- ``replay_source_s``: the ``ReplaySource`` built over them (timeline, events);
- ``window_s``: the replay window created, shown and painted once (history, the whole route
  dimmed on the map, timeline with every event), while the replay thread starts playing;
- ``open_total_s``: the three together, what the user waits for (goal < 1 s).

Apart, not part of the opening, the jumps (wall and CPU each, goal < 0.3 s CPU):

- ``seek_half_s``: right after opening, a jump from the start to the middle: the 4 hours it
  skips are filed then (rebuilt from the store and filed into the plots, the map and the event
  list), into the history the replay reads ahead, which the views take over;
- ``read_ahead_s``: the rest of the session filed into that history in idle steps (~10 ms
  each, the window responsive), as happens while the engineer looks at the window;
- ``seek_far_s``: then a jump forwards from the middle to 95 %: taken from the read-ahead;
- ``seek_back_s``: a jump back from 95 % to the middle: the views are cut at the middle;
- ``prev_event_late_s``: "previous event" 7 hours in (the event ~40 s back).

Before issue 15 point 4 every sample was rebuilt at open (``export_logs.session_records``):
read 1.15-1.20 s CPU, total 1.45-1.52 s CPU (1.46-2.02 s wall, load 1.2-2.2). With the bulk
read: read 0.11 s CPU, total 0.36-0.41 s CPU (0.36-0.47 s wall, load 1.6-2.3). The price was
paid by the jumps: ``seek_half_s`` 1.0-1.3 s (0.37 s when every sample was already rebuilt),
and a jump backwards cleared the views and filed the session again from its start:
``seek_back`` 0.94 s CPU, ``prev_event_late`` 1.68 s CPU (seek_half 0.91 s CPU in that run).

Since backward jumps cut the views (``History.trim``) and long forward jumps take over the
history read ahead (``History.copy_from``), four runs at load 1.7-2.8: seek_back 0.05-0.10 s
CPU, prev_event_late 0.04-0.08 s CPU, seek_far 0.07-0.10 s CPU after the read-ahead (itself
0.62-0.92 s CPU in idle steps, done ~1-2 s after opening); seek_half right after opening,
before the read-ahead, 0.71-0.91 s CPU: filing the 14,400 samples it skips is its floor
(rebuilding them ~22 µs each since the v9 cell forms, ~9 µs of it the JSON and most of the
rest building the Cells; filing them ~9 µs each; drawing ~0.1 s).

Filing in bulk (the jumps' and the read-ahead's filing, issue 15): ``History.add`` files a batch
in one pass (tests/ui/test_history_bulk.py keeps the former per-record filing as its
reference); the read-ahead and a jump file under ``bulk_gc.fewer_collections``, the read-ahead
in steps of 512 records however far the jump; a replay window's objects are frozen out of the
collector while it is open (``bulk_gc.window_opened``). Before, every jump to the middle made
two full collections (``seek_half_gc_full``: 80-230 ms of pauses) and the read-ahead one (up
to 130 ms, a visible stutter). CPU seconds, three runs each, alternated, load 3.7-3.9 on 2
cores (the compiled store reader in both):

          seek_half   read_ahead   GC pauses in seek_half    full GCs in read_ahead
before    0.60-0.66   0.48-0.50    208-235 ms (2 full)       1 (69-104 ms)
after     0.28-0.30   0.24-0.26    12-15 ms (none full)      0

Playing at 64x for 12 s right after opening (the read-ahead running meanwhile; a script
beside this bench, two runs each): before, 3 full collections (94-98 ms the longest) and
383-436 ms of pauses in all; after, none full and 88-101 ms in all. Playing on after the
read-ahead: before 8-13 ms of pauses; after, one young collection of 13-29 ms when the
read-ahead's last rebuilt samples (the store's cache) reach the old generation, ~45 ms in all.

seek_far, seek_back and prev_event_late unchanged (0.08-0.11, 0.04-0.06, 0.04-0.05 s CPU);
open_total 0.38-0.43 s CPU against 0.46-0.66 before. What is left of the jump to the middle:
rebuilding its 14,600 samples from the store (~0.13 s), filing them (~0.07 s, ~0.2 s
before), taking the read-ahead history over (~0.03 s), drawing (~0.05 s).

The application is warm (an empty replay window was opened and closed first), as when the
engineer opens a session from the running window: the start-up itself is ui_bench's figure.

Run with ``make bench`` or ``python -m bench open_bench``.
"""

from __future__ import annotations

import gc
import os
import tempfile
import time
from pathlib import Path

HOURS = 8


class GcPauses:
    """The cyclic collector's pauses (``gc.callbacks``), wall ms each, by generation: a full
    collection (generation 2) over the objects of a running window is a visible stutter."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []
        self._t0 = 0.0

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
        else:
            self.pauses.append((info["generation"], (time.perf_counter() - self._t0) * 1000.0))

    def mark(self) -> int:
        return len(self.pauses)

    def since(self, mark: int) -> dict:
        """Total ms, and the full collections' count and longest pause, since ``mark``."""
        got = self.pauses[mark:]
        full = [ms for gen, ms in got if gen == 2]
        return {"gc_ms": sum(ms for _gen, ms in got), "gc_full": len(full), "gc_full_max_ms": max(full, default=0.0)}


def _store_drive(ws: Path) -> tuple[int, int]:
    from bench.ui_bench import HISTORY_S, _history
    from fieldapp import model
    from fieldapp.store import Store

    assert HISTORY_S == HOURS * 3600
    records, _plan = _history(time.time())
    with Store.open(ws) as store:
        sid = store.create_session("bench:open", start_utc=records[0].ts_utc)
        samples = [r for r in records if isinstance(r, model.Sample)]
        events = [r for r in records if isinstance(r, model.Event)]
        positions = [r.position for r in samples if r.position is not None]
        for i in range(0, len(samples), 5000):
            store.add_samples(sid, samples[i:i + 5000])
        store.add_events(sid, events)
        store.add_positions(sid, positions)
        store.end_session(sid, records[-1].ts_utc)
    return sid, len(samples)


def run() -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from fieldapp.app import ReplayApp
    from fieldapp.store import Store
    from logs.replay import ReplaySource

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="fieldapp-open-bench-") as tmp:
        ws = Path(tmp) / "ws.db"
        sid, n = _store_drive(ws)
        warm = ReplayApp(ReplaySource([]), ws, name="warm-up", settings_path=str(Path(tmp) / "settings.ini"))
        warm.window.show()
        app.processEvents()
        warm.window.close()
        warm.close()
        app.processEvents()
        t0, c0 = time.perf_counter(), time.process_time()
        with Store.open(ws, create=False) as store:
            records = store.replay_records(sid)
        t1, c1 = time.perf_counter(), time.process_time()
        source = ReplaySource(records)
        t2 = time.perf_counter()
        replay = ReplayApp(source, ws, name=f"session {sid}", settings_path=str(Path(tmp) / "settings.ini"))
        replay.window.show()
        app.processEvents()
        replay.window.repaint()
        app.processEvents()
        t3, c3 = time.perf_counter(), time.process_time()
        source.pause()
        model = source.timeline
        jumps = {}
        gc_of = {}
        pauses = GcPauses().__enter__()

        def jump(name, move):
            """One jump as the timeline makes it, through to the views filed and settled."""
            w0, u0, g0 = time.perf_counter(), time.process_time(), pauses.mark()
            move()
            app.processEvents()
            jumps[name] = (time.perf_counter() - w0, time.process_time() - u0)
            gc_of[name] = pauses.since(g0)

        jump("seek_half", lambda: replay.timeline.seek(model.ts_at(0.5)))
        # The rest of the session read ahead in idle steps, as while the engineer looks.
        w0, u0, g0 = time.perf_counter(), time.process_time(), pauses.mark()
        while not replay.read_ahead_done:
            app.processEvents()
            time.sleep(0.001)
        read_ahead = (time.perf_counter() - w0, time.process_time() - u0)
        gc_of["read_ahead"] = pauses.since(g0)
        jump("seek_far", lambda: replay.timeline.seek(model.ts_at(0.95)))
        jump("seek_back", lambda: replay.timeline.seek(model.ts_at(0.5)))
        replay.timeline.seek(model.ts_at(7 / HOURS))  # 7 hours in
        app.processEvents()
        jump("prev_event_late", replay.timeline.prev_event)
        pauses.__exit__()
        replay.window.close()
        replay.close()
        app.processEvents()
    return {
        "session_hours": HOURS,
        "samples": n,
        "records": len(records),
        "read_records_s": t1 - t0,
        "replay_source_s": t2 - t1,
        "window_s": t3 - t2,
        "open_total_s": t3 - t0,
        # CPU seconds of this process: the same, less disturbed by other load on the machine
        "read_records_cpu_s": c1 - c0,
        "open_total_cpu_s": c3 - c0,
        "seek_half_s": jumps["seek_half"][0],
        "seek_half_cpu_s": jumps["seek_half"][1],
        "read_ahead_s": read_ahead[0],
        "read_ahead_cpu_s": read_ahead[1],
        "seek_far_s": jumps["seek_far"][0],
        "seek_far_cpu_s": jumps["seek_far"][1],
        "seek_back_s": jumps["seek_back"][0],
        "seek_back_cpu_s": jumps["seek_back"][1],
        "prev_event_late_s": jumps["prev_event_late"][0],
        "prev_event_late_cpu_s": jumps["prev_event_late"][1],
        # The collector's pauses (ms) in the jump to the middle and in the read-ahead.
        "seek_half_gc_ms": gc_of["seek_half"]["gc_ms"],
        "seek_half_gc_full": gc_of["seek_half"]["gc_full"],
        "read_ahead_gc_ms": gc_of["read_ahead"]["gc_ms"],
        "read_ahead_gc_full": gc_of["read_ahead"]["gc_full"],
        "read_ahead_gc_full_max_ms": gc_of["read_ahead"]["gc_full_max_ms"],
        "goal_jump_cpu_s": 0.3,
        "goal_open_total_s": 1.0,
    }


if __name__ == "__main__":  # pragma: no cover
    for k, v in run().items():
        print(f"{k:<24} {v}")
