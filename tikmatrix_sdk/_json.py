"""JSON encoding and decoding: orjson (a dependency on CPython), else the ``json`` module."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["dumps", "loads"]


def _std_loads(content: bytes | str) -> Any:
    return json.loads(content)


def _std_dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _bind() -> None:
    """Put the fastest available pair in place of the first-use stand-ins below.

    orjson loads with the first answer rather than with the SDK: importing it brings in
    ``uuid`` and ``platform``, a quarter of the SDK's own import time.
    """
    global loads, dumps
    try:
        import orjson
    except ImportError:  # pragma: no cover - depends on the environment
        loads, dumps = _std_loads, _std_dumps
    else:
        loads, dumps = orjson.loads, orjson.dumps


def _first_loads(content: bytes | str) -> Any:
    _bind()
    return loads(content)


def _first_dumps(value: Any) -> bytes:
    _bind()
    return dumps(value)


#: Decode a JSON document; raises :class:`ValueError` when it is not JSON.
loads: Callable[[bytes | str], Any] = _first_loads
#: Encode a value as compact UTF-8 JSON.
dumps: Callable[[Any], bytes] = _first_dumps
