"""The SDK's two clients against the reference server listening on a real loopback port."""

from __future__ import annotations

import time

import httpx
import pytest

from tikmatrix_sdk import (
    APITimeoutError,
    AsyncTikMatrix,
    BadRequestError,
    CommentConfig,
    FollowConfig,
    InternalServerError,
    LicenseError,
    MissingScriptNameError,
    NotFoundError,
    PostConfig,
    TaskSource,
    TaskStatus,
    TikMatrix,
    UnsupportedScriptError,
)
from tikmatrix_sdk._response import read_envelope

from ..sdk.conftest import collect, resolve
from ..waiting import wait_until_async
from .conftest import Control

pytestmark = pytest.mark.anyio

Client = TikMatrix | AsyncTikMatrix
POST = PostConfig(
    content_type=0, captions="{Hi|Hello} #fyp", material_list=["C:/Videos/video1.mp4"]
)


async def test_a_task_runs_from_pending_to_completed(client: Client, control: Control) -> None:
    created = await resolve(client.tasks.create(POST, serials=["device_serial_1"]))
    assert created.created_count == 1
    task = await resolve(client.tasks.get(created.task_ids[0]))
    assert task.source is TaskSource.API
    assert task.config == PostConfig.from_dict(task.script_config)
    done = await resolve(client.tasks.wait(task.id, timeout=20, poll_interval=0.05))
    assert done.status is TaskStatus.COMPLETED
    assert done.started_at is not None
    assert done.finished_at is not None
    assert done.finished_at >= done.started_at >= done.created_at  # type: ignore[operator]
    records = control.call("GET", "/devices/device_serial_1/records")["records"]
    assert records[0]["caption"] in ("Hi #fyp", "Hello #fyp")
    assert records[0]["media"] == [{"path": "C:/Videos/video1.mp4", "size": None, "sha256": None}]


async def test_a_failed_task_is_retried_to_completion(client: Client, control: Control) -> None:
    control.call(
        "PUT", "/devices/device_serial_2/behaviour", {"failure": "sequence", "sequence": ["fail"]}
    )
    created = await resolve(
        client.tasks.create(FollowConfig(target_users=["@a"]), serials=["device_serial_2"])
    )
    task_id = created.task_ids[0]
    failed = await resolve(client.tasks.wait(task_id, timeout=20, poll_interval=0.05))
    assert failed.status is TaskStatus.FAILED
    assert "simulated failure" in failed.remark
    retried = await resolve(client.tasks.retry(task_id))
    assert retried.retry_count == 1
    done = await resolve(client.tasks.wait(task_id, timeout=20, poll_interval=0.05))
    assert done.status is TaskStatus.COMPLETED
    assert (await resolve(client.tasks.stats())).completed == 1


async def test_every_endpoint(client: Client, control: Control) -> None:
    control.call("PUT", "/devices/device_serial_1/behaviour", {"duration": 30})
    license_ = await resolve(client.license.check())
    assert (license_.plan_name, license_.api_enabled, license_.device_limit) == ("Pro", True, 20)
    comment = CommentConfig(target_post_urls=["https://t/1", "https://t/2"], comment_content="a\nb")
    created = await resolve(
        client.tasks.create(comment, usernames=["@user1", "@user2"], start_time="23:59")
    )
    assert created.created_count == 4
    page = await resolve(client.tasks.list(page_size=3, script_name="comment"))
    assert (page.total, len(page.items), page.has_next_page()) == (4, 3, True)
    assert [t.id for t in page.items] == sorted(created.task_ids, reverse=True)[:3]
    every = await collect(client.tasks.iter(page_size=1))
    assert sorted(t.id for t in every) == sorted(created.task_ids)
    stopped = await resolve(client.tasks.stop(created.task_ids[0]))
    assert (stopped.status, stopped.remark) == (TaskStatus.FAILED, "stopped by user")
    retried_all = await resolve(client.tasks.retry_all())
    assert retried_all.task_ids == (created.task_ids[0],)
    deleted = await resolve(client.tasks.delete(created.task_ids[1]))
    assert deleted.task_ids == (created.task_ids[1],)
    batch = await resolve(client.tasks.delete_many([created.task_ids[2], 99999]))
    assert (batch.deleted_count, batch.not_found_ids) == (1, (99999,))
    stats = await resolve(client.tasks.stats())
    assert (stats.total, stats.pending + stats.running) == (2, 2)
    accounts = await resolve(client.accounts.list(device="device_serial_1"))
    assert {a.username for a in accounts.items} == {"@user1", "@my_account1", "@insta_user1"}
    every_account = await collect(client.accounts.iter(page_size=4, platform="tiktok"))
    assert len(every_account) == 10


async def test_every_error_code(client: Client, control: Control) -> None:
    # The SDK refuses a missing script_name before sending; the server's answer to a raw
    # request still maps to the SDK's exception.
    raw = httpx.post(
        f"{client.base_url}/api/v1/task", json={"serials": ["device_serial_1"], "script_config": {}}
    )
    with pytest.raises(MissingScriptNameError):
        read_envelope(raw, lambda data: data)
    with pytest.raises(UnsupportedScriptError) as unsupported:
        await resolve(
            client.tasks.create(script_name="like", script_config={}, serials=["device_serial_1"])
        )
    assert unsupported.value.status_code == 400
    with pytest.raises(BadRequestError, match="nope"):
        await resolve(client.tasks.create(POST, serials=["nope"]))
    with pytest.raises(BadRequestError, match="material_list"):
        await resolve(
            client.tasks.create(
                script_name="post",
                script_config={"material_list": "x"},
                serials=["device_serial_1"],
            )
        )
    with pytest.raises(NotFoundError) as missing:
        await resolve(client.tasks.get(424242))
    assert missing.value.status_code == 404
    control.call(
        "POST", "/faults", {"path": "/api/v1/task/stats", "code": 50001, "http_status": 500}
    )
    with pytest.raises(InternalServerError):
        await resolve(client.tasks.stats())
    control.call("DELETE", "/faults")
    control.call("PUT", "/plan", {"plan": "Starter"})
    with pytest.raises(LicenseError) as starter:
        await resolve(client.tasks.stats())
    assert starter.value.plan_name == "Starter"
    assert starter.value.status_code == 403
    answer = await resolve(client.license.check())  # the question is answered, not raised
    assert (answer.plan_name, answer.api_enabled, answer.code) == ("Starter", False, 40301)
    assert (answer.device_limit, answer.message) == (5, starter.value.message)


async def test_reads_retry_through_injected_faults(client: Client, control: Control) -> None:
    control.call(
        "POST",
        "/faults",
        {"path": "/api/v1/task/stats", "code": 50001, "http_status": 503, "times": 2},
    )
    fast = client.with_options(max_retries=2)
    fast._shell.sleep = (lambda seconds: None) if isinstance(client, TikMatrix) else _no_sleep
    assert (await resolve(fast.tasks.stats())).total == 0
    assert control.call("GET", "/faults")["faults"] == []


async def _no_sleep(seconds: float) -> None:
    return None


async def test_a_create_whose_answer_is_late_is_sent_once(client: Client, control: Control) -> None:
    control.call(
        "POST", "/faults", {"method": "POST", "path": "/api/v1/task", "latency": 1.0, "times": 1}
    )
    impatient = client.with_options(timeout=0.3, max_retries=3)
    sent = time.monotonic()
    with pytest.raises(APITimeoutError):
        await resolve(impatient.tasks.create(POST, serials=["device_serial_3"]))

    async def created() -> int:  # the server is still sleeping on the first create
        return (await resolve(client.tasks.stats())).total

    await wait_until_async(created, "the delayed create to land")

    # The fault delayed the first request by 1 s; a resent create would have landed at once.
    # Once that second has passed since the call, both would be in the store.
    async def window_passed() -> bool:
        return time.monotonic() >= sent + 1.0

    await wait_until_async(window_passed, "the delay to pass")
    stats = await resolve(client.tasks.stats())
    assert stats.total == 1  # the server got it once; the SDK did not send it again
