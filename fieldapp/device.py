"""What the domain knows of a device without importing a driver: the three ways a device
says no, and the call-control interface the CQT runner drives.

The classes are defined here, in the kernel, and raised by ``drivers`` (``drivers.transport``,
``drivers.at`` and ``drivers.probe`` hand the same classes on under their old names), so
``fieldapp.cqt`` can catch them while standing on a floor that never imports a driver
(docs/architecture.md).
"""

from __future__ import annotations

from typing import Any, Protocol


class DeviceGone(Exception):
    """The device disappeared while in use (unplugged, pty closed, EIO)."""


class AtError(Exception):
    """An AT exchange failed (not a device error result: those are in ``AtResponse.error``)."""


class Unsupported(Exception):
    """The device family has no documented command for this (e.g. ARFCN lock)."""


class CallControl(Protocol):
    """A handset as the CQT runner uses it (``drivers.handset.HandsetSource`` is one).

    ``tracker`` is the driver's call tracker: ``tracker.call`` / ``tracker.last`` are the
    progress of the current / last call (``connected_utc``, ``ended_utc``, ``outcome``,
    ``cause_text``). ``capabilities`` is a ``fieldapp.model.Capabilities``; ``simulator`` is
    ``{"scenario": ..., "family": ...}`` for the built-in simulator, else None.
    Every method raises ``DeviceGone``, ``AtError`` or ``Unsupported``."""

    capabilities: Any
    simulator: dict[str, str] | None
    tracker: Any

    def dial(self, number: str, timeout_s: float = ...) -> str | None: ...

    def hangup(self) -> None: ...

    def lock(self, arfcn: int) -> None: ...

    def unlock(self) -> None: ...

    def command(self, cmd: str, timeout_s: float = ...) -> Any: ...

    def sim_audio_verdict(self) -> str | None: ...
