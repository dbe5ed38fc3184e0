"""Types for the public signatures that the standard library does not have."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from typing import Any, Protocol, SupportsIndex, TypeVar, overload

__all__ = ["NOT_GIVEN", "NotGiven", "SequenceNotStr"]


class NotGiven(enum.Enum):
    """The type of :data:`NOT_GIVEN`: "keep the current value" (``None`` may mean no timeout)."""

    NOT_GIVEN = enum.auto()

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven.NOT_GIVEN

T_co = TypeVar("T_co", covariant=True)


class SequenceNotStr(Protocol[T_co]):
    """A sequence that is not a ``str``: a list or tuple of names, never one name.

    ``str`` is itself a ``Sequence[str]``, so ``serials="device_1"`` would type-check against
    ``Sequence[str]`` and be sent as nine one-letter serials. ``str.__contains__`` only takes
    a ``str``, while this protocol's takes any object, so type checkers refuse a bare string
    here and accept lists, tuples and other sequences.
    """

    @overload
    def __getitem__(self, index: SupportsIndex, /) -> T_co: ...
    @overload
    def __getitem__(self, index: slice, /) -> Sequence[T_co]: ...
    def __contains__(self, value: object, /) -> bool: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[T_co]: ...
    def __reversed__(self) -> Iterator[T_co]: ...
    def index(self, value: Any, start: int = 0, stop: int = ..., /) -> int:
        """Where ``value`` first is, as :meth:`list.index`."""
        ...

    def count(self, value: Any, /) -> int:
        """How many times ``value`` is there, as :meth:`list.count`."""
        ...
