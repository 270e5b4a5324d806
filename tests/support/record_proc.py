"""Waiting on a ``fieldapp record`` subprocess by what it says, not by the clock.

``record`` prints "recording session N from PORT (...)" on stderr once the port is open, the
workspace exists and the session is recording. Tests that act on a recording (fill the disk,
pull the handset, kill the recorder) wait for that line and then let it record for a stated
time: a fixed sleep from the start of the process failed on a loaded machine, where starting
Python and Qt-free imports alone can take seconds.
"""

from __future__ import annotations

import subprocess
import time

STARTED = "recording session"


def wait_recording(proc: subprocess.Popen, settle_s: float = 2.0) -> str:
    """Block until ``proc`` (stderr piped) says it records, then ``settle_s`` more; returns the
    stderr text read so far (prepend it to what ``communicate`` returns later)."""
    seen = []
    for line in proc.stderr:
        text = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
        seen.append(text)
        if text.startswith(STARTED):
            time.sleep(settle_s)
            return "".join(seen)
    raise AssertionError(f"record never started (exit {proc.poll()}): {''.join(seen)}")
