"""Session exporters by format name, for ``fieldapp export --format NAME`` and the GUI.

An exporter is ``func(store, session_id, path) -> int`` (the number of records written).
To add a format, import its function here and add one entry to ``EXPORTERS``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from fieldapp.export_csv import export_session_csv, export_session_scans_csv
from fieldapp.export_logs import export_session_kml, export_session_native
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
    """Export through a temporary file renamed at the end: a failed export leaves no half file
    (and does not clobber an earlier good one)."""
    try:
        exporter = EXPORTERS[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r} (known: {', '.join(sorted(EXPORTERS))})") from None
    if store.session(session_id) is None:
        raise UnknownSession(session_id)
    path = Path(path)
    partial = path.with_name(path.name + ".part")
    try:
        count = exporter(store, session_id, partial)
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()
    return count
