"""The scripts the API runs, by name: the contract's rules for each, and its steps.

Every module of this package (but the ``_private`` ones) is a script module: each
:class:`Script` it defines at module level joins :data:`SCRIPTS` by itself. What a script
accepts (its options, rules and fan-out) is the contract's
(``tikmatrix_sdk._contract.scripts``); a module here adds its steps against the
:class:`~reference_server.devices.Device` seam.
"""

from __future__ import annotations

import importlib
import pkgutil

from tikmatrix_sdk._contract.scripts import NOT_VIA_API

from ._script import Script

__all__ = ["NOT_VIA_API", "SCRIPTS", "Script"]


def _discover() -> dict[str, Script]:
    found: dict[str, Script] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for value in vars(module).values():
            if isinstance(value, Script):
                if value.name in found:
                    raise RuntimeError(f"two scripts are named {value.name!r}")
                found[value.name] = value
    return found


#: Scripts the API creates tasks for, by name.
SCRIPTS: dict[str, Script] = _discover()
