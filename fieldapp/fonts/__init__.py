"""The fonts fieldapp ships, so a report never depends on what the machine has installed
(without any system font Qt draws every glyph as a box and still exits 0).

DejaVu Sans (regular, bold) and DejaVu Sans Mono 2.37, Bitstream Vera licence: LICENSE.txt
beside them. The report renderer and the window register them with Qt
(``QFontDatabase.addApplicationFont``) and use ``FAMILY`` as the default family; this module
only names the files (no Qt below the UI).
"""

from __future__ import annotations

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent
FAMILY = "DejaVu Sans"
MONO_FAMILY = "DejaVu Sans Mono"
FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf")
LICENSE = FONT_DIR / "LICENSE.txt"


def bundled_font_files() -> list[Path]:
    """The shipped font files (each path, present or not: the doctor reports a missing one)."""
    return [FONT_DIR / name for name in FILES]
