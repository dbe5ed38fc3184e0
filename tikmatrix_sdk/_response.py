"""Reading the API's envelope: success data, or the exception its code stands for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from . import _json
from .errors import ResponseValidationError, UnexpectedResponseError, error_class_for_code

__all__ = ["read_data", "read_envelope"]

T = TypeVar("T")

_MODEL_ERRORS = (TypeError, ValueError, KeyError, AttributeError)


def _is_model_error(exc: Exception) -> bool:
    """Whether reading the data failed because of its shape (cattrs is loaded by then)."""
    if isinstance(exc, _MODEL_ERRORS):
        return True
    import cattrs

    return isinstance(exc, cattrs.BaseValidationError)


def _loose(response: httpx.Response, body: Any) -> dict[str, Any]:
    """The device API's variants, read as an envelope.

    No ``code`` is success (or, with an HTTP error status, that status as the code); a body
    that is not an object is the data itself.
    """
    if isinstance(body, dict) and "code" in body:
        return body
    if response.status_code >= 400:
        message = body.get("message") if isinstance(body, dict) else None
        text = message if isinstance(message, str) else response.text[:500]
        return {"code": response.status_code, "message": text, "data": None}
    data = body.get("data", body) if isinstance(body, dict) else body
    return {"code": 0, "data": data}


#: What an answer that is not the API's usually means.
_NOT_TIKMATRIX = " (is the base URL TikMatrix's Local API, or another server on that port?)"


def read_envelope(response: httpx.Response, parse: Callable[[Any], T], *, loose: bool = False) -> T:
    """Return ``parse(data)`` for a success envelope; raise the matching error otherwise.

    Errors may come with HTTP 200 or with a 4xx/5xx status: the envelope's ``code`` decides.
    ``loose`` reads the device API's variants too (see :func:`_loose`).
    """
    try:
        body = _json.loads(response.content)
    except ValueError:
        if not loose:
            raise UnexpectedResponseError(
                f"The answer is not JSON{_NOT_TIKMATRIX}", response=response
            ) from None
        body = response.text
    if loose:
        body = _loose(response, body)
    if not isinstance(body, dict) or "code" not in body:
        raise UnexpectedResponseError(
            f"The answer is not the API's envelope{_NOT_TIKMATRIX}", response=response
        )
    try:
        code = int(body["code"])
    except (TypeError, ValueError):
        raise UnexpectedResponseError(
            "The envelope's code is not a number", response=response
        ) from None
    message = body.get("message")
    message = message if isinstance(message, str) else ""
    data = body.get("data")
    if code != 0:
        error_class = error_class_for_code(code, response.status_code)
        raise error_class(message or f"error code {code}", code=code, data=data, response=response)
    if response.status_code >= 400:
        raise UnexpectedResponseError(
            "The answer has an HTTP error status but a success code", response=response
        )
    return read_data(response, parse, data)


def read_data(response: httpx.Response, parse: Callable[[Any], T], data: Any) -> T:
    """``parse(data)``; a shape it cannot read is a :class:`ResponseValidationError`."""
    try:
        return parse(data)
    except Exception as exc:
        if not _is_model_error(exc):
            raise
        raise ResponseValidationError(
            f"The answer's data does not have the expected shape ({exc})", response=response
        ) from exc
