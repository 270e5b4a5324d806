"""Where the installed ``drivers``, ``logs`` and ``ui`` live: inside fieldapp's own folder.

The repository keeps them as top-level folders and the code imports them as ``drivers.x``,
``logs.x``, ``ui.x``. A wheel that put packages with such generic names at the top of
site-packages would overwrite (or be overwritten by) any other project's ``drivers`` or
``ui``. So the wheel ships them as ``fieldapp/_layers/drivers`` etc. (``setup.py`` maps the
folders), and importing ``fieldapp`` puts a small finder first on ``sys.meta_path`` that
answers the three top-level names from here, keeping their module names (``drivers.transport``,
not ``fieldapp._layers.drivers.transport``; each module is loaded once, under one name).

In a source checkout nothing maps to ``fieldapp._layers.<name>`` (or the editable install maps
it back to the repository folder) and the finder is either absent or points at the same files.
Nothing imports ``fieldapp._layers.<name>`` directly.
"""

from __future__ import annotations

import importlib.util
import sys
from importlib.machinery import ModuleSpec

LAYERS = ("drivers", "logs", "ui")


class LayerFinder:
    """A meta path finder: ``drivers`` → the package found as ``fieldapp._layers.drivers``."""

    def find_spec(self, fullname: str, path=None, target=None) -> ModuleSpec | None:
        if fullname not in LAYERS:
            return None  # submodules are found through the package's __path__ as usual
        try:
            inner = importlib.util.find_spec(f"{__name__}.{fullname}")
        except (ImportError, ValueError):
            return None
        if inner is None or inner.origin is None or not inner.submodule_search_locations:
            return None
        return importlib.util.spec_from_file_location(
            fullname, inner.origin, submodule_search_locations=list(inner.submodule_search_locations))

    def invalidate_caches(self) -> None:
        pass


def install() -> bool:
    """Puts the finder first on ``sys.meta_path`` when this installation carries the layers
    inside fieldapp (a wheel, an editable install, a bundle built from a wheel); idempotent.
    True when the finder is active."""
    if any(isinstance(f, LayerFinder) for f in sys.meta_path):
        return True
    try:
        carried = importlib.util.find_spec(f"{__name__}.drivers") is not None
    except (ImportError, ValueError):
        carried = False
    if not carried:
        return False
    sys.meta_path.insert(0, LayerFinder())
    return True
