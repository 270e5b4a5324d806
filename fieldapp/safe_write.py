"""Writing output files safely: exports, reports, packs and attachment copies (issue 16).

    with replacing("drive.csv") as tmp:      # tmp: a file path in a private staging folder
        write_csv(rows, tmp)                 # companions beside it (drive.scans.csv) go too
    # drive.csv (and drive.scans.csv) now replaced in one rename each

What this guards against, as seen on a test machine: writing through a predictable
``<out>.part`` lets anyone who can plant ``<out>.part`` as a symbolic link redirect the write
to any file of ours; and renaming over an ``--out`` that is a symbolic link, a FIFO or a device
node replaced ``/dev/stdout`` and ``/dev/full`` with regular files. So:

- the staging folder is created exclusively (``mkdtemp``: unique name, mode 0700) in the
  target's own folder, so the final rename stays on one file system and nothing in it can be
  a link someone else planted;
- a target that exists and is not a regular file (a symbolic link, directory, FIFO, socket or
  device) is refused with ``UnsafeTarget`` (an ``OSError``: the CLI prints its one line), checked
  before writing and again just before the rename; links are never followed;
- a failed write removes the staging folder and leaves the old target as it was;
- ``-`` (stdout) is the CLI's business: it writes into a private temporary folder and copies
  the bytes to stdout (``to_stdout``).
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

STDOUT = "-"


class UnsafeTarget(OSError):
    """The output path exists and is not a regular file: it is not written through or replaced."""


def check_target(path: str | Path) -> None:
    """Raise UnsafeTarget when ``path`` exists as anything but a regular file (a symbolic link,
    even one to a regular file, is refused: it is never followed)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        raise UnsafeTarget(errno.ELOOP, "it is a symbolic link (not followed: name the real file"
                           + (", or - for standard output)" if _is_stdio_link(path) else ")"), str(path))
    if stat.S_ISDIR(mode):
        raise UnsafeTarget(errno.EISDIR, "it is a directory", str(path))
    if not stat.S_ISREG(mode):
        kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                else "a device node" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
        raise UnsafeTarget(errno.EINVAL, f"it is {kind}, not a regular file (not replaced"
                           + ("; use - for standard output)" if kind == "a device node" else ")"), str(path))


def _is_stdio_link(path: str | Path) -> bool:
    return str(path) in ("/dev/stdout", "/dev/stderr", "/dev/fd/1", "/proc/self/fd/1")


def _default_mode() -> int:
    """What ``open(path, "w")`` would create under the current umask (read without changing
    it: os.umask is process-wide and not thread-safe)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o644


@contextmanager
def replacing(target: str | Path, *, mode: int | None = None) -> Iterator[Path]:
    """Yield a path to write instead of ``target``; on a clean exit it replaces ``target`` by
    one rename. Files written beside the yielded path (companions such as ``x.scans.csv``)
    replace their namesakes next to ``target`` the same way. ``mode``: the files' permissions
    (default: as the umask gives a new file; 0o600 for personal data)."""
    target = Path(target)
    check_target(target)
    folder = target.parent if str(target.parent) else Path(".")
    staging = Path(tempfile.mkdtemp(prefix=".fieldapp-", suffix=".part", dir=folder))
    try:
        yield staging / target.name
        file_mode = _default_mode() if mode is None else mode
        # The named target first, then its companions (sorted: a stable order).
        names = sorted(os.listdir(staging), key=lambda n: (n != target.name, n))
        if target.name not in names:  # a writer that failed without raising (Qt's PDF writer)
            raise OSError(errno.EIO, "nothing was written", str(target))
        for name in names:
            src = staging / name
            if not stat.S_ISREG(os.lstat(src).st_mode):
                continue  # only regular files leave the staging folder
            dest = folder / name
            check_target(dest)
            os.chmod(src, file_mode)
            os.replace(src, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def to_stdout(name: str, stream: BinaryIO | None = None) -> Iterator[Path]:
    """For ``--out -``: yield a path (named ``name``, whose suffix may choose a format) in a
    private temporary folder; on a clean exit its bytes go to ``stream`` (stdout)."""
    with tempfile.TemporaryDirectory(prefix="fieldapp-out-") as tmp:
        path = Path(tmp) / name
        yield path
        out = stream if stream is not None else sys.stdout.buffer
        with open(path, "rb") as f:
            shutil.copyfileobj(f, out)
        out.flush()
