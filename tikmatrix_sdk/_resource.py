"""A resource (``client.tasks`` …): a group of operations bound to one client.

The operations themselves are generator methods that the descriptors of ``_binders`` turn
into each face; the marker types here (:class:`SyncMode`, :class:`AsyncMode`, :class:`Raw`)
tell type checkers which face a resource has.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from ._effects import Emit, Program, Stream
from ._endpoint import Endpoint, call
from ._options import ClientOptions

__all__ = ["AsyncMode", "ClientLike", "Raw", "Resource", "SyncMode"]

T = TypeVar("T")
M = TypeVar("M")


class SyncMode:
    """Marks a resource that belongs to the blocking client."""


class AsyncMode:
    """Marks a resource that belongs to the async client."""


class Raw(Generic[M]):
    """Marks a resource reached through ``with_raw_response``."""


class ClientLike(Protocol):
    """What a resource needs of its client: its options, and the shell that does the I/O."""

    _options: ClientOptions
    _shell: Any


class Resource(Generic[M]):
    """A group of operations (``tasks``, ``license``, ``accounts``) bound to one client.

    Its operations are generator methods decorated with :class:`operation`, :class:`paged`
    or :class:`stream`; they send endpoints with :meth:`_call` and walk pages with
    :meth:`_paginate`.
    """

    #: Whether the operations take the per-call options (``timeout=`` …) themselves, to pass
    #: on to the calls they make (a fleet's, on each host's client), rather than having the
    #: binder apply them to the requests they send.
    _forwards_options: ClassVar[bool] = False

    def __init__(self, client: ClientLike, *, raw_of: Resource[Any] | None = None) -> None:
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

    def _call(self, endpoint: Endpoint[T]) -> Program[T]:
        """Send ``endpoint`` under the client's options and return what it reads."""
        return call(self._client._options, endpoint)

    def _paginate(self, endpoint_for_page: Callable[[int], Endpoint[Any]]) -> Stream[Any]:
        """Emit every item of every page, each once.

        Items created while the walk goes on push older ones onto later pages; the walk
        skips what it has already emitted instead of emitting it twice.
        """
        seen: set[Hashable] = set()
        page_number = 1
        while True:
            page = yield from self._call(endpoint_for_page(page_number))
            for item in page.items:
                item_key = page.item_key(item)
                if item_key not in seen:
                    seen.add(item_key)
                    yield Emit(item)
            if not page.has_next:
                return
            page_number += 1
