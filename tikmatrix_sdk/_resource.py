"""Resources (``client.tasks`` …) and the descriptors that give one definition two faces.

An operation is written once, as a generator method of a resource. Read from a resource of the
blocking client, it is a plain method returning the result; read from a resource of the async
client, it is a coroutine function. :class:`operation` and :class:`stream` do that binding, and
their overloads tell type checkers which face they get.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from ._effects import Program, Stream

if TYPE_CHECKING:
    from typing_extensions import Self

    from ._client import ClientCore

__all__ = ["AsyncMode", "Resource", "SyncMode", "operation", "stream"]

P = ParamSpec("P")
T = TypeVar("T")


class SyncMode:
    """Marks a resource that belongs to the blocking client."""


class AsyncMode:
    """Marks a resource that belongs to the async client."""


M = TypeVar("M", SyncMode, AsyncMode)
R = TypeVar("R", bound="Resource[Any]")


class Resource(Generic[M]):
    """A group of operations (``tasks``, ``license``, ``accounts``) bound to one client."""

    def __init__(self, client: ClientCore[Any, Any]) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"


class _Binder:
    """Bind a generator method to a resource and a runner, once per resource instance."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self._fn = fn
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__
        self.__wrapped__ = fn
        signature = inspect.signature(fn)
        self._signature = signature.replace(parameters=list(signature.parameters.values())[1:])

    def _bind(self, resource: Any, run: Callable[[Any], Any]) -> Callable[..., Any]:
        fn = self._fn

        def bound(*args: Any, **kwargs: Any) -> Any:
            return run(fn(resource, *args, **kwargs))

        functools.update_wrapper(bound, fn)
        bound.__signature__ = self._signature  # type: ignore[attr-defined]
        # Cache on the instance: a non-data descriptor is not consulted again.
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
    def __get__(self, obj: Resource[Any] | None, owner: type[Any]) -> Any:
        if obj is None:
            return self
        return self._bind(obj, obj._client._shell.run)


class stream(_Binder, Generic[R, P, T]):
    """Turn a generator method emitting ``T`` into an iterator (sync) or async iterator."""

    def __init__(self, fn: Callable[Concatenate[R, P], Stream[T]]) -> None:
        super().__init__(fn)

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
        return self._bind(obj, obj._client._shell.stream)
