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
from ._lease_keeper import AsyncDeviceLease, DeviceLease
from ._options import BASE_URL_ENV, DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from ._pages import AsyncPage, SyncPage
from ._public import say_public
from ._raw_response import RawResponse
from ._request_options import RequestOptions
from ._types import SequenceNotStr
from ._ui_tree import UiNode
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
    ResponseValidationError,
    TikMatrixError,
    UnexpectedResponseError,
    UnsupportedScriptError,
    WaitTimeoutError,
)
from .resources import LeasedDevice

if TYPE_CHECKING:
    from .models import (
        Account,
        AccountPage,
        CreatedTasks,
        DeletedTasks,
        Device,
        DeviceInfo,
        Lease,
        License,
        ListedLease,
        RetriedTasks,
        Task,
        TaskPage,
        TaskSource,
        TaskStats,
        TaskStatus,
    )
    from .scripts import (
        SCRIPT_CONFIGS,
        AccountWarmupConfig,
        ChatGPTSettings,
        CommentConfig,
        FollowConfig,
        PostConfig,
        ScriptConfig,
        UnfollowConfig,
    )

#: Names loaded on first use (PEP 562): the models and the script configs are not needed to
#: import the SDK or build a client, only to read the first answer or write a config.
_LAZY = {
    **dict.fromkeys(
        (
            "Account",
            "AccountPage",
            "CreatedTasks",
            "DeletedTasks",
            "Device",
            "DeviceInfo",
            "Lease",
            "License",
            "ListedLease",
            "RetriedTasks",
            "Task",
            "TaskPage",
            "TaskSource",
            "TaskStats",
            "TaskStatus",
        ),
        "models",
    ),
    **dict.fromkeys(
        (
            "SCRIPT_CONFIGS",
            "AccountWarmupConfig",
            "ChatGPTSettings",
            "CommentConfig",
            "FollowConfig",
            "PostConfig",
            "ScriptConfig",
            "UnfollowConfig",
        ),
        "scripts",
    ),
}

__all__ = [
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "SCRIPT_CONFIGS",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "Account",
    "AccountPage",
    "AccountWarmupConfig",
    "AsyncDeviceLease",
    "AsyncPage",
    "AsyncTikMatrix",
    "BadRequestError",
    "ChatGPTSettings",
    "ClientValidationError",
    "CommentConfig",
    "CreatedTasks",
    "DeletedTasks",
    "Device",
    "DeviceBusyError",
    "DeviceInfo",
    "DeviceLease",
    "DeviceRPCError",
    "DeviceUnavailableError",
    "ElementNotFoundError",
    "FollowConfig",
    "InternalServerError",
    "Lease",
    "LeaseError",
    "LeasedDevice",
    "ListedLease",
    "License",
    "LicenseError",
    "MissingScriptNameError",
    "NoFreeSlotError",
    "NotFoundError",
    "NotGiven",
    "PermissionDeniedError",
    "PostConfig",
    "RawResponse",
    "RequestOptions",
    "ResponseValidationError",
    "RetriedTasks",
    "ScriptConfig",
    "SequenceNotStr",
    "SyncPage",
    "Task",
    "TaskPage",
    "TaskSource",
    "TaskStats",
    "TaskStatus",
    "TikMatrix",
    "TikMatrixError",
    "UiNode",
    "UnexpectedResponseError",
    "UnfollowConfig",
    "UnsupportedScriptError",
    "WaitTimeoutError",
    "__version__",
]


def __getattr__(name: str) -> object:
    """Load a model or a script config on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


say_public([name for name in __all__ if name not in _LAZY], globals())

_logs.setup_from_env()
