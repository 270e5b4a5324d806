"""The case report (HTML and PDF) and the evidence pack: the one place of ``fieldapp`` besides
the composition root that imports Qt (PySide6's QTextDocument, QPdfWriter and QPainter; no
widgets are shown).

    data = gather_report(store, case_id)
    write_report(data, "case-7.pdf")                 # identity masked
    write_report(data, "case-7.html", include_personal=True)
    write_pack(store, case_id, "case-7.zip")         # report + session exports + SHA256SUMS

Modules: ``data`` (what the report shows, Qt-free), ``mask`` (subscriber identity),
``plots`` (QPainter pictures), ``html`` (the markup), ``render`` (HTML/PDF files), ``pack``.

The names below load on first use (PEP 562): the window imports ``fieldapp.report.fonts`` at
start-up, and the statistics part of the report pulls in pandas (~2 s on a field laptop) that a
window which never writes a report must not wait for.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {"ReportData": "data", "gather_report": "data", "Masker": "mask", "write_pack": "pack",
          "write_html": "render", "write_pdf": "render", "write_report": "render"}

__all__ = ["Masker", "ReportData", "gather_report", "write_html", "write_pack", "write_pdf", "write_report"]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"fieldapp.report.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'fieldapp.report' has no attribute {name!r}")
