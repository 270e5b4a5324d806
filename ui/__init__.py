"""ui: Qt widgets only.

No parsing, no device I/O, no SQL. One bridge object is the only place where worker threads
hand records to the GUI thread. May import every floor below it (report, domain services,
kernel), never ``fieldapp.app`` or ``fieldapp.cli`` above it, nor ``serial`` or ``sqlite3``
(the contracts in pyproject.toml).
"""
