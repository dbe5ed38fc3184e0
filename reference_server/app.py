"""The Flask app factory: the server's state, the HTTP layer's blueprints, one error envelope.

The app is thin wiring: :class:`~reference_server.state.ServerState` builds the domain (the
service over its store, the fleet and the runner), the ``http`` package holds the guards and
the blueprints, and every error, whatever raised it, leaves as the contract's envelope.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from tikmatrix_sdk._contract.codes import BAD_REQUEST, INTERNAL, NOT_FOUND, ContractError

from .config import DEFAULT_PORT, ServerConfig, default_db_path
from .http.api import api
from .http.control import control
from .http.dashboard import dashboard
from .http.envelope import envelope
from .http.guards import MAX_BODY, install_guards, with_allow
from .http.rpc import rpc
from .state import ServerState

__all__ = ["DEFAULT_PORT", "ServerConfig", "create_app", "default_db_path"]

log = logging.getLogger(__name__)
#: Each request: method, path, status and milliseconds, at INFO.
access_log = logging.getLogger("reference_server.access")


def _log_requests(app: Flask) -> None:
    """Log every request and its answer, whichever server runs the app."""

    @app.before_request
    def start_clock() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def log_answer(response: Response) -> Response:
        started = g.get("started")
        elapsed = (time.perf_counter() - started) * 1000 if started is not None else 0.0
        path = request.full_path.rstrip("?")
        access_log.info("%s %s %s %.1fms", request.method, path, response.status_code, elapsed)
        return response


def create_app(config: ServerConfig | None = None) -> Flask:
    """Build a reference server; its state is in ``app.extensions["tikmatrix"]``."""
    server = ServerState.build(config or ServerConfig())
    app = Flask(__name__)
    _log_requests(app)
    install_guards(app, server.config.allowed_hosts)
    app.extensions["tikmatrix"] = server

    @app.errorhandler(ContractError)
    def api_error(error: ContractError) -> Response:
        return envelope(error.code, error.message, error.http_status, error.data)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        code = NOT_FOUND if status == 404 else BAD_REQUEST
        if status == 413:
            message = f"the request body is larger than {MAX_BODY} bytes"
        else:
            message = error.description or error.name
        response = envelope(code, message, status)
        return with_allow(response) if isinstance(error, MethodNotAllowed) else response

    @app.errorhandler(Exception)
    def internal_error(error: Exception) -> Response:
        log.exception("unhandled error")
        return envelope(INTERNAL, f"internal error: {type(error).__name__}", 500)

    app.register_blueprint(api)
    app.register_blueprint(rpc)
    app.register_blueprint(dashboard)
    app.register_blueprint(control)
    app.extensions["tikmatrix_close"] = server.close
    return app
