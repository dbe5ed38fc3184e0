"""An answer of another TikMatrix version reads as the documented one does (#36, item 1):
optional keys left out take their defaults, unknown keys are kept in ``extra``, on the same
path, and a missing required key is still the answer's fault."""

from __future__ import annotations

import linecache
import threading
from typing import Any

import attrs
import pytest

from tikmatrix_sdk import TaskStatus, _converter, models
from tikmatrix_sdk._converter import is_api_model, structure
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


def _generated_sources() -> str:
    return "".join(
        "".join(linecache.getlines(name))
        for name in list(linecache.cache)
        if name.startswith("<tikmatrix_sdk generated")
    )


def test_a_layout_gets_a_reader_of_its_own_and_reads_as_the_general_one() -> None:
    layout = {k: v for k, v in DOCUMENTED.items() if k not in ("serial", "finished_at")}
    layout = {"status": "2", **layout, "lane": [1, 2]}  # another order, a lenient value
    first, second = structure(layout, Task), structure(dict(layout), Task)
    assert first == second
    assert (first.status, first.serial, first.finished_at) == (TaskStatus.COMPLETED, None, None)
    assert first.extra == second.extra == {"lane": [1, 2]}
    assert first.extra is not second.extra  # each model its own extra
    reader = _converter._Reader(Task)
    answer = {**layout, "lane": []}
    assert reader.layout(tuple(answer))(answer) == reader.general(answer)


def test_layout_readers_are_bounded_and_later_layouts_still_read() -> None:
    reader = _converter._Reader(Task)
    read = reader.structure()
    for number in range(_converter.MAX_LAYOUTS + 8):
        answer = {**DOCUMENTED, f"key_{number}": number}
        assert read(answer).extra == {f"key_{number}": number}
    assert len(reader.layouts) == _converter.MAX_LAYOUTS
    wide = {**DOCUMENTED, **{f"w{n}": n for n in range(_converter.MAX_LAYOUT_KEYS)}}
    assert len(read(wide).extra) == _converter.MAX_LAYOUT_KEYS
    assert len(reader.layouts) == _converter.MAX_LAYOUTS


def test_a_servers_key_never_enters_the_generated_source() -> None:
    odd = "x'] or __import__('os').getpid() or o['\n#"
    task = structure({**DOCUMENTED, odd: 1}, Task)
    assert task.extra == {odd: 1}
    assert "__import__" not in _generated_sources()


@pytest.mark.parametrize(
    "model",
    [m for m in vars(models).values() if is_api_model(m) and hasattr(m, "_wire_aliases")],
    ids=lambda m: m.__name__,
)
def test_an_alias_never_renames_a_field(model: type[Any]) -> None:
    """The documented answer's path skips the aliases: an answer of the model's fields alone
    must be one they leave as it is."""
    fields = {f.name: None for f in attrs.fields(model) if f.name != "extra"}
    assert model._wire_aliases(dict(fields)) == fields


def test_threads_meeting_new_layouts_at_once_each_get_their_own_reader() -> None:
    reader = _converter._Reader(Task)
    read = reader.structure()
    count = _converter.MAX_LAYOUTS
    start = threading.Barrier(count)
    results: dict[int, Any] = {}

    def meet(number: int) -> None:
        answer = {**DOCUMENTED, f"key_{number}": number}
        start.wait(10)
        results[number] = read(answer).extra

    threads = [threading.Thread(target=meet, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == {n: {f"key_{n}": n} for n in range(count)}
    assert len(reader.layouts) == count
    # Each layout's reader is kept in linecache under a name of its own.
    names = [name for name in linecache.cache if "generated layout" in name]
    assert len(set(names)) >= count
