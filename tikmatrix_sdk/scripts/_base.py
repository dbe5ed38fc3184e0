"""What every script config shares: declared options, their checks, and the wire form.

An option is declared once with :func:`option`: its documented default (kept in the field's
metadata, shown by :meth:`ScriptConfig.defaults`) and the checks its value must pass. The
attribute itself defaults to ``None``, meaning "not set": the server then applies the
documented default, and :meth:`ScriptConfig.to_dict` leaves the key out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from ..errors import ClientValidationError

if TYPE_CHECKING:
    from typing import Self

__all__ = [
    "Options",
    "ScriptConfig",
    "boolean",
    "choice",
    "integer",
    "number",
    "option",
    "split_targets",
    "string_list",
    "text",
]

Check = Callable[[str, Any], None]


def _fail(name: str, reason: str, value: Any) -> ClientValidationError:
    return ClientValidationError(f"{name} {reason}, got {value!r}", field=name)


class _Integer:
    """The check of an integer option; its field stores ``7.0`` as ``7``, as JSON does."""

    def __init__(self, minimum: int | None, maximum: int | None) -> None:
        self._check = _number_check((int,), "an integer", minimum, maximum)

    def __call__(self, name: str, value: Any) -> None:
        self._check(name, value)

    @staticmethod
    def convert(value: Any) -> Any:
        """An integral float as its ``int`` (JSON Schema's integer); anything else as it is."""
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
            return int(value)
        return value


def integer(minimum: int | None = None, maximum: int | None = None) -> Check:
    """An ``int`` (never a ``bool``; ``7.0`` is taken as ``7``) within the bounds."""
    return _Integer(minimum, maximum)


def number(minimum: float | None = None, maximum: float | None = None) -> Check:
    """An ``int`` or ``float`` (never a ``bool``) within the bounds."""
    return _number_check((int, float), "a number", minimum, maximum)


def _number_check(
    types: tuple[type, ...], kind: str, minimum: float | None, maximum: float | None
) -> Check:
    def check(name: str, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, types):
            raise _fail(name, f"must be {kind}", value)
        assert isinstance(value, (int, float))
        if minimum is not None and value < minimum:
            raise _fail(name, f"must be >= {minimum}", value)
        if maximum is not None and value > maximum:
            raise _fail(name, f"must be <= {maximum}", value)

    return check


def text(*, non_empty: bool = False) -> Check:
    """A ``str`` (non-empty, ignoring white space, when asked)."""

    def check(name: str, value: Any) -> None:
        if not isinstance(value, str):
            raise _fail(name, "must be a string", value)
        if non_empty and not value.strip():
            raise _fail(name, "must not be empty", value)

    return check


def boolean() -> Check:
    """A real ``bool`` (``0``, ``1`` and ``"true"`` are mistakes)."""

    def check(name: str, value: Any) -> None:
        if not isinstance(value, bool):
            raise _fail(name, "must be true or false", value)

    return check


def choice(*allowed: Any) -> Check:
    """One of the documented values, compared with its type (``True`` is not ``1``)."""

    def check(name: str, value: Any) -> None:
        if not any(type(value) is type(item) and value == item for item in allowed):
            listed = ", ".join(repr(item) for item in allowed)
            raise _fail(name, f"must be one of {listed}", value)

    return check


def string_list(*, non_empty: bool = False) -> Check:
    """A list of non-empty strings (a bare string is a mistake, not a one-item list)."""

    def check(name: str, value: Any) -> None:
        if not isinstance(value, tuple):
            hint = "; wrap a single value in a list" if isinstance(value, str) else ""
            raise _fail(name, f"must be a list of strings{hint}", value)
        if non_empty and not value:
            raise _fail(name, "must not be empty", value)
        for item in value:
            if not isinstance(item, str) or not item.strip():
                raise _fail(name, "must hold non-empty strings", value)

    return check


def _as_tuple(value: Any) -> Any:
    """Store lists as tuples (frozen configs hold no mutable values); leave the rest to checks."""
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return value


def option(default: Any, *checks: Check, converter: Callable[[Any], Any] | None = None) -> Any:
    """Declare an optional field: ``None`` unless set, documented ``default``, and its checks."""

    def validate(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None:
            for check in checks:
                check(attribute.name, value)

    if converter is None and any(isinstance(check, _Integer) for check in checks):
        converter = _Integer.convert
    return attrs.field(
        default=None, validator=validate, converter=converter, metadata={"default": default}
    )


def list_option(*, non_empty: bool = False) -> Any:
    """Declare an optional list-of-strings field (documented default: empty)."""
    return option([], string_list(non_empty=non_empty), converter=_as_tuple)


_SEPARATORS = re.compile(r"[\n,]")


def split_targets(
    many: Iterable[str] | None, joined: str | None, single: str | None = None
) -> list[str]:
    """The effective targets.

    The list if given, else the joined string split on newlines and commas, else the single
    value.
    """
    if many:
        return list(many)
    if joined:
        return [part.strip() for part in _SEPARATORS.split(joined) if part.strip()]
    return [single.strip()] if single and single.strip() else []


def _copy(value: Mapping[str, Any]) -> dict[str, Any]:
    return dict(value)


def _wire(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_wire(item) for item in value]
    if isinstance(value, Options):
        return value.to_dict()
    return value


@attrs.frozen(kw_only=True)
class Options:
    """A group of documented options with pass-through ``extra`` keys."""

    #: Keys the SDK does not know, sent as given.
    extra: Mapping[str, Any] = attrs.field(factory=dict, converter=_copy, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The wire form: only the options that were set, plus ``extra``."""
        result = {
            field.name: _wire(value)
            for field in attrs.fields(type(self))
            if field.name != "extra" and (value := getattr(self, field.name)) is not None
        }
        result.update(self.extra)
        return result

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read a stored configuration: known keys are checked, unknown ones kept in ``extra``."""
        names = {field.name for field in attrs.fields(cls)} - {"extra"}
        known = {key: value for key, value in data.items() if key in names}
        extra = {key: value for key, value in data.items() if key not in names}
        return cls(**known, extra=extra)

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """The documented default of every option."""
        return {
            field.name: field.metadata["default"]
            for field in attrs.fields(cls)
            if "default" in field.metadata
        }

    def resolved(self) -> dict[str, Any]:
        """What the server will use: the documented defaults overlaid with the set options."""
        return {**self.defaults(), **self.to_dict()}

    @classmethod
    def __attrs_init_subclass__(cls) -> None:
        # attrs writes a __repr__ naming every field; a config's names only what was set.
        cls.__repr__ = Options._set_options_repr  # type: ignore[method-assign, assignment]

    def _set_options_repr(self) -> str:
        """``PostConfig(captions='x')``: the options set (and ``extra`` if any), no ``None``."""
        shown = [
            f"{field.name}={value!r}"
            for field in attrs.fields(type(self))
            if field.name != "extra" and (value := getattr(self, field.name)) is not None
        ]
        if self.extra:
            shown.append(f"extra={dict(self.extra)!r}")
        return f"{type(self).__name__}({', '.join(shown)})"


@attrs.frozen(kw_only=True)
class ScriptConfig(Options):
    """The ``script_config`` of one script; subclasses name the script in ``script_name``.

    A subclass that names its script joins :data:`~tikmatrix_sdk.SCRIPT_CONFIGS` by itself.
    """

    script_name: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("script_name")
        if isinstance(name, str):  # attrs remakes a slotted class: the last one stays
            CONFIG_CLASSES[name] = cls


#: Every typed config class, by script name (filled as the classes are defined).
CONFIG_CLASSES: dict[str, type[ScriptConfig]] = {}


def require(condition: bool, field: str, message: str) -> None:
    """Raise a :class:`ClientValidationError` about ``field`` unless ``condition`` holds."""
    if not condition:
        raise ClientValidationError(message, field=field)
