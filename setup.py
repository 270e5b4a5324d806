"""Packaging: one installed import namespace.

The repository's top-level ``drivers``, ``logs`` and ``ui`` folders are installed inside the
``fieldapp`` package (``fieldapp/_layers/<name>``), never as top-level packages of
site-packages; ``fieldapp._layers`` makes ``import drivers.x`` find them (see its docstring).
Two compiled parts (issue 15): ``fieldapp.store._rowpack``, the twin of the store's record
packing (fieldapp/store/rows.py), and ``logs._nemoline``, the reader of the bulk Nemo lines
(logs/nemo_fast.py). Both are optional: where no C compiler or Python headers are found the
build goes on without them and the same code runs in Python (the same records and rows, imports
about half as fast); ``fieldapp doctor`` says which one runs. Everything else is in pyproject.toml.
"""

import hashlib
from pathlib import Path

from setuptools import Extension, find_packages, setup

LAYERS = ("drivers", "logs", "ui")

packages = find_packages(include=["fieldapp", "fieldapp.*"])
package_dir = {}
for top in LAYERS:
    inside = f"fieldapp._layers.{top}"
    package_dir[inside] = top
    packages += [inside] + [f"{inside}.{sub}" for sub in find_packages(top)]



def compiled_part(name: str, source: str, digest_macro: str) -> Extension:
    """An optional extension that carries the SHA-256 of the source it was built from: after a
    `git pull` without a rebuild, the Python module using it sees an in-place build older than
    its source and runs its Python code instead (fieldapp/compiled_parts.py; the doctor says
    "stale")."""
    digest = hashlib.sha256(Path(source).read_bytes()).hexdigest()
    return Extension(name, [source], optional=True, define_macros=[(digest_macro, digest)])


setup(packages=packages, package_dir=package_dir, ext_modules=[
    compiled_part("fieldapp.store._rowpack", "fieldapp/store/_rowpack.c", "ROWPACK_SOURCE_SHA256"),
    # logs/nemo_fast.py; in a wheel it lands in fieldapp/_layers/logs, in place in logs/
    compiled_part("fieldapp._layers.logs._nemoline", "logs/_nemoline.c", "NEMOLINE_SOURCE_SHA256"),
])
