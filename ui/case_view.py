"""One case: its status with the workflow's next steps, and tabs for the facts (the form),
the evidence (attach sessions, CQT runs, files, notes; mark before/after), the findings of the
diagnosis and the history. The report (PDF/HTML) and the evidence pack are written from here.

File choices go through two injectable callables (``choose_save``, ``choose_open``), QFileDialog
by default, so tests drive the view without modal dialogs.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from fieldapp.cases.desk import CaseDesk
from fieldapp.cases.model import Case
from fieldapp.cases.workflow import NEXT, STATUS_LABELS
from fieldapp.export_csv import iso_utc
from ui.case_form import CaseForm
from ui.stats_view import StatsView

ChooseSave = Callable[[str, str], str | None]  # (title, filter) -> path or None
ChooseOpen = Callable[[str], str | None]


def _when(ts: float | None) -> str:
    return (iso_utc(ts, "seconds") or "").replace("T", " ").replace("Z", "")


class CaseView(QWidget):
    changed = Signal(int)  # the case (or its evidence) changed: lists refresh
    record_requested = Signal(int)  # "record into this case"

    def __init__(self, desk: CaseDesk, case_id: int, *, choose_save: ChooseSave | None = None,
                 choose_open: ChooseOpen | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.case_id = case_id
        self.choose_save = choose_save or self._dialog_save
        self.choose_open = choose_open or self._dialog_open
        self.case: Case | None = None

        self.title = QLabel("")
        self.title.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.status_label = QLabel("")
        self.next_combo = QComboBox()
        self.move_note = QLineEdit()
        self.move_note.setPlaceholderText("note for this step (optional)")
        self.move_button = QPushButton("Move")
        self.reopen_button = QPushButton("Reopen…")
        self.record_button = QPushButton("● Record into this case")
        self.report_button = QPushButton("Report…")
        self.pack_button = QPushButton("Evidence pack…")
        self.personal_check = QCheckBox("include personal data")
        self.message = QLabel("")
        self.message.setWordWrap(True)

        self.form = CaseForm()
        self.save_button = QPushButton("Save facts")
        facts = QWidget()
        fl = QVBoxLayout(facts)
        fl.setContentsMargins(0, 0, 0, 0)
        fl.addWidget(self.form, 1)
        fl.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)

        self.evidence_table = QTableWidget(0, 4)
        self.evidence_table.setHorizontalHeaderLabels(["Added", "Kind", "Role", "What"])
        self.evidence_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.evidence_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.evidence_table.verticalHeader().hide()
        self.evidence_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.evidence_table.horizontalHeader().setStretchLastSection(True)
        self.session_combo = QComboBox()
        self.role_combo = QComboBox()
        for text, data in (("no role", None), ("before", "before"), ("after", "after")):
            self.role_combo.addItem(text, data)
        self.attach_session_button = QPushButton("Attach session")
        self.attach_file_button = QPushButton("Attach file…")
        # The workspace's CQT runs to pick from (typing a run's number still works).
        self.cqt_combo = QComboBox()
        self.cqt_combo.setEditable(True)
        self.cqt_combo.setMinimumWidth(200)
        self.cqt_combo.setToolTip("A call quality test run of this workspace (newest first)")
        self.cqt_edit = self.cqt_combo.lineEdit()
        self.cqt_edit.setPlaceholderText("CQT run")
        self.attach_cqt_button = QPushButton("Attach CQT run")
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("a note as evidence (BSC confirmed the block at 14:02…)")
        self.attach_note_button = QPushButton("Add note")
        self.mark_before = QPushButton("Mark before")
        self.mark_after = QPushButton("Mark after")
        self.mark_none = QPushButton("Unmark")
        ev = QWidget()
        el = QVBoxLayout(ev)
        el.setContentsMargins(0, 0, 0, 0)
        el.addWidget(self.evidence_table, 1)
        for row in ((QLabel("Session"), self.session_combo, self.role_combo, self.attach_session_button),
                    (self.attach_file_button, self.cqt_combo, self.attach_cqt_button),
                    (self.note_edit, self.attach_note_button),
                    (self.mark_before, self.mark_after, self.mark_none)):
            line = QHBoxLayout()
            for w in row:
                line.addWidget(w, 1 if isinstance(w, (QComboBox, QLineEdit)) else 0)
            if row[0] in (self.mark_before, self.attach_file_button):
                line.addStretch(1)
            el.addLayout(line)

        self.findings = QTextBrowser()
        self.history_table = QTableWidget(0, 3)
        self.history_table.setHorizontalHeaderLabels(["Time (UTC)", "Who", "What"])
        self.history_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history_table.verticalHeader().hide()
        self.history_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.history_table.horizontalHeader().setStretchLastSection(True)
        self.history_note = QLineEdit()
        self.history_note.setPlaceholderText("add a note to the history…")
        self.history_note_button = QPushButton("Add note")
        hist = QWidget()
        hl = QVBoxLayout(hist)
        hl.setContentsMargins(0, 0, 0, 0)
        hl.addWidget(self.history_table, 1)
        line = QHBoxLayout()
        line.addWidget(self.history_note, 1)
        line.addWidget(self.history_note_button)
        hl.addLayout(line)

        self.tabs = QTabWidget()
        self.tabs.addTab(facts, "Facts")
        self.tabs.addTab(ev, "Evidence")
        self.tabs.addTab(self.findings, "Findings")
        self.stats_view = StatsView()  # network statistics and alarms of the case (issue 14)
        self.tabs.addTab(self.stats_view, "Statistics")
        self.tabs.addTab(hist, "History")

        head = QHBoxLayout()
        head.addWidget(self.status_label)
        head.addStretch(1)
        head.addWidget(QLabel("Next:"))
        head.addWidget(self.next_combo)
        head.addWidget(self.move_note, 1)
        head.addWidget(self.move_button)
        head.addWidget(self.reopen_button)
        actions = QHBoxLayout()
        actions.addWidget(self.record_button)
        actions.addStretch(1)
        actions.addWidget(self.personal_check)
        actions.addWidget(self.report_button)
        actions.addWidget(self.pack_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(head)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)

        self.move_button.clicked.connect(self.move)
        self.reopen_button.clicked.connect(self._reopen_clicked)
        self.save_button.clicked.connect(self.save_facts)
        self.attach_session_button.clicked.connect(self._attach_session_clicked)
        self.attach_file_button.clicked.connect(self._attach_file_clicked)
        self.attach_cqt_button.clicked.connect(self._attach_cqt_clicked)
        self.attach_note_button.clicked.connect(self._attach_note_clicked)
        self.mark_before.clicked.connect(lambda: self._mark("before"))
        self.mark_after.clicked.connect(lambda: self._mark("after"))
        self.mark_none.clicked.connect(lambda: self._mark(None))
        self.history_note_button.clicked.connect(self._history_note_clicked)
        self.record_button.clicked.connect(lambda: self.record_requested.emit(self.case_id))
        self.report_button.clicked.connect(self._report_clicked)
        self.pack_button.clicked.connect(self._pack_clicked)
        self.resize(980, 760)
        self.reload()

    # ------------------------------------------------------------------ reading
    def reload(self) -> None:
        self.case = self.desk.get(self.case_id)
        case = self.case
        self.setWindowTitle(f"Case {case.id}: {case.display_title()}")
        self.title.setText(f"Case {case.id}: {case.display_title()}")
        self.status_label.setText(f"Status: <b>{STATUS_LABELS[case.status]}</b> · priority {case.priority}"
                                  + (f" · due {case.due_date}" if case.due_date else ""))
        self.next_combo.clear()
        for key in NEXT[case.status]:
            self.next_combo.addItem(STATUS_LABELS[key], key)
        self.move_button.setEnabled(bool(NEXT[case.status]))
        self.reopen_button.setEnabled(case.status == "closed")
        self.form.set_case(case)
        self._fill_evidence()
        self._fill_history()
        self._fill_sessions()
        self._fill_findings()
        self._fill_statistics()

    def _fill_statistics(self) -> None:
        try:
            stats = self.desk.statistics(self.case_id)
        except Exception as exc:  # statistics that cannot be read: say so, keep the view
            self.stats_view.info.setText(f"statistics could not be read: {exc}")
            return
        case = self.case
        self.stats_view.set_data(stats, action_date=case.action_date if case else None,
                                 cells=list(case.cells) if case else None)

    def _fill_evidence(self) -> None:
        items = self.desk.evidence(self.case_id)
        self.evidence_items = items
        self.evidence_table.setRowCount(len(items))
        for row, item in enumerate(items):
            for col, text in enumerate((_when(item.added_utc), item.kind, item.role or "", item.label)):
                cell = QTableWidgetItem(text)
                if col == 3 and item.sha256:
                    cell.setToolTip(f"sha256 {item.sha256}")
                self.evidence_table.setItem(row, col, cell)

    def _fill_history(self) -> None:
        entries = self.desk.history(self.case_id)
        self.history_table.setRowCount(len(entries))
        for row, h in enumerate(entries):
            for col, text in enumerate((_when(h.ts_utc), h.author, h.text)):
                self.history_table.setItem(row, col, QTableWidgetItem(text))
        self.history_table.scrollToBottom()

    def _fill_cqt_runs(self) -> None:
        self.cqt_combo.clear()
        try:
            runs = self.desk.cqt_runs()
        except Exception:  # noqa: BLE001 (an unreadable list leaves typing the number)
            runs = []
        for run in reversed(runs):
            case = f" · case {run['case_id']}" if run.get("case_id") else ""
            self.cqt_combo.addItem(f"{run['id']}: {_when(run.get('created_utc'))} · {run.get('state') or ''}{case}",
                                   run["id"])
        self.cqt_combo.setCurrentIndex(-1)

    def _fill_sessions(self) -> None:
        self._fill_cqt_runs()
        self.session_combo.clear()
        for info in reversed(self.desk.sessions()):
            self.session_combo.addItem(f"{info.id}: {info.source} · {_when(info.start_utc)} · {info.samples} samples",
                                       info.id)

    def _fill_findings(self) -> None:
        try:
            found = self.desk.findings(self.case_id)
            comparison = self.desk.comparison(self.case_id)
        except Exception as exc:  # evidence that cannot be read: say so, keep the view
            self.findings.setPlainText(f"diagnosis failed: {exc}")
            return
        parts = []
        for f in found:
            cites = "".join(f"<li>{escape(c.line())}</li>" for c in f.cites)
            parts.append(f"<h3>{escape(f.title)}</h3><p>{escape(f.summary)}</p><ul>{cites}</ul>"
                         f"<p><b>Next step:</b> {escape(f.next_step)}</p>")
        if not found:
            parts.append("<p>No rule fired on the evidence so far: attach sessions or CQT runs of the spot.</p>")
        parts.append("<h3>Before / after</h3>")
        if comparison is None:
            parts.append("<p>Mark a session of the spot “before” and the re-test after the fix “after”.</p>")
        else:
            parts.append(_comparison_html(comparison))
        self.findings.setHtml("".join(parts))

    def evidence_texts(self) -> list[str]:
        return [self.evidence_table.item(r, 3).text() for r in range(self.evidence_table.rowCount())]

    def history_texts(self) -> list[str]:
        return [self.history_table.item(r, 2).text() for r in range(self.history_table.rowCount())]

    # ------------------------------------------------------------------ changes
    def _do(self, what: str, func, *args, **kwargs) -> bool:
        try:
            func(*args, **kwargs)
        except Exception as exc:  # domain refusals (validation, workflow, files) are shown, not raised
            self.message.setStyleSheet("color: #c62828;")
            self.message.setText(f"{what}: {exc}")
            return False
        self.message.setStyleSheet("color: #2e7d32;")
        self.message.setText(f"{what}: done")
        self.reload()
        self.changed.emit(self.case_id)
        return True

    def save_facts(self) -> bool:
        assert self.case is not None
        raw = self.form.values()
        changes = {k: v for k, v in raw.items() if _differs(getattr(self.case, k), v)}
        if self.form.check(creating=False):
            return False
        if not changes:
            self.message.setText("no change to save")
            return True
        return self._do("save facts", self.desk.edit, self.case_id, changes)

    def move(self) -> bool:
        to = self.next_combo.currentData()
        if to is None:
            return False
        return self._do(f"move to {STATUS_LABELS[to]}", self.desk.transition, self.case_id, to,
                        note=self.move_note.text().strip())

    def reopen(self, reason: str) -> bool:
        return self._do("reopen", self.desk.reopen, self.case_id, reason)

    def attach_session(self, session_id: int, role: str | None = None) -> bool:
        return self._do(f"attach session {session_id}", self.desk.attach_session, self.case_id, session_id, role=role)

    def attach_file(self, path: str, role: str | None = None) -> bool:
        return self._do(f"attach {Path(path).name}", self.desk.attach_file, self.case_id, path, role=role)

    def write_report(self, path: str) -> bool:
        from fieldapp.report import gather_report, write_report

        def run() -> None:
            with self.desk.store(create=False) as st:
                write_report(gather_report(st, self.case_id), path, include_personal=self.personal_check.isChecked())
        return self._do(f"report {Path(path).name}", run)

    def write_pack(self, path: str) -> bool:
        from fieldapp.report import write_pack

        def run() -> None:
            with self.desk.store(create=False) as st:
                write_pack(st, self.case_id, path, include_personal=self.personal_check.isChecked())
        return self._do(f"evidence pack {Path(path).name}", run)

    def _attach_session_clicked(self) -> None:
        sid = self.session_combo.currentData()
        if sid is None:
            self.message.setText("no session in the workspace yet: record or import one")
            return
        self.attach_session(int(sid), self.role_combo.currentData())

    def _attach_file_clicked(self) -> None:
        path = self.choose_open("Attach a file (photo, screenshot, another tool's export)")
        if path:
            self.attach_file(path, self.role_combo.currentData())

    def _attach_cqt_clicked(self) -> None:
        text = self.cqt_edit.text().strip()
        number = text.split(":", 1)[0].strip()
        if not number.isdigit():
            self.message.setText("CQT run: pick a run from the list (or type its number)")
            return
        self._do(f"attach CQT run {number}", self.desk.attach_cqt, self.case_id, int(number))

    def _attach_note_clicked(self) -> None:
        if self._do("add note", self.desk.attach_note, self.case_id, self.note_edit.text()):
            self.note_edit.clear()

    def _history_note_clicked(self) -> None:
        if self._do("note", self.desk.note, self.case_id, self.history_note.text()):
            self.history_note.clear()

    def _mark(self, role: str | None) -> None:
        row = self.evidence_table.currentRow()
        items = getattr(self, "evidence_items", [])
        if not 0 <= row < len(items):
            self.message.setText("select a piece of evidence first")
            return
        item = items[row]
        if item.attachment_id is None:  # a session recorded into the case: attach it with the role
            self._do(f"mark {role or 'neither'}", self.desk.attach_session, self.case_id, int(item.ref), role=role)
            return
        self._do(f"mark {role or 'neither'}", self.desk.mark, item.attachment_id, role)

    def _reopen_clicked(self) -> None:
        reason = self.move_note.text().strip()
        if not reason:
            self.message.setText("reopen: write the reason in the note field first")
            return
        self.reopen(reason)

    def _report_clicked(self) -> None:
        path = self.choose_save("Write the case report", "PDF (*.pdf);;HTML (*.html)")
        if path:
            self.write_report(path)

    def _pack_clicked(self) -> None:
        path = self.choose_save("Write the evidence pack", "Zip (*.zip)")
        if path:
            self.write_pack(path)

    def _dialog_save(self, title: str, filters: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self, title, f"case-{self.case_id}", filters)
        return path or None

    def _dialog_open(self, title: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self, title)
        return path or None


def _comparison_html(cmp) -> str:
    """Before and after side by side: level bins, quality classes, calls."""
    b, a = cmp.before, cmp.after

    def share(n: int, total: int) -> str:
        return f"{n} ({n / total:.0%})" if total else str(n)
    rows = [("Median level", f"{b.level_p50:.0f} dBm" if b.level_p50 is not None else "—",
             f"{a.level_p50:.0f} dBm" if a.level_p50 is not None else "—")]
    rows += [(f"Level {label}", share(nb, b.samples), share(na, a.samples))
             for (label, nb), (_l, na) in zip(b.level_bins, a.level_bins)]
    rows += [(f"RXQUAL {label}", share(nb, b.quality_samples), share(na, a.quality_samples))
             for (label, nb), (_l, na) in zip(b.quality_classes, a.quality_classes)]
    rows.append(("Call success", "—" if b.call_success is None else f"{b.call_success:.0%} of {b.attempts}",
                 "—" if a.call_success is None else f"{a.call_success:.0%} of {a.attempts}"))
    body = "".join(f"<tr><td>{escape(k)}</td><td>{escape(x)}</td><td>{escape(y)}</td></tr>" for k, x, y in rows)
    return (f"<p><b>{escape(cmp.verdict())}</b></p><table border='1' cellspacing='0' cellpadding='3'>"
            f"<tr><th></th><th>Before</th><th>After</th></tr>{body}</table>")


def _differs(current: object, raw: object) -> bool:
    """Whether a form value changes the stored fact (text compared as the form shows it)."""
    if raw is None:
        return current not in (None, "", ())
    if isinstance(current, (list, tuple)):
        return ", ".join(current) != raw
    if isinstance(current, bool):
        return ("yes" if current else "no") != raw
    if isinstance(current, float):
        try:
            return abs(float(raw) - current) > 1e-9
        except (TypeError, ValueError):
            return True
    return str(current) != str(raw) if current is not None else True
