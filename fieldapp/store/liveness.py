"""Is a session's recorder still alive? One lock file per recording session (issue 16).

A recorder holds an exclusive ``flock`` on ``<workspace>-recorders/session-<ID>.lock`` for as
long as it records; the kernel drops the lock when the process ends however it ends (``kill
-9``, a crash, a power cut), so a lock file nobody holds is the mark of a recorder that died
without ending its session. ``Store.open`` looks for such files and marks their sessions
interrupted at their last record; a session without a lock file (older fieldapp, imports) is
left as it is: only what we know to be dead is marked.

flock locks belong to an open file description, so a check from the recorder's own process
(the window) still sees the lock as held. POSIX only; elsewhere liveness is not tracked.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no liveness tracking
    fcntl = None  # type: ignore[assignment]


def lock_dir(workspace: Path) -> Path:
    return workspace.with_name(workspace.name + "-recorders")


class SessionLock:
    """Held by a recorder for one session. ``release()`` after the session is ended."""

    def __init__(self, fd: int, path: Path) -> None:
        self._fd, self.path = fd, path

    @classmethod
    def acquire(cls, workspace: Path, session_id: int) -> SessionLock | None:
        """The lock, or None when it cannot be taken (no fcntl, a read-only folder, another
        live recorder of this session): recording goes on, only unguarded."""
        if fcntl is None:
            return None
        folder = lock_dir(workspace)
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
            path = folder / f"session-{session_id}.lock"
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:
            os.close(fd)
            return None
        return cls(fd, path)

    def release(self, *, keep_file: bool = False) -> None:
        """Unlock. ``keep_file``: the session could not be ended (a full disk), so leave the
        file for the next open of the workspace to find and mark the session interrupted."""
        if self._fd < 0:
            return
        if not keep_file:
            try:
                self.path.unlink()  # before unlocking: no one can take it for an orphan
            except OSError:
                pass
        os.close(self._fd)
        self._fd = -1


def claim_orphans(workspace: Path, mark: Callable[[int], None]) -> list[int]:
    """Calls ``mark(session_id)`` for each session whose lock file no process holds, while
    holding that lock (no recorder can take it meanwhile); the file is removed when ``mark``
    returns, kept when it raises (a read-only workspace: the next writer will do it).
    Returns the sessions marked."""
    if fcntl is None:
        return []
    folder = lock_dir(workspace)
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    marked = []
    for name in names:
        if not (name.startswith("session-") and name.endswith(".lock")):
            continue
        try:
            session_id = int(name[len("session-"):-len(".lock")])
        except ValueError:
            continue
        path = folder / name
        try:
            fd = os.open(path, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # held: that recorder is alive
            try:
                mark(session_id)
            except Exception:
                continue
            marked.append(session_id)
            try:
                path.unlink()
            except OSError:
                pass
        finally:
            os.close(fd)
    return marked
