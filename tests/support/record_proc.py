"""Waiting on a ``fieldapp record`` subprocess by what it says, not by the clock.

``record`` prints "recording session N from PORT (...)" on stderr once the port is open, the
workspace exists and the session is recording. Tests that act on a recording (fill the disk,
pull the handset, kill the recorder) wait for that line and then let it record for a stated
time: a fixed sleep from the start of the process failed on a loaded machine, where starting
Python and Qt-free imports alone can take seconds.
"""

from __future__ import annotations

import subprocess
import threading
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


class StderrWatch:
    """Reads a running process's stderr on a thread, so a test waits for what it says (the
    ``gap:`` of a silence, the full disk's message) instead of sleeping a fixed time.

        watch = StderrWatch(proc)
        assert watch.wait_for("gap: no answer from", 30)
        ...
        err = watch.finish()        # after the process ended: everything it said
    """

    def __init__(self, proc: subprocess.Popen) -> None:
        self._lines: list[str] = []
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(proc.stderr,), name="stderr-watch", daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            text = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
            with self._cond:
                self._lines.append(text)
                self._cond.notify_all()

    def text(self) -> str:
        with self._cond:
            return "".join(self._lines)

    def wait_for(self, needle: str, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while not any(needle in line for line in self._lines):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def finish(self, timeout_s: float = 10.0) -> str:
        self._thread.join(timeout_s)
        return self.text()
