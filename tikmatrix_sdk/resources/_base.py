"""What every resource's operations share: sending an endpoint and walking pages."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from .._effects import Emit, Program, Stream
from .._endpoint import Endpoint, call
from .._resource import M, Resource

__all__ = ["ApiResource"]

T = TypeVar("T")
PageT = TypeVar("PageT")
ItemT = TypeVar("ItemT")


class ApiResource(Resource[M]):
    """A resource whose operations are API calls."""

    def _call(self, endpoint: Endpoint[T]) -> Program[T]:
        return call(self._client._options, endpoint)

    def _paginate(
        self,
        endpoint_for_page: Callable[[int], Endpoint[PageT]],
        items_of: Callable[[PageT], Sequence[ItemT]],
        key: Callable[[ItemT], Hashable],
    ) -> Stream[ItemT]:
        """Emit every item of every page, each once.

        Items created while the walk goes on push older ones onto later pages; the walk
        skips what it has already emitted instead of emitting it twice.
        """
        seen: set[Hashable] = set()
        page_number = 1
        while True:
            page: Any = yield from self._call(endpoint_for_page(page_number))
            items = items_of(page)
            for item in items:
                item_key = key(item)
                if item_key not in seen:
                    seen.add(item_key)
                    yield Emit(item)
            if not items or page.page * page.page_size >= page.total:
                return
            page_number += 1
