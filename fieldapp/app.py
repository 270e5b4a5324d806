"""The composition root: builds the Qt application, the bridge, the live controller and the
window, and wires them together. The only module of ``fieldapp`` that imports Qt and ``ui``.

    fieldapp                        opens the window (run_window)
    fieldapp replay SESSION|FILE    the window in replay mode with a timeline (run_replay)
    fieldapp demo                   the window on the demo-drive scenario through the simulator
                                    over a real pseudo-terminal and the real driver, recording
                                    into a demo workspace (run_demo)
    ... --screenshot PATH --exit-after SECONDS   saves a PNG of the whole window, then exits
"""

from __future__ import annotations

import argparse
import bisect
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

from fieldapp import bulk_gc
from fieldapp.live import DEMO_PORT, ConnectRequest, LiveSession
from fieldapp.paths import default_workspace, workspace_path

DEMO_SCENARIO = "demo-drive"
SETTINGS_ENV = "FIELDAPP_SETTINGS"  # an INI path: tests and portable installs keep settings there


class NoDisplay(RuntimeError):
    pass


def check_display(args: argparse.Namespace) -> None:
    """A clear message instead of Qt's abort when there is no screen to open a window on, or
    when the X11 platform plugin lacks a system library (Qt would abort naming the plugin, not
    the Debian package)."""
    if not sys.platform.startswith("linux"):
        return
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    x11 = bool(os.environ.get("DISPLAY")) and not os.environ.get("WAYLAND_DISPLAY")
    if platform == "xcb" or (not platform and x11):
        from fieldapp import syscheck

        missing = [f for f in syscheck.check_libraries(syscheck.WINDOW) if f.what == "library"]
        if missing:
            packages = " ".join(dict.fromkeys(p for f in missing for p in f.packages))
            raise NoDisplay(f"{missing[0].line}" + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
                            + f"; install: sudo apt-get install -y {packages} (fieldapp doctor explains)")
    if platform or os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return
    raise NoDisplay("no display to open the window on: set DISPLAY, or run with QT_QPA_PLATFORM=offscreen "
                    "and --screenshot PATH --exit-after SECONDS")


class WindowApp:
    """What every window mode shares: the Qt application, the bridge, the settings, the window
    over the workspace's cell plan, the screenshot, and the order of teardown. ``LiveApp`` adds
    the live controller, ``ReplayApp`` a replay source and its timeline."""

    def __init__(self, workspace: Path, *, settings_path: str | None = None) -> None:
        from PySide6.QtWidgets import QApplication

        from fieldapp.report.fonts import use_bundled_fonts
        from ui.bridge import RecordBridge
        from ui.settings import WindowSettings

        self.qapp = QApplication.instance() or QApplication(sys.argv[:1])
        self.qapp.setApplicationName("fieldapp")
        use_bundled_fonts(self.qapp)  # the window looks the same with or without system fonts
        self.workspace = workspace
        self.bridge = RecordBridge()
        self.settings = WindowSettings(settings_path or os.environ.get(SETTINGS_ENV))
        self._plan_source: str | None = None
        self._closed = False

    def _open_window(self, title: str, **window_kwargs: Any) -> None:
        from ui.main_window import MainWindow

        self.window = MainWindow(self.settings, list_cases=self.list_cases, title=title, **window_kwargs)
        self.window.install_doctor(self.doctor_report)
        self.bridge.records_arrived.connect(self._records)
        # The band-scan dock (ui/scan_panel.py): fed after the window filed each batch.
        from ui.scan_panel import feed, install_scan_panel

        self.scan_panel = install_scan_panel(self.window)
        self.bridge.records_arrived.connect(lambda batch: feed(self.scan_panel, self.window, batch))

    def _finish_window(self) -> None:
        """The workspace's cell plan on the map, teardown on close, the bridge ticking."""
        self.window.closing.connect(self.close)
        plan, source = self.workspace_plan()
        if plan:
            self.window.set_cell_plan(plan)
        self._plan_source = source
        self.bridge.start()

    # ------------------------------------------------------------------ workspace reads (GUI thread)
    def list_cases(self) -> list[tuple[int, str]]:
        from fieldapp.store import Store

        if not self.workspace.exists():
            return []
        store = Store.open(self.workspace)
        try:
            return [(c["id"], c.get("title") or "") for c in store.cases()]
        finally:
            store.close()

    def workspace_plan(self) -> tuple[list, str | None]:
        from fieldapp.store import Store, StoreError

        if not self.workspace.exists():
            return [], None
        try:
            store = Store.open(self.workspace)
        except StoreError:
            return [], None
        try:
            return store.cell_plan(), store.cell_plan_source()
        finally:
            store.close()

    def _records(self, batch: list) -> None:
        self.window.on_records(batch)

    def doctor_report(self) -> tuple[bool, list[str]]:
        """The ``fieldapp doctor`` report for Help → System check. Qt is known from the running
        application, so it is not probed in a child process as on the command line."""
        import PySide6
        from PySide6.QtCore import qVersion

        from fieldapp.doctor import QtFacts, run_doctor

        qt = QtFacts(qVersion(), PySide6.__version__, True, None, self.qapp.platformName())
        report = run_doctor(self.workspace, qt_facts=qt)
        return report.ok, report.lines()

    def schedule_screenshot(self, path: str | None, exit_after_s: float | None) -> None:
        from PySide6.QtCore import QTimer

        if path is None and exit_after_s is None:
            return
        delay_ms = int(1000 * (exit_after_s if exit_after_s is not None else 3.0))

        def shoot() -> None:
            if path:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                self.window.grab().save(str(path))
            self.window.close()

        QTimer.singleShot(delay_ms, shoot)

    def _shutdown(self) -> None:
        """Stop this mode's source threads (before the bridge's last drain)."""

    def close(self) -> None:
        """Stops the source threads, then the bridge timer, then the window's own timers (a
        window a script or test never showed is closed too)."""
        if self._closed:
            return
        self._closed = True
        self._shutdown()
        self.bridge.drain_now()
        self.bridge.stop()
        self.window.close()

    def run(self) -> int:
        self.window.show()
        self.install_quit_signals()
        code = self.qapp.exec()
        self.close()
        return int(code)

    # ------------------------------------------------------------------ laptop life
    def install_quit_signals(self) -> None:
        """SIGTERM/SIGHUP (a service manager, ``kill``, a closing terminal) and the desktop
        session ending (laptop shutdown, logout) close the window as its Quit does: the
        recording ends cleanly with its end time, not marked interrupted.

        Python runs a signal handler only when the interpreter gets control; Qt's event loop
        is C++, so the signal's wakeup byte goes to a socket that a QSocketNotifier watches."""
        import signal
        import socket

        from PySide6.QtCore import QSocketNotifier, QTimer

        if getattr(self, "_signal_notifier", None) is not None:
            return
        rsock, wsock = socket.socketpair()
        rsock.setblocking(False)
        wsock.setblocking(False)
        try:
            signal.set_wakeup_fd(wsock.fileno())
        except ValueError:  # not the main thread: no signals to catch here
            rsock.close()
            wsock.close()
            return
        self._signal_socks = (rsock, wsock)
        self._signal_notifier = QSocketNotifier(rsock.fileno(), QSocketNotifier.Type.Read)
        self._signal_notifier.activated.connect(lambda *_a: _drain_socket(rsock))

        def on_signal(signum, _frame) -> None:
            print(f"fieldapp: {signal.Signals(signum).name}: closing the window and the recording",
                  file=sys.stderr)
            QTimer.singleShot(0, self.session_ending)

        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, on_signal)
        self.qapp.commitDataRequest.connect(lambda _manager: self.session_ending())

    def session_ending(self) -> None:
        """The laptop is going down (or a SIGTERM came): end like Quit — the recording closed
        with its end time, the sources stopped, the window closed."""
        self.window.close()
        self.close()


class LiveApp(WindowApp):
    """Everything the live window needs, built and wired; ``close()`` tears it down in order."""

    def __init__(self, workspace: Path, *, settings_path: str | None = None, title: str = "fieldapp",
                 controller_kwargs: dict[str, Any] | None = None) -> None:
        super().__init__(workspace, settings_path=settings_path)
        self.controller = LiveSession(self.bridge.put, workspace, **(controller_kwargs or {}))
        # The title bar says where this window records: the demo and the CLI have separate
        # default workspaces (a demo must not fill the real one), so the engineer must see which.
        title = f"{title} — recording into {workspace}"
        self._open_window(title, list_ports=_list_ports, family_names=_family_names(),
                          scenarios=_scenario_names(), status_poll=self.controller.status)
        panel = self.window.source_panel
        panel.connect_requested.connect(lambda choices: self.controller.connect(ConnectRequest.from_choices(choices)))
        panel.disconnect_requested.connect(self.controller.disconnect)
        panel.record_toggled.connect(self._record_toggled)
        from fieldapp.cqt.live_run import live_runner

        self.window.cqt_panel.runner_factory = lambda plan, **kw: live_runner(
            self.controller, plan, **kw)
        from fieldapp.cases.desk import CaseDesk

        self.window.install_cases(CaseDesk(workspace))
        self.window.install_import(self.import_job, self.open_replay, self._imported)
        self.replays: list[ReplayApp] = []  # replay windows opened from "Replay it"
        self.scan_job: Any = None
        self.scan_panel.scan_requested.connect(self.start_scan)
        self.scan_panel.cancel_requested.connect(self.cancel_scan)
        self._finish_window()

    # ------------------------------------------------------------------ band scans
    def start_scan(self, band: str, arfcn_range: Any, repeat: int) -> None:
        """The scan panel's Scan: a ``ScanJob`` on the connected handset (its poll pauses for
        each scan); scans and progress come back through the bridge."""
        from fieldapp.scan_job import ScanJob

        source = self.controller.source
        if source is None or not hasattr(source, "scan"):
            self.window.status.showMessage("connect a device before scanning", 10000)
            return
        if self.scan_job is not None and self.scan_job.running:
            return
        self.scan_job = ScanJob(source, self.bridge.put, band=band, arfcn_range=arfcn_range, repeat=repeat).start()

    def cancel_scan(self) -> None:
        if self.scan_job is not None:
            self.scan_job.cancel()

    def _record_toggled(self, on: bool, case_id) -> None:
        if on:
            self.controller.start_recording(case_id)
        else:
            self.controller.stop_recording()

    # ------------------------------------------------------------------ import and replay
    def import_job(self, path: str | Path, on_progress: Any = None, options: dict | None = None) -> Any:
        """The window's import (File → Import log…): a background job into this workspace;
        ``options`` are the reader's (``utc_offset_min`` asked by the dialog)."""
        from fieldapp.importer import ImportJob

        if options:
            return ImportJob(self.workspace, path, on_progress=on_progress, options=options)
        return ImportJob(self.workspace, path, on_progress=on_progress)

    def _imported(self, result: Any) -> None:
        """A cell file imported from the window: its plan goes on the map and the CQT plan now."""
        if result.session_id is None:
            plan, self._plan_source = self.workspace_plan()
            self.window.set_cell_plan(plan)

    def open_replay(self, session_id: int) -> ReplayApp:
        """A replay window over a session of this workspace ("Replay it" after an import)."""
        from fieldapp.store import Store
        from logs.replay import ReplaySource

        store = Store.open(self.workspace)
        try:
            # Read in bulk; each sample is rebuilt when the replay reaches it (issue 15 point 4).
            source = ReplaySource(store.replay_records(session_id))
        finally:
            store.close()
        replay = ReplayApp(source, self.workspace, name=f"session {session_id}", session_id=session_id)
        self.replays.append(replay)
        replay.window.closing.connect(lambda: self.replays.remove(replay) if replay in self.replays else None)
        replay.window.show()
        return replay

    def _shutdown(self) -> None:
        """Ends a recording cleanly and stops the source threads (and any replay window's)."""
        if self.scan_job is not None:  # a scan stops between two steps; its scans are recorded
            self.scan_job.cancel()
            self.scan_job.join(10)
        self.controller.shutdown()
        for replay in list(self.replays):
            replay.window.close()
            replay.close()


class ReplayControls:
    """The timeline's controller: the ``ReplaySource`` itself, except that a jump (seek,
    previous/next event) first hands the records already replayed to the views
    (``before_jump``) and then tells the window where it landed (``after_jump(from, to)``)."""

    def __init__(self, source: Any, before_jump: Any, after_jump: Any, lock: Any = None) -> None:
        import threading

        self.source = source
        self._before_jump, self._after_jump = before_jump, after_jump
        self.lock = lock if lock is not None else threading.Lock()  # held by the sink while it puts

    position_utc = property(lambda self: self.source.position_utc)
    timeline = property(lambda self: self.source.timeline)
    playing = property(lambda self: self.source.playing)
    speed = property(lambda self: self.source.speed)

    def play(self) -> None:
        if not self.source.playing and self.source.at_end:
            # Play at the end starts over: as a jump back to the start, so that the views are
            # cut there too (the source alone would send every record again over them).
            self.seek(self.source.timeline.start_utc)
        self.source.play()

    def pause(self) -> None:
        self.source.pause()

    def set_speed(self, x: float) -> None:
        self.source.set_speed(x)

    def seek(self, ts_utc: float) -> None:
        self._jump(lambda: self.source.seek(ts_utc))

    def next_event(self) -> Any:
        return self._jump(self.source.next_event)

    def prev_event(self) -> Any:
        return self._jump(self.source.prev_event)

    def _jump(self, move: Any) -> Any:
        with self.lock:  # no record is half handed over while the position moves
            self._before_jump()
            before = self.source.position_utc
            result = move()
            after = self.source.position_utc
        self._after_jump(before, after)  # also when it did not move: the held records follow
        return result


# The read-ahead (ReplayApp): a long session is filed, in idle steps after the window opened,
# into a history of its own, which a long jump forwards takes over instead of filing the
# stretch it skipped then.
READ_AHEAD_START_MS = 500  # after the window's first paint and the replay's first records
READ_AHEAD_RECORDS = 512  # records filed per idle step (~256 samples: ~10 ms)
LONG_JUMP_RECORDS = 2000  # a jump forwards over more records takes the read-ahead over
# Not beyond (~2 days at one sample and one fix a second): the history read ahead is a second
# copy of the views' data (~200 bytes a sample with six neighbours), copied at each long jump.
READ_AHEAD_MAX_RECORDS = 400_000


class ReplayApp(WindowApp):
    """The window in replay mode: the same views as live, fed by a ``ReplaySource`` through the
    same bridge, with the timeline under the plots and no source panel."""

    def __init__(self, source: Any, workspace: Path, *, name: str, settings_path: str | None = None,
                 session_id: int | None = None) -> None:
        from ui.status_bar import LinkInfo
        from ui.timeline import ReplayTimeline, duration_text

        super().__init__(workspace, settings_path=settings_path)
        self.source = source
        self.session_id = session_id  # a stored session: replayed over the plan it was recorded under
        self._open_window(f"fieldapp — replay {name}")
        self.window.auto_plot_strongest = 2
        self.controls = ReplayControls(source, self._begin_jump, self._jumped)
        self._put_lock = self.controls.lock
        self._held: list | None = None
        # In time order: a jump refills the views from here (a stored session's samples are
        # rebuilt as they are read).
        self._all = source.records
        self._all_t = source.times_utc
        self._sorted: bool | None = None  # the records in time order (_in_time_order)
        self.timeline = ReplayTimeline(self.controls)
        self.window.set_replay_mode(self.timeline, clock=lambda: source.position_utc)
        self._delivered_utc = -math.inf  # the newest record the views have (events skipped by a jump)
        self._filed_upto_utc = -math.inf  # the last jump filed every record up to this time
        header = source.header
        # Bad lines only: unknown record types are normal in a Nemo file (thousands of them).
        # Shown apart: "Bad lines: 0", "Unread types: 27" (4928 lines of them, in the tooltip).
        bad = getattr(source.stats, "bad_count", 0) or 0
        unknown = getattr(source.stats, "unknown", None)
        unread = dict(unknown) if unknown is not None else None  # None: a stored session, no reader
        device = " ".join(str(header[k]) for k in ("device", "product") if header.get(k)) or None
        self.window.status.set_link(LinkInfo("replay", device=device, family=header.get("source"),
                                             skipped_lines=bad, unread_types=unread))
        self.scan_panel.set_replay(True)
        self._finish_window()
        self.window.map_view.set_whole_route(source.route_latlon)
        self.window.status.showMessage(
            # Short enough for a 1366-pixel status bar; the keys are in Help → Keys.
            f"{len(source.events)} events, {duration_text(source.timeline.duration_s)}; "
            "Space plays (Help → Keys)", 15000)
        source.start(self._put)
        from PySide6.QtCore import QTimer

        self.long_jump_records = LONG_JUMP_RECORDS
        self._ahead: Any = None  # ui.history.History of the records before _ahead_hi
        self._ahead_hi = 0
        self._ahead_failed = False
        QTimer.singleShot(READ_AHEAD_START_MS, self._read_ahead_step)
        # What exists now lives as long as the window: out of the collector's full scans
        # (fieldapp/bulk_gc.py), until the last replay window closes.
        bulk_gc.window_opened()

    def workspace_plan(self) -> tuple[list, str | None]:
        """A stored session's replay names its cells, TRXs and sites by the plan version it was
        recorded under (``sessions.plan_version``), not by whatever plan is current now (another
        scenario or file loaded since); a log file, or a session from before plan versions,
        by the current plan."""
        from fieldapp.store import Store, StoreError

        if self.session_id is None or not self.workspace.exists():
            return super().workspace_plan()
        try:
            store = Store.open(self.workspace)
        except StoreError:
            return [], None
        try:
            info = store.session(self.session_id)
            stored = None if info is None or info.plan_version is None else store.plan_at(info.plan_version)
            if stored is not None:
                cells, source, _loaded_utc = stored
                return cells, source
            return store.cell_plan(), store.cell_plan_source()
        finally:
            store.close()

    def _put(self, rec: Any) -> None:
        """The replay thread's sink. A record newer than the position is one the thread was
        handing over when the user jumped backwards: dropped, or it would land in the cut
        views. (Every record the replay sends in order is at or before its position.) So is
        one at or before the position of the last jump: the jump filed every record up to
        there (the source sends the last sample and position again after a seek, for sinks
        that do not). While a jump fills the views, what the thread hands over waits
        (``_held``)."""
        with self._put_lock:
            if rec.ts_utc > self.source.position_utc or rec.ts_utc <= self._filed_upto_utc:
                return
            if self._held is not None:
                self._held.append(rec)
                return
            self.bridge.put(rec)

    def _begin_jump(self) -> None:
        """Inside the jump's lock: the views get what is in the bridge, then the thread's
        records wait until ``_jumped`` has refilled the views."""
        self.bridge.drain_now()
        self._held = []

    def _records(self, batch: list) -> None:
        self._delivered_utc = max(self._delivered_utc, max(r.ts_utc for r in batch))
        self.window.on_records(batch)
        if self.source.error is not None:
            self.window.status.showMessage(f"replay stopped: {self.source.error}", 15000)

    def _jumped(self, before_utc: float, after_utc: float) -> None:
        """After a jump the views show what a straight replay to the new position shows, as
        in the peers' replay. Backwards, the views are cut at the new position
        (``MainWindow.trim_history``: nothing before it is read again, only the last sample
        and position at it). Forwards, the stretch the jump skipped is filed at once; a long
        one (more than ``long_jump_records``) is taken from the read-ahead history instead
        (``MainWindow.adopt_history``), filed in idle steps since the window opened (what it
        lacks is filed now, once). Then the thread's records held meanwhile follow."""
        # A jump rebuilds and files thousands of records at once, none of them in a cycle:
        # fewer collections meanwhile (fieldapp/bulk_gc.py).
        with bulk_gc.fewer_collections():
            self._file_jump(before_utc, after_utc)

    def _file_jump(self, before_utc: float, after_utc: float) -> None:
        """``_jumped``'s work."""
        from fieldapp.model import Scan

        if after_utc != before_utc or after_utc > self._delivered_utc:
            hi = bisect.bisect_right(self._all_t, after_utc)
            if after_utc < self._delivered_utc:  # the views hold records after the new position
                self.scan_panel.clear()
                scans = [s for s in self.source.scans if s.ts_utc <= after_utc]
                if scans:  # the scans up to the new position, as the panel would have them
                    self.scan_panel.observe(scans)
                if not (self._in_time_order() and self.window.trim_history(after_utc, self._records_back)):
                    # No sample kept, or records out of time order: filed again from the start.
                    self.window.clear_history()
                    if hi:
                        self.window.on_records(self._all[:hi])
                lo = hi
            else:
                lo = bisect.bisect_right(self._all_t, self._delivered_utc)
                if hi - lo > self.long_jump_records and self._read_ahead_wanted() and self._read_ahead_to(hi) \
                        and self.window.adopt_history(self._ahead, after_utc, self._records_back):
                    scans = [s for s in self.source.scans if self._delivered_utc < s.ts_utc <= after_utc]
                    if scans:
                        self.scan_panel.observe(scans)
                    lo = hi
            fill = self._all[lo:hi]
            self._delivered_utc = after_utc
            if fill:
                self.window.on_records(fill)
                scans = [r for r in fill if isinstance(r, Scan)]
                if scans:
                    self.scan_panel.observe(scans)
        with self._put_lock:
            # (A log slightly out of time order keeps its file order: a record older than the
            # position may still come after it, and is not filed yet.)
            self._filed_upto_utc = after_utc if self._in_time_order() else -math.inf
            held, self._held = self._held or [], None
            for rec in held:
                if rec.ts_utc > after_utc:
                    self.bridge.put(rec)

    # ------------------------------------------------------------------ the read-ahead
    def _read_ahead_wanted(self) -> bool:
        return (self.long_jump_records < len(self._all) <= READ_AHEAD_MAX_RECORDS and not self._ahead_failed
                and self._in_time_order())

    def _read_ahead_step(self) -> None:
        """One idle step: the next records filed into the read-ahead history, then the next
        step queued until the whole session is filed. The window stays responsive (each step
        ~10 ms); an 8-hour session is read ahead in ~0.25 s of CPU (bench/open_bench.py)."""
        from PySide6.QtCore import QTimer

        if self._closed or not self._read_ahead_wanted() or self.read_ahead_done:
            return
        if self._read_ahead_to(min(len(self._all), self._ahead_hi + READ_AHEAD_RECORDS)):
            QTimer.singleShot(1, self._read_ahead_step)

    def _read_ahead_to(self, hi: int) -> bool:
        """File the records before index ``hi`` into the read-ahead history (what is not
        there yet). False when the session can no longer be read: no read-ahead from then on
        (a jump files the stretch it skips itself)."""
        from fieldapp.store import StoreError
        from ui.history import History

        if self._ahead is None:
            self._ahead = History(self.window.history.plan)
        try:
            # In steps of READ_AHEAD_RECORDS however far: only one step's samples are alive
            # at a time (not the 14,000 of a jump to an 8-hour session's middle), which keeps
            # the collections the step still makes short.
            with bulk_gc.fewer_collections():
                while self._ahead_hi < hi:
                    upto = min(hi, self._ahead_hi + READ_AHEAD_RECORDS)
                    self._ahead.add(self._all[self._ahead_hi:upto])
                    self._ahead_hi = upto
        except StoreError:
            self._ahead, self._ahead_failed = None, True
            return False
        return True

    @property
    def read_ahead_done(self) -> bool:
        """The whole session is filed into the read-ahead history."""
        return self._ahead is not None and self._ahead_hi >= len(self._all)

    def _in_time_order(self) -> bool:
        """Whether the records are in time order (a stored session always; a log file nearly
        always), which cutting the views at a time needs. Checked once."""
        if self._sorted is None:
            t = self._all_t
            self._sorted = all(a <= b for a, b in zip(t, t[1:]))
        return self._sorted

    def _records_back(self, ts_utc: float):
        """The records at or before ``ts_utc``, newest first, each read (a stored sample
        rebuilt) only when the trim asks for it."""
        records = self._all
        for i in range(bisect.bisect_right(self._all_t, ts_utc) - 1, -1, -1):
            yield records[i]

    def _shutdown(self) -> None:
        self.timeline.stop_polling()
        self.source.stop()
        bulk_gc.window_closed()


def _drain_socket(sock) -> None:
    try:
        while sock.recv(64):
            pass
    except OSError:
        pass


# ---------------------------------------------------------------------- entry points
def run_window(args: argparse.Namespace) -> int:
    check_display(args)
    app = LiveApp(workspace_path(getattr(args, "workspace", None)))
    port = getattr(args, "port", None)
    if port:  # `fieldapp --port /dev/ttyUSB0` (what `make demo PORT=...` runs): connect at start
        choices = {"port": port, "baud": getattr(args, "baud", 115200)}
        app.window.source_panel.apply_choices(choices)
        app.controller.connect(ConnectRequest.from_choices(choices))
    app.schedule_screenshot(getattr(args, "screenshot", None), getattr(args, "exit_after", None))
    return app.run()


def run_replay(source: Any, args: argparse.Namespace) -> int:
    """``fieldapp replay SESSION|FILE``: the window in replay mode over ``source``."""
    check_display(args)
    target = str(getattr(args, "target", "") or "")
    is_file = Path(target).is_file()
    name = Path(target).name if is_file else f"session {target}"
    session_id = int(target) if not is_file and target.isdigit() else None
    app = ReplayApp(source, workspace_path(getattr(args, "workspace", None)), name=name, session_id=session_id)
    app.schedule_screenshot(getattr(args, "screenshot", None), getattr(args, "exit_after", None))
    return app.run()


def demo_workspace(arg: str | None) -> Path:
    """``--workspace`` when given, else a demo workspace beside the default one."""
    if arg:
        return workspace_path(arg)
    return workspace_path(str(default_workspace().with_name("demo-workspace.db")))


def run_demo(args: argparse.Namespace) -> int:
    check_display(args)
    scenario = getattr(args, "scenario", None) or DEMO_SCENARIO
    app = LiveApp(demo_workspace(getattr(args, "workspace", None)),
                  title=f"fieldapp — demo ({scenario})")
    choices = {"port": DEMO_PORT + scenario, "scenario": scenario, "sim_family": getattr(args, "family", None),
               "speed": getattr(args, "speed", 1.0) or 1.0, "seed": getattr(args, "seed", None),
               "gps": "none", "sim_tcp": bool(getattr(args, "tcp", False))}
    app.window.source_panel.apply_choices({"port": DEMO_PORT, "scenario": scenario})
    app.window.auto_plot_strongest = 2
    app.controller.connect(ConnectRequest.from_choices(choices))
    app.controller.start_recording(None)
    # (The window title names the workspace it records into.)
    app.window.status.showMessage(f"demo: {scenario} through the simulator (Help → Quick guide)", 15000)
    app.schedule_screenshot(getattr(args, "screenshot", None), getattr(args, "exit_after", None))
    started = time.monotonic()
    code = app.run()
    print(f"demo ran {time.monotonic() - started:.0f} s; recorded into {app.workspace}", file=sys.stderr)
    return code


# ---------------------------------------------------------------------- lists for the panel
def _list_ports() -> list[dict]:
    from drivers.transport import list_ports

    return list_ports()


def _family_names() -> list[str]:
    from drivers.families import family_names

    return family_names()


def _scenario_names() -> list[str]:
    try:
        from drivers.sim.scenario import list_scenarios
    except ImportError:
        return [DEMO_SCENARIO]
    names = [name for name, _title in list_scenarios()]
    return names or [DEMO_SCENARIO]
