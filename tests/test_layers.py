"""The import rules themselves are import-linter's (`make test` runs `lint-imports` on the
contracts in pyproject.toml). What a layers contract cannot see is a module that stands on no
floor at all: it would be free to import anything. This test fails on such a module, so a new
one gets placed (in pyproject.toml, and in docs/architecture.md) when it lands."""

from __future__ import annotations

import pkgutil
import re
from pathlib import Path

import tomllib

import fieldapp

ROOT = Path(__file__).resolve().parents[1]


def _layers_contract() -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layered = [c for c in contracts if c["type"] == "layers"]
    assert len(layered) == 1, "one layers contract states the floors"
    return layered[0]


def _named_on_floors() -> set[str]:
    return {name for layer in _layers_contract()["layers"] for name in re.split(r"\s*[|:]\s*", layer.strip())}


def test_every_module_of_fieldapp_stands_on_a_floor():
    named = _named_on_floors()
    modules = {f"fieldapp.{m.name}" for m in pkgutil.iter_modules(fieldapp.__path__)}
    unplaced = sorted(modules - named)
    assert not unplaced, f"add these to a floor of the layers contract in pyproject.toml: {unplaced}"


def test_the_other_packages_stand_on_floors_and_nothing_named_is_missing():
    named = _named_on_floors()
    assert {"ui", "drivers", "logs"} <= named
    for name in named:
        parts = name.split(".")
        path = ROOT.joinpath(*parts)
        assert path.is_dir() or path.with_suffix(".py").is_file(), f"{name} is named on a floor but does not exist"


def test_drivers_logs_and_store_stand_side_by_side_independent():
    floors = [layer.strip() for layer in _layers_contract()["layers"]]
    assert "drivers | logs | fieldapp.store" in floors
    # the kernel is the ground floor
    assert floors[-1].startswith("fieldapp.model")


def test_the_errors_the_domain_catches_are_the_ones_the_drivers_raise():
    # fieldapp.cqt catches fieldapp.device's classes; a driver raising its own copy would slip by
    import drivers.at
    import drivers.handset
    import drivers.probe
    import drivers.transport
    from fieldapp import device

    assert drivers.transport.DeviceGone is device.DeviceGone
    assert drivers.at.AtError is device.AtError and issubclass(drivers.at.AtTimeout, device.AtError)
    assert drivers.probe.Unsupported is device.Unsupported is drivers.handset.Unsupported


def _import_cycles() -> list[list[str]]:
    """Module-level import circles (strongly connected components of the import graph) in the
    four packages. grimp (import-linter's graph) reads function-local imports too, so an import
    moved into a function to dodge a circle is still seen; imports under TYPE_CHECKING are not
    run and are left out."""
    import sys

    import grimp

    sys.path.insert(0, str(ROOT))  # drivers, logs and ui are top-level folders of the repository
    graph = grimp.build_graph("fieldapp", "drivers", "logs", "ui", exclude_type_checking_imports=True)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's algorithm
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in graph.modules or imported.split(".")[0] not in {"fieldapp", "drivers", "logs", "ui"}:
                continue
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return cycles


def test_no_module_imports_itself_round_a_circle():
    # A circle is a hidden upward edge: the finding model lives in fieldapp.cases.findings so that
    # the rule modules (scan findings, statistics rules) and diagnose all stand on it.
    assert _import_cycles() == []
