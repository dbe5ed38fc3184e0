"""The base of the SDK's internal records that sit on its import path.

They were frozen dataclasses. On Python 3.11 creating a dataclass compiles each of its
methods separately, about a millisecond a class, and eight of them made a third of the
SDK's own import time. A record here writes its ``__init__`` by hand (the fastest to call,
and each request builds several) and takes the rest from :class:`Record`: immutable,
compared and shown field by field, copied with changes by :meth:`Record.replace`.
"""

from __future__ import annotations

from typing import Any, TypeVar

__all__ = ["Record"]

R = TypeVar("R", bound="Record")

#: What a record's ``__init__`` sets its fields with (its own ``__setattr__`` refuses).
set_field = object.__setattr__


class Record:
    """Immutable fields named by ``__slots__``, set once by the subclass's ``__init__``."""

    __slots__ = ()

    def _fields(self) -> tuple[str, ...]:
        return type(self).__slots__

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self._fields())

    def __hash__(self) -> int:
        # As a frozen dataclass's: a record holding a dict cannot be hashed.
        return hash((type(self), *(getattr(self, name) for name in self._fields())))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields())
        return f"{type(self).__name__}({shown})"

    def replace(self: R, **changes: Any) -> R:
        """A copy with ``changes`` (field names) applied; an unknown name is a TypeError."""
        unknown = set(changes) - set(self._fields())
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {sorted(unknown)[0]!r}")
        copy = object.__new__(type(self))
        for name in self._fields():
            set_field(copy, name, changes[name] if name in changes else getattr(self, name))
        return copy
