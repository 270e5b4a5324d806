"""Packaging: one installed import namespace.

The repository's top-level ``drivers``, ``logs`` and ``ui`` folders are installed inside the
``fieldapp`` package (``fieldapp/_layers/<name>``), never as top-level packages of
site-packages; ``fieldapp._layers`` makes ``import drivers.x`` find them (see its docstring).
Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

LAYERS = ("drivers", "logs", "ui")

packages = find_packages(include=["fieldapp", "fieldapp.*"])
package_dir = {}
for top in LAYERS:
    inside = f"fieldapp._layers.{top}"
    package_dir[inside] = top
    packages += [inside] + [f"{inside}.{sub}" for sub in find_packages(top)]

setup(packages=packages, package_dir=package_dir)
