"""JSON written and read by orjson where it is installed, else by the standard library.

orjson comes with the SDK on CPython; it writes and reads the same documents several times
faster.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["Fragment", "dumps", "loads"]


def _std_dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _std_loads(text: str | bytes) -> Any:
    return json.loads(text)


#: Encode a value as compact UTF-8 JSON.
dumps: Callable[[Any], bytes]
#: Decode a JSON document.
loads: Callable[[str | bytes], Any]
#: JSON text that :func:`dumps` writes into a document as it is (orjson's ``Fragment``), or
#: ``None`` without orjson.
Fragment: Callable[[bytes], Any] | None

try:
    import orjson
except ImportError:  # pragma: no cover - orjson has no wheel here (PyPy)
    dumps, loads, Fragment = _std_dumps, _std_loads, None
else:
    dumps, loads, Fragment = orjson.dumps, orjson.loads, orjson.Fragment
