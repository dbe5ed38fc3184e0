"""``client.tasks`` and the other resources: made once per client, typed, and documented.

:class:`resource_property` is :func:`functools.cached_property` (so type checkers and IDEs
see each resource's type through its ``__get__``) with two additions for readers: it is a
*data* descriptor, so ``help(TikMatrix)`` lists each resource with its documentation instead
of ``tasks = <functools.cached_property object>``, and its documentation ends with the type
the resource has and its methods, each with the first line of its own documentation (worked
out when ``help`` first asks, not at import). Setting and deleting still work as on a
``cached_property`` (the value is kept on the instance), so
``unittest.mock.patch.object(client, "tasks")`` does too.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["resource_property"]

T = TypeVar("T")


def _first_line(value: object) -> str:
    return next(iter((inspect.getdoc(value) or "").splitlines()), "")


def methods_of(cls: type[Any]) -> list[str]:
    """A line per public method of a resource class: its name and its doc's first line."""
    lines = []
    for name in sorted(dir(cls)):
        value = inspect.getattr_static(cls, name)
        if name.startswith("_") or isinstance(value, property | resource_property):
            continue
        lines.append(f"    {name}  {_first_line(value)}".rstrip())
    return lines


class _Documentation:
    """A resource's ``__doc__``: its function's, its type and its methods, built on first read.

    Read from the class, it is the class's own docstring.
    """

    def __init__(self, class_doc: str | None) -> None:
        self.class_doc = class_doc

    def __get__(self, instance: Any, owner: type[Any] | None = None) -> str | None:
        if instance is None:
            return self.class_doc
        built: str | None = instance.__dict__.get("_built_doc")
        if built is None:
            built = instance.__dict__["_built_doc"] = instance._document()
        return built

    def __set__(self, instance: Any, value: str | None) -> None:
        instance.__dict__["_given_doc"] = value
        instance.__dict__.pop("_built_doc", None)


class resource_property(functools.cached_property[T]):
    """A client's resource, built on first use and kept; read-only."""

    __doc__ = _Documentation(__doc__)  # per resource, built when read

    def __init__(self, func: Callable[[Any], T]) -> None:
        super().__init__(func)

    def _document(self) -> str:
        doc = (self.__dict__.get("_given_doc") or "").rstrip()
        returns = self.func.__annotations__.get("return")
        shown = returns if isinstance(returns, str) else getattr(returns, "__name__", "")
        if not shown:
            return doc
        doc = f"{doc}\n\nType: ``{shown}``"
        name = shown.split("[", 1)[0]
        resource = self.func.__globals__.get(name)
        if resource is None:  # the clients import their resources for type checkers only
            from . import resources

            resource = getattr(resources, name, None)
        if isinstance(resource, type):
            doc += "\n\nMethods:\n\n" + "\n".join(methods_of(resource))
        return doc

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
