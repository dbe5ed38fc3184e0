"""The runner's guards against the races a review found: a stop, a reset, a stale look-up."""

from __future__ import annotations

from flask.testing import FlaskClient

from reference_server.state import ServerState

from .conftest import create, ok

FOLLOW = {"script_name": "follow", "script_config": {"target_users": ["@a"]}}


def test_nothing_is_claimed_from_a_look_up_older_than_a_reset(
    client: FlaskClient, server: ServerState
) -> None:
    create(client, **FOLLOW, serials=["device_serial_1"])
    before = server.runner._generation
    server.runner.cancel_all()  # what a reset does first
    assert server.runner._next_batch(generation=before) == []
    assert ok(client.get("/api/v1/task/stats"))["pending"] == 1
    assert len(server.runner._next_batch()) == 1  # a fresh look-up claims it


def test_nothing_is_claimed_once_the_runner_stops(client: FlaskClient, server: ServerState) -> None:
    create(client, **FOLLOW, serials=["device_serial_1"])
    server.runner._stopping.set()
    assert server.runner._next_batch() == []
    assert ok(client.get("/api/v1/task/stats"))["pending"] == 1


def test_stop_and_delete_cancel_even_a_task_they_read_as_pending(
    client: FlaskClient, server: ServerState
) -> None:
    cancelled: list[int] = []
    server.service.set_cancel_hook(cancelled.append)
    first, second = create(client, **FOLLOW, serials=["device_serial_1", "device_serial_2"])
    ok(client.post(f"/api/v1/task/{first}/stop"))
    ok(client.delete(f"/api/v1/task/{second}"))
    assert cancelled == [first, second]
