"""Whether a C extension of the project could be built here (shared by the tests that check a
compiled part is built and in use where it can be: the store's row packer, the Nemo line reader)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sysconfig
import tempfile
from pathlib import Path


def compiler_present() -> bool:
    """Whether setup.py could build the extension here: the compiler it would use ($CC first, as
    setuptools takes it, else Python's own) compiles a file that includes Python.h. Tried, not
    looked up: `CC=false make test` (the no-compiler check of a fresh clone) names a program
    that exists but compiles nothing, and the build then went on without the extension."""
    cc = shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc")
    include = sysconfig.get_paths()["include"]
    if not cc or shutil.which(cc[0]) is None or not (Path(include) / "Python.h").is_file():
        return False
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.c"
        probe.write_text("#include <Python.h>\nint probe(void) { return 0; }\n")
        try:
            done = subprocess.run([*cc, f"-I{include}", "-c", str(probe), "-o", str(Path(tmp) / "probe.o")],
                                  capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return False
    return done.returncode == 0
