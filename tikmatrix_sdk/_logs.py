"""The ``tikmatrix_sdk`` logger, and ``TIKMATRIX_LOG`` to turn it on without code."""

from __future__ import annotations

import logging
import os

__all__ = ["LOG_ENV", "logger", "setup_from_env"]

#: The environment variable that turns logging on: ``info`` or ``debug``.
LOG_ENV = "TIKMATRIX_LOG"

logger = logging.getLogger("tikmatrix_sdk")


def setup_from_env() -> None:
    """With ``TIKMATRIX_LOG=info`` or ``debug``, log to stderr at that level (once)."""
    level = {"info": logging.INFO, "debug": logging.DEBUG}.get(
        os.environ.get(LOG_ENV, "").strip().lower()
    )
    if level is None or logger.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)
