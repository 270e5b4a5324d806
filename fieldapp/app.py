"""The composition root: builds the Qt application, the bridge, the live controller and the
window, and wires them together. The only module of ``fieldapp`` that imports Qt and ``ui``.

    fieldapp                        opens the window (run_window)
    fieldapp demo                   the window on the demo-drive scenario through the simulator
                                    over a real pseudo-terminal and the real driver, recording
                                    into a demo workspace (run_demo)
    ... --screenshot PATH --exit-after SECONDS   saves a PNG of the whole window, then exits
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from fieldapp.live import DEMO_PORT, Controller, PlanUpdate
from fieldapp.paths import default_workspace, workspace_path

DEMO_SCENARIO = "demo-drive"
SETTINGS_ENV = "FIELDAPP_SETTINGS"  # an INI path: tests and portable installs keep settings there


class NoDisplay(RuntimeError):
    pass


def check_display(args: argparse.Namespace) -> None:
    """A clear message instead of Qt's abort when there is no screen to open a window on."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return
    raise NoDisplay("no display to open the window on: set DISPLAY, or run with QT_QPA_PLATFORM=offscreen "
                    "and --screenshot PATH --exit-after SECONDS")


class LiveApp:
    """Everything the window needs, built and wired; ``close()`` tears it down in order."""

    def __init__(self, workspace: Path, *, settings_path: str | None = None, title: str = "fieldapp",
                 controller_kwargs: dict[str, Any] | None = None) -> None:
        from PySide6.QtWidgets import QApplication

        from ui.bridge import RecordBridge
        from ui.main_window import MainWindow
        from ui.settings import WindowSettings

        self.qapp = QApplication.instance() or QApplication(sys.argv[:1])
        self.qapp.setApplicationName("fieldapp")
        self.workspace = workspace
        self.bridge = RecordBridge()
        self.controller = Controller(self.bridge.put, workspace, **(controller_kwargs or {}))
        self.settings = WindowSettings(settings_path or os.environ.get(SETTINGS_ENV))
        self.window = MainWindow(self.settings, list_ports=_list_ports, family_names=_family_names(),
                                 scenarios=_scenario_names(), list_cases=self.list_cases,
                                 status_poll=self.controller.status, title=title)
        panel = self.window.source_panel
        panel.connect_requested.connect(self.controller.connect)
        panel.disconnect_requested.connect(self.controller.disconnect)
        panel.record_toggled.connect(self._record_toggled)
        self.bridge.records_arrived.connect(self._records)
        from fieldapp.cqt.live_run import live_runner

        self.window.cqt_panel.runner_factory = lambda plan, **kw: live_runner(
            self.controller, plan, view_sink=self.bridge.put, **kw)
        from fieldapp.cases.desk import CaseDesk

        self.window.install_cases(CaseDesk(workspace))
        self.window.closing.connect(self.close)
        plan, source = self.workspace_plan()
        if plan:
            self.window.set_cell_plan(plan)
        self._plan_source = source
        self._closed = False
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

    def _keep_scenario_plan(self, update: PlanUpdate) -> None:
        """The simulator's cell plan becomes the workspace's plan, unless the workspace has one
        imported from a cell file (an engineer's real plan is never overwritten by a demo)."""
        from fieldapp.cellplan import adopt_plan, may_replace
        from fieldapp.store import Store

        if not may_replace(self._plan_source, update.source):
            return
        store = Store.open(self.workspace)
        try:
            if adopt_plan(store, update.cells, update.source):
                self._plan_source = update.source
        finally:
            store.close()

    # ------------------------------------------------------------------ wiring
    def _records(self, batch: list) -> None:
        for rec in batch:
            if isinstance(rec, PlanUpdate):
                try:
                    self._keep_scenario_plan(rec)
                except Exception as exc:  # the views still show it; say why it was not kept
                    self.window.status.showMessage(f"cell plan not saved to the workspace: {exc}", 10000)
        self.window.on_records(batch)

    def _record_toggled(self, on: bool, case_id) -> None:
        if on:
            self.controller.start_recording(case_id)
        else:
            self.controller.stop_recording()

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

    def close(self) -> None:
        """Ends a recording cleanly, stops the source threads and the bridge timer."""
        if self._closed:
            return
        self._closed = True
        self.controller.shutdown()
        self.bridge.drain_now()
        self.bridge.stop()

    def run(self) -> int:
        self.window.show()
        code = self.qapp.exec()
        self.close()
        return int(code)


# ---------------------------------------------------------------------- entry points
def run_window(args: argparse.Namespace) -> int:
    check_display(args)
    app = LiveApp(workspace_path(getattr(args, "workspace", None)))
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
               "gps": "none"}
    app.window.source_panel.apply_choices({"port": DEMO_PORT, "scenario": scenario})
    app.window.auto_plot_strongest = 2
    app.controller.connect(choices)
    app.controller.start_recording(None)
    app.window.status.showMessage(f"demo: {scenario} through the simulator, recording into {app.workspace}",
                                  15000)
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
