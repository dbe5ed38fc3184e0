"""``client.tasks`` and the other resources: made once per client, typed, and documented.

:class:`resource_property` is :func:`functools.cached_property` (so type checkers and IDEs
see each resource's type through its ``__get__``) with two additions for readers: it is a
*data* descriptor, so ``help(TikMatrix)`` lists each resource with its documentation instead
of ``tasks = <functools.cached_property object>``, and its documentation ends with the type
the resource has. Setting and deleting still work as on a ``cached_property`` (the value is
kept on the instance), so ``unittest.mock.patch.object(client, "tasks")`` does too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["resource_property"]

T = TypeVar("T")


class resource_property(functools.cached_property[T]):
    """A client's resource, built on first use and kept; read-only."""

    def __init__(self, func: Callable[[Any], T]) -> None:
        super().__init__(func)
        returns = func.__annotations__.get("return")
        shown = returns if isinstance(returns, str) else getattr(returns, "__name__", "")
        doc = (func.__doc__ or "").rstrip()
        self.__doc__ = f"{doc}\n\nType: ``{shown}``" if shown else doc

    def __set__(self, instance: object, value: object) -> None:
        """Replace the resource on this client (a test's stand-in, say)."""
        vars(instance)[self._name()] = value

    def __delete__(self, instance: object) -> None:
        """Forget the resource: the next use builds it again."""
        vars(instance).pop(self._name(), None)

    def _name(self) -> str:
        if self.attrname is None:  # pragma: no cover - only outside a class body
            raise TypeError("a resource_property must be defined in a class body")
        return self.attrname
