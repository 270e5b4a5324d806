"""Registers the fonts shipped in ``fieldapp/fonts`` with Qt and makes DejaVu Sans the
application's default, so the PDF report and the window look the same on every machine and
never depend on system fonts (without any, Qt draws boxes)."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from fieldapp.fonts import FAMILY, bundled_font_files

_registered: list[str] = []


def use_bundled_fonts(app: QGuiApplication | None = None) -> list[str]:
    """Adds the shipped fonts to Qt's font database (once per process) and sets DejaVu Sans
    as the default font of ``app`` (the running application). Returns the families added."""
    if not _registered:
        for path in bundled_font_files():
            font_id = QFontDatabase.addApplicationFont(str(path))
            if font_id >= 0:
                _registered.extend(QFontDatabase.applicationFontFamilies(font_id))
    app = app or QGuiApplication.instance()
    if app is not None and FAMILY in _registered:
        font = QFont(FAMILY)
        font.setPointSizeF(app.font().pointSizeF() if app.font().pointSizeF() > 0 else 9.0)
        app.setFont(font)
    return list(dict.fromkeys(_registered))
