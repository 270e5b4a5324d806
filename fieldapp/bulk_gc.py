"""Fewer garbage collections during bulk work (issue 15: the import).

An import builds a handful of objects a record (a Sample, its Cells, a Position) and drops them a
batch later: none is in a reference cycle, and reference counting frees them all. Python's
cyclic collector does not know that: every 700 objects more alive than before it scans the young
ones, and every tenth and hundredth time older ones too. On a 30 MB Nemo day (bench/
import_bench.py) that is ~10 % of the import's CPU (0.61-0.77 s with the default thresholds,
0.56-0.61 s with 50,000), with no gain in memory.

``fewer_collections()`` raises the first threshold for the duration of a block and puts the
caller's thresholds back after the last block ends (imports may run in several threads: the
window's import job beside a command). It never disables the collector: a cycle made meanwhile
is collected after 50,000 net allocations instead of 700.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

BULK_THRESHOLD = 50_000

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, ...] = ()


@contextmanager
def fewer_collections(threshold: int = BULK_THRESHOLD) -> Iterator[None]:
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(max(threshold, _saved[0]), *_saved[1:])
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_saved)


# ---------------------------------------------------------------------- a replay window's furniture
# A replay window holds ~80,000 objects from the moment it opens until it closes (the modules,
# Qt's wrappers, the window's widgets and plots, the session's index). Every full collection
# scans them all: over a running window 80-170 ms each on this project's machines, a visible
# stutter, three times in an 8-hour session's read-ahead and once in a jump to its middle
# (bench/open_bench.py, ``gc_full``). Frozen once the window is open (``gc.freeze``: moved to
# the permanent generation), they are no longer scanned: a full collection looks at what was
# made since. Unfrozen when the last replay window closes, so that a closed window's cycles
# (and any garbage that was frozen with the furniture) are collected again.

_open_windows = 0


def window_opened() -> None:
    """A replay window is open: freeze what exists (for the windows opened since the last
    close, the later freezes add what was made meanwhile)."""
    global _open_windows
    with _lock:
        _open_windows += 1
        gc.freeze()


def window_closed() -> None:
    """A replay window closed: the last one to close unfreezes everything."""
    global _open_windows
    with _lock:
        _open_windows = max(0, _open_windows - 1)
        if _open_windows == 0:
            gc.unfreeze()
