"""The scripts the API runs, by name, and the ones TikMatrix does not run through the API.

Every module of this package (but the ``_private`` ones) is a script module: each
:class:`Script` it defines at module level joins :data:`SCRIPTS` by itself. Adding a script
is adding its module (its options and rules, its fan-out, its steps against the
:class:`~reference_server.devices.Device` seam) and its tests; the OpenAPI document and the
create checks read :data:`SCRIPTS`.
"""

from __future__ import annotations

import importlib
import pkgutil

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

#: Scripts TikMatrix has but does not run through the API yet (code 40003, like unknown names).
NOT_VIA_API = frozenset({"like", "message", "super_marketing", "profile", "scrape_user"})
