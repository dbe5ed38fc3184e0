"""The runner's guards against the races a review found: a stop, a reset, a stale look-up."""

from __future__ import annotations

from flask.testing import FlaskClient

from reference_server.domain.runner import Claim
from reference_server.state import ServerState

from ..waiting import wait_until
from .conftest import create, hand_over_now, ok

FOLLOW = {"script_name": "follow", "script_config": {"target_users": ["@a"]}}


def test_nothing_is_claimed_from_a_look_up_older_than_a_reset(
    client: FlaskClient, server: ServerState
) -> None:
    create(client, **FOLLOW, serials=["device_serial_1"])
    before = server.runner._generation
    server.runner.cancel_all()  # what a reset does first
    assert server.runner._claim_batch(generation=before) == []
    assert ok(client.get("/api/v1/task/stats"))["pending"] == 1
    assert len(server.runner._claim_batch()) == 1  # a fresh look-up claims it


def test_nothing_is_claimed_once_the_runner_stops(client: FlaskClient, server: ServerState) -> None:
    create(client, **FOLLOW, serials=["device_serial_1"])
    server.runner._stopping.set()
    assert server.runner._claim_batch() == []
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
    (row,) = server.service.due()
    # What a new start does for the old workers (its scheduler would take the task at once).
    with runner._lock:
        runner._generation += 1
        runner._stopping.clear()
    claim = Claim(row, old)  # a claim an old worker holds
    with runner._lock:
        runner._mark(claim)
    assert hand_over_now(runner, claim, None) is None  # its hand-over claims nothing
    assert ok(client.get(f"/api/v1/task/{row.id}"))["status"] == 0


def test_stop_waits_its_timeout_once_not_once_per_worker(
    client: FlaskClient, server: ServerState
) -> None:
    import threading
    import time

    runner = server.runner
    release = threading.Event()
    started: list[int] = []

    def hung(task: object, cancel: object) -> tuple[bool, str]:  # ends on no cancel
        started.append(1)
        release.wait()
        return True, "done"

    serials = [f"device_serial_{n}" for n in range(1, 6)]
    create(client, **FOLLOW, serials=serials)
    runner._outcome = hung  # type: ignore[method-assign]
    runner.start()
    try:
        # each on a thread of its own
        wait_until(lambda: len(started) == len(serials), "every task", interval=0.001)
        began = time.monotonic()
        runner.stop(timeout=0.2)
        assert time.monotonic() - began < 0.5  # not 5 x 0.2 s
    finally:
        release.set()
        for thread in runner._pool.threads():
            thread.join()


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


def test_a_hand_over_ends_a_task_and_starts_the_next_in_one_write(
    client: FlaskClient, server: ServerState
) -> None:
    follow = {**FOLLOW, "script_config": {"target_users": ["@a", "@b", "@c"]}}
    first, second, third = create(client, **follow, serials=["device_serial_1"])
    (claim,) = server.runner._claim_batch()
    assert claim.task.id == first
    following = hand_over_now(server.runner, claim, (True, "done"))
    assert following is not None
    assert following.task.id == second
    tasks = {t["id"]: t for t in ok(client.get("/api/v1/task"))["tasks"]}
    assert (tasks[first]["status"], tasks[first]["remark"]) == (2, "done")
    assert tasks[second]["status"] == 1
    assert tasks[second]["started_at"] == tasks[first]["finished_at"]  # no gap between them
    assert server.runner.running() == {"device_serial_1": second}
    # A task stopped while it ran stays stopped; the device still goes on to its next task.
    ok(client.post(f"/api/v1/task/{second}/stop"))
    following = hand_over_now(server.runner, following, None)
    assert following is not None
    assert following.task.id == third
    stopped = ok(client.get(f"/api/v1/task/{second}"))
    assert (stopped["status"], stopped["remark"]) == (3, "stopped by user")
    # Nothing left: the hand-over ends the last task and claims nothing.
    assert hand_over_now(server.runner, following, (False, "no")) is None
    assert server.runner.running() == {}  # the device is free again
    assert ok(client.get(f"/api/v1/task/{third}"))["status"] == 3


def test_a_hand_over_claims_nothing_for_a_device_on_loan(
    client: FlaskClient, server: ServerState
) -> None:
    import pytest

    follow = {**FOLLOW, "script_config": {"target_users": ["@a", "@b"]}}
    first, second = create(client, **follow, serials=["device_serial_1"])
    (claim,) = server.runner._claim_batch()
    with pytest.MonkeyPatch.context() as patch:  # as a custom script's own lease does
        patch.setattr(server.runner.leases, "leased_serials", lambda: {"device_serial_1"})
        assert hand_over_now(server.runner, claim, (True, "done")) is None
    assert ok(client.get(f"/api/v1/task/{first}"))["status"] == 2
    assert ok(client.get(f"/api/v1/task/{second}"))["status"] == 0
