"""Typed sync and async client for the TikMatrix Local API.

>>> from tikmatrix_sdk import TikMatrix, PostConfig
>>> with TikMatrix() as client:
...     created = client.tasks.create(PostConfig(captions="Hi!"), serials=["device_serial_1"])
>>> created.created_count
1
"""

import importlib
from typing import TYPE_CHECKING

from . import _logs
from ._client import NOT_GIVEN, AsyncTikMatrix, NotGiven, TikMatrix
from ._options import BASE_URL_ENV, DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from ._public import say_public
from ._types import SequenceNotStr
from ._version import __version__
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    BadRequestError,
    ClientValidationError,
    DeviceBusyError,
    DeviceRPCError,
    DeviceUnavailableError,
    ElementNotFoundError,
    InternalServerError,
    LeaseError,
    LicenseError,
    MissingScriptNameError,
    NoFreeSlotError,
    NotFoundError,
    PermissionDeniedError,
    ResponseTooLargeError,
    ResponseValidationError,
    StoreUnavailableError,
    TikMatrixError,
    UnexpectedResponseError,
    UnsupportedScriptError,
    WaitTimeoutError,
)

#: The modules whose public names load on first use (PEP 562): the models and the script
#: configs are not needed to import the SDK or build a client, only to read the first answer
#: or write a config. Their names are their modules' own ``__all__``.
_LAZY_MODULES = ("models", "scripts")
#: Single names that load on first use, and their modules: the pages, raw answers and call
#: options come with a client's first call; a leased device, its keeper and its screen's
#: nodes are used only by programs that lease a device.
_LAZY_NAMES = {
    "AsyncDeviceLease": "resources._lease_keeper",
    "AsyncPage": "_pages",
    "DeviceLease": "resources._lease_keeper",
    "LeasedDevice": "resources.leased_device",
    "RawResponse": "_raw_response",
    "RequestOptions": "_request_options",
    "SyncPage": "_pages",
    "UiNode": "_ui_tree",
}

#: The names this module holds from the start; the lazy modules' names are added to it.
__all__ = [
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncTikMatrix",
    "BadRequestError",
    "ClientValidationError",
    "DeviceBusyError",
    "DeviceRPCError",
    "DeviceUnavailableError",
    "ElementNotFoundError",
    "InternalServerError",
    "LeaseError",
    "LicenseError",
    "MissingScriptNameError",
    "NoFreeSlotError",
    "NotFoundError",
    "NotGiven",
    "PermissionDeniedError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "SequenceNotStr",
    "StoreUnavailableError",
    "TikMatrix",
    "TikMatrixError",
    "UnexpectedResponseError",
    "UnsupportedScriptError",
    "WaitTimeoutError",
    "__version__",
]

_EAGER: list[str]
if TYPE_CHECKING:
    from . import models, scripts
    from ._contract.shapes import *  # noqa: F403
    from ._pages import AsyncPage, SyncPage
    from ._raw_response import RawResponse
    from ._request_options import RequestOptions
    from ._ui_tree import UiNode
    from .models import *  # noqa: F403
    from .resources._lease_keeper import AsyncDeviceLease, DeviceLease
    from .resources.leased_device import LeasedDevice
    from .scripts import *  # noqa: F403

    __all__ += models.__all__
    __all__ += scripts.__all__
    __all__ += [
        "AsyncDeviceLease",
        "AsyncPage",
        "DeviceLease",
        "LeasedDevice",
        "RawResponse",
        "RequestOptions",
        "SyncPage",
        "UiNode",
    ]
else:  # the lazy names join it on first use of ``__all__`` (see ``__getattr__``)
    _EAGER = __all__
    del __all__


def _lazy_names() -> dict[str, str]:
    """Each lazy name and the module it lives in (importing those modules, once)."""
    found = globals().get("_LAZY")
    if found is None:
        found = {
            name: module
            for module in _LAZY_MODULES
            for name in importlib.import_module(f"{__name__}.{module}").__all__
        }
        found.update(_LAZY_NAMES)
        globals()["_LAZY"] = found
    return found


def __getattr__(name: str) -> object:
    """Load a model or a script config on first use; ``__all__`` lists them too."""
    if name == "__all__":
        names = sorted([*_EAGER, *_lazy_names()], key=lambda found: (found.upper() != found, found))
        globals()["__all__"] = names
        return names
    if name in _LAZY_NAMES:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY_NAMES[name]}"), name)
        globals()[name] = value
        return value
    if not name.startswith("_"):  # a public name: never a probe's ``_x`` or ``__wrapped__``
        for module_name in _LAZY_MODULES:  # in order, each imported only if still needed
            module = importlib.import_module(f"{__name__}.{module_name}")
            if name in module.__all__:
                value = getattr(module, name)
                globals()[name] = value
                return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EAGER) | set(_lazy_names()))


say_public(_EAGER, globals())

_logs.setup_from_env()
