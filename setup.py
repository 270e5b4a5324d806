"""Packaging: one installed import namespace.

The repository's top-level ``drivers``, ``logs`` and ``ui`` folders are installed inside the
``fieldapp`` package (``fieldapp/_layers/<name>``), never as top-level packages of
site-packages; ``fieldapp._layers`` makes ``import drivers.x`` find them (see its docstring).
``fieldapp.store._rowpack`` is the compiled twin of the store's record packing (issue 15; see
fieldapp/store/rows.py). It is optional: where no C compiler or Python headers are found the
build goes on without it and the store packs in Python (same rows, about half the speed);
``fieldapp doctor`` says which one runs. Everything else is in pyproject.toml.
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

# The compiled packer carries the SHA-256 of the source it was built from: after a `git pull`
# without a rebuild, fieldapp/store/rows.py sees an in-place build older than its source and
# packs in Python instead of calling a part that does not match it (the doctor says "stale").
ROWPACK_SOURCE = "fieldapp/store/_rowpack.c"
ROWPACK = Extension("fieldapp.store._rowpack", [ROWPACK_SOURCE], optional=True, define_macros=[
    ("ROWPACK_SOURCE_SHA256", hashlib.sha256(Path(ROWPACK_SOURCE).read_bytes()).hexdigest())])

setup(packages=packages, package_dir=package_dir, ext_modules=[ROWPACK])
