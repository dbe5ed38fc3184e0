"""The two clients: :class:`TikMatrix` (blocking) and :class:`AsyncTikMatrix` (``async``)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, NoReturn, TypeVar

import httpx

if TYPE_CHECKING:
    from typing import Self

    from ._resource import AsyncMode, SyncMode
    from .resources import Accounts, Devices, LicenseResource, Tasks

from ._deadline import DEFAULT_MAX_RESPONSE_BYTES
from ._effect_shells import AsyncShell, SyncShell
from ._http_methods import HttpMethod
from ._options import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    ClientOptions,
    resolve_base_url,
    to_timeout,
)
from ._resource_property import resource_property
from ._shown_url import shown_url
from ._types import NOT_GIVEN, NotGiven

#: Where a managed custom script finds the API (TikMatrix sets it).
API_BASE_ENV = "TIKMATRIX_API_BASE"

__all__ = ["NOT_GIVEN", "AsyncTikMatrix", "ClientCore", "NotGiven", "TikMatrix"]


HttpT = TypeVar("HttpT", httpx.Client, httpx.AsyncClient)
ShellT = TypeVar("ShellT", SyncShell, AsyncShell)


class ClientCore(Generic[HttpT, ShellT]):
    """What both clients share: settings, the HTTP client, and the resource namespaces.

    The arguments are documented on :class:`TikMatrix`.
    """

    _make_http: Callable[[httpx.Timeout], HttpT]
    _shell_class: Callable[[HttpT], ShellT]
    _options: ClientOptions
    _http: HttpT
    _shell: ShellT
    _owns_http: bool

    def __init__(
        self,
        base_url: str | httpx.URL | None = None,
        *,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        headers: Mapping[str, str] | None = None,
        http_client: HttpT | None = None,
        max_response_bytes: int | None = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        options = ClientOptions(
            base_url=resolve_base_url(base_url),
            timeout=to_timeout(timeout),
            max_retries=max_retries,
            headers=dict(headers or {}),
            max_response_bytes=max_response_bytes,
        )
        http = http_client if http_client is not None else self._make_http(options.timeout)
        self._setup(options, http, self._shell_class(http), owns_http=http_client is None)

    def _setup(
        self, options: ClientOptions, http: HttpT, shell: ShellT, *, owns_http: bool
    ) -> None:
        self._options = options
        self._http = http
        self._shell = shell
        self._owns_http = owns_http

    get = HttpMethod("GET")
    post = HttpMethod("POST")
    put = HttpMethod("PUT")
    delete = HttpMethod("DELETE")

    @property
    def http_client(self) -> HttpT:
        """The ``httpx`` client that sends the requests (``httpx.AsyncClient`` when async)."""
        return self._http

    @property
    def base_url(self) -> str:
        """The root URL of the TikMatrix instance (without ``/api/v1``)."""
        return self._options.base_url

    @property
    def timeout(self) -> httpx.Timeout:
        """The timeout applied to each request."""
        return self._options.timeout

    @property
    def max_retries(self) -> int:
        """How many times a request may be retried where retrying is safe."""
        return self._options.max_retries

    def with_options(
        self,
        *,
        base_url: str | httpx.URL | NotGiven = NOT_GIVEN,
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        headers: Mapping[str, str] | NotGiven = NOT_GIVEN,
        max_response_bytes: int | NotGiven | None = NOT_GIVEN,
    ) -> Self:
        """Return a client that shares this one's connections but uses other settings.

        ``client.with_options(timeout=5, max_retries=0).tasks.get(1)`` changes nothing on
        ``client``. Closing the copy does not close the shared connections.
        """
        old = self._options
        options = ClientOptions(
            base_url=old.base_url if isinstance(base_url, NotGiven) else resolve_base_url(base_url),
            timeout=old.timeout if isinstance(timeout, NotGiven) else to_timeout(timeout),
            max_retries=old.max_retries if isinstance(max_retries, NotGiven) else max_retries,
            headers=dict(old.headers)
            if isinstance(headers, NotGiven)
            else {**old.headers, **headers},
            max_response_bytes=old.max_response_bytes
            if isinstance(max_response_bytes, NotGiven)
            else max_response_bytes,
        )
        copy = object.__new__(type(self))
        shell = self._shell_class(self._http)
        shell.sleep, shell.now = self._shell.sleep, self._shell.now
        copy._setup(options, self._http, shell, owns_http=False)
        return copy

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={shown_url(self.base_url)!r})"

    @classmethod
    def from_env(cls, **kwargs: Any) -> Self:
        """The client of a managed custom script, from the environment TikMatrix gave it.

        Reads ``TIKMATRIX_API_BASE`` (else ``TIKMATRIX_BASE_URL``, else the default URL);
        ``client.devices.current()`` is then the device the script was started on. Other
        arguments are the constructor's.
        """
        base_url = kwargs.pop("base_url", None) or os.environ.get(API_BASE_ENV) or None
        return cls(base_url, **kwargs)


_NOT_ASYNC = (
    "TikMatrix is the blocking client and cannot be used with `async with`: use "
    "`with TikMatrix() as client:`, or AsyncTikMatrix for `async with`"
)
_NOT_SYNC = (
    "AsyncTikMatrix is the async client and cannot be used with `with`: use "
    "`async with AsyncTikMatrix() as client:` inside a coroutine, or TikMatrix for `with`"
)


class TikMatrix(ClientCore[httpx.Client, SyncShell]):
    """Blocking client of the TikMatrix Local API.

    Use it as a context manager, or call :meth:`close` when done:

    >>> from tikmatrix_sdk import TikMatrix
    >>> with TikMatrix() as client:
    ...     print(client.license.check().plan_name)
    Pro
    """

    def __init__(
        self,
        base_url: str | httpx.URL | None = None,
        *,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        max_response_bytes: int | None = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        """Connect to TikMatrix (no request is sent until the first call).

        Args:
            base_url: the root of the TikMatrix instance. Defaults to the environment variable
                ``TIKMATRIX_BASE_URL``, then ``http://localhost:50809``. A trailing
                ``/api/v1`` is accepted.
            timeout: seconds for each request, an :class:`httpx.Timeout`, or ``None`` for no
                timeout (default: 30 s, 5 s to connect). Its largest part bounds each attempt
                of a request as a whole, so a host that trickles its answer cannot hold a call
                past it (``timeout=3``: three seconds in all).
            max_retries: how many times a request is retried where a retry cannot do harm
                (default 2; see the errors and retries guide).
            headers: extra headers sent with every request.
            http_client: an :class:`httpx.Client` to send with instead of the client's own
                (for proxies, transports or event hooks); ``close()`` leaves it open. Its
                answers' bodies keep the whole-call deadline; their status line and headers
                keep only httpx's own per-read timeout.
            max_response_bytes: the most bytes of an answer the client reads (default
                64 MiB, far above any real answer; ``None`` for no bound): past it the call
                raises :class:`~tikmatrix_sdk.ResponseTooLargeError`.
        """
        super().__init__(
            base_url,
            timeout=timeout,
            max_retries=max_retries,
            headers=headers,
            http_client=http_client,
            max_response_bytes=max_response_bytes,
        )

    @resource_property
    def tasks(self) -> Tasks[SyncMode]:
        """Create, list, inspect, stop, retry and delete tasks."""
        from .resources import Tasks

        return Tasks(self)

    @resource_property
    def license(self) -> LicenseResource[SyncMode]:
        """The license plan and its API access."""
        from .resources import LicenseResource

        return LicenseResource(self)

    @resource_property
    def accounts(self) -> Accounts[SyncMode]:
        """The accounts TikMatrix knows, and their devices."""
        from .resources import Accounts

        return Accounts(self)

    @resource_property
    def devices(self) -> Devices[SyncMode]:
        """List the devices, lease one, and drive its screen (TikMatrix's device API)."""
        from .resources import Devices

        return Devices(self)

    _shell_class = SyncShell

    @staticmethod
    def _make_http(timeout: httpx.Timeout) -> httpx.Client:
        from ._deadline_backend import with_deadline_backend
        from ._shared.tls import tls_context

        transport = httpx.HTTPTransport(verify=tls_context())
        with_deadline_backend(transport, time.monotonic)  # headers, too, end at the deadline
        return httpx.Client(timeout=timeout, transport=transport)

    def close(self) -> None:
        """Close the connections this client opened (a passed-in ``http_client`` stays open)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    if not TYPE_CHECKING:  # at run time only: a type checker reports the mistake itself

        def __aenter__(self) -> NoReturn:
            raise TypeError(_NOT_ASYNC)

        def __aexit__(self, *exc_info: object) -> None:
            return None


class AsyncTikMatrix(ClientCore[httpx.AsyncClient, AsyncShell]):
    """``async`` client of the TikMatrix Local API: the same surface as :class:`TikMatrix`.

    Every operation is awaited, and ``iter`` methods are used with ``async for``:

    >>> import asyncio
    >>> from tikmatrix_sdk import AsyncTikMatrix, TaskStatus
    >>> async def failed_on(serial: str) -> list[str]:
    ...     async with AsyncTikMatrix() as client:
    ...         failed = client.tasks.iter(serial=serial, status=TaskStatus.FAILED)
    ...         return [task.remark async for task in failed]
    >>> isinstance(asyncio.run(failed_on("device_serial_1")), list)
    True
    """

    def __init__(
        self,
        base_url: str | httpx.URL | None = None,
        *,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        max_response_bytes: int | None = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        """Connect to TikMatrix; the arguments are those of :class:`TikMatrix`.

        ``http_client``, when given, is an :class:`httpx.AsyncClient`; ``close()`` leaves it
        open.
        """
        super().__init__(
            base_url,
            timeout=timeout,
            max_retries=max_retries,
            headers=headers,
            http_client=http_client,
            max_response_bytes=max_response_bytes,
        )

    @resource_property
    def tasks(self) -> Tasks[AsyncMode]:
        """Create, list, inspect, stop, retry and delete tasks."""
        from .resources import Tasks

        return Tasks(self)

    @resource_property
    def license(self) -> LicenseResource[AsyncMode]:
        """The license plan and its API access."""
        from .resources import LicenseResource

        return LicenseResource(self)

    @resource_property
    def accounts(self) -> Accounts[AsyncMode]:
        """The accounts TikMatrix knows, and their devices."""
        from .resources import Accounts

        return Accounts(self)

    @resource_property
    def devices(self) -> Devices[AsyncMode]:
        """List the devices, lease one, and drive its screen (TikMatrix's device API)."""
        from .resources import Devices

        return Devices(self)

    _shell_class = AsyncShell

    @staticmethod
    def _make_http(timeout: httpx.Timeout) -> httpx.AsyncClient:
        # Several small pools: httpcore's one pool costs more per request the more it holds.
        from ._sharded_pool import ShardedAsyncTransport

        return httpx.AsyncClient(timeout=timeout, transport=ShardedAsyncTransport())

    async def close(self) -> None:
        """Close the connections this client opened (a passed-in ``http_client`` stays open)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    if not TYPE_CHECKING:  # at run time only: a type checker reports the mistake itself

        def __enter__(self) -> NoReturn:
            raise TypeError(_NOT_SYNC)

        def __exit__(self, *exc_info: object) -> None:
            return None
