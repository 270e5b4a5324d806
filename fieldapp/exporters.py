"""Session exporters by format name, for ``fieldapp export --format NAME`` and the GUI.

An exporter is ``func(store, session_id, path) -> int`` (the number of records written).
To add a format, import its function here and add one entry to ``EXPORTERS``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fieldapp.export_csv import export_session_csv, export_session_scans_csv
from fieldapp.export_logs import export_session_kml, export_session_native
from fieldapp.safe_write import replacing
from fieldapp.store import Store, UnknownSession

Exporter = Callable[[Store, int, Path], int]

EXPORTERS: dict[str, Exporter] = {
    "csv": export_session_csv,
    "native": export_session_native,  # logs/FORMAT.md (JSON Lines), replays exactly
    "kml": export_session_kml,
    "scans-csv": export_session_scans_csv,  # one row per carrier of each band scan
}


def register_exporter(name: str, func: Exporter) -> None:
    EXPORTERS[name] = func


def export_session(store: Store, session_id: int, path: str | Path, fmt: str) -> int:
    """Export through a private staging file renamed over ``path`` at the end
    (``fieldapp.safe_write``): a failed export leaves no half file and does not clobber an
    earlier good one; a ``path`` that is a link, FIFO or device is refused (UnsafeTarget)."""
    try:
        exporter = EXPORTERS[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r} (known: {', '.join(sorted(EXPORTERS))})") from None
    if store.session(session_id) is None:
        raise UnknownSession(session_id)
    with replacing(path) as partial:
        return exporter(store, session_id, partial)
