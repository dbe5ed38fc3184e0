"""Why virtual phones could not start on the ports asked for (light: the command line reads it)."""

from __future__ import annotations

__all__ = ["VirtualPortError"]


class VirtualPortError(OSError):
    """A virtual phone's port is taken (or not allowed): the message says which and why."""
