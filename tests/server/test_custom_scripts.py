"""Managed custom scripts: registered commands that run as tasks on a leased device."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from reference_server import ServerConfig, create_app
from reference_server.clock import ManualClock
from reference_server.domain.script_process import RUN_ENV, owner_mark
from reference_server.state import ServerState

from ..children import ended_pid, mark_of
from ..waiting import wait_until
from .conftest import CheckedClient, create, error, ok

SERIAL = "device_serial_1"


@pytest.fixture
def app(tmp_path: Path, clock: ManualClock) -> Iterator[Flask]:
    """These tests' server runs custom scripts: it was started to (the others are not)."""
    config = ServerConfig(
        db=tmp_path / "tasks.sqlite3", clock=clock, run_scheduler=False, seed=7, custom_scripts=True
    )
    application = create_app(config)
    application.test_client_class = CheckedClient
    yield application
    application.extensions["tikmatrix_close"]()


def register(client: FlaskClient, name: str, code: str, **extra: Any) -> dict[str, Any]:
    body = {"command": [sys.executable, "-c", code], **extra}
    data: dict[str, Any] = ok(client.put(f"/_control/custom-scripts/{name}", json=body))
    return data


def run_one(client: FlaskClient, server: ServerState, name: str, **config: Any) -> dict[str, Any]:
    (task_id,) = create(client, script_name=name, script_config=config, serials=[SERIAL])
    assert server.runner.run_until_idle() == 1
    task: dict[str, Any] = ok(client.get(f"/api/v1/task/{task_id}"))
    return task


def test_a_registered_command_runs_as_a_task_with_its_lease_in_the_environment(
    client: FlaskClient, server: ServerState
) -> None:
    server.serving_at("http://127.0.0.1:1234")
    code = (
        "import json, os\n"
        "keys = [k for k in os.environ if k.startswith('TIKMATRIX_')]\n"
        "print(json.dumps({k: os.environ[k] for k in sorted(keys)}))\n"
    )
    registered = register(client, "env-dump", code, platform="tiktok")
    assert registered["timeout_secs"] == 1800
    assert registered["platform"] == "tiktok"
    listed = ok(client.get("/_control/custom-scripts"))["scripts"]
    assert [script["name"] for script in listed] == ["env-dump"]
    task = run_one(client, server, "env-dump", greeting="hi")
    assert task["status"] == 2, task
    env = json.loads(task["remark"])
    assert env["TIKMATRIX_API_BASE"] == "http://127.0.0.1:1234"
    assert env["TIKMATRIX_SERIAL"] == SERIAL
    assert env["TIKMATRIX_PLATFORM"] == "tiktok"
    assert env["TIKMATRIX_PACKAGE"] == "com.zhiliaoapp.musically"
    assert env["TIKMATRIX_TASK_ID"] == str(task["id"])
    assert json.loads(env["TIKMATRIX_SCRIPT_CONFIG"]) == {"greeting": "hi"}
    assert len(env["TIKMATRIX_SESSION_ID"]) > 16
    assert ok(client.get("/api/v1/rpc/session")) == []  # released when the task ended


def test_the_device_is_leased_to_the_script_while_it_runs(
    client: FlaskClient, server: ServerState
) -> None:
    """The script's session works on the device API (here through the test client)."""
    code = "import time; time.sleep(0.5)"
    register(client, "sleeper", code)
    (task_id,) = create(client, script_name="sleeper", script_config={}, serials=[SERIAL])
    server.runner.tick()
    wait_until(lambda: ok(client.get("/api/v1/rpc/session")), "the script's lease")
    (held,) = ok(client.get("/api/v1/rpc/session"))
    assert held["serial"] == SERIAL
    assert held["task_id"] == task_id
    assert held["session_id"] is None  # the script's key: another program may not drive it
    (script_lease,) = server.leases.leases()
    answer = client.post(
        "/api/v1/rpc/jsonrpc",
        json={"method": "deviceInfo"},
        headers={"x-session-id": script_lease.session_id},
    )
    assert ok(answer)["productName"] == SERIAL
    wait_until(lambda: ok(client.get(f"/api/v1/task/{task_id}"))["status"] == 2, "the end")
    assert ok(client.get("/api/v1/rpc/session")) == []


def test_a_non_zero_exit_fails_the_task_with_its_output(
    client: FlaskClient, server: ServerState
) -> None:
    register(client, "broken", "import sys; print('no account'); sys.exit(3)")
    task = run_one(client, server, "broken")
    assert (task["status"], task["remark"]) == (3, "exit status 3: no account")


def test_only_the_end_of_a_long_output_is_kept(client: FlaskClient, server: ServerState) -> None:
    register(client, "chatty", "print('x' * 100000 + 'END')")
    task = run_one(client, server, "chatty")
    # the last 4,000 characters of the output ("...xEND\n"), without the final newline
    assert task["status"] == 2
    assert task["remark"] == ("x" * 100000 + "END")[-3999:]


def test_a_script_past_its_timeout_is_ended_and_fails(
    client: FlaskClient, server: ServerState
) -> None:
    code = "import time; print('started', flush=True); time.sleep(60)"
    register(client, "slow", code, timeout_secs=1)
    task = run_one(client, server, "slow")
    assert task["status"] == 3
    assert task["remark"] == "timed out after 1 s: started"


def test_stopping_the_task_ends_the_script(client: FlaskClient, server: ServerState) -> None:
    register(client, "forever", "import time; time.sleep(60)")
    (task_id,) = create(client, script_name="forever", script_config={}, serials=[SERIAL])
    server.runner.tick()
    wait_until(lambda: ok(client.get(f"/api/v1/task/{task_id}"))["status"] == 1, "the start")
    ok(client.post(f"/api/v1/task/{task_id}/stop"))
    wait_until(lambda: ok(client.get("/api/v1/rpc/session")) == [], "the lease's release")
    assert ok(client.get(f"/api/v1/task/{task_id}"))["remark"] == "stopped by user"


def test_a_command_that_cannot_start_fails_the_task(
    client: FlaskClient, server: ServerState
) -> None:
    body = {"command": ["/nonexistent/program"]}
    ok(client.put("/_control/custom-scripts/ghost", json=body))
    task = run_one(client, server, "ghost")
    assert task["status"] == 3
    assert task["remark"].startswith("could not start /nonexistent")


def test_unregistered_names_stay_unsupported(client: FlaskClient, server: ServerState) -> None:
    body = {"script_name": "mine", "script_config": {}, "serials": [SERIAL]}
    error(client.post("/api/v1/task", json=body), 40003, 400)
    register(client, "mine", "pass")
    create(client, **body)
    ok(client.delete("/_control/custom-scripts/mine"))
    error(client.delete("/_control/custom-scripts/mine"), 40401, 404)
    assert server.runner.run_until_idle() == 1  # the task made meanwhile fails, plainly
    (task,) = ok(client.get("/api/v1/task"))["tasks"]
    assert task["remark"] == "script 'mine' is no longer registered"


@pytest.mark.parametrize(
    ("name", "body", "mentions"),
    [
        ("Bad Name", {"command": ["x"]}, "name"),
        ("post", {"command": ["x"]}, "built-in"),
        ("like", {"command": ["x"]}, "built-in"),
        ("ok", {"command": "python x.py"}, "command"),
        ("ok", {"command": []}, "command"),
        ("ok", {"command": [""]}, "command"),
        ("ok", {"command": ["x" * 4097]}, "command"),
        ("ok", {"command": ["x", "a\u0000b"]}, "NUL"),
        ("ok", {"command": ["x"], "platform": "myspace"}, "platform"),
        ("ok", {"command": ["x"], "timeout_secs": 0}, "timeout_secs"),
        ("ok", {"command": ["x"], "timeout_secs": 86401}, "timeout_secs"),
        ("ok", {"command": ["x"], "shell": True}, "shell"),
    ],
)
def test_registrations_are_checked(
    client: FlaskClient, name: str, body: Any, mentions: str
) -> None:
    error(client.put(f"/_control/custom-scripts/{name}", json=body), 40001, 400, mentions=mentions)
    assert ok(client.get("/_control/custom-scripts")) == {"scripts": []}


def test_registrations_outlive_a_restart_and_a_reset_clears_them(
    client: FlaskClient, server: ServerState
) -> None:
    register(client, "kept", "pass")
    server.close()  # the restart: a store has one server at a time
    again = create_app(ServerConfig(db=server.config.db, run_scheduler=False, custom_scripts=True))
    again.test_client_class = CheckedClient
    try:
        restarted: ServerState = again.extensions["tikmatrix"]
        assert [s.name for s in restarted.service.custom_scripts.list()] == ["kept"]
        other = again.test_client()
        ok(other.post("/_control/reset", json={}))
        assert ok(other.get("/_control/custom-scripts")) == {"scripts": []}
    finally:
        again.extensions["tikmatrix_close"]()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


LEAVES_A_CHILD = (
    "import subprocess, sys\n"
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
    "open(sys.argv[1], 'w').write(str(child.pid))\n"
    "print('parent done', flush=True)\n"
)


@pytest.mark.skipif(os.name != "posix", reason="process groups are POSIX")
def test_what_a_script_leaves_running_ends_with_its_task(
    client: FlaskClient, server: ServerState, tmp_path: Path
) -> None:
    """A child that keeps the output pipe open neither outlives the task nor holds it up."""
    pid_file = tmp_path / "child.pid"
    body = {"command": [sys.executable, "-c", LEAVES_A_CHILD, str(pid_file)]}
    ok(client.put("/_control/custom-scripts/leaver", json=body))
    started = time.monotonic()
    task = run_one(client, server, "leaver")
    assert time.monotonic() - started < 20  # not the child's 60 s
    assert task["status"] == 2
    assert task["remark"] == "parent done"
    child = int(pid_file.read_text(encoding="utf-8"))
    wait_until(lambda: not _alive(child), "the script's child to be ended")


@pytest.mark.skipif(os.name != "posix", reason="process groups are POSIX")
def test_a_timeout_ends_the_scripts_whole_process_group(
    client: FlaskClient, server: ServerState, tmp_path: Path
) -> None:
    pid_file = tmp_path / "child.pid"
    code = LEAVES_A_CHILD + "import time; time.sleep(60)\n"
    body = {"command": [sys.executable, "-c", code, str(pid_file)], "timeout_secs": 1}
    ok(client.put("/_control/custom-scripts/stuck", json=body))
    task = run_one(client, server, "stuck")
    assert task["remark"] == "timed out after 1 s: parent done"
    wait_until(
        lambda: not _alive(int(pid_file.read_text(encoding="utf-8"))), "the child to be ended"
    )


ESCAPES_ITS_GROUP = (
    "import subprocess, sys\n"
    "code = 'import os, time; os.setsid(); time.sleep(60)'\n"
    "child = subprocess.Popen([sys.executable, '-c', code])\n"
    "open(sys.argv[1], 'w').write(str(child.pid))\n"
    "print('parent done', flush=True)\n"
    "import time; time.sleep(60)\n"
)


@pytest.mark.skipif(os.name != "posix", reason="os.setsid is POSIX")
def test_a_descendant_that_leaves_the_group_is_ended_with_its_task(
    client: FlaskClient, server: ServerState, tmp_path: Path
) -> None:
    """A child in a session of its own, holding the output pipe, is found by its mark."""
    pid_file = tmp_path / "child.pid"
    body = {"command": [sys.executable, "-c", ESCAPES_ITS_GROUP, str(pid_file)]}
    ok(client.put("/_control/custom-scripts/escaper", json={**body, "timeout_secs": 1}))
    started = time.monotonic()
    task = run_one(client, server, "escaper")
    assert time.monotonic() - started < 20  # neither the child's 60 s nor an unbounded join
    assert task["remark"] == "timed out after 1 s: parent done"
    wait_until(
        lambda: not _alive(int(pid_file.read_text(encoding="utf-8"))),
        "the escaped child to be ended",
    )
    assert server.leases.leases() == []  # and its device is free again
    assert ok(client.get("/api/v1/rpc/devices"))[0]["busy"] is False


def test_a_new_server_ends_what_a_killed_one_left_running(tmp_path: Path) -> None:
    db = tmp_path / "tasks.sqlite3"
    mark = f"{owner_mark(str(db))}:{ended_pid()}:a-run"  # a killed server's run
    live = f"{owner_mark(str(db))}:{os.getpid()}:a-run-of-a-live-server-of-the-store"
    sleep = [sys.executable, "-c", "import time; time.sleep(60)"]
    left = subprocess.Popen(sleep, env={**os.environ, RUN_ENV: mark})
    kept = subprocess.Popen(sleep, env={**os.environ, RUN_ENV: live})
    try:
        wait_until(lambda: mark_of(left.pid, RUN_ENV) == mark, "the leftover to show its mark")
        wait_until(lambda: mark_of(kept.pid, RUN_ENV) == live, "the live one to show its mark")
        restarted = create_app(ServerConfig(db=db, run_scheduler=False, custom_scripts=True))
        restarted.extensions["tikmatrix_close"]()
        assert left.wait(10) != 0  # killed before the new server ran anything
        assert kept.poll() is None  # a live server's run is its own to end
    finally:
        for process in (left, kept):
            if process.poll() is None:
                process.kill()
            process.wait()


def test_a_custom_scripts_config_is_bounded(client: FlaskClient) -> None:
    register(client, "big", "pass")
    body = {"script_name": "big", "script_config": {"x": "y" * 70_000}, "serials": [SERIAL]}
    error(client.post("/api/v1/task", json=body), 40001, 400, mentions="script_config")
    assert ok(client.get("/api/v1/task"))["total"] == 0


@pytest.mark.parametrize(
    ("listening", "handed_out"),
    [
        ("http://0.0.0.0:8080", "http://127.0.0.1:8080"),
        ("http://[::]:8080/", "http://[::1]:8080"),
        ("http://127.0.0.1:9", "http://127.0.0.1:9"),
    ],
)
def test_scripts_are_given_an_address_the_host_guard_accepts(
    server: ServerState, listening: str, handed_out: str
) -> None:
    server.serving_at(listening)
    assert server.runner.api_base == handed_out


def test_custom_scripts_are_off_unless_the_server_is_started_for_them(tmp_path: Path) -> None:
    off = create_app(ServerConfig(db=tmp_path / "off.sqlite3", run_scheduler=False))
    off.test_client_class = CheckedClient
    try:
        client = off.test_client()
        refused = client.put("/_control/custom-scripts/x", json={"command": ["id"]})
        error(refused, 40301, 403, mentions="--allow-custom-scripts")
        assert ok(client.get("/_control/custom-scripts")) == {"scripts": []}  # nothing stored
    finally:
        off.extensions["tikmatrix_close"]()


def test_a_registration_kept_from_an_earlier_run_does_not_run_without_the_opt_in(
    client: FlaskClient, server: ServerState
) -> None:
    register(client, "kept", "print('ran')")
    (waiting,) = create(client, script_name="kept", script_config={}, serials=[SERIAL])
    server.close()  # the restart: a store has one server at a time
    again = create_app(ServerConfig(db=server.config.db, run_scheduler=False))
    again.test_client_class = CheckedClient
    try:
        restarted: ServerState = again.extensions["tikmatrix"]
        other = again.test_client()
        body = {"script_name": "kept", "script_config": {}, "serials": [SERIAL]}
        error(other.post("/api/v1/task", json=body), 40301, 403, mentions="custom scripts")
        assert restarted.runner.run_until_idle() == 1  # the task made before: failed, not run
        task = ok(other.get(f"/api/v1/task/{waiting}"))
        assert (task["status"], task["remark"].startswith("custom scripts are off")) == (3, True)
    finally:
        again.extensions["tikmatrix_close"]()
