"""The descriptors that give one operation every face: blocking, async, raw, paged, stream.

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
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from ._effects import Program, Stream
from ._pages import AsyncPage, PageData, SyncPage
from ._raw_response import RawResponse, recording_response
from ._request_options import split_options, with_options
from ._resource import AsyncMode, Raw, Resource, SyncMode
from ._signatures import (
    accepted_keywords,
    item_type,
    public_signature,
    show_signature,
    signature_annotations,
)

if TYPE_CHECKING:
    from typing import Self

__all__ = ["operation", "paged", "stream"]

P = ParamSpec("P")
T = TypeVar("T")
ItemT = TypeVar("ItemT")
R = TypeVar("R", bound="Resource[Any]")


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
        self._faces: dict[tuple[bool, bool], inspect.Signature] = {}

    def _face(self, result: Any, *, is_async: bool) -> Any:
        """The type the caller gets for an operation whose program returns ``result``."""
        return result

    @functools.cached_property
    def __signature__(self) -> inspect.Signature:
        """The signature as read from the class (with ``self``), built on first use."""
        return public_signature(self._fn, face=lambda result: self._face(result, is_async=False))

    @functools.cached_property
    def __annotations__(self) -> dict[str, Any]:  # type: ignore[override]
        """The resolved annotations, so that ``typing.get_type_hints`` works on the class."""
        return signature_annotations(self.__signature__)

    def __call__(self, resource: Any, *args: Any, **kwargs: Any) -> Any:
        """Call through the class, as with a plain method: ``Tasks.get(client.tasks, 7)``."""
        return getattr(resource, self.__name__)(*args, **kwargs)

    @functools.cached_property
    def _accepted(self) -> frozenset[str]:
        """Every keyword the operation takes."""
        return accepted_keywords(self._fn)

    def _program(self, resource: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """The operation's program for one call, with that call's options applied."""
        for name in kwargs:
            if name not in self._accepted:
                raise TypeError(f"{self.__name__}() got an unexpected keyword argument {name!r}")
        if resource._forwards_options:  # its calls are other clients' calls: it passes them on
            return self._fn(resource, *args, **kwargs)
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
        show_signature(bound, self._signature(is_async=is_async, raw=raw))
        resource.__dict__[self.__name__] = bound
        return bound

    def _signature(self, *, is_async: bool, raw: bool) -> inspect.Signature:
        """The signature of one face, without ``self``; built once per face, then kept."""
        key = (is_async, raw)
        if key not in self._faces:

            def face(result: Any) -> Any:
                shown = self._face(result, is_async=is_async)
                return RawResponse[shown] if raw else shown  # type: ignore[valid-type]

            full = public_signature(self._fn, face=face)
            self._faces[key] = full.replace(parameters=list(full.parameters.values())[1:])
        return self._faces[key]


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
        return page_class[item_type(result)]

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
