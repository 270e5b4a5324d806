"""Dependencies as used: every third-party module the packages import is declared in
pyproject.toml, and every declared runtime dependency is imported somewhere."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("fieldapp", "drivers", "logs", "ui")
# import name -> distribution name, where they differ
DISTRIBUTION = {"PySide6": "pyside6-essentials", "serial": "pyserial"}


def _imported_top_levels() -> set[str]:
    names: set[str] = set()
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names.update(a.name.split(".")[0] for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names.add(node.module.split(".")[0])
    return names


def _declared() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {re.split(r"[<>=!~ ;\[]", d, maxsplit=1)[0].lower() for d in config["project"]["dependencies"]}


def test_every_third_party_import_is_declared_and_every_dependency_used():
    third_party = {n for n in _imported_top_levels()
                   if n not in sys.stdlib_module_names and n not in PACKAGES and n != "__future__"}
    needed = {DISTRIBUTION.get(n, n).lower() for n in third_party}
    declared = _declared()
    assert needed - declared == set(), f"imported but not declared in pyproject.toml: {sorted(needed - declared)}"
    assert declared - needed == set(), f"declared but imported nowhere: {sorted(declared - needed)}"
