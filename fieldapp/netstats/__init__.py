"""Network statistics and alarms as case evidence (issue 14; docs/domain.md procedure steps 3.1 and 3.2).

- ``importer``: an export file (logs/stats_*.py readers) into the workspace, one transaction.
- ``kpi``: KPI formulas (docs/network-statistics.md) over counters with pandas: per period,
  resampled per hour or day, ratios of sums, missing never zero.
- ``rules``: diagnosis rules over statistics and alarms (hung BCCH, packet channel fault,
  interference, TRX fault, statistics clean, before/after an action) in the finding model of
  ``fieldapp.cases.diagnose``.

May import: fieldapp.model, fieldapp.store, logs (readers); no Qt.
"""
