"""Hostile strings in serials, usernames and captions: stored and served back byte-exact."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from reference_server.app import ServerConfig
from reference_server.testing import running_server
from tikmatrix_sdk import BadRequestError, PostConfig, TaskStatus, TikMatrix
from tikmatrix_sdk._contract.serials import is_serial

HOSTILE = [
    "; rm -rf / #",
    "$(reboot)",
    "`id`",
    "a\x00b",
    "' OR 1=1 --",
    '"; DROP TABLE tasks; --',
    "\u202e\ufeff😀\u0301",
    "x" * 10_000,
]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_server(ServerConfig(db=":memory:", poll_interval=0.05)) as url:
        yield url


@pytest.mark.parametrize("text", HOSTILE)
def test_a_hostile_serial_is_refused_until_it_is_a_device_then_kept(server: str, text: str) -> None:
    with TikMatrix(server) as client:
        before = client.tasks.stats().total
        with pytest.raises(BadRequestError) as refused:
            client.tasks.create(PostConfig(captions="hi"), serials=[text])
        assert "serials" in refused.value.message
        assert client.tasks.stats().total == before

        added = httpx.post(f"{server}/_control/devices", json={"serials": [text]})
        if not is_serial(text):  # a path, NUL, or too long: no device may have such a serial
            assert (added.status_code, added.json()["code"]) == (400, 40001)
            return
        added.raise_for_status()
        (task_id,) = client.tasks.create(PostConfig(captions="hi"), serials=[text]).task_ids
        task = client.tasks.wait(task_id, timeout=30, poll_interval=0.05)
        assert (task.serial, task.status) == (text, TaskStatus.COMPLETED)
        assert [t.id for t in client.tasks.iter(serial=text)] == [task_id]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_hostile_username_and_caption_are_kept(server: str, text: str) -> None:
    account = {"username": text, "device": "device_serial_1", "tag": text}
    httpx.post(f"{server}/_control/accounts", json={"accounts": [account]}).raise_for_status()
    with TikMatrix(server) as client:
        created = client.tasks.create(
            PostConfig(captions=text, material_list=[text]), usernames=[text]
        )
        task = client.tasks.wait(created.task_ids[0], timeout=30, poll_interval=0.05)
        assert (task.username, task.serial) == (text, "device_serial_1")
        assert task.script_config["captions"] == text
        assert task.script_config["material_list"] == [text]
        assert task.status is TaskStatus.COMPLETED
        assert [a.username for a in client.accounts.iter(tag=text)] == [text]
