"""One call of ``client.get/post/put/delete``: its path, query and body checked, its program.

Loaded with the first such call (see :mod:`._http_methods`), not with the SDK.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._endpoint import Endpoint, call
from ._options import API_PREFIX
from ._params import query
from ._request_options import OPTION_NAMES, CallOptions, with_options
from .errors import ClientValidationError

if TYPE_CHECKING:
    from ._effects import Program
    from ._options import ClientOptions

__all__ = ["request_program"]

_NO_BODY: Any = object()


def _check_path(path: object) -> str:
    if not isinstance(path, str) or not path.startswith("/") or path.startswith("//"):
        raise ClientValidationError(
            f"path must be a path under /api/v1 starting with '/', such as '/task/stats'; "
            f"got {path!r}",
            field="path",
        )
    if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
        path = path[len(API_PREFIX) :] or "/"
    return path


def _check_params(params: Any) -> dict[str, str]:
    if params is None:
        return {}
    if not isinstance(params, Mapping) or not all(isinstance(key, str) for key in params):
        raise ClientValidationError(
            f"params must be a mapping with string keys, got {params!r}", field="params"
        )
    for key, value in params.items():
        if value is not None and not isinstance(value, (str, int, float)):
            raise ClientValidationError(
                f"params[{key!r}] must be a string, number, bool or None, got {value!r}",
                field="params",
            )
    return query(**params)


def request_program(
    options: ClientOptions,
    method: str,
    path: str,
    *,
    cast_to: Any = None,
    params: Mapping[str, object] | None = None,
    body: Any = _NO_BODY,
    call_options: Mapping[str, Any],
) -> Program[Any]:
    """The program of one ``client.<method>(path, ...)`` call; everything is checked first."""
    unknown = sorted(set(call_options) - set(OPTION_NAMES))
    if unknown:
        raise TypeError(
            f"unexpected keyword argument {unknown[0]!r}; the options are cast_to, params, "
            f"body, {', '.join(OPTION_NAMES)}"
        )
    if method == "GET" and body is not _NO_BODY:
        raise ClientValidationError("a GET request has no body", field="body")
    endpoint = Endpoint(
        method,
        _check_path(path),
        cast_to,
        params=_check_params(params) or None,
        **({} if body is _NO_BODY else {"body": body}),
    )
    program = call(options, endpoint)
    return with_options(program, CallOptions.check(call_options)) if call_options else program
