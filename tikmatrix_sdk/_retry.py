"""When a failed request may be sent again, and how long to wait first.

The rule that protects callers: a request that changes state is sent again only when it cannot
have reached the server (the connection was never made). Reads (GET) are also retried on
timeouts, broken connections, 408, 429 and 5xx answers.
"""

from __future__ import annotations

import email.utils
import random
import time

import httpx

from ._deadline import ResponseTooLarge
from .errors import APIError, InternalServerError

__all__ = [
    "INITIAL_DELAY",
    "MAX_DELAY",
    "MAX_RETRY_AFTER",
    "backoff_delay",
    "may_retry_answer",
    "may_retry_transport_error",
    "never_sent",
    "retry_after",
]

#: First backoff delay in seconds; it doubles with each retry up to :data:`MAX_DELAY`.
INITIAL_DELAY = 0.5
MAX_DELAY = 8.0
#: A ``Retry-After`` longer than this is ignored in favour of the computed backoff.
MAX_RETRY_AFTER = 60.0

_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_RETRYABLE_STATUSES = frozenset({408, 429})


def never_sent(exc: httpx.RequestError) -> bool:
    """Whether a transport error proves the request never reached the server."""
    return isinstance(exc, _NEVER_SENT)


def may_retry_transport_error(exc: httpx.RequestError, *, idempotent: bool) -> bool:
    """Whether a request that failed in transport may be sent again.

    An answer too long to read would be as long again: it is never retried.
    """
    if isinstance(exc, ResponseTooLarge):
        return False
    return idempotent or never_sent(exc)


def may_retry_answer(response: httpx.Response, error: Exception, *, idempotent: bool) -> bool:
    """Whether a read whose answer was an error may be sent again."""
    if not idempotent:
        return False
    status = response.status_code
    if status in _RETRYABLE_STATUSES or status >= 500:
        return True
    return isinstance(error, APIError) and error.code == InternalServerError.expected_code


def retry_after(headers: httpx.Headers | None, *, now: float | None = None) -> float | None:
    """Read ``Retry-After`` (seconds or an HTTP date) or ``retry-after-ms``, in seconds."""
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return float(millis) / 1000.0
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when.timestamp() - (time.time() if now is None else now)


def backoff_delay(retries_done: int, headers: httpx.Headers | None = None) -> float:
    """Seconds to wait before retry number ``retries_done + 1``.

    A usable ``Retry-After`` wins; otherwise exponential backoff from :data:`INITIAL_DELAY`,
    capped at :data:`MAX_DELAY`, less up to a quarter of random jitter so that many clients
    do not retry in step.
    """
    wished = retry_after(headers)
    if wished is not None and 0 <= wished <= MAX_RETRY_AFTER:
        return wished
    delay = min(INITIAL_DELAY * 2.0**retries_done, MAX_DELAY)
    return delay * (1.0 - 0.25 * random.random())
