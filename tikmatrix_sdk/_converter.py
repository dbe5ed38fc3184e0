"""The one ``cattrs`` converter that turns the API's JSON into models and back.

It is lenient where the contract asks the SDK to be (numeric strings, two time formats, aliases
of a few keys) and keeps unknown fields in each model's ``extra``. Structure functions are
generated once per class by cattrs, then wrapped so that the common case (no alias, no unknown
key) costs one set comparison on top of the generated code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from . import _json
from .models import (
    Account,
    AccountPage,
    CreatedTasks,
    DeletedTasks,
    License,
    RetriedTasks,
    Task,
    TaskPage,
    TaskSource,
    TaskStats,
    TaskStatus,
)

__all__ = ["converter", "structure"]

T = TypeVar("T")

converter = cattrs.Converter(detailed_validation=False)

_STATUSES = {member.value: member for member in TaskStatus}
_SOURCES = {member.value: member for member in TaskSource}
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})


def _int(value: Any, _: Any = None) -> int:
    if type(value) is int:
        return value
    if isinstance(value, bool):
        raise TypeError(f"expected an integer, got {value!r}")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return int(value.strip())
    raise TypeError(f"expected an integer, got {value!r}")


def _bool(value: Any, _: Any = None) -> bool:
    if value is True or value is False:
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        folded = value.strip().lower()
        if folded in _TRUE:
            return True
        if folded in _FALSE:
            return False
    raise TypeError(f"expected a boolean, got {value!r}")


def _str(value: Any, _: Any = None) -> str:
    if type(value) is str:
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"expected a string, got {value!r}")


def _status(value: Any, _: Any = None) -> TaskStatus | int:
    number = value if type(value) is int else _int(value)
    return _STATUSES.get(number, number)


def _source(value: Any, _: Any = None) -> TaskSource | str | None:
    if value is None:
        return None
    text = _str(value)
    return _SOURCES.get(text.lower(), text)


if sys.version_info >= (3, 11):
    _fromisoformat = datetime.fromisoformat
else:  # pragma: no cover - Python 3.10 lacks the "Z" suffix and a few ISO forms

    def _fromisoformat(text: str) -> datetime:
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        return datetime.fromisoformat(text)


def _datetime(value: Any, _: Any = None) -> datetime | None:
    """ISO 8601 or ``YYYY-MM-DD HH:MM:SS``; a time without an offset is local time."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        parsed = _fromisoformat(value.strip())
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value).astimezone()
    else:
        raise TypeError(f"expected a date-time, got {value!r}")
    return parsed if parsed.tzinfo is not None else parsed.astimezone()


def _mapping(value: Any, _: Any = None) -> Mapping[str, Any]:
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return value
    raise TypeError(f"expected an object, got {value!r}")


def _optional(fn: Callable[[Any, Any], T]) -> Callable[[Any, Any], T | None]:
    def structure_optional(value: Any, type_: Any = None) -> T | None:
        return None if value is None else fn(value, type_)

    return structure_optional


converter.register_structure_hook(int, _int)
converter.register_structure_hook(bool, _bool)
converter.register_structure_hook(str, _str)
converter.register_structure_hook(int | None, _optional(_int))
converter.register_structure_hook(bool | None, _optional(_bool))
converter.register_structure_hook(str | None, _optional(_str))
converter.register_structure_hook(TaskStatus | int, _status)
converter.register_structure_hook(TaskSource | str | None, _source)
converter.register_structure_hook(datetime | None, _datetime)
converter.register_structure_hook_func(lambda type_: type_ == Mapping[str, Any], _mapping)
converter.register_unstructure_hook(datetime, datetime.isoformat)
converter.register_unstructure_hook(TaskSource, lambda source: source.value)
converter.register_unstructure_hook_func(
    lambda type_: type_ == TaskSource | str | None, lambda source: str(source) if source else source
)


def _task_aliases(data: dict[str, Any]) -> dict[str, Any]:
    # TikMatrix may send the configuration as a JSON string under its internal name.
    if "script_config" not in data and isinstance(data.get("script_args"), str):
        data = dict(data)
        raw = data.pop("script_args")
        try:
            data["script_config"] = _json.loads(raw) if raw.strip() else {}
        except ValueError:
            data["script_args"] = raw
    return data


def _page_aliases(data: dict[str, Any]) -> dict[str, Any]:
    if "tasks" not in data:
        for alias in ("items", "list"):
            if alias in data:
                data = dict(data)
                data["tasks"] = data.pop(alias)
                break
    return data


def _account_aliases(data: dict[str, Any]) -> dict[str, Any]:
    if "device" not in data and "serial" in data:
        data = dict(data)
        data["device"] = data.pop("serial")
    return data


_ALIASES: dict[type[Any], Callable[[dict[str, Any]], dict[str, Any]]] = {
    Task: _task_aliases,
    TaskPage: _page_aliases,
    Account: _account_aliases,
}

def _register_model(cls: type[Any]) -> None:
    """Generate the structure function of one model and wrap it with aliases and extras."""
    fields = attrs.fields(cls)
    known = frozenset(f.name for f in fields if f.name != "extra")
    aliases = _ALIASES.get(cls)
    generated = make_dict_structure_fn(
        cls,
        converter,
        _cattrs_detailed_validation=False,
        extra=override(omit=True),
    )
    set_extra = object.__setattr__

    def structure_model(data: Any, _: Any = None) -> Any:
        if type(data) is not dict:
            if not isinstance(data, Mapping):
                raise TypeError(f"expected an object for {cls.__name__}, got {data!r}")
            data = dict(data)
        if data.keys() <= known:  # no alias, no unknown key: the common case
            return generated(data, cls)
        if aliases is not None:
            data = aliases(data)
        instance = generated(data, cls)
        extra = {key: value for key, value in data.items() if key not in known}
        if extra:
            set_extra(instance, "extra", extra)
        return instance

    unstructure_known = make_dict_unstructure_fn(cls, converter, extra=override(omit=True))

    def unstructure_model(instance: Any) -> dict[str, Any]:
        result: dict[str, Any] = {**instance.extra, **unstructure_known(instance)}
        return result

    converter.register_structure_hook(cls, structure_model)
    converter.register_unstructure_hook(cls, unstructure_model)


for _cls in (
    Task,
    TaskPage,
    TaskStats,
    CreatedTasks,
    DeletedTasks,
    RetriedTasks,
    License,
    Account,
    AccountPage,
):
    _register_model(_cls)


def structure(data: Any, cls: type[T]) -> T:
    """Build a model of type ``cls`` from decoded JSON."""
    return converter.structure(data, cls)
