"""``client.get/post/put/delete``: endpoints the SDK does not wrap yet, sent the SDK's way.

They take a path under ``/api/v1``, send it with the client's headers, timeout and retry rules
(only GET is retried after a doubtful failure), read the envelope (an error code raises its
exception) and return the ``data``, or that data read into ``cast_to``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, Unpack, get_type_hints, overload

from ._effect_shells import AsyncShell, SyncShell
from ._types import NOT_GIVEN

if TYPE_CHECKING:
    from ._effects import Program
    from ._request_options import RequestOptions

__all__ = ["AsyncRequestMethod", "HttpMethod", "SyncRequestMethod"]

T = TypeVar("T")


class SyncRequestMethod(Protocol):
    """``client.get`` (and ``post``, ``put``, ``delete``) on the blocking client."""

    @overload
    def __call__(
        self,
        path: str,
        *,
        cast_to: type[T],
        params: Mapping[str, object] | None = None,
        body: object = ...,
        **options: Unpack[RequestOptions],
    ) -> T: ...
    @overload
    def __call__(
        self,
        path: str,
        *,
        params: Mapping[str, object] | None = None,
        body: object = ...,
        **options: Unpack[RequestOptions],
    ) -> Any: ...


class AsyncRequestMethod(Protocol):
    """``await client.get(...)`` (and ``post``, ``put``, ``delete``) on the async client."""

    @overload
    def __call__(
        self,
        path: str,
        *,
        cast_to: type[T],
        params: Mapping[str, object] | None = None,
        body: object = ...,
        **options: Unpack[RequestOptions],
    ) -> Coroutine[Any, Any, T]: ...
    @overload
    def __call__(
        self,
        path: str,
        *,
        params: Mapping[str, object] | None = None,
        body: object = ...,
        **options: Unpack[RequestOptions],
    ) -> Coroutine[Any, Any, Any]: ...


class _SyncClient(Protocol):
    _shell: SyncShell


class _AsyncClient(Protocol):
    _shell: AsyncShell


class HttpMethod:
    """A client method sending one HTTP method to any API path; sync or async by client."""

    def __init__(self, method: str) -> None:
        self.method = method
        self.__name__ = method.lower()
        body = "" if method == "GET" else ", ``body=`` (sent as JSON)"
        self.__doc__ = (
            f"Send ``{method} /api/v1<path>`` and return the answer's ``data``.\n\n"
            f"Takes ``params=`` (the query){body}, ``cast_to=`` (a model such as "
            ":class:`~tikmatrix_sdk.Task` or a type such as ``list[int]``, to read the data "
            "into), and the per-call options. The client's retries, errors and logging "
            "apply as for any other method."
        )

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.__qualname__ = f"{owner.__qualname__}.{name}"

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Callable[..., Any]: ...
    @overload
    def __get__(self, obj: _SyncClient, owner: type[Any]) -> SyncRequestMethod: ...
    @overload
    def __get__(self, obj: _AsyncClient, owner: type[Any]) -> AsyncRequestMethod: ...
    def __get__(self, obj: Any, owner: type[Any]) -> Any:
        if obj is None:  # on the class: a function with the method's signature, for help()
            return self._unbound(is_async=getattr(owner, "_shell_class", None) is AsyncShell)
        # The request's machinery loads with the first call, not with the SDK.
        from ._request_program import request_program

        method, shell = self.method, obj._shell

        def program(path: str, kwargs: dict[str, Any]) -> Program[Any]:
            known = {
                name: kwargs.pop(name) for name in ("cast_to", "params", "body") if name in kwargs
            }
            return request_program(obj._options, method, path, **known, call_options=kwargs)

        bound: Callable[..., Any]
        if shell.is_async:

            async def bound(path: str, **kwargs: Any) -> Any:
                return await shell.run(program(path, kwargs))
        else:

            def bound(path: str, **kwargs: Any) -> Any:
                return shell.run(program(path, kwargs))

        return self._named(bound, self._signature())

    def _unbound(self, *, is_async: bool) -> Callable[..., Any]:
        """``TikMatrix.get`` itself: calls the method of the client it is given."""
        name = self.__name__
        unbound: Callable[..., Any]
        if is_async:

            async def unbound(client: Any, path: str, **kwargs: Any) -> Any:
                return await getattr(client, name)(path, **kwargs)
        else:

            def unbound(client: Any, path: str, **kwargs: Any) -> Any:
                return getattr(client, name)(path, **kwargs)

        signature = self._signature()
        this = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
        return self._named(
            unbound, signature.replace(parameters=[this, *signature.parameters.values()])
        )

    def _named(
        self, function: Callable[..., Any], signature: inspect.Signature
    ) -> Callable[..., Any]:
        """``function`` named, documented and signed as this method."""
        from ._signatures import show_signature  # with the first use, not the SDK's import

        function.__name__, function.__qualname__ = self.__name__, self.__qualname__
        function.__doc__ = self.__doc__
        show_signature(function, signature)
        return function

    def _signature(self) -> inspect.Signature:
        from ._request_options import RequestOptions

        keyword = inspect.Parameter.KEYWORD_ONLY
        parameters = [
            inspect.Parameter("path", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str),
            inspect.Parameter("cast_to", keyword, default=None, annotation=type[Any] | None),
            inspect.Parameter(
                "params", keyword, default=None, annotation=Mapping[str, object] | None
            ),
        ]
        if self.method != "GET":
            parameters.append(inspect.Parameter("body", keyword, default=None, annotation=object))
        parameters += [
            inspect.Parameter(name, keyword, default=NOT_GIVEN, annotation=annotation)
            for name, annotation in get_type_hints(RequestOptions).items()
        ]
        return inspect.Signature(parameters, return_annotation=Any)
