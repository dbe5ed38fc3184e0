"""The one ``cattrs`` converter: API answers into models, and models back into JSON.

An API model is an attrs class that sets ``__api_model__`` (the base of ``models.py`` does).
The converter knows no model by name: the first time it meets one, it writes that model's
structure function as straight-line Python (see :func:`_generate_structure`) and an unstructure
function that puts the unknown fields of ``extra`` back. Reading is lenient where the contract
asks for it: numbers sent as text, two date-time formats, unknown enum values kept as plain
values, a model's key aliases (its ``_wire_aliases``), and unknown keys kept in ``extra``.
Other types (``cast_to=list[int]`` of ``client.get``) go through cattrs with the same
lenient readers for ``int``, ``str``, ``bool`` and date-times.
"""

from __future__ import annotations

import enum
import linecache
import re
import threading
import types
from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs
import cattrs

__all__ = ["ModelDefinitionError", "converter", "is_api_model", "structure"]

T = TypeVar("T")

converter = cattrs.Converter(detailed_validation=False)

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


def _float(value: Any, _: Any = None) -> float:
    if isinstance(value, bool):
        raise TypeError(f"expected a number, got {value!r}")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return float(value.strip())
    raise TypeError(f"expected a number, got {value!r}")


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


_fromisoformat = datetime.fromisoformat  # 3.11's: "Z" and the other ISO 8601 forms


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
converter.register_structure_hook(float, _float)
converter.register_structure_hook(int | None, _optional(_int))
converter.register_structure_hook(float | None, _optional(_float))
converter.register_structure_hook(bool | None, _optional(_bool))
converter.register_structure_hook(str | None, _optional(_str))
converter.register_structure_hook(datetime | None, _datetime)
converter.register_structure_hook_func(lambda type_: type_ == Mapping[str, Any], _mapping)
converter.register_unstructure_hook(datetime, datetime.isoformat)
converter.register_unstructure_hook_func(
    lambda type_: isinstance(type_, type) and issubclass(type_, enum.Enum), lambda e: e.value
)


_EMPTY: Mapping[str, Any] = MappingProxyType({})

#: How each field type is read from a JSON value ``v``: a fast path for the type the server
#: should send, then the lenient reader for anything else.
_READERS: dict[Any, str] = {
    int: "v if v.__class__ is int else _int(v)",
    str: "v if v.__class__ is str else _str(v)",
    bool: "v if v is True or v is False else _bool(v)",
    int | None: "v if v is None or v.__class__ is int else _int(v)",
    float | None: "v if v is None or v.__class__ is float else _float(v)",
    str | None: "v if v is None or v.__class__ is str else _str(v)",
    bool | None: "v if v is None or v is True or v is False else _bool(v)",
    Mapping[str, Any]: "v if v.__class__ is dict else _mapping(v)",
    tuple[int, ...]: "tuple([x if x.__class__ is int else _int(x) for x in v])",
}

#: Date-times take statements rather than an expression, to parse without extra calls.
_DATETIME_LINES = [
    "if v.__class__ is str and v:",
    "    v = _fromiso(v)",
    "    if v.tzinfo is None:",
    "        v = v.astimezone()",
    "elif v is not None:",
    "    v = _datetime(v)",
]
_V = re.compile(r"\bv\b")


def datetime_lines(local: str = "v") -> list[str]:
    """Lines that read the date-time in ``local`` (text, a number or ``None``) in place."""
    return [_V.sub(local, line) for line in _DATETIME_LINES]


def compile_function(
    what: str, name: str, source: str, namespace: dict[str, Any]
) -> Callable[..., Any]:
    """Compile generated ``source`` defining function ``name`` in ``namespace``; return it.

    The source is kept in ``linecache`` under a name of its own, as attrs and cattrs keep
    theirs: a debugger and a traceback show the generated lines.
    """
    filename = f"<tikmatrix_sdk generated {what}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)
    function: Callable[..., Any] = namespace.pop(name)
    return function


def enum_reader(type_: Any) -> tuple[dict[Any, Any], Callable[[Any], Any]] | None:
    """The members by value and a lenient reader, for an enum field.

    ``SomeEnum``, ``SomeEnum | None``, ``SomeEnum | int`` or ``SomeEnum | str``: numbers sent
    as text are read, text in any case. A value the enum does not know becomes what the enum
    makes of it (the SDK's enums make a pseudo-member), else the plain ``int`` or ``str`` the
    union allows. Any other type gives ``None``.
    """
    if isinstance(type_, type) and issubclass(type_, enum.Enum):
        args: tuple[Any, ...] = (type_,)
    elif get_origin(type_) in (Union, types.UnionType):
        args = get_args(type_)
    else:
        return None
    enums = [a for a in args if isinstance(a, type) and issubclass(a, enum.Enum)]
    if len(enums) != 1:
        return None
    enum_type = enums[0]
    members: dict[Any, Any] = {member.value: member for member in enum_type}
    numeric = all(isinstance(value, int) for value in members)
    raw = int if int in args else str if str in args else None
    if raw is None and not all(isinstance(value, int | str) for value in members):
        return None
    optional = type(None) in args
    folded = {str(value).lower(): member for value, member in members.items()}

    def read(value: Any, _: Any = None) -> Any:
        if value is None and optional:
            return None
        if isinstance(value, enum_type):  # a default, or a model built in code
            return value
        if numeric:
            number = _int(value)
            if number in members:
                return members[number]
            return number if raw is int else enum_type(number)
        text = _str(value)
        found = folded.get(text.lower())
        if found is not None:
            return found
        return text if raw is str else enum_type(text)

    return members, read


class ModelDefinitionError(Exception):
    """The SDK cannot read a type one of its models declares: the SDK's bug, not the server's.

    Raised when a model's structure function is first built (``tests/sdk`` builds every
    model's), never reported as :class:`~tikmatrix_sdk.ResponseValidationError`.
    """


def _hook(type_: Any, namespace: dict[str, Any], where: str) -> str:
    """Put cattrs' structure hook for ``type_`` in ``namespace``; the name it has there."""
    try:
        hook = converter.get_structure_hook(type_)
    except Exception as error:
        raise ModelDefinitionError(f"{where}: the SDK cannot read {type_!r} ({error})") from error
    name = f"_hook_{len(namespace)}"
    namespace[name], namespace[f"{name}_type"] = hook, type_
    return name


def _reader(type_: Any, namespace: dict[str, Any], where: str) -> str:
    """The expression that reads a JSON value ``v`` as ``type_``.

    The types the contract's answers use most have an inline fast path; any other type (a
    model, an optional model, a tuple of models or strings, a union …) goes through the
    converter's own hook for it.
    """
    if type_ in _READERS:
        return _READERS[type_]
    found = enum_reader(type_)
    if found is not None:
        members, read = found
        name = f"_enum_{len(namespace)}"
        namespace[f"{name}_members"], namespace[f"{name}_read"] = members, read
        if all(isinstance(value, int) for value in members):
            known = f"v.__class__ is int and v in {name}_members"
            return f"{name}_members[v] if {known} else {name}_read(v)"
        return (
            f"{name}_members[v] if v.__class__ is str and v in {name}_members else {name}_read(v)"
        )
    args = get_args(type_)
    if get_origin(type_) is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _hook(args[0], namespace, where)
        return f"tuple([{item}(x, {item}_type) for x in v])"
    hook = _hook(type_, namespace, where)
    return f"{hook}(v, {hook}_type)"


#: How many key layouts of one model get a reader of their own (see :meth:`_Reader.layout`);
#: an answer in any further layout takes the model's general reader.
MAX_LAYOUTS = 16
#: A layout with more keys than this takes the general reader (no JSON answer is that wide).
MAX_LAYOUT_KEYS = 64


def _unknown(data: dict[str, Any], known: frozenset[str]) -> Mapping[str, Any]:
    """The keys of an answer its model does not know, kept in the model's ``extra``."""
    return {key: data[key] for key in data.keys() - known} or _EMPTY


class _Reader:
    """Writes one model's readers: Python source, compiled once per key layout.

    Every reader does the same per field: one lookup, one type check (the lenient reader
    only when the value needs it), and the model is then handed its whole ``__dict__`` at
    once (the models are dict-based for this: a frozen class's ``__init__`` sets each field
    through ``object.__setattr__``, several times slower). Readers differ only in how they
    find the keys:

    * the model's own function takes an answer holding exactly the model's fields (the
      documented answer) with one subscript per field;
    * a *layout reader* takes one other layout, the answer's keys in their order (another
      TikMatrix version's, with optional keys left out or keys the SDK does not know): the
      absent fields are its defaults and the unknown keys its ``extra``, written into its
      source, so such an answer costs about what the documented one does. The first
      :data:`MAX_LAYOUTS` layouts a model meets get one;
    * the *general reader* takes any other answer: each key looked up with a default, the
      unknown ones collected at the end.

    A key the server sent never enters the source: a layout reader reads its unknown keys
    through names bound to them.
    """

    def __init__(self, cls: type[Any]) -> None:
        attrs.resolve_types(cls)  # annotations written as text (``from __future__ import …``)
        self.cls = cls
        self.fields = [f for f in attrs.fields(cls) if f.name != "extra"]
        self.names = frozenset(f.name for f in self.fields)
        self.required = frozenset(f.name for f in self.fields if f.default is attrs.NOTHING)
        self.layouts: dict[tuple[str, ...], Callable[[dict[str, Any]], Any]] = {}
        # Writing a reader binds names in the shared namespace and takes its function back
        # out: two threads meeting new layouts at once (a fleet's) must not interleave.
        self._writing = threading.Lock()
        self.namespace: dict[str, Any] = {
            **globals(),
            "_cls": cls,
            "_new": object.__new__,
            "_fromiso": _fromisoformat,
            "_validate": attrs.validate,
            "_aliases": getattr(cls, "_wire_aliases", None),
            "_known": self.names,
            "_layouts": self.layouts,
            "_layout": self.layout,
        }
        for index, field in enumerate(self.fields):
            if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
                self.namespace[f"_d{index}"] = field.default.factory
            elif field.default is not attrs.NOTHING:
                self.namespace[f"_d{index}"] = field.default
        self.finish = self._finish()
        self.general = self._compile("general", "_general", [*self._general(), *self.finish])

    def _default(self, index: int) -> str:
        """The expression of field ``index``'s default (a factory's made fresh each time)."""
        factory = isinstance(self.fields[index].default, attrs.Factory)  # type: ignore[arg-type]
        return f"_d{index}()" if factory else f"_d{index}"

    def _finish(self, absent: frozenset[str] = frozenset()) -> list[str]:
        """Lines that check the values ``v0`` … and return the model, ``extra`` set.

        The fields in ``absent`` hold their defaults, taken as they are.
        """
        lines: list[str] = []
        values = []
        for index, field in enumerate(self.fields):
            local = f"v{index}"
            if field.name in absent:
                values.append(f"{field.name!r}: {local}")
            elif field.type == datetime | None:
                lines.extend(datetime_lines(local))
                values.append(f"{field.name!r}: {local}")
            else:
                where = f"{self.cls.__name__}.{field.name}"
                reader = _reader(field.type, self.namespace, where)
                values.append(f"{field.name!r}: {_V.sub(local, reader)}")
        validate = any(f.validator is not None for f in self.fields)
        return [
            *lines,
            "inst = _new(_cls)",
            f"inst.__dict__.update({{{', '.join(values)}, 'extra': extra}})",
            *(["_validate(inst)"] if validate else []),
            "return inst",
        ]

    def _general(self) -> list[str]:
        """The general reader's body: each key looked up once, counting the known ones."""
        lines = [f"n = {len(self.required)}"]
        for index, field in enumerate(self.fields):
            key, local = repr(field.name), f"v{index}"
            if field.name in self.required:
                lines.append(f"{local} = o[{key}]")
            else:
                lines += [
                    f"if {key} in o:",
                    f"    {local} = o[{key}]",
                    "    n += 1",
                    "else:",
                    f"    {local} = {self._default(index)}",
                ]
        # Every key found is the model's: nothing more to do; else the others go in extra.
        return [*lines, "extra = _EMPTY if len(o) == n else _unknown(o, _known)"]

    def _compile(self, what: str, name: str, body: list[str]) -> Callable[..., Any]:
        source = "\n".join([f"def {name}(o, _=None):", *(f"    {line}" for line in body)]) + "\n"
        cls = self.cls
        return compile_function(
            f"{what} {cls.__module__}.{cls.__qualname__}", name, source, self.namespace
        )

    def structure(self) -> Callable[..., Any]:
        """The model's structure function: the documented answer's path, then the others."""
        exact = [f"v{index} = o[{field.name!r}]" for index, field in enumerate(self.fields)]
        body = [
            "if o.__class__ is not dict:",
            "    o = _as_dict(o, _cls)",
            # The documented keys exactly (the common case): as many keys as fields, each found.
            f"if len(o) == {len(self.fields)}:",
            "    try:",
            *(f"        {line}" for line in exact),
            "    except KeyError:",
            "        pass",
            "    else:",
            "        extra = _EMPTY",
            *(f"        {line}" for line in self.finish),
            # An alias renames a key that is not a field: an answer of the fields alone has none.
            *(["o = _aliases(o)"] if self.namespace["_aliases"] is not None else []),
            "keys = tuple(o)",
            "read = _layouts.get(keys)",
            "return (_layout(keys) if read is None else read)(o)",
        ]
        return self._compile("structure", "structure", body)

    def layout(self, keys: tuple[str, ...]) -> Callable[[dict[str, Any]], Any]:
        """The reader for answers whose keys are ``keys``, in that order; made on first sight.

        The general reader when a required field is absent (it raises the ``KeyError``), the
        layout is too wide, or the model has met :data:`MAX_LAYOUTS` layouts already.
        """
        if len(keys) > MAX_LAYOUT_KEYS or not self.required <= set(keys):
            return self.general
        with self._writing:
            found = self.layouts.get(keys)  # written meanwhile by another thread
            if found is not None:
                return found
            if len(self.layouts) >= MAX_LAYOUTS:
                return self.general
            return self._write_layout(keys)

    def _write_layout(self, keys: tuple[str, ...]) -> Callable[[dict[str, Any]], Any]:
        present = set(keys)
        tag = len(self.namespace)
        lines = []
        for index, field in enumerate(self.fields):
            found = f"o[{field.name!r}]" if field.name in present else self._default(index)
            lines.append(f"v{index} = {found}")
        unknown = [key for key in keys if key not in self.names]
        for number, key in enumerate(unknown):
            self.namespace[f"_k{tag}_{number}"] = key  # a server's key is bound, never written
        pairs = ", ".join(f"_k{tag}_{n}: o[_k{tag}_{n}]" for n in range(len(unknown)))
        lines.append(f"extra = {{{pairs}}}" if unknown else "extra = _EMPTY")
        absent = self.names - present
        body = [*lines, *self._finish(frozenset(absent))]
        read = self._compile(f"layout {len(self.layouts) + 1}", "_read", body)
        self.layouts[keys] = read
        return read


def _generate_structure(cls: type[Any]) -> Callable[..., Any]:
    """Write the structure function of one model as straight-line Python, once.

    See :class:`_Reader`: the documented answer, another version's answer and any other
    answer each take a path of their own, each a straight line of Python.
    """
    return _Reader(cls).structure()


def _as_dict(data: Any, cls: type[Any]) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise TypeError(f"expected an object for {cls.__name__}, got {data!r}")
    return dict(data)


def is_api_model(type_: Any) -> bool:
    """Whether ``type_`` is one of the API's models (they set ``__api_model__``)."""
    return isinstance(type_, type) and getattr(type_, "__api_model__", False) is True


def _structure_factory(cls: type[Any]) -> Callable[..., Any]:
    """:func:`_generate_structure`, any failure of it reported as the SDK's own."""
    try:
        return _generate_structure(cls)
    except ModelDefinitionError:
        raise
    except Exception as error:  # a bug of the generator: never blamed on an answer
        raise ModelDefinitionError(f"the SDK cannot read {cls.__name__}: {error!r}") from error


converter.register_structure_hook_factory(is_api_model, _structure_factory)
# A model is written back by its own ``to_dict`` (the contract's writer): one way, not two.
converter.register_unstructure_hook_factory(is_api_model, lambda cls: cls.to_dict)
converter.register_structure_hook_func(
    lambda type_: enum_reader(type_) is not None,
    lambda value, type_: enum_reader(type_)[1](value),  # type: ignore[index]
)


def structure(data: Any, cls: type[T]) -> T:
    """Build a model of type ``cls`` from decoded JSON."""
    return converter.structure(data, cls)
