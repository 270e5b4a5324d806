"""logs: drive-test log *formats* (not application logging).

One module per format: a pure line/record parser plus a thin file iterator, a registry that
picks the reader for a file, writers for export, and the replay clock. No Qt. May import only
the kernel (``fieldapp.model``, ``radio``, ``nmea``); never ``drivers`` or the store (the
layers contract in pyproject.toml).

Readers (``registry.pick_reader(path)``): ``nemo`` (.nmf 2.x), ``gnettrack`` (+ ``_events``),
``nmea``, ``native`` (FORMAT.md); cell files: ``tems-cel``, ``tems-xml``, ``clf``, ``cells-csv``.
Writers: ``native.write_session``, ``kml.write_kml``, ``cellfile_csv.write_cells``.
Replay: ``replay.ReplaySource`` and ``replay.TimelineModel``.
"""
