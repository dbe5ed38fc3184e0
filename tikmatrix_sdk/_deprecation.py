"""Deprecation warnings that point at the caller's line, whichever client ran the call."""

from __future__ import annotations

import os
import sys
import warnings

__all__ = ["warn_deprecated"]

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn_deprecated(message: str) -> None:
    """Warn with :class:`DeprecationWarning` at the first frame outside this package.

    Operations run as generators stepped by the blocking or the async client, so a fixed
    ``stacklevel`` would land inside the SDK; walking out of the package finds the user's call.
    """
    frame = sys._getframe(1)
    level = 2
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    warnings.warn(message, DeprecationWarning, stacklevel=level)
