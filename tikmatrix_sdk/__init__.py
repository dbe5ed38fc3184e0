"""Typed sync and async client for the TikMatrix Local API.

>>> from tikmatrix_sdk import TikMatrix, PostConfig
>>> with TikMatrix() as client:
...     created = client.tasks.create(PostConfig(captions="Hi!"), serials=["device_serial_1"])
>>> created.created_count
1
"""

from . import _logs
from ._client import NOT_GIVEN, AsyncTikMatrix, NotGiven, TikMatrix
from ._options import BASE_URL_ENV, DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from ._pages import AsyncPage, SyncPage
from ._raw_response import RawResponse
from ._request_options import RequestOptions
from ._types import SequenceNotStr
from ._version import __version__
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    BadRequestError,
    ClientValidationError,
    InternalServerError,
    LicenseError,
    MissingScriptNameError,
    NotFoundError,
    ResponseValidationError,
    TikMatrixError,
    UnexpectedResponseError,
    UnsupportedScriptError,
    WaitTimeoutError,
)
from .models import (
    Account,
    AccountPage,
    CreatedTasks,
    DeletedTasks,
    License,
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
    "AsyncPage",
    "AsyncTikMatrix",
    "BadRequestError",
    "ChatGPTSettings",
    "ClientValidationError",
    "CommentConfig",
    "CreatedTasks",
    "DeletedTasks",
    "FollowConfig",
    "InternalServerError",
    "License",
    "LicenseError",
    "MissingScriptNameError",
    "NotFoundError",
    "NotGiven",
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
    "UnexpectedResponseError",
    "UnfollowConfig",
    "UnsupportedScriptError",
    "WaitTimeoutError",
    "__version__",
]

# Public classes say they live here, where users import them from (httpx does the same): the
# API reference, tracebacks and reprs then name ``tikmatrix_sdk.Task``, not a private module.
for _name in __all__:
    _value = globals()[_name]
    if isinstance(_value, type) and _value.__module__.startswith("tikmatrix_sdk."):
        _value.__module__ = "tikmatrix_sdk"
del _name, _value

_logs.setup_from_env()
