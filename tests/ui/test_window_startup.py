"""The window starts without the heavy libraries that only some commands need.

pandas (network statistics, ~2 s to import on a field laptop) came into every window start
through ``fieldapp.report`` when the window registered the report's bundled fonts: the window
must open, live or in replay, without it (bench/ui_bench.py start-up goal < 2 s,
bench/open_bench.py an 8-hour session in < 1 s).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.slow

OPEN_REPLAY_WINDOW = textwrap.dedent("""
    import os, sys, tempfile
    from pathlib import Path
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from fieldapp.app import ReplayApp
    from logs.replay import ReplaySource
    d = tempfile.mkdtemp()
    app = ReplayApp(ReplaySource([]), Path(d) / "ws.db", name="x", settings_path=d + "/s.ini")
    app.window.show()
    app.qapp.processEvents()
    heavy = sorted(m for m in ("pandas", "openpyxl") if m in sys.modules)
    app.window.close()
    app.close()
    print(",".join(heavy) or "none")
""")


def test_a_window_opens_without_importing_pandas():
    out = subprocess.run([sys.executable, "-c", OPEN_REPLAY_WINDOW], capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stdout.strip().splitlines()[-1] == "none", out.stderr


def test_the_report_names_still_load_on_use():
    import fieldapp.report as report

    assert callable(report.write_report) and callable(report.gather_report) and callable(report.write_pack)
    with pytest.raises(AttributeError):
        report.no_such_name  # noqa: B018
