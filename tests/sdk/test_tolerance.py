"""The SDK accepts the shapes CONTRACT.md says the real app may send ("SDK tolerance")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import respx

from tikmatrix_sdk import AsyncTikMatrix, Task, TaskSource, TaskStatus, TikMatrix

from .conftest import envelope, page_json, resolve, task_json

pytestmark = pytest.mark.anyio

Client = TikMatrix | AsyncTikMatrix


async def get_task(client: Client, router: respx.MockRouter, **fields: object) -> Task:
    router.get("/task/1").respond(json=envelope(task_json(1, **fields)))
    return await resolve(client.tasks.get(1))


@pytest.mark.parametrize(
    ("sent", "expected"),
    [(0, TaskStatus.PENDING), ("1", TaskStatus.RUNNING), (" 3 ", TaskStatus.FAILED), (2.0, 2)],
)
async def test_status_as_number_or_numeric_string(
    client: Client, router: respx.MockRouter, sent: object, expected: int
) -> None:
    task = await get_task(client, router, status=sent)
    assert task.status == expected
    assert isinstance(task.status, TaskStatus)


async def test_unknown_status_survives(client: Client, router: respx.MockRouter) -> None:
    task = await get_task(client, router, status="7")
    assert task.status == 7
    assert task.status.name == "UNKNOWN_7"  # a pseudo-member: typed, named, not finished
    assert task.status not in list(TaskStatus)
    assert not task.status.is_finished
    assert not task.is_finished


async def test_unknown_source_and_script_survive(client: Client, router: respx.MockRouter) -> None:
    task = await get_task(client, router, source="scheduler", script_name="brand_new")
    assert task.source == "scheduler"
    assert isinstance(task.source, TaskSource)
    assert task.script_name == "brand_new"
    assert task.config is None


async def test_source_is_case_insensitive(client: Client, router: respx.MockRouter) -> None:
    task = await get_task(client, router, source="UI")
    assert task.source is TaskSource.UI
    assert str(TaskSource.UI) == "ui"


async def test_local_time_format_is_local(client: Client, router: respx.MockRouter) -> None:
    task = await get_task(client, router, created_at="2026-11-23 13:02:11", started_at="")
    created = task.created_at
    assert created == datetime(2026, 11, 23, 13, 2, 11).astimezone()
    assert created.tzinfo is not None
    assert task.started_at is None


async def test_iso_with_z_and_epoch_seconds(client: Client, router: respx.MockRouter) -> None:
    task = await get_task(
        client, router, created_at="2026-11-23T12:00:00Z", finished_at=1_700_000_000
    )
    assert task.created_at == datetime(2026, 11, 23, 12, tzinfo=UTC)
    assert task.finished_at == datetime.fromtimestamp(1_700_000_000, tz=UTC)


async def test_script_args_json_string(client: Client, router: respx.MockRouter) -> None:
    fields = task_json(1)
    del fields["script_config"]
    fields["script_args"] = '{"target_users": ["@a"]}'
    fields["script_name"] = "follow"
    router.get("/task/1").respond(json=envelope(fields))
    task = await resolve(client.tasks.get(1))
    assert task.script_config == {"target_users": ["@a"]}
    assert task.extra == {}
    assert task.config is not None
    assert task.config.to_dict() == {"target_users": ["@a"]}


@pytest.mark.parametrize("raw", ["", "   "])
async def test_empty_script_args(client: Client, router: respx.MockRouter, raw: str) -> None:
    fields = task_json(1)
    del fields["script_config"]
    fields["script_args"] = raw
    router.get("/task/1").respond(json=envelope(fields))
    task = await resolve(client.tasks.get(1))
    assert task.script_config == {}


async def test_script_args_not_json_is_kept(client: Client, router: respx.MockRouter) -> None:
    fields = task_json(1)
    del fields["script_config"]
    fields["script_args"] = "not json"
    router.get("/task/1").respond(json=envelope(fields))
    task = await resolve(client.tasks.get(1))
    assert task.script_config == {}
    assert task.extra == {"script_args": "not json"}


@pytest.mark.parametrize("key", ["items", "list"])
async def test_tasks_under_another_key(client: Client, router: respx.MockRouter, key: str) -> None:
    body = page_json([task_json(2), task_json(1)])
    body[key] = body.pop("tasks")
    router.get("/task").respond(json=envelope(body))
    page = await resolve(client.tasks.list())
    assert [t.id for t in page.items] == [2, 1]
    assert page.data.extra == {}


async def test_unknown_fields_are_kept(client: Client, router: respx.MockRouter) -> None:
    task = await get_task(client, router, priority=5, device_name="Pixel")
    assert task.extra == {"priority": 5, "device_name": "Pixel"}
    router.get("/task/stats").respond(
        json=envelope(
            {"total": 1, "pending": 1, "running": 0, "completed": 0, "failed": 0, "paused": 0}
        )
    )
    stats = await resolve(client.tasks.stats())
    assert stats.extra == {"paused": 0}


async def test_numeric_strings_and_loose_booleans(client: Client, router: respx.MockRouter) -> None:
    task = await get_task(
        client, router, id="1", retry_count="2", enable_multi_account="true", serial=12345
    )
    assert task.id == 1
    assert task.retry_count == 2
    assert task.enable_multi_account is True
    assert task.serial == "12345"


async def test_account_aliases_and_int_booleans(client: Client, router: respx.MockRouter) -> None:
    router.get("/accounts").respond(
        json=envelope(
            {
                "accounts": [{"username": "@u", "serial": "s1", "logined": 1, "followers": 10}],
                "total": 1,
            }
        )
    )
    page = await resolve(client.accounts.list())
    account = page.items[0]
    assert account.device == "s1"
    assert account.logined is True
    assert account.extra == {"followers": 10}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", True),
        ("id", "one"),
        ("id", 1.5),
        ("id", None),
        ("status", [0]),
        ("enable_multi_account", "maybe"),
        ("enable_multi_account", 2),
        ("serial", ["x"]),
        ("source", ["ui"]),
        ("created_at", "yesterday"),
        ("created_at", ["2026"]),
        ("script_config", [1]),
    ],
)
async def test_values_that_cannot_be_read_are_errors(
    client: Client, router: respx.MockRouter, field: str, value: object
) -> None:
    from tikmatrix_sdk import ResponseValidationError

    router.get("/task/1").respond(json=envelope(task_json(1, **{field: value})))
    with pytest.raises(ResponseValidationError):
        await resolve(client.tasks.get(1))


async def test_null_script_config_is_empty(client: Client, router: respx.MockRouter) -> None:
    task = await get_task(client, router, script_config=None)
    assert task.script_config == {}


def test_naive_datetime_object_is_made_local() -> None:
    from tikmatrix_sdk._converter import _datetime

    aware = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=2)))
    assert _datetime(aware) is aware
    assert _datetime(datetime(2026, 1, 1)) == datetime(2026, 1, 1).astimezone()


def test_page_payload_that_is_not_a_dict_but_a_mapping() -> None:
    from types import MappingProxyType

    from tikmatrix_sdk._converter import structure
    from tikmatrix_sdk.models import TaskStats

    stats = structure(
        MappingProxyType({"total": 1, "pending": 1, "running": 0, "completed": 0, "failed": 0}),
        TaskStats,
    )
    assert stats.total == 1
