"""A client's settings, and how an endpoint becomes the request to send."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

import httpx

from ._deadline import DEFAULT_MAX_RESPONSE_BYTES
from ._records import Record, set_field
from ._shown_url import shown_url
from ._version import __version__
from .errors import ClientValidationError

__all__ = [
    "API_PREFIX",
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "ClientOptions",
    "resolve_base_url",
    "to_timeout",
]

#: Where TikMatrix listens unless told otherwise.
DEFAULT_BASE_URL = "http://localhost:50809"
#: The environment variable read when no ``base_url`` is given.
BASE_URL_ENV = "TIKMATRIX_BASE_URL"
#: 30 s for the whole request, 5 s to connect: TikMatrix runs on the same machine.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2

#: Where the API lives under the base URL.
API_PREFIX = "/api/v1"
_PYTHON = ".".join(str(part) for part in sys.version_info[:3])
_USER_AGENT = f"tikmatrix-sdk/{__version__} python/{_PYTHON} httpx/{httpx.__version__}"


def resolve_base_url(base_url: str | httpx.URL | None) -> str:
    """Normalise the server's root URL: default, environment, and a stray ``/api/v1`` suffix."""
    if base_url is None:
        base_url = os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    text = str(base_url).strip().rstrip("/")
    if text.endswith(API_PREFIX):
        text = text[: -len(API_PREFIX)]
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ClientValidationError(
            f"base_url {shown_url(text)!r} is not a URL: {exc}", field="base_url"
        ) from exc
    if url.scheme not in ("http", "https") or not url.host:
        raise ClientValidationError(
            f"base_url must be an http:// or https:// URL with a host, got {shown_url(text)!r}",
            field="base_url",
        )
    return text


def to_timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout:
    """Accept seconds, an :class:`httpx.Timeout`, or ``None`` (no timeout at all)."""
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))):
        raise TypeError(
            f"timeout must be a number of seconds, an httpx.Timeout or None, got {timeout!r}"
        )
    if timeout is not None and timeout <= 0:
        raise ClientValidationError(
            f"timeout must be a positive number of seconds or None, got {timeout!r}",
            field="timeout",
        )
    return httpx.Timeout(timeout)


class ClientOptions(Record):
    """Everything a client needs to turn an endpoint into a request, and to retry it.

    ``max_response_bytes`` is the most bytes of an answer the client reads (``None``: no
    bound).
    """

    __slots__ = ("base_url", "headers", "max_response_bytes", "max_retries", "timeout")

    base_url: str
    timeout: httpx.Timeout
    max_retries: int
    headers: Mapping[str, str]
    max_response_bytes: int | None

    def __init__(
        self,
        *,
        base_url: str,
        timeout: httpx.Timeout,
        max_retries: int,
        headers: Mapping[str, str] | None = None,
        max_response_bytes: int | None = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        set_field(self, "base_url", base_url)
        set_field(self, "timeout", timeout)
        set_field(self, "max_retries", max_retries)
        set_field(self, "headers", {} if headers is None else headers)
        set_field(self, "max_response_bytes", max_response_bytes)
        self._check()

    def _check(self) -> None:
        value = self.max_retries
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ClientValidationError(
                f"max_retries must be an integer >= 0, got {value!r}", field="max_retries"
            )
        size = self.max_response_bytes
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
            raise ClientValidationError(
                f"max_response_bytes must be a positive number of bytes or None, got {size!r}",
                field="max_response_bytes",
            )

    def request_headers(self, *, has_body: bool) -> dict[str, str]:
        """The headers of every request, with the caller's own on top."""
        headers = {"Accept": "application/json", "User-Agent": _USER_AGENT}
        if has_body:
            headers["Content-Type"] = "application/json"
        headers.update(self.headers)
        return headers

    def url(self, path: str) -> str:
        """The absolute URL of an API path such as ``/task/42``."""
        return f"{self.base_url}{API_PREFIX}{path}"
