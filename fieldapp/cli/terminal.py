"""What the command line prints is text, never terminal control (issue 16).

Case fields, history notes, file names and device replies are typed or sent by others; printed
as they are, an ESC sequence in a subscriber's name can retitle the terminal, move the cursor,
hide lines or (on some emulators) answer back. ``TerminalText`` wraps stdout/stderr for the
commands: C0 controls but TAB and LF, DEL, and the C1 range (U+0080..U+009F, 8-bit CSI/OSC)
become U+FFFD; CR is kept on stderr only (the progress line redraws itself with it). JSON
output is unaffected in practice: ``json.dumps`` already escapes C0 controls.

A closed pipe (``fieldapp sessions | head``) ends the command quietly (``quiet_broken_pipe``).
"""

from __future__ import annotations

import io
import os
import re
import sys
from typing import TextIO

_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_UNSAFE_KEEP_CR = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean(text: str, *, keep_cr: bool = False) -> str:
    return (_UNSAFE_KEEP_CR if keep_cr else _UNSAFE).sub("\ufffd", text)


class TerminalText(io.TextIOBase):
    def __init__(self, stream: TextIO, *, keep_cr: bool = False) -> None:
        self._stream = stream
        self._keep_cr = keep_cr

    def write(self, text: str) -> int:
        self._stream.write(clean(text, keep_cr=self._keep_cr))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def buffer(self):  # binary output (export --out -) goes around the filter, as bytes
        return self._stream.buffer

    @property
    def encoding(self) -> str:
        return self._stream.encoding


def install() -> tuple[TextIO, TextIO]:
    """Wrap sys.stdout/sys.stderr; returns the originals to put back."""
    old = sys.stdout, sys.stderr
    if not isinstance(sys.stdout, TerminalText):
        sys.stdout = TerminalText(sys.stdout)
    if not isinstance(sys.stderr, TerminalText):
        sys.stderr = TerminalText(sys.stderr, keep_cr=True)
    return old


def quiet_broken_pipe() -> int:
    """After a BrokenPipeError: point stdout at /dev/null so the interpreter's final flush does
    not raise again, and exit as a process killed by SIGPIPE would (128 + 13)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())
        os.close(devnull)
    except (OSError, AttributeError, ValueError):
        pass
    return 141
