"""Modules that load on first use, so that importing the SDK stays cheap."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any

__all__ = ["lazy_module"]


class _LazyModule(ModuleType):
    """Stands in for a module until one of its names is read, then imports it for real.

    The import is the ordinary one, under the interpreter's import lock: two threads that
    read a name at once both wait for the whole module. (``importlib.util.LazyLoader``,
    used here before, is not thread-safe before Python 3.12.3: a second thread could read a
    half-executed module, and a fleet's threads did.) The stand-in is not put in
    ``sys.modules``.
    """

    def __getattr__(self, name: str) -> Any:
        module = sys.modules.get(self.__name__)
        # A module another thread is still executing is waited for, as ``import`` waits.
        if module is None or getattr(module.__spec__, "_initializing", False):
            module = importlib.import_module(self.__name__)
        return getattr(module, name)


def lazy_module(name: str) -> ModuleType:
    """The module ``name``, executed only when one of its attributes is first read.

    ``models = lazy_module("tikmatrix_sdk.models")`` costs nothing at import; ``models.Task``
    inside a function loads the module the first time it runs.
    """
    return sys.modules.get(name) or _LazyModule(name)
