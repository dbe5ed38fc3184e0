"""The signatures users see: what ``help()``, ``inspect`` and the API reference show.

An operation is written as a generator returning ``Program[Task]``, with ``**filters`` typed
by a ``TypedDict``; its users call a method returning ``Task`` with each filter a keyword.
This module builds that second signature from the first, resolving the annotations where
they were written, and the public names (the models and configs, which load on first use)
only when an annotation names them.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable, Generator, Iterator, Mapping
from typing import Any, ForwardRef, get_args, get_origin, get_type_hints

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

_UNPACKED = re.compile(r"Unpack\[(\w+)\]")
_RESULT = re.compile(r"(?:Program|Stream)\[(.+)\]")


class _PublicNames(Mapping[str, Any]):
    """The package's public names, each loaded only when an annotation asks for it.

    Modules import the models and configs only for type checkers (they load on first use),
    so their annotations name what their globals lack; those names are found here.
    """

    def __getitem__(self, name: str) -> Any:
        import tikmatrix_sdk

        if name not in tikmatrix_sdk.__all__:
            raise KeyError(name)
        return getattr(tikmatrix_sdk, name)

    def __iter__(self) -> Iterator[str]:
        import tikmatrix_sdk

        return iter(tikmatrix_sdk.__all__)

    def __len__(self) -> int:
        import tikmatrix_sdk

        return len(tikmatrix_sdk.__all__)


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


def _resolve(annotation: Any, namespace: dict[str, Any]) -> Any:
    """The object a string annotation names, or the string when it cannot be evaluated."""
    if not isinstance(annotation, str):
        return annotation
    try:
        return eval(annotation, namespace, _PUBLIC)  # the module's own annotation text
    except Exception:
        return annotation


def item_type(page_class: Any) -> Any:
    """``Task`` for ``TaskPage``: the element type of its ``items``."""
    items = get_type_hints(page_class.items.fget)["return"]
    return items.__args__[0]


def _field_types(typed_dict: Any, namespace: dict[str, Any]) -> dict[str, Any]:
    """The fields of a ``TypedDict``, each annotation read in the module that wrote it."""
    fields = {}
    for name, annotation in typed_dict.__annotations__.items():
        scope = namespace
        if isinstance(annotation, ForwardRef):
            module = sys.modules.get(annotation.__forward_module__ or "")
            scope = {**namespace, **vars(module)} if module is not None else namespace
            annotation = annotation.__forward_arg__
        fields[name] = _resolve(annotation, scope)
    return fields


def public_signature(fn: Callable[..., Any], *, face: Callable[[Any], Any]) -> inspect.Signature:
    """The signature users call: annotations resolved, ``**filters`` spelled out as keywords.

    The generator's ``Program[T]`` return becomes what ``face`` makes of ``T`` (``T`` itself,
    ``Iterator[T]`` for a stream, ``SyncPage[Task]`` for a page), so ``help()``,
    ``inspect.signature`` and the API reference show the result the caller gets.
    """
    signature = inspect.signature(fn)
    namespace = fn.__globals__
    parameters: list[inspect.Parameter] = []
    for parameter in signature.parameters.values():
        unpacked = _unpacked(parameter, namespace)
        if unpacked is not None:
            fields = _field_types(unpacked, namespace)
            parameters += [
                inspect.Parameter(
                    name,
                    inspect.Parameter.KEYWORD_ONLY,
                    default=NOT_GIVEN if name in OPTION_NAMES else None,
                    annotation=annotation,
                )
                for name, annotation in fields.items()
            ]
        else:
            annotation = _resolve(parameter.annotation, namespace)
            parameters.append(parameter.replace(annotation=annotation))
    result = _program_result(signature.return_annotation, namespace)
    return signature.replace(parameters=parameters, return_annotation=face(result))


def _unpacked(parameter: inspect.Parameter, namespace: dict[str, Any]) -> Any:
    """The ``TypedDict`` of a ``**kwargs: Unpack[...]`` parameter, else ``None``."""
    if parameter.kind is not inspect.Parameter.VAR_KEYWORD:
        return None
    annotation = parameter.annotation
    if isinstance(annotation, str):
        matched = _UNPACKED.fullmatch(annotation)
        return namespace[matched.group(1)] if matched else None
    if getattr(get_origin(annotation), "_name", None) == "Unpack":  # typing or typing_extensions
        return get_args(annotation)[0]
    return None


def _program_result(annotation: Any, namespace: dict[str, Any]) -> Any:
    """``T`` of ``Program[T]``, or of ``Stream[T]``, written as text or as a type."""
    if isinstance(annotation, str):
        returned = _RESULT.fullmatch(annotation)
        return _resolve(returned.group(1), namespace) if returned else annotation
    if get_origin(annotation) is not Generator:
        return annotation
    yielded, _, returned = get_args(annotation)
    if returned is None or returned is type(None):  # a stream: what its Emit effects carry
        emitted = [get_args(y)[0] for y in get_args(yielded) if get_origin(y) is Emit]
        return emitted[0] if emitted else returned
    return returned


def accepted_keywords(fn: Callable[..., Any]) -> frozenset[str]:
    """Every keyword ``fn`` takes, ``**filters`` and options spelled out.

    Read from the names alone, with no annotation evaluated, so a call never depends on
    building the signature for ``help()``.
    """
    names: set[str] = set()
    for parameter in inspect.signature(fn).parameters.values():
        unpacked = _unpacked(parameter, fn.__globals__)
        if unpacked is not None:
            names.update(unpacked.__annotations__)
        else:
            names.add(parameter.name)
    return frozenset(names)
