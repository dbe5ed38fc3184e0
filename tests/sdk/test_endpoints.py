"""Each endpoint: the request the SDK sends and the model it returns, for both clients."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import httpx
import pytest
import respx

from tikmatrix_sdk import (
    Account,
    AccountPage,
    AsyncTikMatrix,
    ClientValidationError,
    CreatedTasks,
    DeletedTasks,
    FollowConfig,
    License,
    PostConfig,
    RetriedTasks,
    Task,
    TaskPage,
    TaskSource,
    TaskStats,
    TaskStatus,
    TikMatrix,
    __version__,
)

from .conftest import envelope, page_json, resolve, task_json

pytestmark = pytest.mark.anyio

Client = TikMatrix | AsyncTikMatrix


def body_of(route: respx.Route) -> object:
    return json.loads(route.calls.last.request.content)


async def test_create_with_typed_config(client: Client, router: respx.MockRouter) -> None:
    route = router.post("/task").respond(
        json=envelope({"task_ids": [101, 102], "created_count": 2})
    )
    config = PostConfig(content_type=0, captions="New #fyp", material_list=["C:/v/1.mp4"])
    created = await resolve(
        client.tasks.create(config, serials=["device_serial_1", "device_serial_2"])
    )
    assert created == CreatedTasks(task_ids=(101, 102), created_count=2)
    request = route.calls.last.request
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept"] == "application/json"
    assert request.headers["user-agent"].startswith(f"tikmatrix-sdk/{__version__}")
    assert body_of(route) == {
        "serials": ["device_serial_1", "device_serial_2"],
        "script_name": "post",
        "script_config": {
            "content_type": 0,
            "captions": "New #fyp",
            "material_list": ["C:/v/1.mp4"],
        },
    }


async def test_create_with_every_option(client: Client, router: respx.MockRouter) -> None:
    route = router.post("/task").respond(json=envelope({"task_ids": [7], "created_count": 1}))
    with pytest.warns(DeprecationWarning, match="min_interval and max_interval") as warned:
        await resolve(
            client.tasks.create(
                FollowConfig(target_users=["@a"], access_method="search"),
                usernames=["@me"],
                enable_multi_account=False,
                start_time=time(9, 5),
                min_interval=1,
                max_interval=3,
            )
        )
    # It points at the caller's line: here, or in conftest's resolve(), which awaits the
    # async client's call; never inside the SDK.
    (warning,) = warned
    assert Path(warning.filename).parent == Path(__file__).parent
    assert body_of(route) == {
        "usernames": ["@me"],
        "script_name": "follow",
        "script_config": {"target_users": ["@a"], "access_method": "search"},
        "enable_multi_account": False,
        "start_time": "09:05",
        "min_interval": 1,
        "max_interval": 3,
    }


@pytest.mark.parametrize(
    ("given", "sent"), [("9:05", "09:05"), ("09:05", "09:05"), ("0:00", "00:00")]
)
async def test_start_time_is_sent_as_hh_mm(
    client: Client, router: respx.MockRouter, given: str, sent: str
) -> None:
    route = router.post("/task").respond(json=envelope({"task_ids": [7], "created_count": 1}))
    await resolve(
        client.tasks.create(FollowConfig(target_users=["@a"]), serials=["s"], start_time=given)
    )
    assert body_of(route) == {
        "serials": ["s"],
        "script_name": "follow",
        "script_config": {"target_users": ["@a"]},
        "start_time": sent,
    }


@pytest.mark.parametrize("status", [-1, 4, 99])
async def test_a_task_status_filter_outside_0_to_3_is_refused_before_sending(
    client: Client, router: respx.MockRouter, status: int
) -> None:
    route = router.get("/task")
    with pytest.raises(ClientValidationError) as caught:
        await resolve(client.tasks.list(status=status))
    assert caught.value.field == "status"
    assert not route.called


async def test_an_account_status_filter_takes_any_code(
    client: Client, router: respx.MockRouter
) -> None:
    page = {"accounts": [], "total": 0, "page": 1, "page_size": 20}
    route = router.get("/accounts").respond(json=envelope(page))
    await resolve(client.accounts.list(status=7))
    assert route.calls.last.request.url.params["status"] == "7"


def test_task_status_reads_in_words_and_stays_a_number_on_the_wire() -> None:
    assert str(TaskStatus.COMPLETED) == "completed"
    assert f"{TaskStatus.FAILED}" == "failed"
    assert f"{TaskStatus.FAILED:d}" == "3"
    assert int(TaskStatus.COMPLETED) == 2
    assert json.dumps({"status": TaskStatus.COMPLETED}) == '{"status": 2}'


async def test_create_with_script_name_and_mapping(
    client: Client, router: respx.MockRouter
) -> None:
    route = router.post("/task").respond(json=envelope({"task_ids": [8], "created_count": 1}))
    await resolve(
        client.tasks.create(
            script_name="future_script",
            script_config={"anything": [1, 2]},
            serials=["s1"],
            start_time="23:59",
        )
    )
    assert body_of(route) == {
        "serials": ["s1"],
        "script_name": "future_script",
        "script_config": {"anything": [1, 2]},
        "start_time": "23:59",
    }


async def test_create_script_name_without_config_sends_empty_mapping(
    client: Client, router: respx.MockRouter
) -> None:
    route = router.post("/task").respond(json=envelope({"task_ids": [9], "created_count": 1}))
    await resolve(client.tasks.create(script_name="account_warmup", serials=["s1"]))
    assert body_of(route) == {
        "serials": ["s1"],
        "script_name": "account_warmup",
        "script_config": {},
    }


async def test_list_sends_filters_and_parses_page(client: Client, router: respx.MockRouter) -> None:
    route = router.get("/task").respond(
        json=envelope(page_json([task_json(3), task_json(2)], total=42, page=2, page_size=2))
    )
    page = await resolve(
        client.tasks.list(
            status=TaskStatus.FAILED,
            serial="device_serial_1",
            script_name="post",
            source=TaskSource.API,
            page=2,
            page_size=2,
        )
    )
    assert dict(route.calls.last.request.url.params) == {
        "status": "3",
        "serial": "device_serial_1",
        "script_name": "post",
        "source": "api",
        "page": "2",
        "page_size": "2",
    }
    assert isinstance(page.data, TaskPage)
    assert [t.id for t in page.items] == [3, 2]
    assert (page.total, page.page, page.page_size, page.has_next_page()) == (42, 2, 2, True)


async def test_list_without_filters_sends_no_query(
    client: Client, router: respx.MockRouter
) -> None:
    route = router.get("/task").respond(json=envelope(page_json([])))
    page = await resolve(client.tasks.list())
    assert route.calls.last.request.url.query == b""
    assert page.items == ()
    assert not page.has_next_page()


async def test_list_source_as_plain_string(client: Client, router: respx.MockRouter) -> None:
    route = router.get("/task").respond(json=envelope(page_json([])))
    await resolve(client.tasks.list(source="ui", status=0))
    assert dict(route.calls.last.request.url.params) == {"source": "ui", "status": "0"}


async def test_get_parses_every_field(client: Client, router: respx.MockRouter) -> None:
    router.get("/task/101").respond(
        json=envelope(
            task_json(
                101,
                status=2,
                start_time="14:30",
                retry_count=1,
                remark="done",
                started_at="2026-11-23T14:30:05+01:00",
                finished_at="2026-11-23T14:31:00+01:00",
            )
        )
    )
    task = await resolve(client.tasks.get(101))
    plus_one = timezone(timedelta(hours=1))
    assert task == Task(
        id=101,
        serial="device_serial_1",
        username=None,
        script_name="post",
        script_config={"content_type": 0, "captions": "hi"},
        status=TaskStatus.COMPLETED,
        source=TaskSource.API,
        enable_multi_account=False,
        start_time="14:30",
        scheduled_at=datetime(2026, 11, 23, 14, 30, tzinfo=plus_one),
        retry_count=1,
        remark="done",
        created_at=datetime(2026, 11, 23, 13, 2, 11, tzinfo=plus_one),
        started_at=datetime(2026, 11, 23, 14, 30, 5, tzinfo=plus_one),
        finished_at=datetime(2026, 11, 23, 14, 31, tzinfo=plus_one),
    )
    assert task.is_finished
    assert task.status is TaskStatus.COMPLETED
    assert task.status.is_finished
    assert isinstance(task.config, PostConfig)
    assert task.config.captions == "hi"


async def test_delete(client: Client, router: respx.MockRouter) -> None:
    route = router.delete("/task/5").respond(json=envelope({"deleted_count": 1, "task_ids": [5]}))
    result = await resolve(client.tasks.delete(5))
    assert result == DeletedTasks(deleted_count=1, task_ids=(5,), not_found_ids=())
    assert route.calls.last.request.content == b""


async def test_delete_many(client: Client, router: respx.MockRouter) -> None:
    route = router.delete("/task/batch").respond(
        json=envelope({"deleted_count": 2, "task_ids": [1, 2], "not_found_ids": [99]})
    )
    result = await resolve(client.tasks.delete_many(i for i in (1, 2, 99)))
    assert body_of(route) == {"task_ids": [1, 2, 99]}
    assert route.calls.last.request.headers["content-type"] == "application/json"
    assert result == DeletedTasks(deleted_count=2, task_ids=(1, 2), not_found_ids=(99,))


@pytest.mark.parametrize(("method", "path"), [("stop", "/task/4/stop"), ("retry", "/task/4/retry")])
async def test_stop_and_retry_return_the_task(
    client: Client, router: respx.MockRouter, method: str, path: str
) -> None:
    route = router.post(path).respond(json=envelope(task_json(4, status=3, remark="x")))
    task = await resolve(getattr(client.tasks, method)(4))
    assert route.called
    assert route.calls.last.request.content == b""
    assert task.id == 4
    assert task.status is TaskStatus.FAILED


async def test_retry_all(client: Client, router: respx.MockRouter) -> None:
    router.post("/task/retry-all").respond(json=envelope({"retried_count": 2, "task_ids": [1, 2]}))
    assert await resolve(client.tasks.retry_all()) == RetriedTasks(retried_count=2, task_ids=(1, 2))


async def test_stats(client: Client, router: respx.MockRouter) -> None:
    router.get("/task/stats").respond(
        json=envelope({"total": 6, "pending": 1, "running": 2, "completed": 2, "failed": 1})
    )
    stats = await resolve(client.tasks.stats())
    assert stats == TaskStats(total=6, pending=1, running=2, completed=2, failed=1)


async def test_license_check(client: Client, router: respx.MockRouter) -> None:
    router.get("/license/check").respond(
        json=envelope(
            {
                "plan_name": "Pro",
                "api_enabled": True,
                "device_limit": 20,
                "message": "API access enabled",
            }
        )
    )
    assert await resolve(client.license.check()) == License(
        plan_name="Pro", api_enabled=True, device_limit=20, message="API access enabled"
    )


async def test_accounts_list(client: Client, router: respx.MockRouter) -> None:
    route = router.get("/accounts").respond(
        json=envelope(
            {
                "accounts": [
                    {
                        "id": 1,
                        "username": "@user1",
                        "device": "device_serial_1",
                        "platform": "tiktok",
                        "logined": True,
                        "status": 0,
                        "tag": "warm",
                    }
                ],
                "total": 1,
                "page": 1,
                "page_size": 50,
            }
        )
    )
    page = await resolve(
        client.accounts.list(
            platform="tiktok",
            device="device_serial_1",
            logined=True,
            status=0,
            tag="warm",
            page=1,
            page_size=50,
        )
    )
    assert dict(route.calls.last.request.url.params) == {
        "platform": "tiktok",
        "device": "device_serial_1",
        "logined": "true",
        "status": "0",
        "tag": "warm",
        "page": "1",
        "page_size": "50",
    }
    assert page.data == AccountPage(
        accounts=(
            Account(
                id=1,
                username="@user1",
                device="device_serial_1",
                platform="tiktok",
                logined=True,
                status=0,
                tag="warm",
            ),
        ),
        total=1,
        page=1,
        page_size=50,
    )
    assert not page.has_next_page()


async def test_models_round_trip_to_dict(client: Client, router: respx.MockRouter) -> None:
    sent = task_json(11, status=1, source="ui", brand_new=True)
    router.get("/task/11").respond(json=envelope(sent))
    task = await resolve(client.tasks.get(11))
    assert task.to_dict() == sent


async def test_custom_headers_are_sent(router: respx.MockRouter) -> None:
    route = router.get("/task/stats").respond(
        json=envelope({"total": 0, "pending": 0, "running": 0, "completed": 0, "failed": 0})
    )
    with TikMatrix("http://tikmatrix.test", headers={"X-Trace": "abc"}) as client:
        client.tasks.stats()
    assert route.calls.last.request.headers["x-trace"] == "abc"


async def test_a_passed_http_client_is_used_and_left_open(router: respx.MockRouter) -> None:
    route = router.get("/task/stats").respond(
        json=envelope({"total": 0, "pending": 0, "running": 0, "completed": 0, "failed": 0})
    )
    http = httpx.Client(headers={"X-From-Http-Client": "1"})
    with TikMatrix("http://tikmatrix.test", http_client=http) as client:
        assert client.http_client is http
        client.tasks.stats()
    assert route.calls.last.request.headers["x-from-http-client"] == "1"
    assert not http.is_closed
    http.close()
