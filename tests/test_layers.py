"""The layers of DESIGN.md as an allow-list (import-linter checks the named contracts in
`make test`; this test also catches domain modules added later that a forbidden-list in
pyproject.toml would not name yet)."""

from __future__ import annotations

import grimp

# What drivers/ and logs/ may import from the domain: the records and pure conversions.
DOMAIN_ALLOWED_BELOW = {"fieldapp", "fieldapp.model", "fieldapp.radio", "fieldapp.nmea"}


def _graph():
    return grimp.build_graph("fieldapp", "drivers", "logs", "ui", include_external_packages=True)


def test_drivers_and_logs_import_only_model_and_radio_from_the_domain():
    graph = _graph()
    bad = []
    for pkg in ("drivers", "logs"):
        for mod in graph.find_descendants(pkg) | {pkg}:
            for imported in graph.find_modules_directly_imported_by(mod):
                if imported.split(".")[0] == "fieldapp" and imported not in DOMAIN_ALLOWED_BELOW:
                    bad.append(f"{mod} -> {imported}")
    assert not bad, bad


def test_drivers_and_logs_do_not_import_each_other_or_qt():
    graph = _graph()
    bad = []
    for pkg, other in (("drivers", "logs"), ("logs", "drivers")):
        for mod in graph.find_descendants(pkg) | {pkg}:
            for imported in graph.find_modules_directly_imported_by(mod):
                top = imported.split(".")[0]
                if top in (other, "ui", "PySide6", "pyqtgraph"):
                    bad.append(f"{mod} -> {imported}")
    assert not bad, bad
