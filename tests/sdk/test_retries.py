"""Retries: only where a repeat cannot do harm, with backoff and Retry-After (sleeps recorded)."""

from __future__ import annotations

import email.utils
import time

import httpx
import pytest
import respx

from tikmatrix_sdk import (
    APIConnectionError,
    APITimeoutError,
    AsyncTikMatrix,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    PostConfig,
    TikMatrix,
    UnexpectedResponseError,
)
from tikmatrix_sdk._retry import MAX_DELAY, backoff_delay, retry_after

from .conftest import Sleeps, envelope, resolve, task_json

pytestmark = pytest.mark.anyio

Client = TikMatrix | AsyncTikMatrix

STATS = {"total": 0, "pending": 0, "running": 0, "completed": 0, "failed": 0}


async def test_create_whose_answer_times_out_is_sent_exactly_once(
    client: Client, router: respx.MockRouter, sleeps: Sleeps
) -> None:
    route = router.post("/task").mock(side_effect=httpx.ReadTimeout("lost"))
    with pytest.raises(APITimeoutError) as caught:
        await resolve(client.tasks.create(PostConfig(captions="x"), serials=["s1"]))
    assert route.call_count == 1
    assert sleeps == []
    assert caught.value.may_have_succeeded is True
    assert "may have reached the server" in str(caught.value)


@pytest.mark.parametrize(
    "error",
    [httpx.WriteTimeout("t"), httpx.ReadError("r"), httpx.RemoteProtocolError("p")],
)
async def test_state_changes_that_may_have_arrived_are_not_retried(
    client: Client, router: respx.MockRouter, error: Exception
) -> None:
    route = router.post("/task/9/stop").mock(side_effect=error)
    with pytest.raises(APIConnectionError) as caught:
        await resolve(client.tasks.stop(9))
    assert route.call_count == 1
    assert caught.value.may_have_succeeded is True


async def test_create_is_not_retried_on_5xx(client: Client, router: respx.MockRouter) -> None:
    route = router.post("/task").respond(503, text="unavailable")
    with pytest.raises(UnexpectedResponseError):
        await resolve(client.tasks.create(PostConfig(), serials=["s1"]))
    assert route.call_count == 1


@pytest.mark.parametrize(
    "error",
    [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.PoolTimeout("busy")],
)
async def test_requests_that_never_left_are_retried_even_create(
    client: Client,
    router: respx.MockRouter,
    sleeps: Sleeps,
    error: Exception,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("tikmatrix_sdk._retry.random.random", lambda: 0.5)
    route = router.post("/task").mock(
        side_effect=[
            error,
            error,
            httpx.Response(200, json=envelope({"task_ids": [1], "created_count": 1})),
        ]
    )
    created = await resolve(client.tasks.create(PostConfig(), serials=["s1"]))
    assert created.task_ids == (1,)
    assert route.call_count == 3
    assert sleeps == [0.4375, 0.875]  # 0.5 s then 1 s, less an eighth of jitter


async def test_connect_errors_give_up_after_max_retries(
    client: Client, router: respx.MockRouter, sleeps: Sleeps
) -> None:
    route = router.post("/task/retry-all").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(APIConnectionError) as caught:
        await resolve(client.tasks.retry_all())
    assert route.call_count == 3  # the first try and max_retries=2 more
    assert len(sleeps) == 2
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert caught.value.may_have_succeeded is False  # it never reached the server


async def test_a_read_that_fails_never_may_have_succeeded(
    client: Client, router: respx.MockRouter
) -> None:
    router.get("/task/stats").mock(side_effect=httpx.ReadTimeout("t"))
    with pytest.raises(APITimeoutError) as caught:
        await resolve(client.tasks.stats())
    assert caught.value.may_have_succeeded is False


@pytest.mark.parametrize(
    "error", [httpx.ReadTimeout("t"), httpx.ReadError("r"), httpx.RemoteProtocolError("p")]
)
async def test_reads_are_retried_on_transport_errors(
    client: Client, router: respx.MockRouter, error: Exception
) -> None:
    route = router.get("/task/stats").mock(
        side_effect=[error, httpx.Response(200, json=envelope(STATS))]
    )
    assert (await resolve(client.tasks.stats())).total == 0
    assert route.call_count == 2


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
async def test_reads_are_retried_on_retryable_statuses(
    client: Client, router: respx.MockRouter, status: int
) -> None:
    route = router.get("/task/stats").mock(
        side_effect=[httpx.Response(status, text="busy"), httpx.Response(200, json=envelope(STATS))]
    )
    await resolve(client.tasks.stats())
    assert route.call_count == 2


async def test_reads_are_retried_on_code_50001_with_http_200(
    client: Client, router: respx.MockRouter
) -> None:
    route = router.get("/task/1").mock(
        side_effect=[
            httpx.Response(200, json=envelope(code=50001, message="db locked")),
            httpx.Response(200, json=envelope(task_json(1))),
        ]
    )
    assert (await resolve(client.tasks.get(1))).id == 1
    assert route.call_count == 2


async def test_reads_give_up_and_raise_the_last_answer(
    client: Client, router: respx.MockRouter, sleeps: Sleeps
) -> None:
    route = router.get("/task/1").respond(500, json=envelope(code=50001, message="boom"))
    with pytest.raises(InternalServerError, match="boom"):
        await resolve(client.tasks.get(1))
    assert route.call_count == 3
    assert len(sleeps) == 2


@pytest.mark.parametrize(
    ("status", "code", "error"), [(404, 40401, NotFoundError), (400, 40001, BadRequestError)]
)
async def test_client_errors_are_not_retried(
    client: Client, router: respx.MockRouter, status: int, code: int, error: type[Exception]
) -> None:
    route = router.get("/task/1").respond(status, json=envelope(code=code, message="no"))
    with pytest.raises(error):
        await resolve(client.tasks.get(1))
    assert route.call_count == 1


async def test_retry_after_seconds_is_honoured(
    client: Client, router: respx.MockRouter, sleeps: Sleeps
) -> None:
    router.get("/task/stats").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "3"}, text="slow down"),
            httpx.Response(200, json=envelope(STATS)),
        ]
    )
    await resolve(client.tasks.stats())
    assert sleeps == [3.0]


async def test_retry_after_ms_is_honoured(
    client: Client, router: respx.MockRouter, sleeps: Sleeps
) -> None:
    router.get("/task/stats").mock(
        side_effect=[
            httpx.Response(503, headers={"retry-after-ms": "250"}, text="busy"),
            httpx.Response(200, json=envelope(STATS)),
        ]
    )
    await resolve(client.tasks.stats())
    assert sleeps == [0.25]


async def test_unreasonable_retry_after_falls_back_to_backoff(
    client: Client, router: respx.MockRouter, sleeps: Sleeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tikmatrix_sdk._retry.random.random", lambda: 0.5)
    router.get("/task/stats").mock(
        side_effect=[
            httpx.Response(503, headers={"Retry-After": "3600"}, text="busy"),
            httpx.Response(200, json=envelope(STATS)),
        ]
    )
    await resolve(client.tasks.stats())
    assert sleeps == [0.4375]


async def test_max_retries_zero_disables_retries(
    client: Client, router: respx.MockRouter, sleeps: Sleeps
) -> None:
    route = router.get("/task/stats").respond(503, text="busy")
    with pytest.raises(UnexpectedResponseError):
        await resolve(client.with_options(max_retries=0).tasks.stats())
    assert route.call_count == 1
    assert sleeps == []


async def test_more_retries_with_options(
    client: Client, router: respx.MockRouter, sleeps: Sleeps
) -> None:
    route = router.get("/task/stats").mock(side_effect=httpx.ConnectError("down"))
    with pytest.raises(APIConnectionError):
        await resolve(client.with_options(max_retries=5).tasks.stats())
    assert route.call_count == 6
    assert len(sleeps) == 5
    assert sleeps[-1] <= MAX_DELAY


def test_backoff_grows_exponentially_and_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tikmatrix_sdk._retry.random.random", lambda: 0.0)
    assert [backoff_delay(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    monkeypatch.setattr("tikmatrix_sdk._retry.random.random", lambda: 1.0)
    assert backoff_delay(0) == 0.375


def test_retry_after_parsing() -> None:
    assert retry_after(None) is None
    assert retry_after(httpx.Headers()) is None
    assert retry_after(httpx.Headers({"retry-after": "1.5"})) == 1.5
    assert retry_after(httpx.Headers({"retry-after-ms": "x", "retry-after": "2"})) == 2.0
    assert retry_after(httpx.Headers({"retry-after": "soon"})) is None
    now = float(int(time.time()))  # a whole second: the date format has no fractions
    date = email.utils.formatdate(now + 10, usegmt=True)
    assert retry_after(httpx.Headers({"retry-after": date}), now=now) == 10.0
    assert retry_after(httpx.Headers({"retry-after": date})) is not None
