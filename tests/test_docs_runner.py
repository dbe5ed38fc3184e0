"""The docs runner's own rules: how it reads console blocks, and that it fails a page that
leaves the server changed (``nox -s docs`` relies on both; here each is shown failing)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reference_server.testing import running_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "docs" / "_ext"))
import docs_examples as runner


def test_a_command_goes_on_after_a_backslash_and_inside_a_quote() -> None:
    block = (
        "$ curl -s -X POST http://x \\\n"
        '    -d \'{"a": 1,\n'
        '         "b": 2}\'\n'
        '{"code":0}\n'
        "$ tikmatrix tasks list  # it's the first page\n"
        "done\n"
    )
    assert list(runner._commands(block)) == [
        ('curl -s -X POST http://x -d \'{"a": 1,\n         "b": 2}\'', '{"code":0}'),
        ("tikmatrix tasks list  # it's the first page", "done"),
    ]


def test_a_folded_answer_is_joined_back() -> None:
    folded = '{"code":40001,\n"message":"must be from 0 to 1440, got\n100000","data":null}'
    assert runner._unfold(folded) == (
        '{"code":40001,"message":"must be from 0 to 1440, got 100000","data":null}'
    )
    assert runner._unfold("HTTP/1.1 200 OK\nServer: x") == "HTTP/1.1 200 OK\nServer: x"


def test_a_pages_own_server_is_reached_at_its_address_only() -> None:
    namespace: dict[str, Any] = {}
    runner._scratch(namespace)["http://localhost:50810"] = "http://127.0.0.1:41000"
    assert runner._repoint("curl http://localhost:50810/x", namespace) == (
        "curl http://127.0.0.1:41000/x"
    )
    assert runner._repoint("http://localhost:508100/", namespace) == "http://localhost:508100/"


class _Item:
    def __init__(self, path: str) -> None:
        self.path = Path(path)


@pytest.mark.parametrize(("order", "pages"), [("forward", "abc"), ("reverse", "cba")])
def test_pages_run_in_the_order_asked_and_each_page_in_its_own_order(
    monkeypatch: pytest.MonkeyPatch, order: str, pages: str
) -> None:
    monkeypatch.setenv("TIKMATRIX_DOCS_ORDER", order)
    items: list[Any] = [_Item(p) for p in ("a", "a", "b", "c", "c")]
    by_page = {page: [i for i in items if str(i.path) == page] for page in "abc"}
    runner.pytest_collection_modifyitems(items)
    assert "".join(dict.fromkeys(str(item.path) for item in items)) == pages
    for page, examples in by_page.items():  # a page's examples keep their order
        assert [i for i in items if str(i.path) == page] == examples


@pytest.fixture
def live() -> Iterator[str]:
    with running_server() as url:
        previous, runner.LiveServer.url = runner.LiveServer.url, url
        try:
            yield url
        finally:
            runner.LiveServer.url = previous


def test_a_page_that_leaves_a_change_fails_and_says_what(
    live: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "SETTLE_SECONDS", 0.5)  # the task waits for 23:59 anyway
    namespace: dict[str, Any] = {}
    runner.remember_state(namespace)
    behaviour = f"{live}/_control/devices/device_serial_2/behaviour"
    httpx.put(behaviour, json={"failure": "always"}).raise_for_status()
    body = {
        "serials": ["device_serial_1"],
        "script_name": "follow",
        "script_config": {"target_username": "@a"},
        "start_time": "23:59",
    }
    httpx.post(f"{live}/api/v1/task", json=body).raise_for_status()
    with pytest.raises(AssertionError) as caught:
        runner.check_state_restored(namespace)
    assert "devices:" in str(caught.value)
    assert "unfinished tasks: [] -> [1]" in str(caught.value)


def test_a_page_that_undoes_its_changes_passes(live: str) -> None:
    namespace: dict[str, Any] = {}
    runner.remember_state(namespace)
    behaviour = f"{live}/_control/devices/device_serial_2/behaviour"
    httpx.put(behaviour, json={"failure": "always"}).raise_for_status()
    httpx.put(behaviour, json={"failure": "never"}).raise_for_status()
    body: dict[str, Any] = {"serials": ["device_serial_1"], "script_name": "follow"}
    body["script_config"] = {"target_username": "@a"}
    httpx.post(f"{live}/api/v1/task", json=body).raise_for_status()  # runs and finishes
    runner.check_state_restored(namespace)
