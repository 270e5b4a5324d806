"""Where things live on disk: the default workspace in the user data directory."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "fieldapp"


def default_workspace() -> Path:
    """``$FIELDAPP_WORKSPACE`` if set, else <user data dir>/fieldapp/workspace.db."""
    env = os.environ.get("FIELDAPP_WORKSPACE")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "workspace.db"


def workspace_path(arg: str | None) -> Path:
    path = Path(arg) if arg else default_workspace()
    if not path.parent.exists():  # a folder we make holds personal data: 0700 (issue 16)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path
