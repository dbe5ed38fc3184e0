"""ServerState.reset brings a server back to how it was built; the server logs what it does."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from flask.testing import FlaskClient

from reference_server import ServerConfig, create_app
from reference_server.clock import SystemClock
from reference_server.state import ServerState
from reference_server.testing import running_server

from ..waiting import wait_until
from .conftest import POST, create, ok

FOLLOW = {"script_name": "follow", "script_config": {"target_users": ["@a"]}}


def test_reset_goes_back_to_the_configured_plan_and_devices(tmp_path: Path) -> None:
    app = create_app(
        ServerConfig(db=tmp_path / "t.sqlite3", plan="Team", devices=3, run_scheduler=False)
    )
    client = app.test_client()
    server: ServerState = app.extensions["tikmatrix"]
    try:
        ok(client.put("/_control/plan", json={"plan": "Business"}))
        create(client, **FOLLOW, serials=["device_serial_1"])
        assert ok(client.post("/_control/reset")) == {"devices": 3}
        assert server.service.plan.name == "Team"
        assert ok(client.get("/api/v1/task/stats"))["total"] == 0
        assert ok(client.post("/_control/reset", json={"devices": 1})) == {"devices": 1}
        assert [device.serial for device in server.service.devices()] == ["device_serial_1"]
    finally:
        app.extensions["tikmatrix_close"]()


def test_reset_stops_the_tasks_that_are_running(tmp_path: Path) -> None:
    app = create_app(
        ServerConfig(db=tmp_path / "t.sqlite3", clock=SystemClock(), poll_interval=0.01)
    )
    client = app.test_client()
    server: ServerState = app.extensions["tikmatrix"]
    try:
        ok(client.put("/_control/devices/device_serial_1/behaviour", json={"duration": 60}))
        (task_id,) = create(client, **POST, serials=["device_serial_1"])
        wait_until(lambda: server.runner.running() == {"device_serial_1": task_id}, "the start")
        ok(client.post("/_control/reset"))
        wait_until(lambda: not server.runner.running(), "the reset to stop the task")
        assert ok(client.get("/api/v1/task/stats"))["total"] == 0  # it wrote nothing back
    finally:
        app.extensions["tikmatrix_close"]()


def test_requests_and_task_transitions_are_logged(
    client: FlaskClient, server: ServerState, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="reference_server"):
        (task_id,) = create(client, **FOLLOW, serials=["device_serial_1"])
        server.runner.run_until_idle()
        client.get("/api/v1/task/nope")
    lines = [(r.name, r.getMessage()) for r in caplog.records]
    assert lines[0][0] == "reference_server.domain.service"
    assert lines[0][1] == f"created 1 follow task(s) (api): [{task_id}]"
    access = [message for name, message in lines if name == "reference_server.access"]
    assert access[0].startswith("POST /api/v1/task 200 ")
    assert access[-1].startswith("GET /api/v1/task/nope 400 ")
    assert ("reference_server.domain.service", f"task {task_id}: pending -> running") in lines
    assert (
        "reference_server.domain.service",
        f"task {task_id}: running -> completed (follow done)",
    ) in lines


def test_a_server_in_a_thread_logs_its_requests_too(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="reference_server"), running_server() as url:
        httpx.get(f"{url}/api/v1/task/stats")
    access = [r.getMessage() for r in caplog.records if r.name == "reference_server.access"]
    assert any(line.startswith("GET /api/v1/task/stats 200 ") for line in access), access


def test_running_server_is_quiet_unless_asked(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="werkzeug")
    for quiet in (True, False):
        caplog.clear()
        with running_server(quiet=quiet) as url:
            httpx.get(f"{url}/api/v1/task/stats").raise_for_status()
        logged = any("GET /api/v1/task/stats" in r.getMessage() for r in caplog.records)
        assert logged is not quiet
