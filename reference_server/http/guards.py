"""The guards of a local API: every web page its user opens can reach it.

Only loopback ``Host`` names are served (against DNS rebinding); a state change from another
site's page is refused (``Origin``, ``Sec-Fetch-Site``); no CORS preflight is answered; bodies
are JSON only: those checks are :func:`tikmatrix_sdk._shared.guards.refusal`, the one implementation
the ``tikmatrix record`` proxy applies too. Here bodies are also read with
:mod:`.strict_json`'s rules, and answers are never cached or sniffed.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, Response, current_app, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest

from tikmatrix_sdk._contract import strict_json
from tikmatrix_sdk._contract.codes import BAD_REQUEST
from tikmatrix_sdk._contract.limits import MAX_BODY
from tikmatrix_sdk._shared.guards import CHANGES_STATE, refusal

from .. import fast_json
from .envelope import envelope

__all__ = ["MAX_BODY", "install_guards"]


class _Request(Request):
    """A request whose JSON failure says what is wrong with the body."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        """Raise a 400 naming the problem (a syntax error, or a rule of strict_json)."""
        raise BadRequest(strict_json.refusal_message(e or ValueError("no body")))


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
        refused = refusal(
            request.method,
            request.host or "",
            dict(request.headers),
            scheme=request.scheme,
            allowed_hosts=allowed,
        )
        if refused is not None:
            answer = envelope(BAD_REQUEST, refused.message, refused.status)
            return with_allow(answer) if refused.status == 405 else answer
        if request.method not in CHANGES_STATE:
            return None
        has_body = bool(request.content_length or request.headers.get("Transfer-Encoding"))
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
