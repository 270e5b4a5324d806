"""Complaint cases: the root object of an engineer's work (docs/domain.md §1, issue 6).

Modules: ``model`` (the Case record: every intake fact, categories, priorities, actions),
``validate`` (clear messages naming the field), ``workflow`` (status changes, reopen, notes,
edits; every change a history entry), ``evidence`` (sessions, CQT runs, notes, files copied
beside the workspace with their sha256, before/after marking), ``diagnose`` (rules over the
evidence, each finding citing the samples or calls behind it and the procedure's next step),
``compare`` (before/after level and quality distributions, call success), ``desk`` (one
Qt-free facade over all of it for the CLI and the UI). Issue 13: ``findings`` (the one finding
model and the rules' input), ``spot`` (which samples were taken at the complaint spot, the
complaint hours), ``category`` (what each complaint category needs tested), ``evidence_rules``
(no measurement at the spot, candidate cells, handset-only, not tested, checked and normal).

May import: the kernel (``fieldapp.model``, ``fieldapp.radio``), ``fieldapp.store``,
``fieldapp.cqt`` and the standard library; never a driver (a contract in pyproject.toml). No Qt: the report (``fieldapp.report``) renders what these compute.
"""
