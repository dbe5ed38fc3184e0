"""The local API's guards, the control API, the OpenAPI document and the store."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from pathlib import Path
from typing import cast

import pytest
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from reference_server import ServerConfig, create_app
from reference_server.clock import ManualClock
from reference_server.domain.sqlite_store import MIGRATIONS, SQLiteStore
from reference_server.http.openapi import document
from reference_server.state import ServerState

from .conftest import POST, create, error, ok

# -- guards -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host", ["evil.example", "attacker.com:50809", "192.168.1.10", "10.0.0.1:80"]
)
def test_foreign_host_is_refused(client: FlaskClient, host: str) -> None:
    response = client.get("/api/v1/license/check", headers={"Host": host})
    error(response, 40001, 403, mentions="Host")


@pytest.mark.parametrize(
    "host", ["localhost:50809", "127.0.0.1", "127.0.0.2:1234", "[::1]:50809", "LOCALHOST"]
)
def test_loopback_hosts_are_served(client: FlaskClient, host: str) -> None:
    ok(client.get("/api/v1/license/check", headers={"Host": host}))


def test_operator_allowed_host(tmp_path: Path) -> None:
    app = create_app(
        ServerConfig(
            db=tmp_path / "t.sqlite3", run_scheduler=False, allowed_hosts=("tikmatrix.lan",)
        )
    )
    ok(app.test_client().get("/api/v1/license/check", headers={"Host": "tikmatrix.lan:50809"}))
    app.extensions["tikmatrix_close"]()


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"],
)
def test_bodies_must_be_json(client: FlaskClient, content_type: str) -> None:
    response = client.post(
        "/api/v1/task", data='{"script_name": "post"}', headers={"Content-Type": content_type}
    )
    error(response, 40001, 415, mentions="application/json")
    assert ok(client.get("/api/v1/task/stats"))["total"] == 0


def test_malformed_json_is_40001(client: FlaskClient) -> None:
    response = client.post("/api/v1/task", data="{not json", content_type="application/json")
    error(response, 40001, 400, mentions="not valid JSON")
    error(client.post("/api/v1/task", json=[1, 2]), 40001, 400, mentions="JSON object")


def test_body_size_limit(client: FlaskClient) -> None:
    huge = '{"x": "' + "a" * (1024 * 1024 + 10) + '"}'
    response = client.post("/api/v1/task", data=huge, content_type="application/json")
    error(response, 40001, 413, mentions="larger than")


def test_no_cors_headers_even_on_preflight(client: FlaskClient) -> None:
    preflight = client.options(
        "/api/v1/task",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    answer = client.get("/api/v1/task", headers={"Origin": "https://evil.example"})
    for response in (preflight, answer):
        assert not [
            h for h, _ in response.headers.items() if h.lower().startswith("access-control-")
        ]
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


# -- control API ------------------------------------------------------------------------------


def test_reset_reseeds_the_fleet(client: FlaskClient) -> None:
    create(client, **POST, serials=["device_serial_1"])
    ok(client.post("/_control/reset", json={"devices": 2}))
    assert ok(client.get("/api/v1/task/stats"))["total"] == 0
    devices = ok(client.get("/_control/devices"))["devices"]
    assert [d["serial"] for d in devices] == ["device_serial_1", "device_serial_2"]
    assert devices[0]["behaviour"]["failure"] == "never"
    assert create(client, **POST, serials=["device_serial_1"]) == [1]  # ids start again
    error(client.post("/_control/reset", json={"devices": -1}), 40001, 400, mentions="devices")
    refused: tuple[object, ...] = ({}, "Gold", 5, None)
    for plan in refused:  # never a 500, never half a reset
        error(client.post("/_control/reset", json={"plan": plan}), 40001, 400, mentions="plan")
    ok(client.post("/_control/reset", json={"devices": 1, "plan": "Team"}))
    assert ok(client.get("/api/v1/license/check"))["plan_name"] == "Team"


def test_seed_devices_and_accounts(client: FlaskClient) -> None:
    ok(client.post("/_control/devices", json={"serials": ["pixel_7"]}))
    ok(
        client.post(
            "/_control/accounts",
            json={"accounts": [{"username": "@new", "device": "pixel_7", "platform": "instagram"}]},
        )
    )
    create(client, **POST, usernames=["@new"])
    assert ok(client.get("/api/v1/task/1"))["serial"] == "pixel_7"
    error(
        client.post(
            "/_control/accounts", json={"accounts": [{"username": "@x", "device": "nope"}]}
        ),
        40001,
        400,
        mentions="nope",
    )
    error(
        client.post(
            "/_control/accounts",
            json={"accounts": [{"username": "@x", "device": "pixel_7", "age": 3}]},
        ),
        40001,
        400,
        mentions="age",
    )
    error(
        client.post("/_control/devices", json={"serials": "pixel"}), 40001, 400, mentions="serials"
    )


def test_plan_switch(client: FlaskClient) -> None:
    assert ok(client.put("/_control/plan", json={"plan": "Business"}))["device_limit"] == 1000
    assert ok(client.get("/api/v1/license/check"))["plan_name"] == "Business"
    ok(client.put("/_control/plan", json={"plan": "Starter"}))
    error(client.get("/api/v1/license/check"), 40301, 403)
    error(client.put("/_control/plan", json={"plan": "Gold"}), 40001, 400, mentions="plan")


@pytest.mark.parametrize(
    "behaviour",
    [
        {"duration": -1},
        {"failure": "sometimes"},
        {"rate": 2},
        {"sequence": ["maybe"]},
        {"seed": "x"},
        {"colour": 1},
    ],
)
def test_bad_behaviour(client: FlaskClient, behaviour: dict[str, object]) -> None:
    error(client.put("/_control/devices/device_serial_1/behaviour", json=behaviour), 40001, 400)


def test_unknown_device_in_control(client: FlaskClient) -> None:
    error(client.get("/_control/devices/ghost/records"), 40401, 404, mentions="ghost")
    error(client.put("/_control/devices/ghost/behaviour", json={}), 40401, 404)


def test_ui_tasks(client: FlaskClient) -> None:
    ok(client.post("/_control/tasks", json={**POST, "serials": ["device_serial_1"]}))
    assert ok(client.get("/api/v1/task/1"))["source"] == "ui"
    assert ok(client.get("/_control/tasks/1"))["job_index"] == 0


def test_faults_error_for_the_next_calls(client: FlaskClient) -> None:
    fault = ok(
        client.post(
            "/_control/faults",
            json={"path": "/api/v1/task/stats", "code": 50001, "http_status": 503, "times": 2},
        )
    )
    assert fault["times"] == 2
    error(client.get("/api/v1/task/stats"), 50001, 503, mentions="injected")
    error(client.get("/api/v1/task/stats"), 50001, 503)
    ok(client.get("/api/v1/task/stats"))
    assert ok(client.get("/_control/faults"))["faults"] == []


def test_faults_until_cleared_and_latency(client: FlaskClient) -> None:
    ok(
        client.post(
            "/_control/faults",
            json={"method": "POST", "path": "/api/v1/task*", "code": 40001, "message": "nope"},
        )
    )
    ok(client.post("/_control/faults", json={"path": "/api/v1/license/check", "latency": 0.2}))
    for _ in range(3):
        error(
            client.post("/api/v1/task", json={**POST, "serials": ["device_serial_1"]}),
            40001,
            400,
            mentions="nope",
        )
    ok(client.get("/api/v1/task"))  # GET is not matched
    started = time.monotonic()
    ok(client.get("/api/v1/license/check"))
    assert time.monotonic() - started >= 0.2
    ok(client.delete("/_control/faults"))
    create(client, **POST, serials=["device_serial_1"])


@pytest.mark.parametrize(
    ("fault", "mentions"),
    [
        ({"latency": 61}, "latency"),
        ({"code": 0}, "code"),
        ({"code": 100_000}, "code"),
        ({"http_status": 700}, "http_status"),
        ({"times": True}, "times"),
        ({"times": 10**7}, "times"),
        ({"colour": 1}, "colour"),
        ({"path": 123}, "path"),
        ({"path": ""}, "path"),
        ({"path": "/" + "x" * 200}, "path"),
        ({"method": 5}, "method"),
        ({"method": "GET POST"}, "method"),
        ({"message": {"a": 1}}, "message"),
        ({"message": "x" * 501}, "message"),
    ],
)
def test_bad_faults_are_refused_and_nothing_is_stored(
    client: FlaskClient, fault: dict[str, object], mentions: str
) -> None:
    error(client.post("/_control/faults", json=fault), 40001, 400, mentions=mentions)
    assert ok(client.get("/_control/faults"))["faults"] == []
    ok(client.get("/api/v1/task/stats"))  # the API still answers


def test_manual_clock_control(client: FlaskClient, clock: ManualClock) -> None:
    before = clock.now()
    ok(client.post("/_control/clock/advance", json={"seconds": 90}))
    assert clock.now() == before + 90
    error(client.post("/_control/clock/advance", json={"seconds": -1}), 40001, 400)
    create(client, **POST, serials=["device_serial_1"])
    assert ok(client.post("/_control/run")) == {"ran": 1}


def test_run_and_clock_need_their_modes(tmp_path: Path) -> None:
    app = create_app(ServerConfig(db=tmp_path / "t.sqlite3", poll_interval=0.01))
    client = app.test_client()
    error(client.post("/_control/run"), 40001, 400, mentions="background")
    error(
        client.post("/_control/clock/advance", json={"seconds": 1}),
        40001,
        400,
        mentions="real clock",
    )
    app.extensions["tikmatrix_close"]()


# -- OpenAPI and store ------------------------------------------------------------------------


def test_openapi_document_is_valid_and_served(client: FlaskClient) -> None:
    validate(document())
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    assert served.json is not None
    assert served.json["openapi"] == "3.1.0"
    assert "/api/v1/task/{task_id}/retry" in served.json["paths"]
    assert "/_control/faults" in served.json["paths"]


def test_openapi_is_served_on_starter_too(client: FlaskClient, server: ServerState) -> None:
    server.service.set_plan("Starter")
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_store_file_is_wal_and_versioned(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "t.sqlite3"
    store = SQLiteStore(path)
    assert store.schema_version == len(MIGRATIONS)
    store.close()
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    indexes = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"tasks_status", "tasks_serial", "tasks_script", "tasks_source"} <= indexes
    assert "tasks_due" not in indexes  # read by no query (migration 4)
    plan = raw.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM tasks WHERE serial = ? ORDER BY id DESC LIMIT 20", ("x",)
    ).fetchall()
    assert "tasks_serial" in str(plan)
    raw.close()
    with contextlib.closing(SQLiteStore(path)) as again:
        assert again.schema_version == len(MIGRATIONS)  # reopening migrates nothing


def test_memory_store_and_rollback() -> None:
    store = SQLiteStore(":memory:")
    store.add_devices(["a"])

    def insert_then_fail() -> None:
        with store.transaction() as db:
            db.execute("INSERT INTO devices (serial) VALUES ('b')")
            raise RuntimeError("abort")

    with pytest.raises(RuntimeError):
        insert_then_fail()
    assert [d.serial for d in store.devices()] == ["a"]
    assert store.get_setting("plan", "Pro") == "Pro"
    store.close()


def test_create_of_500_serials_is_one_transaction(client: FlaskClient, server: ServerState) -> None:
    server.service.set_plan("Business")
    serials = [f"phone_{i:03d}" for i in range(500)]
    ok(client.post("/_control/devices", json={"serials": serials}))
    body = {
        "serials": serials,
        "script_name": "follow",
        "script_config": {"target_users": ["@a", "@b"]},
    }
    statements: list[str] = []
    store = cast(SQLiteStore, server.service.store)
    store._db.set_trace_callback(statements.append)
    assert len(create(client, **body)) == 1000
    store._db.set_trace_callback(None)
    assert sum(1 for s in statements if s.startswith("BEGIN")) == 1
    assert sum(1 for s in statements if s.startswith("COMMIT")) == 1


def test_the_fleet_is_bounded(client: FlaskClient) -> None:
    known = len(ok(client.get("/_control/devices"))["devices"])
    room = 1000 - known
    batch = [f"lab_{n}" for n in range(room)]
    ok(client.post("/_control/devices", json={"serials": batch}))
    ok(client.post("/_control/devices", json={"serials": batch[:10]}))  # known ones: no growth
    refused = client.post("/_control/devices", json={"serials": ["one_too_many"]})
    error(refused, 40001, 400, mentions="at most 1000 devices")
    assert len(ok(client.get("/_control/devices"))["devices"]) == 1000
    state = ok(client.get("/dashboard/api/state"))
    assert (len(state["devices"]), state["devices_total"]) == (50, 1000)
    error(client.post("/_control/devices", json={"serials": ["x" * 201]}), 40001, 400)


def test_the_faults_in_force_are_bounded(client: FlaskClient) -> None:
    for _ in range(100):
        ok(client.post("/_control/faults", json={"path": "/api/v1/nothing"}))
    error(client.post("/_control/faults", json={}), 40001, 400, mentions="at most 100 faults")
    assert len(ok(client.get("/_control/faults"))["faults"]) == 100
