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


def test_a_worker_of_a_stopped_runner_claims_nothing_after_a_restart(
    client: FlaskClient, server: ServerState
) -> None:
    # A stop that timed out leaves its workers running; a start must not let them go on
    # claiming tasks (their device's next one) beside the new scheduler's workers.
    runner = server.runner
    runner.start()
    old = runner._generation
    runner.stop(timeout=5)
    create(client, **FOLLOW, serials=["device_serial_1"])
    runner.start()
    try:
        assert runner._next_batch(only="device_serial_1", generation=old) == []
    finally:
        runner.stop(timeout=5)


def test_stop_waits_its_timeout_once_not_once_per_worker(server: ServerState) -> None:
    import threading
    import time

    runner = server.runner
    hung = [threading.Thread(target=time.sleep, args=(0.6,), daemon=True) for _ in range(5)]
    for thread in hung:  # workers that do not end when cancelled
        thread.start()
        runner._workers.add(thread)
    started = time.monotonic()
    runner.stop(timeout=0.2)
    assert time.monotonic() - started < 0.5  # not 5 x 0.2 s
    runner._workers.clear()


def test_an_error_in_one_inline_task_leaves_none_of_its_round_running(
    client: FlaskClient, server: ServerState, monkeypatch: object
) -> None:
    import pytest

    ids = create(client, **FOLLOW, serials=["device_serial_1", "device_serial_2"])
    calls: list[int] = []

    def broken(task: object, **_: object) -> None:
        calls.append(1)
        raise RuntimeError("the store went away")

    patch = pytest.MonkeyPatch()
    patch.setattr(server.runner, "_run", broken)
    try:
        with pytest.raises(RuntimeError, match="went away"):
            server.runner.run_until_idle()
    finally:
        patch.undo()
    assert calls == [1]  # the first task of the round failed outright
    stats = ok(client.get("/api/v1/task/stats"))
    assert stats["pending"] == 1  # the second never started: back in the queue
    assert server.runner.running() in ({}, {"device_serial_1": ids[0]})
