"""File → Import log…: a background import with a progress bar, Cancel, and the outcome.

The import itself runs on the job's own thread (``fieldapp.importer.ImportJob``, handed in by
the composition root as ``job_factory(path, on_progress)``); this dialog only polls it on a
QTimer, so no Qt object is touched from the import thread:

    job = job_factory(path, on_progress)   # on_progress(done_bytes, total_bytes), any thread
    job.start(); job.cancel(); job.join(); job.running; job.result; job.error

On success it shows the counts per record kind and the calls, with "Replay it" when an
``on_replay(session_id)`` is given; a corrupt file shows its first bad lines with their line
numbers; a failed or cancelled import says that nothing was written (the job guarantees it).
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldapp.importer import technologies_text

POLL_MS = 100
BAD_LINES_SHOWN = 20
LOG_FILTER = "Drive-test logs and cell files (*.nmf *.txt *.csv *.nmea *.log *.cel *.xml *.clf *.json *.jsonl);;" \
             "All files (*)"


def zone_unknown(path: str | Path) -> bool:
    """A log whose times carry no time zone (G-NetTrack writes the phone's local time)."""
    try:
        from logs.registry import UnknownFormat, pick_reader

        return pick_reader(Path(path)).name == "gnettrack"
    except (UnknownFormat, OSError, ValueError):
        return False


def local_offset_min() -> int:
    """This laptop's offset from UTC now, the likely answer for a log from this trip."""
    return int(round(time.localtime().tm_gmtoff / 60))


def ask_utc_offset(parent: QWidget, path: str | Path) -> int | None:
    """The question the CLI's --utc-offset answers, asked in the window (None: cancelled)."""
    minutes, ok = QInputDialog.getInt(
        parent, "Time zone of the log",
        f"{Path(path).name} carries no time zone: its times are the phone's local time.\n"
        "Local time was UTC + how many minutes? (0 if the phone ran on UTC; e.g. 120 for CEST)",
        local_offset_min(), -720, 840, 15)
    return minutes if ok else None


def run_import(parent: QWidget, job_factory, on_replay=None, on_imported=None) -> ImportDialog | None:
    """Ask for a file (and, for a log without a time zone, its UTC offset), then import it in
    the background with the dialog below."""
    path, _filter = QFileDialog.getOpenFileName(parent, "Import a drive-test log or a cell file", "", LOG_FILTER)
    if not path:
        return None
    options = None
    if zone_unknown(path):
        minutes = ask_utc_offset(parent, path)
        if minutes is None:
            return None
        options = {"utc_offset_min": minutes}
    dialog = ImportDialog(path, job_factory, on_replay, parent, on_imported=on_imported, options=options)
    closing = getattr(parent, "closing", None)
    if closing is not None:  # the window closing ends a running import (and its thread) first
        closing.connect(dialog.shutdown)
    dialog.show()
    dialog.start()
    return dialog


class ImportDialog(QDialog):
    """Progress, Cancel, then the outcome (``outcome``: "success", "failed" or "cancelled")."""

    def __init__(self, path: str | Path, job_factory, on_replay=None, parent: QWidget | None = None, *,
                 on_imported=None, options: dict | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.options = options  # reader options (the UTC offset asked before the import)
        self.setWindowTitle(f"Import {self.path.name}")
        self.setMinimumWidth(520)
        self._job_factory = job_factory
        self._on_replay = on_replay
        self._on_imported = on_imported  # (result) after a successful import: e.g. a new cell plan
        self._progress = (0, 1)  # written by the import thread, read by the poll: a tuple swap is atomic
        self.job = None
        self.outcome: str | None = None
        self.result = None
        self.cancel_requested = False

        self.label = QLabel(f"Importing {self.path.name}…")
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.replay_button = QPushButton("Replay it")
        self.replay_button.setVisible(False)
        self.replay_button.clicked.connect(self._replay)
        self.close_button = QPushButton("Close")
        self.close_button.setVisible(False)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.replay_button, self.cancel_button, self.close_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.details, 1)
        layout.addLayout(buttons)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)

    # ------------------------------------------------------------------ the job
    def start(self) -> None:
        if self.options:
            self.job = self._job_factory(self.path, self._progress_from_thread, options=self.options)
        else:
            self.job = self._job_factory(self.path, self._progress_from_thread)
        self.job.start()
        self._timer.start()

    def _progress_from_thread(self, done: int, total: int) -> None:
        self._progress = (done, max(total, 1))

    def cancel(self) -> None:
        """Ask the job to stop; the outcome arrives on the next poll (nothing is written)."""
        if self.job is not None and self.job.running:
            self.cancel_requested = True
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText(f"Cancelling the import of {self.path.name}…")

    def poll(self) -> None:
        done, total = self._progress
        self.bar.setValue(int(1000 * min(done, total) / total))
        if self.job is None or self.job.running:
            return
        self._timer.stop()
        self.job.join()
        self._show_outcome(self.job.result, self.job.error)

    # ------------------------------------------------------------------ the outcome
    def _show_outcome(self, result, error: BaseException | None) -> None:
        self.cancel_button.setVisible(False)
        self.close_button.setVisible(True)
        self.details.setVisible(True)
        self.details.setMinimumHeight(220)
        self.adjustSize()
        if error is None and result is not None:
            self.outcome, self.result = "success", result
            self.bar.setValue(1000)
            self.label.setText(_success_title(self.path, result))
            self.details.setPlainText(_success_details(result))
            can_replay = self._on_replay is not None and result.session_id is not None
            self.replay_button.setVisible(can_replay)
            if self._on_imported is not None:
                self._on_imported(result)
            return
        seen = getattr(error, "result", None)
        if self.cancel_requested:
            self.outcome = "cancelled"
            self.label.setText(f"Import of {self.path.name} cancelled: nothing was written to the workspace.")
        else:
            self.outcome = "failed"
            self.label.setText(f"Import of {self.path.name} failed: {error}\n"
                               "Nothing was written to the workspace.")
        self.details.setPlainText(_bad_lines_text(seen) if seen is not None else "")
        self.details.setVisible(bool(self.details.toPlainText()))

    def _replay(self) -> None:
        if self._on_replay is not None and self.result is not None and self.result.session_id is not None:
            self._on_replay(self.result.session_id)
            self.accept()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def reject(self) -> None:  # Esc: cancel the import rather than leave it running unseen
        self.shutdown()
        super().reject()

    def shutdown(self) -> None:
        """Cancel a running import and wait for its thread (the workspace stays as it was)."""
        self._timer.stop()
        if self.job is not None and self.job.running:
            self.cancel_requested = True
            self.job.cancel()
            self.job.join()


def _success_title(path: Path, result) -> str:
    if result.session_id is None:
        return f"{path.name}: cell plan imported ({result.format})."
    return f"{path.name} imported as session {result.session_id} ({result.format})."


def _success_details(result) -> str:
    lines = [f"{kind}: {n}" for kind, n in result.counts.items()]
    if result.session_id is not None:
        if getattr(result, "calls_known", True):
            lines.append("calls: " + ", ".join(f"{n} {k}" for k, n in result.calls.items()))
        else:
            lines.append("calls: unknown (no _events file)")
        techs = getattr(result, "technologies", None)
        if techs:
            lines.append("technologies: " + technologies_text(techs))
        unknown = sum(result.unknown.values())
        lines.append(f"lines read: {result.lines}; skipped: {result.skipped} ({unknown} of record types "
                     f"not imported, {result.bad_count} bad)")
    lines.extend(f"note: {note}" for note in result.notes)
    if result.bad_count:
        lines.append("")
        lines.append(_bad_lines_text(result))
    return "\n".join(lines)


def _bad_lines_text(result) -> str:
    bad = list(getattr(result, "bad_lines", []))[:BAD_LINES_SHOWN]
    if not bad:
        return ""
    count = getattr(result, "bad_count", len(bad))
    head = f"{count} bad lines skipped" + (f"; the first {len(bad)}:" if count > len(bad) else ":")
    return "\n".join([head] + [f"  {b}" for b in bad])
