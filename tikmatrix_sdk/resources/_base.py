"""What every resource's operations share: sending an endpoint and walking pages."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from .._effects import Emit, Program, Stream
from .._endpoint import Endpoint, call
from .._resource import M, Resource

__all__ = ["ApiResource"]

T = TypeVar("T")
ItemT = TypeVar("ItemT")


class ApiResource(Resource[M]):
    """A resource whose operations are API calls."""

    def _call(self, endpoint: Endpoint[T]) -> Program[T]:
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
