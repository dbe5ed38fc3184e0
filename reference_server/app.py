"""The Flask app factory: state, blueprints, the guards of a local API, one error envelope."""

from __future__ import annotations

import ipaddress
import json
import logging
import random
from pathlib import Path
from typing import Any

import attrs
import platformdirs
from flask import Flask, Request, Response, current_app, jsonify, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest, HTTPException, MethodNotAllowed

from . import strict_json
from .api import api
from .clock import Clock, SystemClock
from .control import control
from .errors import BAD_REQUEST, INTERNAL, NOT_FOUND, ApiError
from .faults import Faults
from .fleet import DeviceSource
from .runner import Fleet, Runner
from .service import TaskService
from .state import ServerState
from .store import Store

__all__ = ["DEFAULT_PORT", "ServerConfig", "create_app", "default_db_path"]

log = logging.getLogger(__name__)

DEFAULT_PORT = 50809
#: The largest request body taken, in bytes.
MAX_BODY = 1024 * 1024
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def default_db_path() -> Path:
    """Where the task store lives unless told otherwise: the user's data directory."""
    return Path(platformdirs.user_data_dir("tikmatrix-reference-server", appauthor=False)) / (
        "tasks.sqlite3"
    )


@attrs.frozen(kw_only=True)
class ServerConfig:
    """How to build a reference server.

    ``db`` is a file path or ``":memory:"``; ``plan`` overrides the stored plan; ``devices``
    is the size of the simulated fleet seeded into an empty store; ``run_scheduler`` starts the
    background scheduler (tests may leave it off and call ``runner.run_until_idle()``);
    ``allowed_hosts`` adds names to the loopback ones the ``Host`` check accepts.
    """

    db: str | Path = attrs.field(factory=default_db_path)
    plan: str | None = None
    devices: int = 5
    clock: Clock = attrs.field(factory=SystemClock)
    run_scheduler: bool = True
    poll_interval: float = 0.2
    allowed_hosts: tuple[str, ...] = ()
    seed: int | None = None
    adb: bool = False
    adb_port: int = 5037
    virtual_devices: int = 0
    element_timeout: float = 10.0

    def device_source(self) -> DeviceSource:
        """Simulated devices, attached phones (``adb``), or virtual phones."""
        if self.virtual_devices:
            kind, count = "virtual", self.virtual_devices
        else:
            kind, count = ("adb" if self.adb else "simulated"), self.devices
        return DeviceSource(
            kind=kind, count=count, adb_port=self.adb_port, element_timeout=self.element_timeout
        )


def _host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.strip("[]").lower()
    if name in _LOOPBACK_NAMES or name in allowed:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


_CHANGES_STATE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _foreign_origin() -> str:
    """Why a state-changing request comes from another site's page, or ``""`` if it does not.

    Browsers name the page that sent a request in ``Origin`` (``null`` for sandboxed and
    ``file:`` pages) and say how it relates to the target in ``Sec-Fetch-Site``; a request
    from a program (curl, the SDK) sends neither, or ``Sec-Fetch-Site: none``.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site", "").lower()
    if fetch_site in ("cross-site", "same-site"):
        return f"Sec-Fetch-Site: {fetch_site}"
    origin = request.headers.get("Origin")
    if (
        origin is not None
        and origin.rstrip("/").lower() != f"{request.scheme}://{request.host}".lower()
    ):
        return f"Origin: {origin}"
    return ""


class _Request(Request):
    """A request whose JSON failure says what is wrong with the body."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        """Raise a 400 naming the problem (a syntax error, or a rule of strict_json)."""
        if isinstance(e, json.JSONDecodeError):
            raise BadRequest(f"the request body is not valid JSON: {e}")
        raise BadRequest(f"the request body is refused: {e}")


class _StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading request bodies with :mod:`strict_json`'s rules."""

    sort_keys = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse a body; a :class:`ValueError` names the rule it broke."""
        return strict_json.loads(s)


def _with_allow(response: Response) -> Response:
    """Add ``Allow``: the methods the requested path serves (never OPTIONS, always refused)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = set(adapter.allowed_methods()) - {"OPTIONS"}
    if allowed:
        response.headers["Allow"] = ", ".join(sorted(allowed))
    return response


def _envelope(code: int, message: str, status: int, data: Any = None) -> Response:
    response = jsonify({"code": code, "message": message, "data": data})
    response.status_code = status
    return response


def create_app(config: ServerConfig | None = None) -> Flask:
    """Build a reference server; its state is in ``app.extensions["tikmatrix"]``."""
    config = config or ServerConfig()
    app = Flask(__name__)
    app.request_class = _Request
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.json = _StrictJSONProvider(app)

    store = Store(config.db)
    service = TaskService(store, config.clock, rng=random.Random(config.seed))
    fleet = Fleet()
    runner = Runner(service, fleet, poll_interval=config.poll_interval, seed=config.seed)
    if config.plan is not None:
        service.set_plan(config.plan)
    source = config.device_source()
    source.start()
    if source.kind != "simulated" or not store.devices():
        source.seed(service, fleet)
    for row in store.devices():
        if row.kind == "simulated":
            fleet.simulated(row.serial)
    if config.run_scheduler:
        runner.start()
    else:
        service.recover()
    app.extensions["tikmatrix"] = ServerState(
        store=store,
        service=service,
        fleet=fleet,
        runner=runner,
        faults=Faults(),
        scheduler_running=config.run_scheduler,
        source=source,
    )
    allowed_hosts = tuple(host.lower() for host in config.allowed_hosts)

    @app.before_request
    def guard() -> Response | None:
        host = request.host or ""
        if not _host_allowed(host, allowed_hosts):
            return _envelope(BAD_REQUEST, f"Host {host!r} is not allowed", 403)
        if request.method == "OPTIONS":  # no CORS preflight: pages may not call this API
            refused = _envelope(BAD_REQUEST, "cross-origin requests are not served", 405)
            return _with_allow(refused)
        if request.method not in _CHANGES_STATE:
            return None
        foreign = _foreign_origin()
        if foreign:
            return _envelope(BAD_REQUEST, f"cross-origin requests are refused ({foreign})", 403)
        has_body = bool(request.content_length or request.headers.get("Transfer-Encoding"))
        if (has_body or request.content_type) and request.mimetype != "application/json":
            return _envelope(
                BAD_REQUEST,
                f"request bodies must be application/json, got {request.mimetype or 'none'!r}",
                415,
            )
        if has_body:
            try:
                request.get_json()
            except BadRequest as error:
                return _envelope(BAD_REQUEST, str(error.description), 400)
        return None

    @app.after_request
    def harden(response: Response) -> Response:
        for header in list(response.headers.keys()):
            if header.lower().startswith("access-control-"):
                del response.headers[header]
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Response:
        return _envelope(error.code, error.message, error.http_status, error.data)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        code = NOT_FOUND if status == 404 else BAD_REQUEST
        if status == 413:
            message = f"the request body is larger than {MAX_BODY} bytes"
        else:
            message = error.description or error.name
        response = _envelope(code, message, status)
        return _with_allow(response) if isinstance(error, MethodNotAllowed) else response

    @app.errorhandler(Exception)
    def internal_error(error: Exception) -> Response:
        log.exception("unhandled error")
        return _envelope(INTERNAL, f"internal error: {type(error).__name__}", 500)

    app.register_blueprint(api)
    app.register_blueprint(control)

    def close() -> None:
        runner.stop()
        for device in fleet:
            device.close()
        store.close()
        source.stop()

    app.extensions["tikmatrix_close"] = close
    return app
