"""The CQT panel: the one-way-audio hunt on the window (docs/domain.md §4, TRX-by-TRX CQT).

The plan form (number, cell and its TRXs, calls per TRX, timings, modes), a large live status
(dialling, alerting, connected with the hold countdown, released), verdict buttons with keys
1-8 so the engineer marks a call without looking, pause / skip / abort, the TRX × outcome
matrix and the per-call table filling as calls complete, and the verdict with its counts.

A verdict key marks the call the listener just heard: the connected call, or — while the next
call is dialling or alerting — the call before it; "call #n marked: …" says which, with an undo.
A plan with fewer calls per TRX than the verdict judges is confirmed before it starts; a call
that leaves the cell under test pauses the run with a warning instead of being added silently.

The panel does no I/O. ``runner_factory(plan, **options)`` (set by the composition root)
returns a checked, not yet started ``fieldapp.cqt.runner.CqtRunner``; the panel starts it and
reads its ``status()``/``calls()``/``verdict()`` on a timer. Records reach the runner through
``observe(batch)`` (the window's bridge batches). A block confirmation asked from the runner's
thread waits for the panel's timer to show the question (``ask_block``, a dialog by default).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fieldapp.cellplan import CellPlan
from fieldapp.cqt.calls import LISTENER_TEXT, LISTENER_VERDICTS, RESULT_TEXT
from fieldapp.cqt.matrix import PROBLEMS, build_matrix
from fieldapp.cqt.plan import ATTRIBUTE, BLOCK, LOCK, LOCK_CELL, LOCK_CHANNEL, CqtPlan, PlanError, typed_cell
from fieldapp.cqt.verdict import MIN_CALLS, problem_text
from fieldapp.model import Cell, PlanCell, Sample

TICK_MS = 200
TYPED = "typed in below"
BEFORE_CONNECT = ("configuring", "waiting", "dialling", "alerting")  # the listener heard the previous call
PHASE_TEXT = {"configuring": "Setting up", "waiting": "Waiting for the BSC", "dialling": "Dialling",
              "alerting": "Alerting", "connected": "Connected", "releasing": "Releasing", "gap": "Released",
              "paused": "Paused", "waiting for a ring": "Waiting for a ring", "answering": "Answering"}
MATRIX_COLUMNS = ("calls",) + PROBLEMS
INCOMING_CALLER = "5550100"  # the simulator's caller when the engineer gives no number
MATRIX_HEADERS = {"setup_failed": "setup fail", "not_reachable": "not reachable", "dropped": "drop",
                  "one-way-ul": "one-way UL", "one-way-dl": "one-way DL"}


def _short(verdict: str) -> str:
    return {"one-way-ul": "one-way: far end can't hear us", "one-way-dl": "one-way: we can't hear"}.get(
        verdict, LISTENER_TEXT[verdict])


class _BlockRequest:
    def __init__(self, trx: str) -> None:
        self.trx = trx
        self.answer = False
        self.shown = False
        self.done = threading.Event()


class CqtPanel(QWidget):
    run_started = Signal(object)  # the runner
    run_finished = Signal(str)  # its final state

    def __init__(self, list_cases: Callable[[], list[tuple[Any, str]]] = list,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner_factory: Callable[..., Any] | None = None
        self.list_cases = list_cases
        self.ask_block: Callable[[str, list[str]], bool] = self._ask_block_dialog
        self.confirm_short_plan: Callable[[str], bool] = self._confirm_dialog
        self._undo: tuple[int, str | None] | None = None  # (call seq, its verdict before the last key)
        self._checked_seq = 0  # calls up to this one were checked for leaving the cell
        self._warning = ""  # stays above the runner's messages until the run resumes
        self.runner: Any = None
        self._cells = CellPlan()  # the cells of the plan with TRXs: the ones a CQT can test
        self._shown_calls: tuple = ()
        self._request: _BlockRequest | None = None
        self._request_lock = threading.Lock()
        self._last_state = ""
        self._last_message = ""

        layout = QVBoxLayout(self)
        layout.addWidget(self._make_form())
        self.status_label = QLabel("No test running")
        font = QFont()
        font.setPointSize(20)
        font.setBold(True)
        self.status_label.setFont(font)
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status_label.setMinimumHeight(48)
        layout.addWidget(self.status_label)
        self.message_label = QLabel("")
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)
        layout.addLayout(self._make_controls())
        layout.addWidget(self._make_verdict_buttons())
        self.matrix = QTableWidget(0, len(MATRIX_COLUMNS))
        self.matrix.setHorizontalHeaderLabels(["calls"] + [MATRIX_HEADERS.get(p, p) for p in PROBLEMS])
        for col, kind in enumerate(PROBLEMS, start=1):
            self.matrix.horizontalHeaderItem(col).setToolTip(problem_text(kind))
        self.matrix.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.matrix.setMaximumHeight(160)
        layout.addWidget(self.matrix)
        self.verdict_label = QLabel("")
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.verdict_label)
        self.calls_table = QTableWidget(0, 9)
        self.calls_table.setHorizontalHeaderLabels(["#", "time", "TRX", "how", "setup s", "result", "cause",
                                                    "heard", "note"])
        self.calls_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.calls_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        layout.addWidget(self.calls_table, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.refresh)
        self._set_running(False)

    # ------------------------------------------------------------------ building
    def _make_form(self) -> QGroupBox:
        box = QGroupBox("Plan")
        form = QFormLayout(box)
        # Outgoing (the handset dials) or incoming (it is called: "subscriber not reachable",
        # "cannot receive calls" complaints; the demo handset's simulator places the calls).
        self.direction_combo = QComboBox()
        self.direction_combo.addItem("Outgoing calls (the handset dials)", "mo")
        self.direction_combo.addItem("Incoming calls (the handset is called)", "mt")
        self.direction_combo.currentIndexChanged.connect(self._direction_chosen)
        form.addRow("Direction", self.direction_combo)
        self.number_edit = QLineEdit()
        self.number_edit.setPlaceholderText("number to call")
        form.addRow("Number", self.number_edit)
        self.cell_combo = QComboBox()
        self.cell_combo.currentIndexChanged.connect(self._cell_chosen)
        # Until the engineer picks a cell, the form follows the serving cell (the cell under test
        # is almost always the one the handset is on at the complaint spot).
        self._cell_picked_by_user = False
        self.cell_combo.activated.connect(self._cell_picked)
        form.addRow("Cell", self.cell_combo)
        self.trx_edit = QPlainTextEdit()
        self.trx_edit.setPlaceholderText("TRX-69-0 = 3\nTRX-69-1 = 7")
        self.trx_edit.setMaximumHeight(70)
        form.addRow("TRXs", self.trx_edit)
        self.calls_spin = QSpinBox()
        self.calls_spin.setRange(1, 200)
        self.calls_spin.setValue(10)
        form.addRow("Calls per TRX", self.calls_spin)
        self.setup_spin, self.hold_spin, self.gap_spin = (self._seconds(20, 1), self._seconds(20, 0),
                                                          self._seconds(5, 0))
        times = QHBoxLayout()
        for label, spin in (("setup ≤", self.setup_spin), ("hold", self.hold_spin), ("gap", self.gap_spin)):
            times.addWidget(QLabel(label))
            times.addWidget(spin)
        form.addRow("Seconds", times)
        modes = QHBoxLayout()
        self.mode_checks = {m: QCheckBox(m) for m in (LOCK, BLOCK, ATTRIBUTE)}
        self.mode_checks[ATTRIBUTE].setChecked(True)
        for check in self.mode_checks.values():
            modes.addWidget(check)
        form.addRow("Tie calls to TRXs by", modes)
        self.channel_lock_check = QCheckBox("the lock pins the traffic channel (test phone), lock each TRX")
        self.channel_lock_check.setToolTip("AT modules lock the BCCH only (cell selection): leave this off and "
                                           "combine lock with block or attribute")
        self.channel_lock_check.setChecked(True)  # lock each TRX's ARFCN in turn (service is checked)
        form.addRow("", self.channel_lock_check)
        self.auto_audio_check = QCheckBox("listener verdict from the simulator")
        self.sim_block_check = QCheckBox("apply blocks in the simulator")
        form.addRow("", self.auto_audio_check)
        form.addRow("", self.sim_block_check)
        self.case_combo = QComboBox()
        form.addRow("Case", self.case_combo)
        self.reload_cases()
        self.start_button = QPushButton("Start test calls")
        self.start_button.clicked.connect(self.start)
        form.addRow(self.start_button)
        self.form_box = box
        return box

    @staticmethod
    def _seconds(value: float, low: float) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(low, 3600)
        spin.setDecimals(1)
        spin.setValue(value)
        return spin

    def _make_controls(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.pause_button = QPushButton("Pause")
        self.pause_button.clicked.connect(self._pause_clicked)
        self.skip_button = QPushButton("Skip call")
        self.skip_button.clicked.connect(lambda: self.runner and self.runner.skip())
        self.abort_button = QPushButton("Abort")
        self.abort_button.clicked.connect(self.abort)
        for b in (self.pause_button, self.skip_button, self.abort_button):
            row.addWidget(b)
        return row

    def _make_verdict_buttons(self) -> QGroupBox:
        box = QGroupBox("What did you hear? (keys 1-8 mark the call you just heard)")
        grid = QGridLayout(box)
        self.verdict_buttons: dict[str, QPushButton] = {}
        self.shortcuts: list[QShortcut] = []
        for i, verdict in enumerate(LISTENER_VERDICTS):
            button = QPushButton(f"{i + 1}  {_short(verdict)}")
            button.setToolTip(LISTENER_TEXT[verdict])
            button.clicked.connect(lambda _=False, v=verdict: self.mark(v))
            grid.addWidget(button, i // 4, i % 4)
            self.verdict_buttons[verdict] = button
            shortcut = QShortcut(QKeySequence(str(i + 1)), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda v=verdict: self.mark(v))
            self.shortcuts.append(shortcut)
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("note on the current or last call (Enter saves)")
        self.note_edit.returnPressed.connect(self._save_note)
        grid.addWidget(self.note_edit, 2, 0, 1, 4)
        self.marked_label = QLabel("")  # "call #3 marked: one-way (far end cannot hear us)"
        self.undo_button = QPushButton("Undo")
        self.undo_button.setToolTip("take back the last verdict key")
        self.undo_button.clicked.connect(self.undo_mark)
        self.undo_button.setVisible(False)
        grid.addWidget(self.marked_label, 3, 0, 1, 3)
        grid.addWidget(self.undo_button, 3, 3)
        return box

    # ------------------------------------------------------------------ inputs
    def set_cell_plan(self, cells: CellPlan | Iterable[PlanCell]) -> None:
        current = self.cell_combo.currentText()
        self._cells = CellPlan.of(cells).with_trxs()
        self.cell_combo.blockSignals(True)
        self.cell_combo.clear()
        for c in self._cells:
            self.cell_combo.addItem(f"{c.name} (CI {c.ci}, {len(c.trxs)} TRX)", c.name)
        self.cell_combo.addItem(TYPED, None)
        index = self.cell_combo.findText(current)
        self.cell_combo.setCurrentIndex(max(0, index))
        self.cell_combo.blockSignals(False)
        self._cell_chosen()

    def reload_cases(self) -> None:
        self.case_combo.clear()
        self.case_combo.addItem("no case", None)
        try:
            cases = self.list_cases()
        except Exception as exc:  # a workspace that cannot be read: say so, keep the panel usable
            self.message_label.setText(f"cases not available: {exc}")
            cases = []
        for case_id, title in cases:
            self.case_combo.addItem(f"#{case_id} {title}", case_id)

    def _cell_picked(self, _index: int) -> None:
        self._cell_picked_by_user = True

    def _follow_serving(self, batch: list) -> None:
        serving = next((r.serving for r in reversed(batch)
                        if isinstance(r, Sample) and r.serving is not None), None)
        match = self._cells.match(serving)
        if match is not None and match.name != self.cell_combo.currentData():
            self.cell_combo.setCurrentIndex(self.cell_combo.findData(match.name))

    def _cell_chosen(self) -> None:
        cell = self._chosen_cell()
        if cell is not None:
            self.trx_edit.setPlainText("\n".join(f"{t.trx_id} = {', '.join(map(str, t.arfcns))}" for t in cell.trxs))
        self.trx_edit.setReadOnly(cell is not None)

    def _chosen_cell(self) -> PlanCell | None:
        name = self.cell_combo.currentData()
        return next((c for c in self._cells if c.name == name), None)

    def _direction_chosen(self) -> None:
        incoming = self.direction_combo.currentData() == "mt"
        self.number_edit.setPlaceholderText("caller's number (optional)" if incoming else "number to call")

    def plan(self) -> CqtPlan:
        """The plan in the form, validated. Raises PlanError."""
        cell = self._chosen_cell() or typed_cell("typed cell", self.trx_edit.toPlainText())
        modes = frozenset(m for m, check in self.mode_checks.items() if check.isChecked())
        direction = self.direction_combo.currentData() or "mo"
        number = self.number_edit.text().strip() or (INCOMING_CALLER if direction == "mt" else "")
        return CqtPlan(number=number, cell=cell, modes=modes, direction=direction,
                       calls_per_trx=self.calls_spin.value(), setup_timeout_s=self.setup_spin.value(),
                       hold_s=self.hold_spin.value(), gap_s=self.gap_spin.value(),
                       lock_kind=LOCK_CHANNEL if self.channel_lock_check.isChecked() else LOCK_CELL,
                       auto_audio=self.auto_audio_check.isChecked()).validate()

    # ------------------------------------------------------------------ actions
    def start(self) -> None:
        if self.runner is not None and self.runner.running:
            return
        try:
            plan = self.plan()
            if plan.calls_per_trx is not None and plan.calls_per_trx < MIN_CALLS and not self.confirm_short_plan(
                    f"{plan.calls_per_trx} call(s) per TRX: the verdict judges a TRX from {MIN_CALLS} calls on, so "
                    "this run cannot name a faulty TRX. Start anyway?"):
                self._say(f"not started: use at least {MIN_CALLS} calls per TRX for a verdict")
                return
            if self.runner_factory is None:
                raise PlanError("no handset connection to run the test on")
            runner = self.runner_factory(plan, case_id=self.case_combo.currentData(),
                                         confirm_block=self._confirm_block,
                                         apply_sim_block=self.sim_block_check.isChecked())
        except (PlanError, ValueError, RuntimeError) as exc:
            self._say(str(exc), error=True)
            return
        self.attach(runner)
        runner.start()

    def attach(self, runner: Any) -> None:
        """Show (and control) this runner; it may already be running."""
        self.runner = runner
        self._shown_calls = ()
        self._last_state = self._last_message = ""
        self._undo, self._checked_seq, self._warning = None, 0, ""
        self._show_marked("")
        self._say("")
        self._show_plan(runner.plan)
        self._cell_picked_by_user = True  # the run's cell stays in the form after it: no jump to the serving cell
        self._set_running(True)
        self._timer.start()
        self.run_started.emit(runner)
        self.refresh()

    def _show_plan(self, plan: CqtPlan) -> None:
        """The form shows the plan of the run on screen (also one attached from elsewhere)."""
        self.number_edit.setText(plan.number)
        if plan.calls_per_trx is not None:
            self.calls_spin.setValue(plan.calls_per_trx)
        for spin, value in ((self.setup_spin, plan.setup_timeout_s), (self.hold_spin, plan.hold_s),
                            (self.gap_spin, plan.gap_s)):
            spin.setValue(value)
        for mode, check in self.mode_checks.items():
            check.setChecked(mode in plan.modes)
        self.channel_lock_check.setChecked(plan.lock_kind == LOCK_CHANNEL)
        self.auto_audio_check.setChecked(plan.auto_audio)
        self.direction_combo.setCurrentIndex(max(0, self.direction_combo.findData(plan.direction)))
        index = self.cell_combo.findData(plan.cell.name)
        if index >= 0:
            self.cell_combo.setCurrentIndex(index)
        else:
            self.cell_combo.setCurrentIndex(self.cell_combo.findData(None))
            self.trx_edit.setPlainText("\n".join(f"{t.trx_id} = {', '.join(map(str, t.arfcns))}"
                                                 for t in plan.cell.trxs))

    def observe(self, batch: list) -> None:
        """Records drained by the window's bridge: until the engineer picks a cell, the form
        follows the serving cell (a running runner observes the live session itself)."""
        runner = self.runner
        if (runner is None or not runner.running) and not self._cell_picked_by_user:
            self._follow_serving(batch)

    def mark_target(self) -> Any:
        """The call a verdict key marks now: while a call is being set up (dialling, alerting) the
        listener has just heard the previous one; otherwise the call in progress, else the last."""
        runner = self.runner
        calls = runner.calls() if runner is not None else []
        if not calls:
            return None
        if runner.status().phase in BEFORE_CONNECT:
            finished = [c for c in calls if c.result is not None]
            return finished[-1] if finished else None
        return next((c for c in reversed(calls) if c.result is None), calls[-1])

    def mark(self, verdict: str) -> None:
        runner = self.runner
        if runner is None:
            return
        target = self.mark_target()
        if target is None:
            self._say("no call to mark yet: the first call is still being set up", error=True)
            return
        try:
            call = runner.mark(verdict, seq=target.seq)
        except ValueError as exc:
            self._say(str(exc), error=True)
            return
        self._undo = (call.seq, target.listener)
        self._show_marked(f"call #{call.seq} marked: {LISTENER_TEXT[verdict]}")
        self.refresh()

    def undo_mark(self) -> None:
        """Take back the last key: the call's verdict as it was before it."""
        runner, undo = self.runner, self._undo
        if runner is None or undo is None:
            return
        seq, before = undo
        try:
            runner.mark(before, seq=seq) if before is not None else runner.unmark(seq)
        except ValueError as exc:
            self._say(str(exc), error=True)
            return
        self._undo = None
        self._show_marked(f"call #{seq}: mark undone" + (f" (back to {LISTENER_TEXT[before]})" if before else ""))
        self.refresh()

    def _show_marked(self, text: str) -> None:
        self.marked_label.setText(text)
        self.undo_button.setVisible(self._undo is not None)

    def _save_note(self) -> None:
        runner = self.runner
        if runner is None:
            return
        try:
            call = runner.set_note(self.note_edit.text().strip())
        except ValueError as exc:
            self._say(str(exc), error=True)
            return
        self.note_edit.clear()
        self._say(f"note saved on call #{call.seq}")
        self.refresh()

    def _pause_clicked(self) -> None:
        runner = self.runner
        if runner is None:
            return
        state = runner.status().state
        if state in ("paused", "fault") or runner.status().message.startswith("pausing"):
            self._warning = ""
            runner.resume()
            self._timer.start()
        else:
            runner.pause()
        self.refresh()

    def abort(self) -> None:
        runner = self.runner
        if runner is None:
            return
        runner.abort()
        self._answer_block(False)
        self.refresh()

    def shutdown(self, timeout_s: float = 10.0) -> None:
        """Window closing: hang up and stop the runner's thread."""
        self._timer.stop()
        if self.runner is not None:
            self.runner.abort()
            self._answer_block(False)
            self.runner.join(timeout_s)

    # ------------------------------------------------------------------ block confirmation
    def _confirm_block(self, trx: str) -> bool:
        """Called from the runner's thread: wait until the GUI timer has asked the engineer."""
        request = _BlockRequest(trx)
        with self._request_lock:
            self._request = request
        request.done.wait()
        return request.answer

    def _answer_block(self, answer: bool) -> None:
        with self._request_lock:
            request, self._request = self._request, None
        if request is not None:
            request.answer = answer
            request.done.set()

    def _serve_block_request(self) -> None:
        with self._request_lock:
            request = self._request
            if request is None or request.shown:
                return
            request.shown = True
        others = [t for t in self.runner.plan.trx_ids if t != request.trx] if self.runner else []
        self._answer_block(bool(self.ask_block(request.trx, others)))

    def _confirm_dialog(self, text: str) -> bool:
        answer = QMessageBox.question(self, "CQT plan", text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def _ask_block_dialog(self, trx: str, others: list[str]) -> bool:
        text = (f"Ask the BSC team to block {', '.join(others) or 'no other TRX'} and keep {trx} in service.\n\n"
                "Press Yes when they confirm it is done.")
        answer = QMessageBox.question(self, "Block TRXs", text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    # ------------------------------------------------------------------ display
    def refresh(self) -> None:
        runner = self.runner
        if runner is None:
            return
        self._serve_block_request()
        status = runner.status()
        self.status_label.setText(self._status_text(status))
        self._check_left_cell(runner)
        if status.message != self._last_message:  # the runner's news replaces the panel's own
            self._last_message = status.message
            self._say(" — ".join(t for t in (self._warning, status.message) if t),
                      error=status.state == "fault" or bool(self._warning))
        self.pause_button.setText("Resume" if status.state in ("paused", "fault") else "Pause")
        calls = runner.calls()
        key = tuple((c.seq, c.result, c.listener, c.note, c.trx_id) for c in calls)
        if key != self._shown_calls:
            self._shown_calls = key
            self._fill_matrix(calls, runner.plan.trx_ids)
            self._fill_calls(calls)
            verdict = runner.verdict()
            self.verdict_label.setText(f"<b>Verdict:</b> {verdict.text}<br>" + "<br>".join(verdict.support))
        if status.state != self._last_state:
            self._last_state = status.state
            if status.state in ("done", "aborted", "fault"):
                self._set_running(status.state == "fault")
                self.run_finished.emit(status.state)
                if status.state != "fault":
                    self._timer.stop()

    def _check_left_cell(self, runner: Any) -> None:
        """A finished call that landed outside the cell under test (no TRX of it) pauses the run:
        adding calls the verdict cannot count only lengthens the test."""
        cell = runner.plan.cell
        for c in runner.calls():
            if c.result is None or c.seq <= self._checked_seq:
                continue
            self._checked_seq = c.seq
            serving = c.serving or {}
            elsewhere = bool(serving) and CellPlan.same(cell, Cell(
                lac=serving.get("lac"), ci=serving.get("ci"), arfcn=serving.get("arfcn"), bsic=serving.get("bsic"))) is False
            if c.trx_id is None and (elsewhere or "left" in (c.attribution or "")):
                where = f"CI {serving.get('ci')}" if serving.get("ci") is not None else "another cell"
                self._warning = (f"call #{c.seq} landed outside {cell.name} ({c.attribution or 'on ' + where}): "
                                 f"paused — bring the handset back onto {cell.name} (or lock it), then Resume")
                if runner.running and runner.status().state not in ("paused", "fault"):
                    runner.pause()
                self._last_message = "\0"  # show the warning with whatever the runner says next

    @staticmethod
    def _status_text(status: Any) -> str:
        if status.state in ("done", "aborted"):
            return f"Test {status.state}: {status.done} of {status.total} calls"
        if status.state == "fault":
            return "Stopped: see the message"
        word = PHASE_TEXT.get(status.phase, status.phase.capitalize() or "Running")
        where = f" #{status.call_seq}" if status.call_seq and status.phase not in ("configuring", "waiting") else ""
        trx = f" on {status.trx_id}" if status.trx_id else ""
        hold = f" — hold {status.hold_left_s:.0f} s" if status.phase == "connected" and status.hold_left_s else ""
        return f"{word}{where}{trx}{hold}"

    def _fill_matrix(self, calls: list, trx_ids: list[str]) -> None:
        rows = build_matrix(calls, trx_ids)
        self.matrix.setRowCount(len(rows))
        self.matrix.setVerticalHeaderLabels(list(rows))
        for r, counts in enumerate(rows.values()):
            self.matrix.setItem(r, 0, QTableWidgetItem(str(counts.calls)))
            for c, kind in enumerate(PROBLEMS, start=1):
                bad, n = counts.problem(kind)
                text = f"{bad}/{n} ({bad / n:.0%})" if n else "-"
                self.matrix.setItem(r, c, QTableWidgetItem(text))

    def _fill_calls(self, calls: list) -> None:
        self.calls_table.setRowCount(len(calls))
        for r, c in enumerate(calls):
            over = c.result is not None  # in progress: the TRX the configuration plans, no verdict on it yet
            trx = (c.trx_id or "?") if over else (c.planned_trx or "")
            values = [str(c.seq), time.strftime("%H:%M:%S", time.gmtime(c.start_utc)), trx, c.trx_how if over else "",
                      "" if c.setup_s is None else f"{c.setup_s:.1f}", RESULT_TEXT.get(c.result or "", "in progress"),
                      c.cause_text or ("" if c.cause is None else str(c.cause)),
                      _short(c.listener) if c.listener in LISTENER_TEXT else "", c.note]
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 3 and c.attribution:
                    item.setToolTip(c.attribution)
                if col == 7 and c.listener in LISTENER_TEXT:
                    item.setToolTip(LISTENER_TEXT[c.listener])
                self.calls_table.setItem(r, col, item)
        if calls:
            self.calls_table.scrollToBottom()

    def _set_running(self, running: bool) -> None:
        self.form_box.setEnabled(not running)
        for b in (self.pause_button, self.skip_button, self.abort_button):
            b.setEnabled(running)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message_label.setText(text)
        self.message_label.setStyleSheet("color: #c0392b;" if error else "")

    def cell_text(self, table: QTableWidget, row: int, col: int) -> str:
        item = table.item(row, col)
        return item.text() if item is not None else ""
