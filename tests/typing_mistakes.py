"""Mistakes a type checker must catch in code that uses the SDK (checked by ``nox -s typecheck``).

Each line below is wrong and carries the ignore for mypy's error; ``mypy --strict`` reports an
ignore that is not needed, so if the SDK's types ever stopped catching one of these mistakes,
the typecheck session would fail. The ``assert_type`` lines check the other way: that each face
of a method (plain, raw, paged, async) has the result type users rely on. Nothing here runs.
"""

from __future__ import annotations

from typing import Any, assert_type

from tikmatrix_sdk import (
    AsyncPage,
    AsyncTikMatrix,
    CommentConfig,
    FollowConfig,
    ListedLease,
    PostConfig,
    RawResponse,
    SyncPage,
    Task,
    TaskStats,
    TikMatrix,
)


def mistakes(client: TikMatrix) -> None:
    """A bare string where a list of names belongs, and a timeout given as text."""
    client.tasks.create(FollowConfig(target_username="@a"), serials="device_1")  # type: ignore[arg-type]
    client.tasks.create(FollowConfig(target_username="@a"), usernames="@me")  # type: ignore[arg-type]
    PostConfig(material_list="C:/v.mp4")  # type: ignore[arg-type]
    FollowConfig(target_users="@a")  # type: ignore[arg-type]
    CommentConfig(target_post_urls="https://x", comment_content="hi")  # type: ignore[arg-type]
    TikMatrix(timeout="5")  # type: ignore[arg-type]
    client.tasks.list(status="done")  # type: ignore[arg-type]
    client.tasks.with_raw_response.iter()  # type: ignore[arg-type]
    client.tasks.get(1, timeout="5")  # type: ignore[arg-type]
    client.tasks.get(1, extra_header={"X": "1"})  # type: ignore[call-arg]
    client.tasks.list(extra_query=["a"])  # type: ignore[arg-type]
    client.get("/task", cast_to=Task, json={})  # type: ignore[call-overload]


def faces(client: TikMatrix) -> None:
    """What the blocking client's calls give."""
    assert_type(client.tasks.get(1), Task)
    assert_type(client.tasks.get(1, timeout=2, extra_headers={"X": "1"}), Task)
    assert_type(client.tasks.with_raw_response.get(1), RawResponse[Task])
    assert_type(client.tasks.list(), SyncPage[Task])
    assert_type(client.tasks.list().next_page(), SyncPage[Task])
    assert_type(client.tasks.with_raw_response.list(), RawResponse[SyncPage[Task]])
    assert_type(client.get("/task/stats", cast_to=TaskStats), TaskStats)
    assert_type(client.get("/task/stats"), Any)


async def async_faces(client: AsyncTikMatrix) -> None:
    """What the async client's calls give, once awaited."""
    assert_type(await client.tasks.get(1), Task)
    assert_type(await client.tasks.with_raw_response.get(1), RawResponse[Task])
    page = await client.tasks.list()
    assert_type(page, AsyncPage[Task])
    assert_type(await page.next_page(), AsyncPage[Task])
    assert_type(await client.tasks.with_raw_response.list(), RawResponse[AsyncPage[Task]])
    assert_type(await client.post("/task/7/stop", cast_to=Task), Task)


def wrong_with() -> None:
    """Each client under the other's ``with``: the run-time hint must not hide the mistake."""
    with AsyncTikMatrix() as wrong:  # type: ignore[attr-defined]
        print(wrong)


async def wrong_async_with() -> None:
    """The blocking client under ``async with``."""
    async with TikMatrix() as wrong:  # type: ignore[attr-defined]
        print(wrong)


def leases(client: TikMatrix) -> None:
    """A lease's id is a string where you got the lease, and may be absent in a listing."""
    lease = client.devices.acquire("device_serial_1")
    assert_type(lease.session_id, str)
    client.devices.attach(lease.session_id, lease.serial)
    for listed in client.devices.leases():
        assert_type(listed, ListedLease)
        client.devices.attach(listed.session_id)  # type: ignore[arg-type]
