"""Network statistics and alarms as case evidence (issue 14; docs/domain.md procedure steps 3.1 and 3.2).

- ``importer``: an export file (logs/stats_*.py readers) into the workspace, one transaction.
- ``kpi``: KPI formulas (docs/network-statistics.md) over counters with pandas: per period,
  resampled per hour or day, ratios of sums, missing never zero.
- ``rules``: diagnosis rules over statistics and alarms (hung BCCH, packet channel fault,
  interference; ``trx_rule``: TRX fault; ``outcome_rules``: statistics clean, before/after an
  action; ``field_data``: failing data tests from the field; ``rule_support``: thresholds and
  helpers) in the finding model of ``fieldapp.cases.diagnose``.
- ``data``: the case's statistics read from the workspace (StatsData), series for the charts.

May import: fieldapp.model, fieldapp.store, logs (readers); no Qt.
"""
