"""Property tests: every answer the contract allows decodes, and nothing unknown is lost."""

from __future__ import annotations

from typing import Any

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reference_server.http.openapi import document
from tikmatrix_sdk import Task, TaskPage, TaskStatus
from tikmatrix_sdk._converter import structure

_DOCUMENT = document()
_SETTINGS = settings(
    max_examples=60, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck)
)
_TASK_SCHEMA = {**_DOCUMENT["components"]["schemas"]["Task"], "components": _DOCUMENT["components"]}

_TIMES = st.one_of(st.none(), st.datetimes(timezones=st.timezones()).map(lambda t: t.isoformat()))
_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.text(max_size=20)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(), inner, max_size=3)
    ),
    max_leaves=8,
)
_TEXT = st.one_of(st.none(), st.text(max_size=30))
# Every field the document's Task has, each over the values the document allows.
_TASKS = st.fixed_dictionaries(
    {
        "id": st.integers(1, 2**63 - 1),
        "serial": _TEXT,
        "username": _TEXT,
        "script_name": st.text(max_size=20),
        "script_config": st.dictionaries(st.text(max_size=10), _JSON, max_size=4),
        "status": st.sampled_from([0, 1, 2, 3]),
        "source": st.sampled_from(["ui", "api"]),
        "enable_multi_account": st.booleans(),
        "start_time": st.one_of(st.none(), st.times().map(lambda t: t.strftime("%H:%M"))),
        "scheduled_at": _TIMES,
        "retry_count": st.integers(0, 2**31),
        "remark": st.text(max_size=30),
        "created_at": _TIMES,
        "started_at": _TIMES,
        "finished_at": _TIMES,
    }
)
_UNKNOWN = st.dictionaries(
    st.text(min_size=1, max_size=8).map(lambda key: f"x_{key}"),
    st.one_of(st.none(), st.integers(), st.text(max_size=10), st.booleans()),
    max_size=3,
)


@_SETTINGS
@given(task=_TASKS)
def test_the_generated_tasks_are_those_the_document_allows(task: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(_TASK_SCHEMA).validate(task)


@_SETTINGS
@given(task=_TASKS, unknown=_UNKNOWN)
def test_every_task_the_contract_allows_decodes_and_keeps_unknown_fields(
    task: dict[str, Any], unknown: dict[str, Any]
) -> None:
    decoded = structure({**task, **unknown}, Task)
    assert isinstance(decoded, Task)
    assert decoded.id == task["id"]
    assert decoded.status == TaskStatus(task["status"])
    assert dict(decoded.script_config) == task["script_config"]
    assert (decoded.serial, decoded.username, decoded.remark) == (
        task["serial"],
        task["username"],
        task["remark"],
    )
    assert dict(decoded.extra) == unknown
    for name in ("scheduled_at", "created_at", "started_at", "finished_at"):
        value = getattr(decoded, name)
        assert (value is None) == (task[name] is None)
        if value is not None:
            assert value.isoformat() == task[name]


@_SETTINGS
@given(tasks=st.lists(_TASKS, max_size=5), total=st.integers(0, 10**6), page=st.integers(1, 99))
def test_every_page_decodes(tasks: list[dict[str, Any]], total: int, page: int) -> None:
    decoded = structure({"tasks": tasks, "total": total, "page": page, "page_size": 20}, TaskPage)
    assert isinstance(decoded, TaskPage)
    assert [task.id for task in decoded.tasks] == [task["id"] for task in tasks]
    assert (decoded.total, decoded.page) == (total, page)


@_SETTINGS
@given(status=st.integers(4, 2**31), extra_status=st.sampled_from(["0", "1", "2", "3"]))
def test_unknown_statuses_survive_and_numeric_strings_are_read(
    status: int, extra_status: str
) -> None:
    assert structure({"id": 1, "status": status}, Task).status == status
    assert structure({"id": 1, "status": extra_status}, Task).status == TaskStatus(
        int(extra_status)
    )
