"""A reference implementation of the TikMatrix Local API, for testing clients end to end.

``create_app()`` builds the Flask application; ``tikmatrix-server`` (or ``python -m
reference_server``) serves it with waitress on ``127.0.0.1:50809``. The package imports
nothing of Flask until one of these is used, so that its pytest plugin loads (and skips
what needs a server) where only the SDK is installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import ServerConfig, create_app

__all__ = ["ServerConfig", "create_app"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
