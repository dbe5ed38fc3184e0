"""``with_raw_response``: the HTTP answer of a call, beside the result it was read into."""

from __future__ import annotations

import datetime
from typing import Any, Generic, TypeVar

import httpx

from ._effects import Program, intercept
from ._public import say_public
from ._shown_url import shown_url

__all__ = ["RawResponse", "recording_response"]

T = TypeVar("T")


class RawResponse(Generic[T]):
    """The HTTP answer of one call, and :meth:`parse` for the usual typed result.

    ``client.tasks.with_raw_response.get(7)`` returns one. The answer has already been read
    and checked: an error code still raises its exception, and ``parse()`` returns the same
    object the plain method would have. For an operation that sends several requests
    (``wait`` polls, ``list`` of a later page), the answer is the last one.
    """

    __slots__ = ("_parsed", "http_response")

    def __init__(self, http_response: httpx.Response, parsed: T) -> None:
        """Pair an answer with the result read from it (built by ``with_raw_response``)."""
        #: The :class:`httpx.Response` itself, for anything not repeated here.
        self.http_response = http_response
        self._parsed = parsed

    def parse(self) -> T:
        """The typed result, as the method without ``with_raw_response`` returns it."""
        return self._parsed

    @property
    def status_code(self) -> int:
        """The HTTP status code (TikMatrix answers most errors with 200 and a code)."""
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The response headers."""
        return self.http_response.headers

    @property
    def elapsed(self) -> datetime.timedelta:
        """The time from sending the request to reading the whole answer."""
        return self.http_response.elapsed

    @property
    def request(self) -> httpx.Request:
        """The :class:`httpx.Request` that was sent (method, URL, headers, body)."""
        return self.http_response.request

    @property
    def url(self) -> httpx.URL:
        """The URL the request went to."""
        return self.http_response.request.url

    @property
    def method(self) -> str:
        """The request's HTTP method."""
        return self.http_response.request.method

    @property
    def content(self) -> bytes:
        """The raw body of the answer."""
        return self.http_response.content

    def json(self) -> Any:
        """The answer's body decoded from JSON: the whole envelope, ``code`` and ``message``."""
        return self.http_response.json()

    def __repr__(self) -> str:
        return f"<RawResponse [{self.status_code}] {self.method} {shown_url(self.url)}>"


def recording_response(program: Program[T]) -> Program[tuple[T, httpx.Response]]:
    """Run ``program`` and return its result with the last response it received."""
    last: list[httpx.Response] = []

    def keep(reply: Any) -> None:
        if isinstance(reply, httpx.Response):
            last[:] = [reply]

    result = yield from intercept(program, after=keep)
    if not last:  # pragma: no cover - every API operation sends at least one request
        raise RuntimeError("the operation received no HTTP response")
    return result, last[0]


say_public(["RawResponse"], globals())
