"""Declared ``script_config`` options, and the one function that checks a config against them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from .codes import bad_request
from .limits import MAX_UNKNOWN_BYTES
from .strict_json import integer

__all__ = ["KINDS", "Option", "split_list", "validate_options"]

#: What each kind of option accepts, in the words of the refusals.
KINDS = {
    "int": "an integer",
    "number": "a number",
    "str": "a string",
    "bool": "true or false",
    "str_list": "an array of strings",
    "str_or_int": "a string or an integer",
    "object": "an object",
}


@attrs.frozen
class Option:
    """One documented option: its kind (one of :data:`KINDS`), default and allowed values."""

    kind: str = attrs.field(validator=attrs.validators.in_(KINDS))
    default: Any
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


def _is_int(value: Any) -> bool:
    return integer(value) is not None


_KIND_CHECKS: dict[str, Callable[[Any], bool]] = {
    "int": _is_int,
    "number": lambda value: _is_int(value) or isinstance(value, float),
    "str": lambda value: isinstance(value, str),
    "bool": lambda value: isinstance(value, bool),
    "str_list": lambda value: (
        isinstance(value, list) and all(isinstance(item, str) for item in value)
    ),
    "str_or_int": lambda value: isinstance(value, str) or _is_int(value),
    "object": lambda value: isinstance(value, dict),
}


def validate_options(
    options: Mapping[str, Option], config: Mapping[str, Any], prefix: str = "script_config."
) -> dict[str, Any]:
    """Check every documented option and fill in defaults; unknown keys are kept as given.

    Unknown keys are copied into every task the config fans out to, so together they are
    bounded (:data:`~tikmatrix_sdk._contract.limits.MAX_UNKNOWN_BYTES`).
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
        if not _KIND_CHECKS[option.kind](value):
            raise bad_request(f"{field} must be {KINDS[option.kind]}, got {value!r}")
        if option.kind in ("int", "str_or_int") and isinstance(value, float):
            value = result[name] = integer(value)  # 7.0 is the integer 7, as JSON Schema says
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


_SEPARATORS = re.compile(r"[\n,]")


def split_list(many: Any, joined: Any) -> list[str]:
    """Targets from a list (wins when non-empty) or a newline/comma separated string."""
    if many:
        return [item.strip() for item in many if item.strip()]
    if isinstance(joined, str):
        return [part.strip() for part in _SEPARATORS.split(joined) if part.strip()]
    return []
