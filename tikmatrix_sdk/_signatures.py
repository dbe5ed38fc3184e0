"""The signatures users see: what ``help()``, ``inspect`` and the API reference show.

An operation is written as a generator returning ``Program[Task]``, with ``**filters`` typed
by a ``TypedDict``; its users call a method returning ``Task`` with each filter a keyword.
This module builds that second signature from the first, resolving the annotations where
they were written, and the public names (the models and configs, which load on first use)
only when an annotation names them.
"""

from __future__ import annotations

import inspect
import sys
import typing
from collections.abc import Callable, Generator, Iterator, Mapping
from typing import Any, get_args, get_origin

from ._effects import Emit
from ._request_options import OPTION_NAMES
from ._types import NOT_GIVEN

__all__ = [
    "accepted_keywords",
    "item_type",
    "public_signature",
    "show_signature",
    "signature_annotations",
]


class _PublicNames(Mapping[str, Any]):
    """The package's names that load on first use, each loaded only when an annotation asks.

    Modules import the models, the configs and the screen's nodes only for type checkers
    (they load on first use), so their annotations name what their globals lack; those
    names are found here, as ``tikmatrix_sdk`` itself finds them (its ``_lazy_names()``).
    """

    @staticmethod
    def _names() -> dict[str, str]:
        package: Any = sys.modules["tikmatrix_sdk"]
        names: dict[str, str] = package._lazy_names()
        return names

    def __getitem__(self, name: str) -> Any:
        if name in self._names():
            return getattr(sys.modules["tikmatrix_sdk"], name)
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names()))

    def __len__(self) -> int:
        return len(self._names())


_PUBLIC = _PublicNames()


def signature_annotations(signature: inspect.Signature) -> dict[str, Any]:
    """A signature's annotations as ``__annotations__`` holds them."""
    annotations = {name: p.annotation for name, p in signature.parameters.items()}
    annotations["return"] = signature.return_annotation
    return annotations


def show_signature(function: Callable[..., Any], signature: inspect.Signature) -> None:
    """Make ``help()``, :mod:`inspect` and IDEs show ``signature`` for ``function``."""
    function.__signature__ = signature  # type: ignore[attr-defined]
    function.__annotations__ = signature_annotations(signature)


def _unpack_forms() -> tuple[Any, ...]:
    """``Unpack`` as :mod:`typing` spells it, and as :mod:`typing_extensions` does.

    The latter only if something imported it: an annotation cannot hold its ``Unpack``
    otherwise, and importing it here would cost every program that imports the SDK.
    """
    extensions = sys.modules.get("typing_extensions")
    unpack = getattr(extensions, "Unpack", None)
    return (typing.Unpack,) if unpack is None else (typing.Unpack, unpack)


def _hints(target: Any) -> dict[str, Any]:
    """``target``'s annotations as objects, read where they were written.

    A name the module imports only for type checkers (a model, a config) is taken from the
    package's public names. An annotation that names nothing is the SDK's bug: it is
    reported at once, naming the function, never left as text.
    """
    try:
        return typing.get_type_hints(target, localns=_PUBLIC, include_extras=True)
    except Exception as error:
        raise TypeError(
            f"{getattr(target, '__qualname__', target)}: the SDK cannot read its annotations "
            f"({type(error).__name__}: {error})"
        ) from error


def item_type(page_class: Any) -> Any:
    """``Task`` for ``TaskPage``: the element type of its ``items``."""
    items = typing.get_type_hints(page_class.items.fget)["return"]
    return items.__args__[0]


def _field_types(typed_dict: Any) -> dict[str, Any]:
    """The fields of a ``TypedDict``, each annotation read in the module that wrote it."""
    return typing.get_type_hints(typed_dict, localns=_PUBLIC)


def public_signature(fn: Callable[..., Any], *, face: Callable[[Any], Any]) -> inspect.Signature:
    """The signature users call: annotations resolved, ``**filters`` spelled out as keywords.

    The generator's ``Program[T]`` return becomes what ``face`` makes of ``T`` (``T`` itself,
    ``Iterator[T]`` for a stream, ``SyncPage[Task]`` for a page), so ``help()``,
    ``inspect.signature`` and the API reference show the result the caller gets.
    """
    signature = inspect.signature(fn)
    hints = _hints(fn)
    parameters: list[inspect.Parameter] = []
    for parameter in signature.parameters.values():
        unpacked = _unpacked(fn, parameter, hints)
        if unpacked is not None:
            parameters += [
                inspect.Parameter(
                    name,
                    inspect.Parameter.KEYWORD_ONLY,
                    default=NOT_GIVEN if name in OPTION_NAMES else None,
                    annotation=annotation,
                )
                for name, annotation in _field_types(unpacked).items()
            ]
        else:
            annotation = hints.get(parameter.name, parameter.annotation)
            parameters.append(parameter.replace(annotation=annotation))
    result = _program_result(hints.get("return", signature.return_annotation))
    return signature.replace(parameters=parameters, return_annotation=face(result))


def _unpacked(fn: Callable[..., Any], parameter: inspect.Parameter, hints: dict[str, Any]) -> Any:
    """The ``TypedDict`` of a ``**kwargs: Unpack[...]`` parameter, else ``None``.

    Any other ``**kwargs`` is refused loudly: the keywords an operation takes must be known.
    """
    if parameter.kind is not inspect.Parameter.VAR_KEYWORD:
        return None
    annotation = hints.get(parameter.name)
    if get_origin(annotation) in _unpack_forms():
        return get_args(annotation)[0]
    raise TypeError(
        f"{fn.__qualname__}: **{parameter.name} must be annotated Unpack[SomeTypedDict], "
        f"got {annotation!r}"
    )


def _program_result(annotation: Any) -> Any:
    """``T`` of ``Program[T]``, or of ``Stream[T]``."""
    if get_origin(annotation) is not Generator:
        return annotation
    yielded, _, returned = get_args(annotation)
    if returned is None or returned is type(None):  # a stream: what its Emit effects carry
        emitted = [get_args(y)[0] for y in get_args(yielded) if get_origin(y) is Emit]
        return emitted[0] if emitted else returned
    return returned


def accepted_keywords(fn: Callable[..., Any]) -> frozenset[str]:
    """Every keyword ``fn`` takes, ``**filters`` and options spelled out."""
    hints = _hints(fn)
    names: set[str] = set()
    for parameter in inspect.signature(fn).parameters.values():
        unpacked = _unpacked(fn, parameter, hints)
        if unpacked is not None:
            names.update(unpacked.__annotations__)
        else:
            names.add(parameter.name)
    return frozenset(names)
