"""The converter's lenient readers and the generated structure functions' slow paths."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import pytest

from tikmatrix_sdk import Account, AccountPage, Task, TaskPage, TaskSource, TaskStatus
from tikmatrix_sdk._converter import (
    _bool,
    _datetime,
    _int,
    _mapping,
    _str,
    converter,
    enum_reader,
    structure,
)


@pytest.mark.parametrize(("value", "expected"), [(3, 3), (3.0, 3), (" 4 ", 4), ("-2", -2)])
def test_int_reader(value: Any, expected: int) -> None:
    assert _int(value) == expected


@pytest.mark.parametrize("value", [True, 2.5, None, [1], "x"])
def test_int_reader_rejects(value: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        _int(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (0, False), (1, True), ("TRUE", True), (" no ", False), ("", False)],
)
def test_bool_reader(value: Any, expected: bool) -> None:
    assert _bool(value) is expected


@pytest.mark.parametrize("value", [2, "maybe", None, 1.0])
def test_bool_reader_rejects(value: Any) -> None:
    with pytest.raises(TypeError):
        _bool(value)


def test_str_reader() -> None:
    assert _str("a") == "a"
    assert _str(12) == "12"
    assert _str(1.5) == "1.5"
    for bad in (True, None, ["a"]):
        with pytest.raises(TypeError):
            _str(bad)


def test_source_reader() -> None:
    found = enum_reader(TaskSource | str | None)
    assert found is not None
    _source = found[1]
    assert _source(None) is None
    assert _source("API") is TaskSource.API
    assert _source("cron") == "cron"


def test_datetime_reader() -> None:
    assert _datetime(None) is None
    assert _datetime("") is None
    assert _datetime(" 2026-11-23T12:00:00+00:00 ") == datetime(2026, 11, 23, 12, tzinfo=UTC)
    with pytest.raises(TypeError):
        _datetime(True)


def test_mapping_reader() -> None:
    assert _mapping(None) == {}
    assert _mapping({"a": 1}) == {"a": 1}
    with pytest.raises(TypeError):
        _mapping("a=1")


def test_optional_primitives_through_the_converter() -> None:
    optional_int: Any = int | None
    assert converter.structure("5", optional_int) == 5
    assert converter.structure(None, optional_int) is None
    assert converter.structure("yes", cast(Any, bool | None)) is True
    assert converter.structure(7, cast(Any, str | None)) == "7"


def test_task_with_only_required_fields_gets_defaults() -> None:
    task = structure({"id": 1, "status": 0}, Task)
    assert task == Task(id=1, status=TaskStatus.PENDING)
    assert task.script_config == {}
    assert task.source is None
    assert task.extra == {}


def test_missing_required_field_is_an_error() -> None:
    with pytest.raises(KeyError):
        structure({"status": 0}, Task)


def test_not_an_object_is_an_error() -> None:
    with pytest.raises(TypeError, match="expected an object for Task"):
        structure([1, 2], Task)


def test_defaults_are_fresh_per_instance() -> None:
    first = structure({"id": 1, "status": 0}, Task)
    second = structure({"id": 2, "status": 0}, Task)
    assert first.script_config is not second.script_config


def test_pages_unstructure_with_their_items() -> None:
    page = structure({"tasks": [{"id": 1, "status": 2}], "total": 1, "x": 1}, TaskPage)
    assert page.items == page.tasks
    assert page.to_dict()["x"] == 1
    assert page.to_dict()["tasks"][0]["status"] == 2
    accounts = structure({"accounts": [{"username": "@a"}], "total": 3}, AccountPage)
    assert accounts.items == (Account(username="@a"),)
    assert not accounts.has_next
