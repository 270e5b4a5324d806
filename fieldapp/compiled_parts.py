"""The compiled parts (issue 15): optional C twins of hot Python code, built at install where a
C compiler is found (setup.py), and whether the one beside its source may be used.

- ``fieldapp.store._rowpack``: the store's sample rows (fieldapp/store/rows.py);
- ``logs._nemoline``: the Nemo reader's bulk lines (logs/nemo_fast.py).

Each build carries the SHA-256 of the C source it was built from (``SOURCE_SHA256``). After a
``git pull`` without a rebuild the in-place build is older than the source beside it: it is not
used (its Python twin runs, the doctor says "stale"), rather than a part that may not match the
code calling it. An installed wheel ships no C source: its build is the one it was made with.
Standard library only (a kernel module: the store and the readers both use it).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

COMPILED, PYTHON, STALE = "compiled", "python", "stale"


def source_sha256(source: Path) -> str | None:
    """The SHA-256 of a compiled part's C source, or None where the source is not there (an
    installed wheel: built from the source it ships)."""
    try:
        return hashlib.sha256(source.read_bytes()).hexdigest()
    except OSError:
        return None


def python_asked(pure_env: str) -> bool:
    """The environment variable ``pure_env`` (FIELDAPP_PURE_STORE, FIELDAPP_PURE_READERS) asks
    for the Python code: set to anything but "" or "0"."""
    return os.environ.get(pure_env, "").strip() not in ("", "0")


def build_state(module: Any, source: Path, pure_env: str) -> str:
    """COMPILED when ``module`` (the imported part, or None where it was not built) may be
    used; PYTHON where it was not built or the environment variable ``pure_env`` asks for the
    Python code (``python_asked``); STALE where it was built from another source than ``source``."""
    if module is None or python_asked(pure_env):
        return PYTHON
    digest = source_sha256(source)
    if digest is not None and getattr(module, "SOURCE_SHA256", None) != digest:
        return STALE
    return COMPILED
