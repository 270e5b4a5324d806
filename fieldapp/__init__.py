"""fieldapp: the field-test companion's own modules, on several floors (the layers contract
in pyproject.toml; docs/architecture.md draws it):

- entry: ``cli`` (the command line) above ``app`` (the composition root, the only one here
  that imports ``ui``);
- ``report``: the case report and evidence pack (Qt's PDF writer, no widgets);
- domain services: ``live``, ``session``, ``positioning``, ``cqt``, ``cases``, ``cellplan``,
  ``importer``, ``exporters``/``export_logs``/``export_csv`` (may import drivers, logs, store);
- ``store``: the workspace, the only SQL (beside ``drivers`` and ``logs``, importing neither);
- the kernel every floor may use: ``model`` (records), ``radio`` (conversions), ``nmea``,
  ``device`` (device errors, the call-control interface), ``buffer``, ``paths``.

No Qt import except in ``app`` and ``report``.
"""

__version__ = "0.1.0"

# An installed fieldapp carries drivers/, logs/ and ui/ inside itself (fieldapp/_layers);
# this lets `import drivers.x` find them there. A no-op in a source checkout.
from fieldapp._layers import install as _install_layers  # noqa: E402

_install_layers()
