"""A band scan (or ``repeat`` of them) on a connected handset, in its own thread, so the window
stays live and the source's poll thread only pauses for the scan itself (``HandsetSource.scan``).

The scans reach the views and the recorder through the source's sink like every record; this
job reports its progress as ``ScanState`` records to ``emit`` (for the scan panel), and stops
between steps when cancelled (the carriers heard so far are kept).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ScanState:
    """Where a scan job is: ``state`` running / done / cancelled / failed."""

    ts_utc: float
    state: str
    fraction: float = 0.0
    text: str = ""


class ScanJob:
    def __init__(self, source: Any, emit: Callable[[Any], None], *, band: str = "all",
                 arfcn_range: tuple[int, int] | None = None, repeat: int = 1) -> None:
        self.source = source
        self.emit = emit
        self.band = band
        self.arfcn_range = arfcn_range
        self.repeat = max(1, int(repeat))
        self.cancel_event = threading.Event()
        self.scans: list[Any] = []
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="scan", daemon=True)

    def start(self) -> ScanJob:
        self._thread.start()
        return self

    def cancel(self) -> None:
        self.cancel_event.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _state(self, state: str, fraction: float, text: str) -> None:
        try:
            self.emit(ScanState(time.time(), state, fraction, text))
        except Exception:
            pass  # the window is closing

    def _run(self) -> None:
        self._state("running", 0.0, f"scanning {self.band}…")
        for k in range(self.repeat):
            if self.cancel_event.is_set():
                break

            def progress(p, k=k) -> None:
                frac = (k + p.fraction) / self.repeat
                self._state("running", frac, f"scan {k + 1}/{self.repeat}: {p.done_arfcns}/{p.total_arfcns} "
                                             f"ARFCNs, {p.carriers} carriers")
            try:
                self.scans.append(self.source.scan(self.band, self.arfcn_range, progress=progress,
                                                   cancel=self.cancel_event))
            except Exception as exc:  # not available, refused, cancelled before a result, device gone
                self.error = exc
                break
        if self.error is not None and not self.scans:
            state = "cancelled" if self.cancel_event.is_set() else "failed"
            self._state(state, 0.0, f"scan {state}: {self.error}")
        elif self.cancel_event.is_set():
            self._state("cancelled", 1.0, f"scan cancelled after {len(self.scans)} scan(s); carriers kept")
        else:
            n = sum(len(s.carriers) for s in self.scans)
            self._state("done", 1.0, f"{len(self.scans)} scan(s) done, {n} carriers")
