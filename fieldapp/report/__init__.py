"""The case report (HTML and PDF) and the evidence pack: the one place of ``fieldapp`` besides
the composition root that imports Qt (PySide6's QTextDocument, QPdfWriter and QPainter; no
widgets are shown).

    data = gather_report(store, case_id)
    write_report(data, "case-7.pdf")                 # identity masked
    write_report(data, "case-7.html", include_personal=True)
    write_pack(store, case_id, "case-7.zip")         # report + session exports + SHA256SUMS

Modules: ``data`` (what the report shows, Qt-free), ``mask`` (subscriber identity),
``plots`` (QPainter pictures), ``html`` (the markup), ``render`` (HTML/PDF files), ``pack``.
"""

from fieldapp.report.data import ReportData, gather_report
from fieldapp.report.mask import Masker
from fieldapp.report.pack import write_pack
from fieldapp.report.render import write_html, write_pdf, write_report

__all__ = ["Masker", "ReportData", "gather_report", "write_html", "write_pack", "write_pdf", "write_report"]
