"""fieldapp: the domain layer of the field-test companion.

Records (`model`), radio conversions (`radio`), the workspace store, sessions, CQT, cases,
diagnosis, reports, settings, the CLI and the composition root (`app`).
No Qt import here except in `app` (the composition root) and the report renderer.
"""

__version__ = "0.1.0"
