"""Resources (``client.tasks`` …) and the descriptors that give one definition every face.

An operation is written once, as a generator method of a resource. Read from a resource of the
blocking client it is a plain method returning the result; from the async client, a coroutine
function; from ``with_raw_response``, a method returning a :class:`RawResponse` around the
result. :class:`operation`, :class:`paged` and :class:`stream` do that binding, and their
overloads tell type checkers which face they get. Every face takes the per-call options
(``timeout=``, ``extra_headers=`` …), which the binder applies to the call's requests.
"""

from __future__ import annotations

import functools
import inspect
import re
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import (
    TYPE_CHECKING,
    Any,
    Concatenate,
    ForwardRef,
    Generic,
    ParamSpec,
    TypeVar,
    get_type_hints,
    overload,
)

from ._effects import Program, Stream
from ._pages import AsyncPage, PageData, SyncPage
from ._raw_response import RawResponse, recording_response
from ._request_options import OPTION_NAMES, split_options, with_options
from ._types import NOT_GIVEN

if TYPE_CHECKING:
    from typing_extensions import Self

    from ._client import ClientCore

__all__ = ["AsyncMode", "Raw", "Resource", "SyncMode", "operation", "paged", "stream"]

P = ParamSpec("P")
T = TypeVar("T")
ItemT = TypeVar("ItemT")
M = TypeVar("M")
R = TypeVar("R", bound="Resource[Any]")


class SyncMode:
    """Marks a resource that belongs to the blocking client."""


class AsyncMode:
    """Marks a resource that belongs to the async client."""


class Raw(Generic[M]):
    """Marks a resource reached through ``with_raw_response``."""


class Resource(Generic[M]):
    """A group of operations (``tasks``, ``license``, ``accounts``) bound to one client."""

    def __init__(
        self, client: ClientCore[Any, Any], *, raw_of: Resource[Any] | None = None
    ) -> None:
        self._client = client
        #: Whether the operations answer with :class:`RawResponse` objects.
        self._raw = raw_of is not None
        #: The resource answering with plain results: ``self``, or the one this is a view of.
        self._plain: Resource[Any] = self if raw_of is None else raw_of

    def _raw_view(self) -> Any:
        """The same resource, answering with :class:`RawResponse` objects (built once)."""
        view = self.__dict__.get("_raw_resource")
        if view is None:
            view = self.__dict__["_raw_resource"] = type(self)(self._client, raw_of=self)
        return view

    def __repr__(self) -> str:
        raw = " with raw responses" if self._raw else ""
        return f"<{type(self).__name__}{raw} of {self._client!r}>"


_UNPACKED = re.compile(r"Unpack\[(\w+)\]")
_RESULT = re.compile(r"(?:Program|Stream)\[(.+)\]")


def _public_names() -> dict[str, Any]:
    """The package's public names, to resolve annotations with when a signature is built.

    Modules import the models and configs only for type checkers (they load on first use);
    their names are found here.
    """
    import tikmatrix_sdk

    return {name: getattr(tikmatrix_sdk, name) for name in tikmatrix_sdk.__all__}


def _resolve(annotation: Any, namespace: dict[str, Any]) -> Any:
    """The object a string annotation names, or the string when it cannot be evaluated."""
    if not isinstance(annotation, str):
        return annotation
    try:
        return eval(annotation, namespace)  # the module's own annotation text
    except Exception:
        return annotation


def _item_type(page_class: Any) -> Any:
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
    namespace = {**_public_names(), **fn.__globals__}
    parameters: list[inspect.Parameter] = []
    for parameter in signature.parameters.values():
        unpacked = (
            _UNPACKED.fullmatch(parameter.annotation)
            if isinstance(parameter.annotation, str)
            else None
        )
        if parameter.kind is inspect.Parameter.VAR_KEYWORD and unpacked:
            fields = _field_types(namespace[unpacked.group(1)], namespace)
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
    returned = _RESULT.fullmatch(str(signature.return_annotation))
    result = _resolve(returned.group(1), namespace) if returned else signature.return_annotation
    return signature.replace(parameters=parameters, return_annotation=face(result))


class _Binder:
    """Bind a generator method to a resource and its client's shell, once per resource."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self._fn = fn
        self._own = frozenset(inspect.signature(fn).parameters)
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__
        self.__qualname__ = fn.__qualname__
        self.__module__ = fn.__module__
        self.__wrapped__ = fn

    def _face(self, result: Any, *, is_async: bool) -> Any:
        """The type the caller gets for an operation whose program returns ``result``."""
        return result

    @functools.cached_property
    def __signature__(self) -> inspect.Signature:
        """The signature as read from the class (with ``self``), built on first use."""
        return public_signature(self._fn, face=lambda result: self._face(result, is_async=False))

    def __call__(self, resource: Any, *args: Any, **kwargs: Any) -> Any:
        """Call through the class, as with a plain method: ``Tasks.get(client.tasks, 7)``."""
        return getattr(resource, self.__name__)(*args, **kwargs)

    @functools.cached_property
    def _accepted(self) -> frozenset[str]:
        """Every keyword the operation takes, ``**filters`` and options spelled out.

        Read from the names alone, with no annotation evaluated, so a call never depends on
        building the signature for ``help()``.
        """
        names: set[str] = set()
        for parameter in inspect.signature(self._fn).parameters.values():
            unpacked = (
                _UNPACKED.fullmatch(parameter.annotation)
                if isinstance(parameter.annotation, str)
                else None
            )
            if parameter.kind is inspect.Parameter.VAR_KEYWORD and unpacked:
                names.update(self._fn.__globals__[unpacked.group(1)].__annotations__)
            else:
                names.add(parameter.name)
        return frozenset(names)

    def _program(self, resource: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """The operation's program for one call, with that call's options applied."""
        for name in kwargs:
            if name not in self._accepted:
                raise TypeError(f"{self.__name__}() got an unexpected keyword argument {name!r}")
        options, kwargs = split_options(kwargs, self._own)
        program = self._fn(resource, *args, **kwargs)
        return program if options is None else with_options(program, options)

    def _finish(
        self, resource: Any, result: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """Turn the program's result into what the caller gets."""
        return result

    def _bind(self, resource: Any) -> Callable[..., Any]:
        shell = resource._client._shell
        raw = resource._raw
        program, finish = self._program, self._finish

        def complete(result: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
            if not raw:
                return finish(resource, result, args, kwargs)
            parsed, response = result
            return RawResponse(response, finish(resource, parsed, args, kwargs))

        def start(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
            started = program(resource, args, kwargs)
            return recording_response(started) if raw else started

        bound: Callable[..., Any]
        if shell.is_async:

            async def bound(*args: Any, **kwargs: Any) -> Any:
                return complete(await shell.run(start(args, kwargs)), args, kwargs)
        else:

            def bound(*args: Any, **kwargs: Any) -> Any:
                return complete(shell.run(start(args, kwargs)), args, kwargs)

        return self._cache(resource, bound, is_async=shell.is_async, raw=raw)

    def _cache(
        self, resource: Any, bound: Callable[..., Any], *, is_async: bool, raw: bool
    ) -> Callable[..., Any]:
        """Give ``bound`` the operation's name, docs and signature, and keep it on ``resource``.

        A non-data descriptor is not consulted again once the instance holds the name.
        """
        functools.update_wrapper(bound, self._fn)
        del bound.__wrapped__  # type: ignore[attr-defined]  # inspect must use __signature__

        def face(result: Any) -> Any:
            shown = self._face(result, is_async=is_async)
            return RawResponse[shown] if raw else shown  # type: ignore[valid-type]

        full = public_signature(self._fn, face=face)
        bound.__signature__ = full.replace(  # type: ignore[attr-defined]
            parameters=list(full.parameters.values())[1:]
        )
        resource.__dict__[self.__name__] = bound
        return bound


class operation(_Binder, Generic[R, P, T]):
    """Turn a generator method returning ``T`` into a method (sync) or coroutine (async)."""

    def __init__(self, fn: Callable[Concatenate[R, P], Program[T]]) -> None:
        super().__init__(fn)

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, obj: Resource[SyncMode], owner: type[Any]) -> Callable[P, T]: ...
    @overload
    def __get__(
        self, obj: Resource[AsyncMode], owner: type[Any]
    ) -> Callable[P, Coroutine[Any, Any, T]]: ...
    @overload
    def __get__(
        self, obj: Resource[Raw[SyncMode]], owner: type[Any]
    ) -> Callable[P, RawResponse[T]]: ...
    @overload
    def __get__(
        self, obj: Resource[Raw[AsyncMode]], owner: type[Any]
    ) -> Callable[P, Coroutine[Any, Any, RawResponse[T]]]: ...
    def __get__(self, obj: Resource[Any] | None, owner: type[Any]) -> Any:
        if obj is None:
            return self
        return self._bind(obj)


class paged(_Binder, Generic[R, P, ItemT]):
    """Turn a generator method returning a page into one returning a page that can go on.

    The blocking face returns a :class:`SyncPage`, the async one a coroutine of an
    :class:`AsyncPage`.

    The method must take ``page=``: the page asks for the next one by calling the method again
    with the same arguments and the next page number.
    """

    def __init__(self, fn: Callable[Concatenate[R, P], Program[PageData[ItemT]]]) -> None:
        super().__init__(fn)

    def _face(self, result: Any, *, is_async: bool) -> Any:
        page_class = AsyncPage if is_async else SyncPage
        return page_class[_item_type(result)]

    def _finish(
        self, resource: Any, result: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        plain, name = resource._plain, self.__name__  # later pages come back plain, not raw

        def fetch(number: int) -> Any:
            return getattr(plain, name)(*args, **{**kwargs, "page": number})

        page_class = AsyncPage if resource._client._shell.is_async else SyncPage
        return page_class(result, fetch)

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(
        self, obj: Resource[SyncMode], owner: type[Any]
    ) -> Callable[P, SyncPage[ItemT]]: ...
    @overload
    def __get__(
        self, obj: Resource[AsyncMode], owner: type[Any]
    ) -> Callable[P, Coroutine[Any, Any, AsyncPage[ItemT]]]: ...
    @overload
    def __get__(
        self, obj: Resource[Raw[SyncMode]], owner: type[Any]
    ) -> Callable[P, RawResponse[SyncPage[ItemT]]]: ...
    @overload
    def __get__(
        self, obj: Resource[Raw[AsyncMode]], owner: type[Any]
    ) -> Callable[P, Coroutine[Any, Any, RawResponse[AsyncPage[ItemT]]]]: ...
    def __get__(self, obj: Resource[Any] | None, owner: type[Any]) -> Any:
        if obj is None:
            return self
        return self._bind(obj)


class stream(_Binder, Generic[R, P, T]):
    """Turn a generator method emitting ``T`` into an iterator (sync) or async iterator."""

    def __init__(self, fn: Callable[Concatenate[R, P], Stream[T]]) -> None:
        super().__init__(fn)

    def _face(self, result: Any, *, is_async: bool) -> Any:
        return AsyncIterator[result] if is_async else Iterator[result]

    def _bind(self, resource: Any) -> Callable[..., Any]:
        if resource._raw:
            raise AttributeError(
                f"{self.__name__}() has no raw response: it sends one request per page; "
                "use with_raw_response.list(page=…) for the answer of one page"
            )
        shell, program = resource._client._shell, self._program

        def bound(*args: Any, **kwargs: Any) -> Any:
            return shell.stream(program(resource, args, kwargs))

        return self._cache(resource, bound, is_async=shell.is_async, raw=False)

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, obj: Resource[SyncMode], owner: type[Any]) -> Callable[P, Iterator[T]]: ...
    @overload
    def __get__(
        self, obj: Resource[AsyncMode], owner: type[Any]
    ) -> Callable[P, AsyncIterator[T]]: ...
    def __get__(self, obj: Resource[Any] | None, owner: type[Any]) -> Any:
        if obj is None:
            return self
        return self._bind(obj)
