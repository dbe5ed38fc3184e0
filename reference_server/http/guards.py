"""The guards of a local API: every web page its user opens can reach it.

Only loopback ``Host`` names are served (against DNS rebinding); a state change from another
site's page is refused (``Origin``, ``Sec-Fetch-Site``); no CORS preflight is answered; bodies
are JSON only, read with :mod:`.strict_json`'s rules; answers are never cached or sniffed.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from flask import Flask, Request, Response, current_app, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest

from .. import fast_json
from ..domain.errors import BAD_REQUEST
from . import strict_json
from .envelope import envelope

__all__ = ["MAX_BODY", "install_guards"]

#: The largest request body taken, in bytes.
MAX_BODY = 1024 * 1024
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


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

    def response(self, *args: Any, **kwargs: Any) -> Response:
        """An answer, its JSON written by :mod:`~reference_server.fast_json`."""
        if len(args) != 1 or kwargs:  # pragma: no cover - the app answers one value
            return super().response(*args, **kwargs)  # type: ignore[return-value]
        return Response(fast_json.dumps(args[0]), mimetype="application/json")


def with_allow(response: Response) -> Response:
    """Add ``Allow``: the methods the requested path serves (never OPTIONS, always refused)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = set(adapter.allowed_methods()) - {"OPTIONS"}
    if allowed:
        response.headers["Allow"] = ", ".join(sorted(allowed))
    return response


def install_guards(app: Flask, allowed_hosts: tuple[str, ...]) -> None:
    """Make ``app`` refuse what a local API must refuse (see the module's docstring)."""
    app.request_class = _Request
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.json = _StrictJSONProvider(app)
    allowed = tuple(host.lower() for host in allowed_hosts)

    @app.before_request
    def guard() -> Response | None:
        host = request.host or ""
        if not _host_allowed(host, allowed):
            return envelope(BAD_REQUEST, f"Host {host!r} is not allowed", 403)
        if request.method == "OPTIONS":  # no CORS preflight: pages may not call this API
            return with_allow(envelope(BAD_REQUEST, "cross-origin requests are not served", 405))
        if request.method not in _CHANGES_STATE:
            return None
        foreign = _foreign_origin()
        if foreign:
            return envelope(BAD_REQUEST, f"cross-origin requests are refused ({foreign})", 403)
        has_body = bool(request.content_length or request.headers.get("Transfer-Encoding"))
        if (has_body or request.content_type) and request.mimetype != "application/json":
            return envelope(
                BAD_REQUEST,
                f"request bodies must be application/json, got {request.mimetype or 'none'!r}",
                415,
            )
        if has_body:
            try:
                request.get_json()
            except BadRequest as error:
                return envelope(BAD_REQUEST, str(error.description), 400)
        return None

    @app.after_request
    def harden(response: Response) -> Response:
        for header in list(response.headers.keys()):
            if header.lower().startswith("access-control-"):
                del response.headers[header]
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-store"
        return response
