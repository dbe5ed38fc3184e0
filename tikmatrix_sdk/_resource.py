"""Resources (``client.tasks`` …) and the descriptors that give one definition two faces.

An operation is written once, as a generator method of a resource. Read from a resource of the
blocking client, it is a plain method returning the result; read from a resource of the async
client, it is a coroutine function. :class:`operation` and :class:`stream` do that binding, and
their overloads tell type checkers which face they get.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import (
    TYPE_CHECKING,
    Any,
    Concatenate,
    Generic,
    ParamSpec,
    TypeVar,
    get_type_hints,
    overload,
)

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


_UNPACKED = re.compile(r"Unpack\[(\w+)\]")
_RESULT = re.compile(r"(?:Program|Stream)\[(.+)\]")


def _resolve(annotation: Any, namespace: dict[str, Any]) -> Any:
    """The object a string annotation names, or the string when it cannot be evaluated."""
    if not isinstance(annotation, str):
        return annotation
    try:
        return eval(annotation, namespace)  # the module's own annotation text
    except Exception:
        return annotation


def public_signature(fn: Callable[..., Any], *, emits: bool) -> inspect.Signature:
    """The signature users call: annotations resolved, ``**filters`` spelled out as keywords.

    The generator's ``Program[T]`` return becomes ``T`` (``Iterator[T]`` for a stream), so
    ``help()``, ``inspect.signature`` and the API reference show the result the caller gets.
    """
    signature = inspect.signature(fn)
    namespace = dict(fn.__globals__)
    parameters: list[inspect.Parameter] = []
    for parameter in signature.parameters.values():
        unpacked = (
            _UNPACKED.fullmatch(parameter.annotation)
            if isinstance(parameter.annotation, str)
            else None
        )
        if parameter.kind is inspect.Parameter.VAR_KEYWORD and unpacked:
            fields = get_type_hints(namespace[unpacked.group(1)])
            parameters += [
                inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=a)
                for name, a in fields.items()
            ]
        else:
            annotation = _resolve(parameter.annotation, namespace)
            parameters.append(parameter.replace(annotation=annotation))
    returned = _RESULT.fullmatch(str(signature.return_annotation))
    result = _resolve(returned.group(1), namespace) if returned else signature.return_annotation
    return signature.replace(
        parameters=parameters,
        return_annotation=Iterator[result] if emits else result,  # type: ignore[valid-type]
    )


class _Binder:
    """Bind a generator method to a resource and a runner, once per resource instance."""

    _emits = False

    def __init__(self, fn: Callable[..., Any]) -> None:
        self._fn = fn
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__
        self.__qualname__ = fn.__qualname__
        self.__module__ = fn.__module__
        self.__wrapped__ = fn

    @functools.cached_property
    def __signature__(self) -> inspect.Signature:
        """The signature as read from the class (with ``self``), built on first use."""
        return public_signature(self._fn, emits=self._emits)

    def __call__(self, resource: Any, *args: Any, **kwargs: Any) -> Any:
        """Call through the class, as with a plain method: ``Tasks.get(client.tasks, 7)``."""
        return getattr(resource, self.__name__)(*args, **kwargs)

    def _bind(self, resource: Any, run: Callable[[Any], Any]) -> Callable[..., Any]:
        fn = self._fn

        def bound(*args: Any, **kwargs: Any) -> Any:
            return run(fn(resource, *args, **kwargs))

        functools.update_wrapper(bound, fn)
        full = self.__signature__
        bound.__signature__ = full.replace(  # type: ignore[attr-defined]
            parameters=list(full.parameters.values())[1:]
        )
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

    _emits = True

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
