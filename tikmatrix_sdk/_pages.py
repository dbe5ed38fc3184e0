"""Pages of a list (``tasks.list()``, ``accounts.list()``) that know the way to the next one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from ._deprecation import warn_deprecated
from ._public import say_public

if TYPE_CHECKING:
    from typing_extensions import deprecated
else:  # the marker is for type checkers and IDEs; the warning is raised by hand below

    def deprecated(message: str) -> Callable[[Any], Any]:
        return lambda function: function


__all__ = ["AsyncPage", "PageData", "SyncPage"]

ItemT = TypeVar("ItemT")
ItemT_co = TypeVar("ItemT_co", covariant=True)


class PageData(Protocol[ItemT_co]):
    """What a list endpoint's answer holds (``TaskPage``, ``AccountPage``)."""

    @property
    def items(self) -> tuple[ItemT_co, ...]:
        """The page's items."""
        ...

    @property
    def total(self) -> int:
        """How many items match, on every page."""
        ...

    @property
    def page(self) -> int:
        """The page's number, from 1."""
        ...

    @property
    def page_size(self) -> int:
        """At most how many items a page holds."""
        ...

    @property
    def has_next(self) -> bool:
        """Whether a later page holds more items."""
        ...

    @property
    def extra(self) -> Mapping[str, Any]:
        """Fields of the answer this SDK does not know."""
        ...

    def item_key(self, item: Any, /) -> Hashable:
        """What tells two items apart (a task's id)."""
        ...


class _Page(Generic[ItemT]):
    """What both kinds of page hold: the answer, read-only."""

    __slots__ = ("_data",)

    def __init__(self, data: PageData[ItemT]) -> None:
        self._data = data

    @property
    def data(self) -> PageData[ItemT]:
        """The answer as sent: a :class:`~tikmatrix_sdk.TaskPage` or ``AccountPage``."""
        return self._data

    @property
    def items(self) -> tuple[ItemT, ...]:
        """The items on this page (tasks newest first)."""
        return self._data.items

    @property
    def total(self) -> int:
        """How many items match the filters, on all pages together."""
        return self._data.total

    @property
    def page(self) -> int:
        """The number of this page, from 1."""
        return self._data.page

    @property
    def page_size(self) -> int:
        """At most how many items each page holds."""
        return self._data.page_size

    def has_next_page(self) -> bool:
        """Whether a later page holds more items."""
        return self._data.has_next

    # -- the spellings of 0.1.0's first builds, kept for one release -----------------------

    def _old_spelling(self, name: str, instead: str) -> Any:
        if not hasattr(self._data, name):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        warn_deprecated(f"page.{name} is deprecated and will be removed in 0.3.0: use {instead}")
        return getattr(self._data, name)

    @property
    @deprecated("page.tasks is deprecated: use page.items")
    def tasks(self) -> tuple[ItemT, ...]:
        """Deprecated: the tasks on this page; use :attr:`items` (removed in 0.3.0)."""
        tasks: tuple[ItemT, ...] = self._old_spelling("tasks", "page.items")
        return tasks

    @property
    @deprecated("page.accounts is deprecated: use page.items")
    def accounts(self) -> tuple[ItemT, ...]:
        """Deprecated: the accounts on this page; use :attr:`items` (removed in 0.3.0)."""
        accounts: tuple[ItemT, ...] = self._old_spelling("accounts", "page.items")
        return accounts

    @property
    @deprecated("page.has_next is deprecated: use page.has_next_page()")
    def has_next(self) -> bool:
        """Deprecated: whether a later page holds more items; use :meth:`has_next_page`."""
        has_next: bool = self._old_spelling("has_next", "page.has_next_page()")
        return has_next

    def _next_number(self) -> int:
        if not self._data.has_next:
            raise RuntimeError(
                f"page {self.page} is the last page; check has_next_page() before next_page()"
            )
        return self.page + 1

    def _unseen(self, seen: set[Hashable]) -> Iterator[ItemT]:
        """The items on this page not already in ``seen``, adding them to it.

        Items created while a walk goes on push older ones onto later pages; a walk yields
        each item once.
        """
        key = self._data.item_key
        for item in self._data.items:
            item_key = key(item)
            if item_key not in seen:
                seen.add(item_key)
                yield item

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} page={self.page} items={len(self.items)} total={self.total}>"
        )


class SyncPage(_Page[ItemT]):
    """One page of a list, from the blocking client.

    ``items``, ``total``, ``page`` and ``page_size`` describe it; :meth:`next_page` fetches the
    next with the same filters, and iterating the page walks its items and every later page's,
    fetching each only when the loop gets there.
    """

    __slots__ = ("_fetch",)

    def __init__(self, data: PageData[ItemT], fetch: Callable[[int], SyncPage[ItemT]]) -> None:
        """Wrap one answer; ``fetch(n)`` returns page ``n`` of the same list.

        The SDK builds pages: you get them from ``list()``.
        """
        super().__init__(data)
        self._fetch = fetch

    def next_page(self) -> SyncPage[ItemT]:
        """Fetch the next page; :class:`RuntimeError` when this is the last."""
        return self._fetch(self._next_number())

    def iter_pages(self) -> Iterator[SyncPage[ItemT]]:
        """Yield this page, then each later page as the loop asks for it."""
        page = self
        yield page
        while page.has_next_page():
            page = page.next_page()
            yield page

    def __iter__(self) -> Iterator[ItemT]:
        seen: set[Hashable] = set()
        for page in self.iter_pages():
            yield from page._unseen(seen)


class AsyncPage(_Page[ItemT]):
    """One page of a list, from the async client.

    ``await page.next_page()`` fetches the next, and ``async for item in page`` walks this
    page and every later one.
    """

    __slots__ = ("_fetch",)

    def __init__(
        self, data: PageData[ItemT], fetch: Callable[[int], Awaitable[AsyncPage[ItemT]]]
    ) -> None:
        """Wrap one answer; ``await fetch(n)`` returns page ``n`` of the same list."""
        super().__init__(data)
        self._fetch = fetch

    async def next_page(self) -> AsyncPage[ItemT]:
        """Fetch the next page; :class:`RuntimeError` when this is the last."""
        return await self._fetch(self._next_number())

    async def iter_pages(self) -> AsyncIterator[AsyncPage[ItemT]]:
        """Yield this page, then each later page as the loop asks for it."""
        page = self
        yield page
        while page.has_next_page():
            page = await page.next_page()
            yield page

    async def __aiter__(self) -> AsyncIterator[ItemT]:
        seen: set[Hashable] = set()
        async for page in self.iter_pages():
            for item in page._unseen(seen):
                yield item


say_public(["AsyncPage", "SyncPage"], globals())
