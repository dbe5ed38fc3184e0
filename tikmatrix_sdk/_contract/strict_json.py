r"""Strict JSON for request bodies: only what the server can store and serve back.

Python's ``json`` accepts more than the JSON standard: ``NaN`` and ``Infinity``, numbers that
overflow to infinity (``1e400``), integers of any size, strings holding lone surrogates
(``"\ud800"``), and nesting until the interpreter's recursion limit. A value like that, once
stored, breaks every answer that contains it (and every client that decodes it), so bodies
holding one are refused with a message that says which rule they broke.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["MAX_DEPTH", "MAX_INT", "MIN_INT", "integer", "loads", "refusal_message"]

#: The deepest nesting of arrays and objects a body may have.
MAX_DEPTH = 32
#: Integers must fit in a signed 64-bit integer, as SQLite and fast JSON decoders need.
MAX_INT = 2**63 - 1
MIN_INT = -(2**63)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text} is too large")
    return value


def _check(value: Any, depth: int) -> None:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("strings must be valid Unicode (no lone surrogates)") from None
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not MIN_INT <= value <= MAX_INT:
            raise ValueError(f"the integer {value} does not fit in 64 bits")
    elif isinstance(value, (list, dict)):
        if depth >= MAX_DEPTH:
            raise ValueError(f"the body is nested more than {MAX_DEPTH} levels deep")
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            _check(key, depth + 1)
            _check(item, depth + 1)


def integer(value: Any) -> int | None:
    """``value`` as an integer, as JSON Schema reads one, or ``None`` if it is not one.

    JSON Schema's ``integer`` is any number with no fraction: ``7`` and ``7.0`` alike (a
    generated client may send either), never ``true`` or ``"7"``.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer() and MIN_INT <= value <= MAX_INT:
        return int(value)
    return None


def loads(data: str | bytes) -> Any:
    """Parse a request body, or raise :class:`ValueError` saying why it is refused."""
    try:
        value = json.loads(data, parse_constant=_reject_constant, parse_float=_finite)
    except RecursionError:
        raise ValueError(f"the body is nested more than {MAX_DEPTH} levels deep") from None
    _check(value, 0)
    return value


def refusal_message(error: ValueError) -> str:
    """What a 40001 says of a body :func:`loads` refused."""
    if isinstance(error, json.JSONDecodeError):
        return f"the request body is not valid JSON: {error}"
    return f"the request body is refused: {error}"
