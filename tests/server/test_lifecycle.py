"""Transitions, scheduling on the manual clock, the runner and the simulated devices."""

from __future__ import annotations

import itertools
import random
import threading
from datetime import datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from reference_server import ServerConfig, create_app
from reference_server.clock import ManualClock, SystemClock, to_iso
from reference_server.devices import (
    Behaviour,
    DeviceError,
    RunContext,
    SimulatedDevice,
    TaskCancelled,
)
from reference_server.domain.service import next_occurrence
from reference_server.scripts.comment import pick_comment
from reference_server.scripts.post import expand_spintax
from reference_server.state import ServerState

from ..waiting import wait_until
from .conftest import POST, START, create, error, ok

FOLLOW = {"script_name": "follow", "script_config": {"target_users": ["@a", "@b", "@c"]}}


def status_of(client: FlaskClient, task_id: int) -> int:
    status: int = ok(client.get(f"/api/v1/task/{task_id}"))["status"]
    return status


def test_pending_to_completed(client: FlaskClient, server: ServerState, clock: ManualClock) -> None:
    (task_id,) = create(client, **POST, serials=["device_serial_1"])
    clock.advance(5)
    assert server.runner.run_until_idle() == 1
    task = ok(client.get(f"/api/v1/task/{task_id}"))
    assert task["status"] == 2
    assert task["remark"] == "post done"
    assert task["started_at"] == to_iso(START + 5)
    assert task["finished_at"] == to_iso(START + 5)
    records = ok(client.get("/_control/devices/device_serial_1/records"))["records"]
    assert records[0]["media"] == [{"path": "C:/v.mp4", "size": None, "sha256": None}]
    assert records[0]["caption"] == "hi"


def test_failure_then_retry(client: FlaskClient, server: ServerState) -> None:
    ok(
        client.put(
            "/_control/devices/device_serial_1/behaviour",
            json={"failure": "sequence", "sequence": ["fail", "ok"]},
        )
    )
    (task_id,) = create(client, **POST, serials=["device_serial_1"])
    server.runner.run_until_idle()
    failed = ok(client.get(f"/api/v1/task/{task_id}"))
    assert (failed["status"], failed["remark"]) == (3, "simulated failure during post")
    retried = ok(client.post(f"/api/v1/task/{task_id}/retry"))
    assert (retried["status"], retried["retry_count"], retried["remark"]) == (0, 1, "")
    assert retried["started_at"] is None
    server.runner.run_until_idle()
    assert status_of(client, task_id) == 2
    error(client.post(f"/api/v1/task/{task_id}/retry"), 40001, 400, mentions="has not failed")
    error(client.post(f"/api/v1/task/{task_id}/stop"), 40001, 400, mentions="cannot be stopped")


def test_a_retried_task_keeps_a_start_time_still_ahead(
    client: FlaskClient, server: ServerState, clock: ManualClock
) -> None:
    now = datetime.fromtimestamp(START).astimezone()
    later = f"{(now.hour + 2) % 24:02d}:{now.minute:02d}"
    ids = create(client, **POST, serials=["device_serial_1", "device_serial_2"], start_time=later)
    for task_id in ids:
        ok(client.post(f"/api/v1/task/{task_id}/stop"))
    ok(client.post(f"/api/v1/task/{ids[0]}/retry"))
    ok(client.post("/api/v1/task/retry-all"))
    assert server.runner.run_until_idle() == 0  # still waiting for their start time
    clock.advance(next_occurrence(later, START) - START)
    assert server.runner.run_until_idle() == 2


def test_stop_pending_and_retry_all(client: FlaskClient, server: ServerState) -> None:
    ids = create(client, **POST, serials=["device_serial_1", "device_serial_2"])
    stopped = ok(client.post(f"/api/v1/task/{ids[0]}/stop"))
    assert (stopped["status"], stopped["remark"]) == (3, "stopped by user")
    error(client.post(f"/api/v1/task/{ids[0]}/stop"), 40001, 400)
    assert ok(client.get("/api/v1/task/stats")) == {
        "total": 2,
        "pending": 1,
        "running": 0,
        "completed": 0,
        "failed": 1,
    }
    assert ok(client.post("/api/v1/task/retry-all")) == {"retried_count": 1, "task_ids": [ids[0]]}
    assert ok(client.post("/api/v1/task/retry-all")) == {"retried_count": 0, "task_ids": []}
    server.runner.run_until_idle()
    assert ok(client.get("/api/v1/task/stats"))["completed"] == 2


def test_one_task_per_device_in_id_order(client: FlaskClient, server: ServerState) -> None:
    first = create(client, **FOLLOW, serials=["device_serial_1"])
    second = create(client, **FOLLOW, serials=["device_serial_1", "device_serial_2"])
    batch = server.runner._claim_batch()
    assert [claim.task.id for claim in batch] == [first[0], second[3]]  # one per device, lowest id
    assert ok(client.get("/api/v1/task/stats"))["running"] == 2
    for claim in batch:
        server.runner._run(claim)
    server.runner.run_until_idle()
    records = ok(client.get("/_control/devices/device_serial_1/records"))["records"]
    assert [r["task_id"] for r in records] == sorted(r["task_id"] for r in records)
    assert [r["user"] for r in records] == ["@a", "@b", "@c", "@a", "@b", "@c"]


def test_start_time_is_the_next_occurrence(
    client: FlaskClient, server: ServerState, clock: ManualClock
) -> None:
    now = datetime.fromtimestamp(START).astimezone()
    later = (now.hour + 1) % 24
    hh_mm = f"{later:02d}:{now.minute:02d}"
    (task_id,) = create(client, **POST, serials=["device_serial_1"], start_time=hh_mm)
    task = ok(client.get(f"/api/v1/task/{task_id}"))
    assert task["start_time"] == hh_mm
    due = next_occurrence(hh_mm, START)
    assert task["scheduled_at"] == to_iso(due)
    assert 0 < due - START <= 3600
    assert server.runner.run_until_idle() == 0
    clock.advance(due - START - 1)
    assert server.runner.run_until_idle() == 0
    clock.advance(1)
    assert server.runner.run_until_idle() == 1


def test_next_occurrence_rolls_over_to_tomorrow() -> None:
    now = datetime(2026, 11, 23, 14, 30).astimezone().timestamp()
    assert next_occurrence("14:30", now) == now
    assert next_occurrence("14:29", now) - now == pytest.approx(24 * 3600 - 60, abs=3600)
    assert next_occurrence("15:00", now) - now == pytest.approx(1800)


def test_intervals_space_the_tasks_of_a_device(
    client: FlaskClient, server: ServerState, clock: ManualClock
) -> None:
    ids = create(
        client,
        **FOLLOW,
        serials=["device_serial_1", "device_serial_2"],
        min_interval=2,
        max_interval=5,
    )
    scheduled = {
        task["id"]: datetime.fromisoformat(task["scheduled_at"]).timestamp()
        for task in ok(client.get("/api/v1/task"))["tasks"]
    }
    gaps = []
    for device_ids in (ids[:3], ids[3:]):
        times = [scheduled[i] for i in device_ids]
        assert times[0] == pytest.approx(START, abs=1)
        gaps.append([b - a for a, b in itertools.pairwise(times)])
    # 2 to 5 minutes apart, drawn from the server's seeded generator (seed 7): the same gaps
    # every run, each within 120-300 s.
    assert gaps == [[178.0, 147.0], [237.0, 133.0]]
    assert server.runner.run_until_idle() == 2  # the first task of each device only
    clock.advance(600)
    assert server.runner.run_until_idle() == 4


def test_delete_stops_a_running_task(tmp_path: Path) -> None:
    app = create_app(
        ServerConfig(
            db=tmp_path / "t.sqlite3", clock=SystemClock(), run_scheduler=True, poll_interval=0.01
        )
    )
    client = app.test_client()
    state: ServerState = app.extensions["tikmatrix"]
    try:
        ok(client.put("/_control/devices/device_serial_1/behaviour", json={"duration": 30}))
        (task_id,) = create(client, **POST, serials=["device_serial_1"])
        wait_until(lambda: status_of(client, task_id) == 1, "the task to start")
        assert state.runner.running() == {"device_serial_1": task_id}
        assert ok(client.delete(f"/api/v1/task/{task_id}")) == {
            "deleted_count": 1,
            "task_ids": [task_id],
        }
        wait_until(lambda: not state.runner.running(), "the worker to be cancelled")
        error(client.get(f"/api/v1/task/{task_id}"), 40401, 404)
        (next_id,) = create(client, **POST, serials=["device_serial_1"])
        ok(client.put("/_control/devices/device_serial_1/behaviour", json={"duration": 30}))
        wait_until(lambda: status_of(client, next_id) == 1, "the next task to start")
        stopped = ok(client.post(f"/api/v1/task/{next_id}/stop"))
        assert (stopped["status"], stopped["remark"]) == (3, "stopped by user")
        wait_until(lambda: not state.runner.running(), "the stopped task's worker to end")
        assert ok(client.get(f"/api/v1/task/{next_id}"))["remark"] == "stopped by user"
    finally:
        app.extensions["tikmatrix_close"]()


def test_tasks_left_running_become_interrupted_on_start(tmp_path: Path, clock: ManualClock) -> None:
    db = tmp_path / "t.sqlite3"
    app = create_app(ServerConfig(db=db, clock=clock, run_scheduler=False))
    client = app.test_client()
    ids = create(client, **POST, serials=["device_serial_1", "device_serial_2"])
    state: ServerState = app.extensions["tikmatrix"]
    state.runner._claim_batch()  # both claimed (running), then the process "dies"
    state.service.close()
    again = create_app(ServerConfig(db=db, clock=clock, run_scheduler=False))
    client = again.test_client()
    for task_id in ids:
        task = ok(client.get(f"/api/v1/task/{task_id}"))
        assert (task["status"], task["remark"]) == (3, "interrupted")
        ok(client.post(f"/api/v1/task/{task_id}/retry"))
    again.extensions["tikmatrix"].runner.run_until_idle()
    assert ok(client.get("/api/v1/task/stats"))["completed"] == 2
    again.extensions["tikmatrix_close"]()


def test_device_that_is_not_connected_fails_the_task(
    client: FlaskClient, server: ServerState
) -> None:
    (task_id,) = create(client, **POST, serials=["device_serial_1"])
    server.fleet.clear()
    server.runner.run_until_idle()
    assert (
        ok(client.get(f"/api/v1/task/{task_id}"))["remark"]
        == "device device_serial_1 is not connected"
    )


def test_simulated_failure_modes() -> None:
    cancel = threading.Event()
    ctx = RunContext(
        task_id=1,
        username=None,
        job_index=0,
        clock=ManualClock(0),
        cancel=cancel,
        rng=random.Random(1),
    )
    device = SimulatedDevice("s", Behaviour(failure="always"))
    with pytest.raises(DeviceError, match="simulated failure"):
        device.comment(ctx, url="u", text="t", image_path="")
    device.configure(Behaviour(failure="rate", rate=0.5, seed=3))
    outcomes = []
    for _ in range(40):
        try:
            device.warmup(ctx, plan={})
            outcomes.append(True)
        except DeviceError:
            outcomes.append(False)
    assert outcomes.count(False) == 18  # rate 0.5 with seed 3: the same 18 of 40, every run
    device.configure(Behaviour(duration=12.5))
    device.follow(ctx, user="@x", access_method="search", undo=True)
    assert ctx.clock.now() == 12.5
    assert device.records[-1]["action"] == "unfollow"
    cancel.set()
    with pytest.raises(TaskCancelled):
        device.follow(ctx, user="@x", access_method="direct", undo=False)


def test_spintax_and_comment_choice() -> None:
    import random

    rng = random.Random(0)
    texts = {expand_spintax("{Hi|Hello} {there|{you|all}}!", rng) for _ in range(50)}
    assert texts <= {"Hi there!", "Hi you!", "Hi all!", "Hello there!", "Hello you!", "Hello all!"}
    assert len(texts) > 2
    config = {"comment_content": "a\n\nb\nc", "comment_order": "sequential", "insert_emoji": False}
    assert [pick_comment(config, i, rng) for i in range(4)] == ["a", "b", "c", "a"]
    emoji = pick_comment({**config, "insert_emoji": True}, 0, rng)
    assert emoji.startswith("a ")
    assert len(emoji) > 2


def test_comment_tasks_pick_sequential_comments(client: FlaskClient, server: ServerState) -> None:
    create(
        client,
        serials=["device_serial_1"],
        script_name="comment",
        script_config={
            "target_post_urls": ["u1", "u2", "u3"],
            "comment_content": "one\ntwo",
            "comment_order": "sequential",
        },
    )
    server.runner.run_until_idle()
    records = ok(client.get("/_control/devices/device_serial_1/records"))["records"]
    assert [(r["url"], r["text"]) for r in records] == [("u1", "one"), ("u2", "two"), ("u3", "one")]


def test_warmup_and_post_variants(client: FlaskClient, server: ServerState) -> None:
    create(
        client,
        serials=["device_serial_1"],
        script_name="account_warmup",
        script_config={"topic": "cats\ndogs", "task_duration": 60},
    )
    create(
        client,
        serials=["device_serial_2"],
        script_name="post",
        script_config={"material_source": "localFolder", "material_path": "C:/x"},
    )
    create(
        client,
        serials=["device_serial_3"],
        script_name="post",
        script_config={"content_type": 1, "image_count": 2, "material_list": ["a", "b", "c"]},
    )
    create(
        client,
        serials=["device_serial_4"],
        script_name="post",
        script_config={"materials_tags": "dance"},
    )
    server.runner.run_until_idle()
    warmup = ok(client.get("/_control/devices/device_serial_1/records"))["records"][0]
    assert warmup["plan"]["topic"] in ("cats", "dogs")
    for serial, paths in (
        ("device_serial_2", ["C:/x"]),
        ("device_serial_3", ["a", "b"]),
        ("device_serial_4", ["library:dance"]),
    ):
        (post, *_) = ok(client.get(f"/_control/devices/{serial}/records"))["records"]
        assert [media["path"] for media in post["media"]] == paths
