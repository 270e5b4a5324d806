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
