r"""A device's serial: a name, never a path.

adb names a device by its serial, and the reference server names a phone's folder, a
record's key and a dashboard picture after it. A serial is therefore held to what adb itself
gives out: 1 to :data:`~.limits.MAX_SERIAL` characters, none of them ``/``, ``\``, NUL or
another control character, and not ``.`` or ``..``. The same rule refuses a serial with 40001
on every route that takes one (a create's ``serials``, a lease, a device call, a filter, the
control API), in the server and in the mock.
"""

from __future__ import annotations

import re
from typing import Any

from .codes import bad_request
from .limits import MAX_SERIAL

__all__ = ["SERIAL_FILTER_SCHEMA", "SERIAL_SCHEMA", "check_serial", "is_serial"]

_SERIAL = re.compile(r"[^/\\\x00-\x1f\x7f]+")
#: The rule as a JSON Schema, for the OpenAPI document.
SERIAL_SCHEMA = {
    "type": "string",
    "minLength": 1,
    "maxLength": MAX_SERIAL,
    "pattern": "^[^/\\\\\\u0000-\\u001f\\u007f]+$",
    "not": {"enum": [".", ".."]},
}
#: A filter that names a device: a serial, or empty (no filter).
SERIAL_FILTER_SCHEMA = {
    **SERIAL_SCHEMA,
    "minLength": 0,
    "pattern": "^[^/\\\\\\u0000-\\u001f\\u007f]*$",
}


def is_serial(value: Any) -> bool:
    """Whether ``value`` is a serial the contract accepts."""
    return (
        isinstance(value, str)
        and len(value) <= MAX_SERIAL
        and _SERIAL.fullmatch(value) is not None
        and value not in (".", "..")
    )


def check_serial(value: Any, field: str = "serial") -> str:
    """``value`` if it is a serial; else 40001 naming ``field``."""
    if not is_serial(value):
        raise bad_request(
            f"{field} must be a device serial: 1 to {MAX_SERIAL} characters, no '/', '\\', "
            f"NUL or control character, not '.' or '..'; got {str(value)[:80]!r}"
        )
    return str(value)
