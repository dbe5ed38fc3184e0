"""An answer of another TikMatrix version reads as the documented one does (#36, item 1):
optional keys left out take their defaults, unknown keys are kept in ``extra``, on the same
path, and a missing required key is still the answer's fault."""

from __future__ import annotations

from typing import Any

import pytest

from tikmatrix_sdk import TaskStatus
from tikmatrix_sdk._converter import structure
from tikmatrix_sdk.models import Task, TaskPage

DOCUMENTED: dict[str, Any] = {
    "id": 7, "serial": "device_serial_1", "username": None, "script_name": "post",
    "script_config": {"captions": "hi"}, "status": 2, "source": "api",
    "enable_multi_account": False, "start_time": None,
    "scheduled_at": "2026-12-05T21:10:43+00:00", "retry_count": 0, "remark": "done",
    "created_at": "2026-12-05T21:10:43+00:00", "started_at": None, "finished_at": None,
}  # fmt: skip


def test_left_out_keys_take_their_defaults_and_unknown_ones_are_kept() -> None:
    other = {k: v for k, v in DOCUMENTED.items() if k not in ("source", "remark", "serial")}
    other["device_group"] = "farm-a"
    task = structure(other, Task)
    assert (task.id, task.status, task.source, task.remark) == (7, TaskStatus.COMPLETED, None, "")
    assert task.serial is None
    assert task.extra == {"device_group": "farm-a"}
    documented = structure(DOCUMENTED, Task)
    assert documented.extra == {}
    assert (documented.remark, documented.serial) == ("done", "device_serial_1")


def test_a_default_made_by_a_factory_is_each_models_own() -> None:
    bare = {k: v for k, v in DOCUMENTED.items() if k != "script_config"}
    first, second = structure(bare, Task), structure(bare, Task)
    assert first.script_config == {}
    assert first.script_config is not second.script_config


def test_as_many_keys_as_fields_but_one_unknown_is_read_right() -> None:
    """The documented length with one key swapped for an unknown one is not 'exact'."""
    swapped = {k: v for k, v in DOCUMENTED.items() if k != "remark"}
    swapped["colour"] = "blue"
    task = structure(swapped, Task)
    assert (task.remark, task.extra) == ("", {"colour": "blue"})


def test_a_page_of_mixed_versions_reads_each_alike() -> None:
    other = {k: v for k, v in DOCUMENTED.items() if k != "start_time"} | {"x": 1}
    page = structure({"tasks": [DOCUMENTED, other], "total": 2, "page": 1}, TaskPage)
    assert [task.extra for task in page.items] == [{}, {"x": 1}]


def test_a_missing_required_key_is_the_answers_fault() -> None:
    with pytest.raises(KeyError, match="status"):
        structure({k: v for k, v in DOCUMENTED.items() if k != "status"}, Task)
