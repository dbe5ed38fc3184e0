"""JSON written and read by orjson where it is installed, else by the standard library.

orjson comes with the SDK on CPython; it writes and reads the same documents several times
faster.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["dumps", "embedded", "loads"]


def _std_dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _std_loads(text: str | bytes) -> Any:
    return json.loads(text)


#: Encode a value as compact UTF-8 JSON.
dumps: Callable[[Any], bytes]
#: Decode a JSON document.
loads: Callable[[str | bytes], Any]

#: JSON text the server wrote itself, to go into a document as it is: orjson copies it
#: unread; without orjson it is read, to be written again.
embedded: Callable[[str], Any]

try:
    import orjson
except ImportError:  # pragma: no cover - orjson has no wheel here (PyPy)
    dumps, loads, embedded = _std_dumps, _std_loads, _std_loads
else:
    dumps, loads, embedded = orjson.dumps, orjson.loads, orjson.Fragment
