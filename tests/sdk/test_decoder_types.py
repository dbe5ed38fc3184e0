"""The decoder reads every type a model may declare, nested and optional, and runs validators.

A model here declares a field of each type the contract's answers use, and the types a new
endpoint is likely to add (an optional model, an optional tuple …). A type the SDK cannot
read fails when the model's reader is built, as the SDK's own error, never as the server's.
"""

from __future__ import annotations

import linecache
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import attrs
import httpx
import pytest

from tikmatrix_sdk import (
    Lease,
    ResponseValidationError,
    Task,
    TaskSource,
    TaskStatus,
    TikMatrix,
    models,
)
from tikmatrix_sdk._converter import ModelDefinitionError, converter, is_api_model, structure
from tikmatrix_sdk._endpoint import Endpoint
from tikmatrix_sdk.models import _Model


def _positive(instance: Any, attribute: Any, value: int) -> None:
    if value < 1:
        raise ValueError(f"{attribute.name} must be positive, got {value}")


@attrs.frozen(kw_only=True, slots=False)
class Inner(_Model):
    name: str
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True, slots=False)
class EveryType(_Model):
    count: int = attrs.field(validator=_positive)
    label: str
    flag: bool
    ratio: float | None = None
    maybe_count: int | None = None
    maybe_label: str | None = None
    maybe_flag: bool | None = None
    when: datetime | None = None
    status: TaskStatus | int = TaskStatus.PENDING
    source: TaskSource | str | None = None
    mapping: Mapping[str, Any] = attrs.field(factory=dict)
    ids: tuple[int, ...] = ()
    names: tuple[str, ...] = ()
    maybe_names: tuple[str, ...] | None = None
    inner: Inner | None = None
    inners: tuple[Inner, ...] = ()
    lease: Lease | None = None
    task: Task | None = None
    tasks: tuple[Task, ...] = ()
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


_LEASE = {
    "session_id": "s",
    "serial": "device_serial_1",
    "label": "",
    "ttl_secs": 60,
    "created_at": "2026-12-05T10:00:00+00:00",
    "expires_at": "2026-12-05T10:01:00+00:00",
    "expires_in": 60,
    "task_id": None,
}
_TASK = {"id": 3, "status": 2, "script_name": "follow"}
FULL = {
    "count": "4",
    "label": 5,
    "flag": "true",
    "ratio": 1,
    "maybe_count": None,
    "maybe_label": "x",
    "maybe_flag": 0,
    "when": "2026-12-05T10:00:00+00:00",
    "status": 9,
    "source": "cron",
    "mapping": {"a": 1},
    "ids": [1, "2"],
    "names": ["a", 3],
    "maybe_names": ["b"],
    "inner": {"name": "i", "more": True},
    "inners": [{"name": "j"}],
    "lease": _LEASE,
    "task": _TASK,
    "tasks": [_TASK, _TASK],
    "unknown": [1],
}


def test_every_type_is_read_nested_and_optional() -> None:
    read = structure(FULL, EveryType)
    assert (read.count, read.label, read.flag, read.ratio) == (4, "5", True, 1.0)
    assert (read.maybe_count, read.maybe_label, read.maybe_flag) == (None, "x", False)
    assert read.when == datetime(2026, 12, 5, 10, tzinfo=UTC)
    assert (read.status, read.source) == (9, "cron")  # unknown enum values kept as given
    assert (read.ids, read.names, read.maybe_names) == ((1, 2), ("a", "3"), ("b",))
    assert read.inner == Inner(name="i")
    assert read.inner.extra == {"more": True}
    assert read.inners == (Inner(name="j"),)
    assert isinstance(read.lease, Lease)
    assert read.lease.ttl_secs == 60
    assert read.task is not None
    assert read.task.status is TaskStatus.COMPLETED
    assert len(read.tasks) == 2
    assert read.extra == {"unknown": [1]}


def test_optional_fields_may_be_missing_or_null() -> None:
    read = structure({"count": 1, "label": "", "flag": False, "lease": None}, EveryType)
    assert (read.lease, read.maybe_names, read.inner) == (None, None, None)
    nulls = {"count": 1, "label": "", "flag": False, "maybe_names": None, "task": None}
    assert structure(nulls, EveryType).task is None


def test_validators_run() -> None:
    with pytest.raises(ValueError, match="count must be positive"):
        structure({"count": 0, "label": "", "flag": False}, EveryType)


def test_a_bad_answer_is_the_servers_fault() -> None:
    answer = {"code": 0, "message": "success", "data": {"count": 0, "label": "", "flag": 1}}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=answer))
    with (
        TikMatrix(http_client=httpx.Client(transport=transport)) as client,
        pytest.raises(ResponseValidationError),
    ):
        client.get("/anything", cast_to=EveryType)


class Opaque:
    """A type nothing tells the converter how to read."""


@attrs.frozen(kw_only=True, slots=False)
class Unreadable(_Model):
    weird: Opaque
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


def test_a_type_the_sdk_cannot_read_is_the_sdks_fault() -> None:
    answer = {"code": 0, "message": "success", "data": {"weird": []}}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=answer))
    with (
        TikMatrix(http_client=httpx.Client(transport=transport)) as client,
        pytest.raises(ModelDefinitionError, match=r"Unreadable\.weird"),
    ):
        client.get("/anything", cast_to=Unreadable)
    assert not issubclass(ModelDefinitionError, (ResponseValidationError, TypeError, ValueError))


def test_every_model_of_the_sdk_has_a_reader() -> None:
    found = [value for value in vars(models).values() if is_api_model(value) and attrs.has(value)]
    assert len(found) > 10
    for model in found:
        converter.get_structure_hook(model)


def test_the_generated_reader_can_be_read_in_a_debugger() -> None:
    hook = converter.get_structure_hook(EveryType)
    filename = hook.__code__.co_filename
    assert "EveryType" in filename
    assert "def structure" in "".join(linecache.getlines(filename))


def test_an_endpoint_returns_the_model() -> None:
    assert Endpoint("GET", "/x", EveryType).parse(FULL).count == 4
