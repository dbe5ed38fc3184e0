"""Checks of the arguments a caller passes, made before anything is sent."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import time
from typing import TYPE_CHECKING, Any

from .errors import ClientValidationError

if TYPE_CHECKING:
    from .scripts import ScriptConfig

__all__ = [
    "check_bool",
    "check_id",
    "check_ids",
    "check_int",
    "check_start_time",
    "check_strings",
    "query",
    "script_fields",
]

_HH_MM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def check_int(
    name: str, value: Any, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """An integer (not a bool) within the bounds given."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ClientValidationError(f"{name} must be an integer, got {value!r}", field=name)
    if minimum is not None and value < minimum:
        raise ClientValidationError(f"{name} must be >= {minimum}, got {value}", field=name)
    if maximum is not None and value > maximum:
        raise ClientValidationError(f"{name} must be <= {maximum}, got {value}", field=name)
    return value


def check_bool(name: str, value: Any) -> bool:
    """A real bool (``1`` and ``"true"`` are mistakes here)."""
    if not isinstance(value, bool):
        raise ClientValidationError(f"{name} must be a bool, got {value!r}", field=name)
    return value


def check_id(name: str, value: Any) -> int:
    """A task id: a positive integer."""
    return check_int(name, value, minimum=1)


def check_ids(name: str, values: Iterable[int]) -> list[int]:
    """A non-empty list of task ids."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ClientValidationError(
            f"{name} must be a list of task ids, got {values!r}", field=name
        )
    ids = [check_id(name, value) for value in values]
    if not ids:
        raise ClientValidationError(f"{name} must hold at least one task id", field=name)
    return ids


def check_strings(name: str, values: Any) -> list[str]:
    """A non-empty list of non-empty strings (a bare string is a mistake, not a list)."""
    if isinstance(values, (str, bytes)):
        raise ClientValidationError(
            f"{name} must be a list of strings, not a single string ({values!r}); "
            f"wrap it in a list",
            field=name,
        )
    if not isinstance(values, Iterable):
        raise ClientValidationError(f"{name} must be a list of strings, got {values!r}", field=name)
    items = list(values)
    if not items:
        raise ClientValidationError(f"{name} must not be empty", field=name)
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise ClientValidationError(
                f"{name} must hold non-empty strings, got {item!r}", field=name
            )
    return items


def check_start_time(value: Any) -> str:
    """``"HH:MM"`` (or ``"H:MM"``) in 24-hour form, or a :class:`datetime.time` (no seconds)."""
    if isinstance(value, time):
        if value.second or value.microsecond:
            raise ClientValidationError(
                f"start_time has minute precision; got {value.isoformat()}", field="start_time"
            )
        return value.strftime("%H:%M")
    matched = _HH_MM.fullmatch(value) if isinstance(value, str) else None
    if matched:
        return f"{int(matched.group(1)):02d}:{matched.group(2)}"  # "9:05" is sent as "09:05"
    raise ClientValidationError(
        f'start_time must be "HH:MM" (24-hour) or a datetime.time, got {value!r}',
        field="start_time",
    )


def query(**params: Any) -> dict[str, str]:
    """The query string of a list call: ``None`` values are left out, booleans spelled out."""
    result: dict[str, str] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            result[key] = "true" if value else "false"
        else:
            result[key] = str(int(value) if isinstance(value, int) else value)
    return result


def script_fields(
    config: ScriptConfig | None, script_name: str | None, script_config: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The ``script_name`` and ``script_config`` of a create, from a typed config or a mapping."""
    from .scripts import ScriptConfig  # the configs load when a task is first created

    if config is not None:
        if script_name is not None or script_config is not None:
            raise ClientValidationError(
                "pass either a typed script config or script_name/script_config, not both",
                field="script_name" if script_name is not None else "script_config",
            )
        if not isinstance(config, ScriptConfig):
            raise ClientValidationError(
                f"config must be a script config such as PostConfig, got {type(config).__name__}; "
                "for other scripts pass script_name= and script_config=",
                field="config",
            )
        return {"script_name": config.script_name, "script_config": config.to_dict()}
    if script_name is None:
        raise ClientValidationError(
            "a script is required: pass a config such as PostConfig(...), "
            "or script_name= with script_config=",
            field="script_name",
        )
    if not isinstance(script_name, str) or not script_name.strip():
        raise ClientValidationError(
            f"script_name must be a non-empty string, got {script_name!r}", field="script_name"
        )
    if script_config is not None and not isinstance(script_config, Mapping):
        raise ClientValidationError(
            f"script_config must be a mapping, got {type(script_config).__name__}",
            field="script_config",
        )
    return {"script_name": script_name, "script_config": dict(script_config or {})}
