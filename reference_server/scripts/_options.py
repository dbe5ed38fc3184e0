"""Declared ``script_config`` options and the one function that checks a config against them."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import attrs

from ..domain.errors import bad_request

__all__ = ["Option", "require", "split_list", "validate_options"]


@attrs.frozen
class Option:
    """One documented option: its kind, default and allowed values."""

    kind: str  # int, number, str, bool, str_list, str_or_int, object
    default: Any
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


def _type_ok(kind: str, value: Any) -> bool:
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "str_list":
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    if kind == "str_or_int":
        return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))
    return isinstance(value, dict)


_KIND_NAMES = {
    "int": "an integer",
    "number": "a number",
    "str": "a string",
    "bool": "true or false",
    "str_list": "an array of strings",
    "str_or_int": "a string or an integer",
    "object": "an object",
}


#: The most bytes of JSON a config's unknown keys may hold (kept as given, in every task).
MAX_UNKNOWN_BYTES = 16_384


def validate_options(
    options: Mapping[str, Option], config: Mapping[str, Any], prefix: str = "script_config."
) -> dict[str, Any]:
    """Check every documented option and fill in defaults; unknown keys are kept as given.

    Unknown keys are copied into every task the config fans out to, so together they are
    bounded (:data:`MAX_UNKNOWN_BYTES`).
    """
    unknown = {key: value for key, value in config.items() if key not in options}
    if unknown and len(json.dumps(unknown, ensure_ascii=False).encode()) > MAX_UNKNOWN_BYTES:
        names = ", ".join(sorted(unknown))[:200]
        raise bad_request(
            f"{prefix.rstrip('.')}: options this server does not know ({names}) may hold at "
            f"most {MAX_UNKNOWN_BYTES} bytes of JSON together"
        )
    result = dict(config)
    for name, option in options.items():
        if name not in config or config[name] is None:
            result[name] = option.default
            continue
        value = config[name]
        field = f"{prefix}{name}"
        if not _type_ok(option.kind, value):
            raise bad_request(f"{field} must be {_KIND_NAMES[option.kind]}, got {value!r}")
        if option.choices and not any(
            type(value) is type(allowed) and value == allowed for allowed in option.choices
        ):
            listed = ", ".join(repr(allowed) for allowed in option.choices)
            raise bad_request(f"{field} must be one of {listed}, got {value!r}")
        if option.kind == "str_list" and not all(item.strip() for item in value):
            raise bad_request(f"{field} must hold non-empty strings, got {value!r}")
        if option.minimum is not None and value < option.minimum:
            raise bad_request(f"{field} must be at least {option.minimum}, got {value!r}")
        if option.maximum is not None and value > option.maximum:
            raise bad_request(f"{field} must be at most {option.maximum}, got {value!r}")
    return result


def require(condition: bool, message: str) -> None:
    """Raise a 40001 with ``message`` unless ``condition`` holds."""
    if not condition:
        raise bad_request(message)


_SEPARATORS = re.compile(r"[\n,]")


def split_list(many: Any, joined: Any) -> list[str]:
    """Targets from a list (wins when non-empty) or a newline/comma separated string."""
    if many:
        return [item.strip() for item in many if item.strip()]
    if isinstance(joined, str):
        return [part.strip() for part in _SEPARATORS.split(joined) if part.strip()]
    return []
