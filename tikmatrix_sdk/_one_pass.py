"""An answer read in one pass by msgspec, where it reads exactly as the two-step path would.

The SDK reads an answer in two steps (see :mod:`._response` and :mod:`._converter`): orjson
decodes the JSON, then a reader generated per model builds the models. Where msgspec is
installed (a dependency on CPython), an endpoint whose data is an API model first tries one
pass: msgspec decodes the envelope straight into *mirror* structs made from the model's fields,
checking every type in C, and a function generated per model turns each struct into the model.

That pass only answers what it reads exactly as the two-step path does; anything else is a
*miss*, and the answer is read the two-step way, which owns every error and its message. The
rules that keep the two equal (``tests/sdk/test_one_pass.py`` compares them on generated
answers):

* msgspec checks only what both paths read alike: integers, text, booleans, numbers, objects,
  lists of integers, and enums (msgspec asks the enum's ``_missing_``, as the converter does);
  a number sent as text, a float for an integer or any other leniency is a miss;
* date-times are decoded as text and parsed by the converter's own lines;
* an integer beyond 64 bits in a typed field is a miss (orjson reads it as a float); inside
  a free-form value (a script's configuration, an unknown key's value) the one pass keeps
  it exact where orjson makes it a float, the one difference left, for numbers no server
  sends;
* a key the model does not know is a miss, until it is *learned*: once the two-step path has
  read an answer holding it (into the model's ``extra``), the mirror gets an optional field for
  it, and later answers with or without it take the one pass, the key into ``extra`` again. A
  model learns at most :data:`MAX_LEARNED` keys, none longer than :data:`MAX_KEY_LENGTH`, and
  never a key one of its aliases renames (those answers keep the two-step path);
* an answer that missed and taught nothing makes its endpoint's type skip the one pass for its
  next :data:`SKIP_AFTER_MISS` answers, so a server whose answers always miss costs little.

A key the server sent never enters generated source: learned keys are bound to names.
"""

from __future__ import annotations

import threading
import types
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Annotated, Any, Union, get_args, get_origin

import attrs

from . import _converter

__all__ = [
    "MAX_KEY_LENGTH",
    "MAX_LEARNED",
    "MISS",
    "SKIPPED",
    "SKIP_AFTER_MISS",
    "learn",
    "read",
]

#: What :func:`read` returns when it tried the answer and it needs the two-step path.
MISS: Any = object()
#: What :func:`read` returns when it did not try (no one pass for the type, or skipping).
SKIPPED: Any = object()
#: How many unknown keys one model learns at most.
MAX_LEARNED = 16
#: The longest key a model learns.
MAX_KEY_LENGTH = 64
#: How many answers of one type skip the one pass after a miss that taught nothing.
SKIP_AFTER_MISS = 15

msgspec: Any
try:
    import msgspec
except ImportError:  # pragma: no cover - PyPy, where msgspec has no wheel
    msgspec = None

_ABSENT = object()  # a learned key the answer left out
_SIMPLE = frozenset({int, str, bool, float, type(None)})
#: Integers the one pass reads: signed 64-bit ones (msgspec bounds no wider), which orjson
#: reads as integers too.
_INT64: Any = int if msgspec is None else Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]


class _Unsupported(Exception):
    """A field type the one pass does not read: the model keeps the two-step path."""


class _Plan:
    """How one endpoint type's answers are read in one pass."""

    __slots__ = ("convert", "decoder", "skip")

    def __init__(self, decoder: Any, convert: Callable[[Any], Any]) -> None:
        self.decoder = decoder
        self.convert = convert
        self.skip = 0


_lock = threading.Lock()
#: The plan for each endpoint type, ``None`` for a type without one; emptied when a key is learned.
_plans: dict[Any, _Plan | None] = {}
#: The keys each model has learned, in the order it learned them.
_learned: dict[type[Any], tuple[str, ...]] = {}


def read(content: bytes, returns: Any) -> Any:
    """The envelope's data read into ``returns`` in one pass, :data:`MISS` or :data:`SKIPPED`.

    Never raises for an answer: whatever the one pass cannot read is a miss (then call
    :func:`learn` with what the two steps made of it).
    """
    try:
        plan = _plans[returns]
    except KeyError:
        plan = _plan_for(returns)
    if plan is None:
        return SKIPPED
    skip = plan.skip
    if skip > 0:  # threads may race here: at worst one answer more or less is skipped
        plan.skip = skip - 1
        return SKIPPED
    try:
        envelope = plan.decoder.decode(content)
        if envelope.code != 0:
            return MISS
        return plan.convert(envelope.data)
    except Exception:  # every failure is the two-step path's to report
        return MISS


def learn(returns: Any, result: Any) -> None:
    """After a :data:`MISS` that the two-step path read as ``result``: learn its unknown keys.

    When it teaches nothing, ``returns`` skips the one pass for a while.
    """
    plan = _plans.get(returns)
    if plan is None:
        return
    found: dict[type[Any], set[Any]] = {}
    _collect(result, found)
    with _lock:
        taught = False
        for cls, keys in found.items():
            known = _learned.get(cls, ())
            fresh = [key for key in sorted(keys) if key not in known and _learnable(cls, key)]
            room = MAX_LEARNED - len(known)
            if fresh and room > 0:
                _learned[cls] = (*known, *fresh[:room])
                taught = True
        if taught:
            _plans.clear()
            return
    plan.skip = SKIP_AFTER_MISS


def _collect(value: Any, found: dict[type[Any], set[Any]]) -> None:
    """Put the keys of every model's ``extra`` in ``value`` into ``found``, by model."""
    if isinstance(value, tuple):
        for item in value:
            _collect(item, found)
        return
    cls = type(value)
    if not _converter.is_api_model(cls):
        return
    if value.extra:
        found.setdefault(cls, set()).update(value.extra)
    for name in _nested_fields(cls):
        _collect(getattr(value, name), found)


#: The fields of each model class that hold models (filled as answers are read).
_nested: dict[type[Any], tuple[str, ...]] = {}


def _nested_fields(cls: type[Any]) -> tuple[str, ...]:
    """The fields of a model class that hold models (one or a tuple of them)."""
    found = _nested.get(cls)
    if found is None:
        found = _nested[cls] = tuple(
            field.name
            for field in attrs.fields(cls)
            if field.name != "extra" and _holds_model(field.type)
        )
    return found


def _learnable(cls: type[Any], key: Any) -> bool:
    """Whether ``key`` may become a mirror field: text, short, and no alias renames it."""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        return False
    aliases = getattr(cls, "_wire_aliases", None)
    if aliases is None:
        return True
    probe = {key: "{}"}  # text that is JSON too, so an alias reading either kind fires
    return bool(aliases(dict(probe)) == probe)


def _holds_model(type_: Any) -> bool:
    if _converter.is_api_model(type_):
        return True
    return any(_holds_model(arg) for arg in get_args(type_))


def _plan_for(returns: Any) -> _Plan | None:
    with _lock:
        if returns in _plans:
            return _plans[returns]
        plan = None
        if msgspec is not None and _converter.is_api_model(returns):
            try:
                mirror, convert = _Mirror.of(returns)
                envelope = msgspec.defstruct(
                    f"{returns.__name__}Envelope", [("code", int), ("data", mirror)]
                )
                plan = _Plan(msgspec.json.Decoder(envelope), convert)
            except Exception:  # a type the one pass cannot mirror keeps the two steps
                plan = None
        _plans[returns] = plan
        return plan


class _Mirror:
    """Writes one model's mirror struct and the function that turns it into the model."""

    def __init__(self, cls: type[Any], made: dict[type[Any], tuple[Any, Callable[..., Any]]]):
        attrs.resolve_types(cls)
        self.cls = cls
        self.made = made
        self.namespace: dict[str, Any] = {
            "_asdict": msgspec.structs.asdict,
            "_new": object.__new__,
            "_set": object.__setattr__,
            "_cls": cls,
            "_validate": attrs.validate,
            "_absent": _ABSENT,
            "_EMPTY": _converter._EMPTY,
            "_fromiso": _converter._fromisoformat,
            "_datetime": _converter._datetime,
        }

    @classmethod
    def of(
        cls,
        model: type[Any],
        made: dict[type[Any], tuple[Any, Callable[..., Any]]] | None = None,
    ) -> tuple[Any, Callable[[Any], Any]]:
        """The mirror struct of ``model`` and its converter (nested models' made once)."""
        made = {} if made is None else made
        if model not in made:
            made[model] = cls(model, made).write()
        return made[model]

    def write(self) -> tuple[Any, Callable[[Any], Any]]:
        fields = [f for f in attrs.fields(self.cls) if f.name != "extra"]
        specs: list[tuple[str, Any, Any]] = []
        lines: list[str] = ["d = _asdict(s)"]
        for field in fields:
            kind, line = self._field(field.name, field.type)
            if field.default is attrs.NOTHING:
                specs.append((field.name, kind, msgspec.NODEFAULT))
            elif isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
                specs.append(
                    (field.name, kind, msgspec.field(default_factory=field.default.factory))
                )
            else:
                specs.append((field.name, kind, field.default))
            lines.extend(line)
        learned = _learned.get(self.cls, ())
        names = {field.name for field in fields}
        if learned:
            lines.append("extra = {}")
        for number, key in enumerate(learned):
            local = f"learned_{number}"
            while local in names:
                local += "_"
            self.namespace[f"_key_{number}"] = key  # a server's key is bound, never written
            specs.append((local, Any, msgspec.field(default=_ABSENT, name=key)))
            lines += [
                f"v = d.pop({local!r})",
                "if v is not _absent:",
                f"    extra[_key_{number}] = v",
            ]
        lines.append("d['extra'] = extra or _EMPTY" if learned else "d['extra'] = _EMPTY")
        lines += ["inst = _new(_cls)", "_set(inst, '__dict__', d)"]
        if any(field.validator is not None for field in fields):
            lines.append("_validate(inst)")
        lines.append("return inst")
        struct = msgspec.defstruct(
            f"{self.cls.__name__}Mirror", specs, kw_only=True, forbid_unknown_fields=True
        )
        return struct, self._compile(lines)

    def _field(self, name: str, type_: Any) -> tuple[Any, list[str]]:
        """The field's type in the mirror, and the lines that finish its value in ``d``."""
        if type_ in _SIMPLE or _is_simple_optional(type_):
            return _bounded(type_), []
        if _converter.enum_reader(type_) is not None:
            # msgspec asks the enum's ``_missing_`` as the converter does; but in a union with
            # a plain type the converter keeps an unknown value plain, which msgspec cannot.
            if int in get_args(type_) or str in get_args(type_):
                raise _Unsupported(type_)
            return type_, []
        if type_ == datetime | None:
            return str | None, [
                f"v = d[{name!r}]",
                *_converter.datetime_lines(),
                f"d[{name!r}] = v",
            ]
        if type_ == Mapping[str, Any]:
            return dict[str, Any], []
        args = get_args(type_)
        if get_origin(type_) is tuple and len(args) == 2 and args[1] is Ellipsis:
            item = args[0]
            if item in (int, str):
                return tuple[_bounded(item), ...], []  # type: ignore[misc]
            if _converter.is_api_model(item):
                mirror, local = self._nested(item)
                return tuple[mirror, ...], [  # type: ignore[valid-type]
                    f"d[{name!r}] = tuple([{local}(x) for x in d[{name!r}]])"
                ]
        if _converter.is_api_model(type_):
            mirror, local = self._nested(type_)
            return mirror, [f"d[{name!r}] = {local}(d[{name!r}])"]
        if get_origin(type_) in (Union, types.UnionType) and type(None) in args and len(args) == 2:
            inner = next(arg for arg in args if arg is not type(None))
            if _converter.is_api_model(inner):
                mirror, local = self._nested(inner)
                return mirror | None, [
                    f"v = d[{name!r}]",
                    f"d[{name!r}] = None if v is None else {local}(v)",
                ]
        raise _Unsupported(type_)

    def _nested(self, model: type[Any]) -> tuple[Any, str]:
        """A nested model's mirror, and the name its converter is bound to here."""
        mirror, convert = _Mirror.of(model, self.made)
        local = f"_c{len(self.namespace)}"
        self.namespace[local] = convert
        return mirror, local

    def _compile(self, lines: list[str]) -> Callable[[Any], Any]:
        source = "\n".join(["def convert(s):", *(f"    {line}" for line in lines)]) + "\n"
        where = f"{self.cls.__module__}.{self.cls.__qualname__}"
        return _converter.compile_function(f"one-pass {where}", "convert", source, self.namespace)


def _bounded(type_: Any) -> Any:
    """``type_`` with its integers held to 64 bits (an integer outside them is a miss).

    orjson reads an integer beyond 64 bits as a float, msgspec as the integer itself: the
    two steps would make of ``10**23`` another number than the one pass.
    """
    if type_ is int:
        return _INT64
    if type_ == int | None:
        return _INT64 | None
    return type_


def _is_simple_optional(type_: Any) -> bool:
    if get_origin(type_) not in (Union, types.UnionType):
        return False
    args = get_args(type_)
    return type(None) in args and len(args) == 2 and all(arg in _SIMPLE for arg in args)
