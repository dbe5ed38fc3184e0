"""A reference implementation of the TikMatrix Local API, for testing clients end to end.

``create_app()`` builds the Flask application; ``tikmatrix-server`` (or ``python -m
reference_server``) serves it with waitress on ``127.0.0.1:50809``.
"""

from .app import ServerConfig, create_app

__all__ = ["ServerConfig", "create_app"]
