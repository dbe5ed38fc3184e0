"""Per-call options (``timeout=``, ``extra_headers=``, ``extra_query=``, ``extra_body=``).

Every method takes them as keyword arguments. They change the requests of that one call, and
nothing else: the binder takes them out of the arguments, checks them, and wraps the
operation's program so that each request it sends carries them. The operation itself never
sees them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, TypedDict, TypeVar

import httpx

from . import _json
from ._effects import Program, Send, intercept
from ._options import to_timeout
from ._public import say_public
from ._records import Record, set_field
from ._shown_url import shown_url
from .errors import ClientValidationError

__all__ = ["OPTION_NAMES", "CallOptions", "RequestExtras", "RequestOptions", "split_options"]

T = TypeVar("T")


class RequestExtras(TypedDict, total=False):
    """What a caller may add to the requests of one call.

    ``extra_headers`` go on top of the client's headers; ``extra_query`` joins the query
    string; ``extra_body`` is merged into the JSON body (an ``extra_body`` key replaces the
    SDK's field of the same name). A value of ``None`` in ``extra_headers`` or
    ``extra_query`` removes that header or parameter.
    """

    extra_headers: Mapping[str, str | None] | None
    extra_query: Mapping[str, object] | None
    extra_body: Mapping[str, object] | None


class RequestOptions(RequestExtras, total=False):
    """The per-call options: ``extra_headers``, ``extra_query``, ``extra_body`` and ``timeout``.

    ``timeout`` is seconds, an :class:`httpx.Timeout`, or ``None`` for no timeout at all;
    leaving it out keeps the client's.
    """

    timeout: float | httpx.Timeout | None


#: The keyword arguments that are per-call options rather than the operation's own.
OPTION_NAMES = tuple(RequestOptions.__annotations__)


def _text(name: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ClientValidationError(
            f"{name} values must be strings or numbers, got {value!r}", field=name
        )
    return value if isinstance(value, str) else str(value)


def _mapping(name: str, value: Any) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise ClientValidationError(
            f"{name} must be a mapping with string keys, got {value!r}", field=name
        )
    return value


class CallOptions(Record):
    """The checked per-call options, ready to apply to each request of the call."""

    __slots__ = ("body", "headers", "query", "timeout")

    timeout: httpx.Timeout | None
    headers: Mapping[str, str | None]
    query: Mapping[str, str | None]
    body: Mapping[str, Any]

    def __init__(
        self,
        *,
        timeout: httpx.Timeout | None = None,
        headers: Mapping[str, str | None] | None = None,
        query: Mapping[str, str | None] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> None:
        set_field(self, "timeout", timeout)
        set_field(self, "headers", {} if headers is None else headers)
        set_field(self, "query", {} if query is None else query)
        set_field(self, "body", {} if body is None else body)

    @classmethod
    def check(cls, given: Mapping[str, Any]) -> CallOptions:
        """Check what the caller passed; a mistake names the option."""
        headers = {
            key: None if value is None else _text("extra_headers", value)
            for key, value in _mapping("extra_headers", given.get("extra_headers")).items()
        }
        query = {
            key: None if value is None else _text("extra_query", value)
            for key, value in _mapping("extra_query", given.get("extra_query")).items()
        }
        body = dict(_mapping("extra_body", given.get("extra_body")))
        try:
            _json.dumps(body)
        except TypeError as exc:
            raise ClientValidationError(
                f"extra_body must hold JSON values only: {exc}", field="extra_body"
            ) from None
        timeout = to_timeout(given["timeout"]) if "timeout" in given else None
        return cls(timeout=timeout, headers=headers, query=query, body=body)

    def apply(self, send: Send) -> Send:
        """The request ``send`` with these options on top."""
        headers = dict(send.headers or {})
        params = dict(send.params or {})
        for key, value in self.headers.items():  # header names ignore case
            for existing in [k for k in headers if k.lower() == key.lower()]:
                del headers[existing]
            if value is not None:
                headers[key] = value
        for key, value in self.query.items():  # query names do not
            params.pop(key, None)
            if value is not None:
                params[key] = value
        content = send.content
        if self.body:
            if send.method == "GET":
                raise ClientValidationError(
                    f"extra_body cannot be sent with GET {shown_url(send.url)}: a GET request "
                    "has no body",
                    field="extra_body",
                )
            current = _json.loads(content) if content else {}
            content = _json.dumps({**current, **self.body})
            if not any(key.lower() == "content-type" for key in headers):
                headers["Content-Type"] = "application/json"
        return send.replace(
            headers=headers,
            params=params,
            content=content,
            timeout=send.timeout if self.timeout is None else self.timeout,
        )


def split_options(
    kwargs: dict[str, Any], own: Collection[str]
) -> tuple[CallOptions | None, dict[str, Any]]:
    """Take the per-call options out of ``kwargs``, leaving the names in ``own`` alone.

    ``wait(timeout=…)`` keeps its own meaning of ``timeout``: a name the operation declares
    itself is never taken as an option.
    """
    if not any(name in kwargs and name not in own for name in OPTION_NAMES):
        return None, kwargs
    rest = dict(kwargs)
    given = {name: rest.pop(name) for name in OPTION_NAMES if name in rest and name not in own}
    return CallOptions.check(given), rest


def with_options(program: Program[T], options: CallOptions) -> Program[T]:
    """Run ``program``, sending each of its requests with ``options`` applied."""
    return (yield from intercept(program, before=options.apply))


say_public(["RequestOptions"], globals())
