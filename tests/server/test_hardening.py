"""Regression tests for input that used to break the server or reach it from a web page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from tikmatrix_sdk._contract.limits import (
    MAX_STORED_BYTES,
    MAX_TASKS_PER_REQUEST,
    MAX_UNKNOWN_BYTES,
)

from ..waiting import wait_until
from .conftest import POST, create, error, ok

BIG = 2**63  # one past the largest SQLite row id


def _total(client: FlaskClient) -> int:
    total: int = ok(client.get("/api/v1/task/stats"))["total"]
    return total


def _raw_post(client: FlaskClient, path: str, text: str) -> Any:
    return client.post(path, data=text, content_type="application/json")


# 1. A poison task: intervals so long that the next task's time cannot be served back.


@pytest.mark.parametrize("name", ["min_interval", "max_interval"])
def test_intervals_beyond_a_day_are_refused_and_nothing_is_stored(
    client: FlaskClient, name: str
) -> None:
    body = {**POST, "serials": ["device_serial_1"], "min_interval": 0, "max_interval": 0}
    body[name] = 10**15
    if name == "min_interval":
        body["max_interval"] = 10**15
    error(client.post("/api/v1/task", json=body), 40001, 400, mentions=name)
    assert _total(client) == 0


def test_the_longest_interval_is_stored_and_served_back(client: FlaskClient) -> None:
    follow = {"script_name": "follow", "script_config": {"target_users": ["@a", "@b", "@c"]}}
    ids = create(
        client, **follow, serials=["device_serial_1"], min_interval=1440, max_interval=1440
    )
    page = ok(client.get("/api/v1/task", query_string={"serial": "device_serial_1"}))
    assert sorted(task["id"] for task in page["tasks"]) == ids
    assert ok(client.post(f"/api/v1/task/{ids[-1]}/stop"))["status"] == 3


# 2. A web page's simple request must not change anything.


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://localhost:1234"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
@pytest.mark.parametrize("path", ["/_control/reset", "/api/v1/task/retry-all"])
def test_requests_from_another_origin_are_refused(
    client: FlaskClient, headers: dict[str, str], path: str
) -> None:
    create(client, **POST, serials=["device_serial_1"])
    answer = client.post(path, headers=headers)  # empty body, like a page's form post
    error(answer, 40001, 403, mentions="cross-origin")
    assert _total(client) == 1


def test_a_text_plain_post_without_a_body_is_refused(client: FlaskClient) -> None:
    create(client, **POST, serials=["device_serial_1"])
    error(client.post("/_control/reset", content_type="text/plain"), 40001, 415)
    assert _total(client) == 1


def test_the_servers_own_origin_and_programs_are_served(client: FlaskClient) -> None:
    own = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    assert ok(client.post("/api/v1/task/retry-all", headers=own))["retried_count"] == 0
    assert ok(client.post("/api/v1/task/retry-all", headers={"Sec-Fetch-Site": "none"}))
    assert ok(client.get("/api/v1/task/stats", headers={"Origin": "http://evil.example"}))


# 3. Values that are not standard JSON.


@pytest.mark.parametrize(
    ("fragment", "mentions"),
    [
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
        ("-Infinity", "-Infinity"),
        ("1e400", "too large"),
        ('"\\ud800"', "lone surrogate"),
        ('"a\\udfffb"', "lone surrogate"),
        (str(2**64), "64 bits"),
    ],
)
def test_non_standard_json_is_refused(client: FlaskClient, fragment: str, mentions: str) -> None:
    text = (
        '{"serials": ["device_serial_1"], "script_name": "post", '
        f'"script_config": {{"captions": {fragment}}}}}'
    )
    error(_raw_post(client, "/api/v1/task", text), 40001, 400, mentions=mentions)
    assert _total(client) == 0


def test_nul_bytes_and_shell_characters_are_stored_byte_exact(client: FlaskClient) -> None:
    caption = "a\x00b; rm -rf / $(reboot) `id` 'q' \"d\" 😀" + "x" * 10_000
    (task_id,) = create(
        client,
        script_name="post",
        script_config={"captions": caption, "material_list": ["C:/v.mp4"]},
        serials=["device_serial_1"],
    )
    assert ok(client.get(f"/api/v1/task/{task_id}"))["script_config"]["captions"] == caption


# 4. Numbers too big for a row id, and digits that are not ASCII.


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/api/v1/task/{BIG}"),
        ("DELETE", f"/api/v1/task/{BIG}"),
        ("POST", f"/api/v1/task/{BIG}/stop"),
        ("POST", f"/api/v1/task/{BIG}/retry"),
        ("GET", f"/_control/tasks/{BIG}"),
        ("GET", f"/api/v1/task/{10**40}"),
    ],
)
def test_ids_beyond_any_row_are_not_found(client: FlaskClient, method: str, path: str) -> None:
    error(client.open(path, method=method), 40401, 404)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/task/١٢", "/_control/tasks/١٢", "/api/v1/task/+1", "/api/v1/task/1_0"],
)
def test_only_ascii_digits_make_a_task_id(client: FlaskClient, path: str) -> None:
    create(client, **POST, serials=[f"device_serial_{n}" for n in range(1, 5)] * 3)
    error(client.get(path), 40001, 400, mentions="task_id")


@pytest.mark.parametrize(
    "query",
    [
        {"page": str(10**18)},
        {"page": "\u0661"},
        {"page": " 1"},
        {"status": "\u0662"},
        {"page": "1_0"},
    ],
)
def test_paging_and_filters_take_bounded_ascii_integers(
    client: FlaskClient, query: dict[str, str]
) -> None:
    error(client.get("/api/v1/task", query_string=query), 40001, 400, mentions=next(iter(query)))


def test_the_last_page_number_is_served(client: FlaskClient) -> None:
    assert ok(client.get("/api/v1/task", query_string={"page": "1000000"}))["tasks"] == []


@pytest.mark.parametrize("ids", [[BIG], [2**64], [0], list(range(1, MAX_TASKS_PER_REQUEST + 2))])
def test_batch_delete_ids_are_bounded(client: FlaskClient, ids: list[int]) -> None:
    error(client.delete("/api/v1/task/batch", json={"task_ids": ids}), 40001, 400)


# 5. Nesting deep enough to exhaust the parser.


@pytest.mark.parametrize("depth", [33, 10_000])
def test_deeply_nested_bodies_are_refused(client: FlaskClient, depth: int) -> None:
    text = json.dumps({**POST, "serials": ["device_serial_1"]})[:-1]
    text += ', "deep": ' + "[" * depth + "]" * depth + "}"
    error(_raw_post(client, "/api/v1/task", text), 40001, 400, mentions="nested")
    assert _total(client) == 0


# 6. One request may not create more than MAX_TASKS_PER_REQUEST tasks.


def test_a_fan_out_beyond_the_cap_is_refused_naming_it(client: FlaskClient) -> None:
    users = [f"@u{n}" for n in range(MAX_TASKS_PER_REQUEST // 2 + 1)]
    body = {"script_name": "follow", "script_config": {"target_users": users}}
    answer = client.post("/api/v1/task", json={**body, "serials": ["device_serial_1"] * 2})
    error(answer, 40001, 400, mentions=str(MAX_TASKS_PER_REQUEST))
    assert _total(client) == 0


def test_multi_account_fan_out_counts_against_the_cap(client: FlaskClient) -> None:
    users = [f"@u{n}" for n in range(MAX_TASKS_PER_REQUEST // 3 + 1)]
    body = {
        "script_name": "follow",
        "script_config": {"target_users": users},
        "serials": ["device_serial_1"],
        "enable_multi_account": True,  # three accounts on the device
    }
    error(client.post("/api/v1/task", json=body), 40001, 400, mentions="at most")
    assert _total(client) == 0


def test_unknown_options_are_bounded_before_fan_out_copies_them(client: FlaskClient) -> None:
    config = {"target_users": ["@a", "@b"], "padding": "x" * (MAX_UNKNOWN_BYTES + 1)}
    body = {"script_name": "follow", "script_config": config, "serials": ["device_serial_1"]}
    error(client.post("/api/v1/task", json=body), 40001, 400, mentions="padding")
    config["padding"] = "x" * (MAX_UNKNOWN_BYTES - 100)  # kept as given, in each task
    assert len(create(client, **body)) == 2


def test_what_one_create_stores_after_fan_out_is_bounded(client: FlaskClient) -> None:
    # 2,000 tasks, each keeping 10 KB of unknown options: 20 MB to store, past the cap.
    users = [f"@u{n}" for n in range(1000)]
    config = {"target_users": users, "note": "x" * 10_000}
    body = {"script_name": "follow", "script_config": config}
    answer = client.post("/api/v1/task", json={**body, "serials": ["device_serial_1"] * 2})
    error(answer, 40001, 400, mentions=str(MAX_STORED_BYTES))
    assert _total(client) == 0


def test_exactly_the_cap_is_created(client: FlaskClient) -> None:
    users = [f"@u{n}" for n in range(MAX_TASKS_PER_REQUEST // 2)]
    body = {"script_name": "follow", "script_config": {"target_users": users}}
    ids = create(client, **body, serials=["device_serial_1", "device_serial_2"])
    assert len(ids) == MAX_TASKS_PER_REQUEST == _total(client)


# 8. Contract drift.


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PATCH", "/api/v1/task/1", "DELETE, GET, HEAD"),
        ("PUT", "/api/v1/task/stats", "GET, HEAD"),
        ("GET", "/api/v1/task/batch", "DELETE"),
        ("OPTIONS", "/api/v1/task", "GET, HEAD, POST"),
    ],
)
def test_405_answers_say_which_methods_are_allowed(
    client: FlaskClient, method: str, path: str, allowed: str
) -> None:
    answer = client.open(path, method=method)
    error(answer, 40001, 405)
    assert answer.headers["Allow"] == allowed
    assert not any(name.lower().startswith("access-control-") for name, _ in answer.headers)


# 7. A running task can be stopped, and no caption keeps a device busy.


def test_deeply_nested_spintax_expands_in_one_pass() -> None:
    import random
    import threading

    from reference_server.scripts.post import expand_spintax

    depth = 200_000  # 400 KB of braces: the old pass-per-level expansion needed hours
    caption = "{" * depth + "x|y" + "}" * depth + " {a|b}"
    result: list[str] = []
    worker = threading.Thread(
        target=lambda: result.append(expand_spintax(caption, random.Random(1)))
    )
    worker.start()
    worker.join(60)  # a bound on a hang, not a timing assertion
    assert not worker.is_alive()
    assert result[0] in {"x a", "x b", "y a", "y b"}


def test_stop_ends_a_running_task_at_once_and_frees_its_device() -> None:

    import httpx

    from reference_server.app import ServerConfig
    from reference_server.testing import running_server

    with running_server(ServerConfig(db=":memory:", poll_interval=0.02)) as url:
        control = f"{url}/_control/devices/device_serial_1/behaviour"
        httpx.put(control, json={"duration": 600}).raise_for_status()
        follow = {"script_name": "follow", "script_config": {"target_users": ["@a", "@b"]}}
        answer = httpx.post(f"{url}/api/v1/task", json={**follow, "serials": ["device_serial_1"]})
        first, second = answer.json()["data"]["task_ids"]

        def status(task_id: int) -> Any:
            return httpx.get(f"{url}/api/v1/task/{task_id}").json()["data"]

        wait_until(lambda: status(first)["status"] == 1, "the first task to start", timeout=30)
        httpx.put(control, json={"duration": 0}).raise_for_status()
        stopped = httpx.post(f"{url}/api/v1/task/{first}/stop").json()["data"]
        assert (stopped["status"], stopped["remark"]) == (3, "stopped by user")
        # the device is free long before the first task's 600 s
        wait_until(lambda: status(second)["status"] == 2, "the device to take the next task")
        assert status(first)["remark"] == "stopped by user"


def test_an_adb_device_checks_for_a_stop_before_every_step() -> None:
    import random
    import threading

    from reference_server.clock import ManualClock
    from reference_server.devices import RunContext, TaskCancelled
    from reference_server.devices.adb import AdbDevice

    device = AdbDevice("emulator-1", client=None)
    ctx = RunContext(
        task_id=1,
        username=None,
        job_index=0,
        clock=ManualClock(),
        cancel=threading.Event(),
        rng=random.Random(0),
    )
    steps: list[str] = []
    with device.running(ctx):
        device._guard("a step", lambda: steps.append("first"))
        ctx.cancel.set()
        with pytest.raises(TaskCancelled):
            device._guard("the next step", lambda: steps.append("second"))
    assert steps == ["first"]
    device._guard("outside a task", lambda: steps.append("free"))  # a stale stop is forgotten
    assert steps == ["first", "free"]


# Found by fuzzing the document (tests/fuzz): each answered 200 or 500 before.


@pytest.mark.parametrize("query", [{"source": ""}, {"status": ""}, {"page": ""}])
def test_empty_query_values_are_refused_not_ignored(
    client: FlaskClient, query: dict[str, str]
) -> None:
    error(client.get("/api/v1/task", query_string=query), 40001, 400, mentions=next(iter(query)))


def test_reset_refuses_unknown_fields(client: FlaskClient) -> None:
    error(client.post("/_control/reset", json={"devices": 1, "colour": 1}), 40001, 400)


@pytest.mark.parametrize(
    "account",
    [
        {"username": "@a", "device": {}},
        {"username": "@a", "device": "device_serial_1", "status": "x"},
        {"username": "@a", "device": "device_serial_1", "logined": 1},
        {"username": "@a", "device": "device_serial_1", "status": -1},
        {"username": " ", "device": "device_serial_1"},
    ],
)
def test_accounts_of_the_wrong_shape_are_refused(
    client: FlaskClient, account: dict[str, Any]
) -> None:
    error(client.post("/_control/accounts", json={"accounts": [account]}), 40001, 400)


def test_null_account_fields_take_their_defaults(client: FlaskClient) -> None:
    account = {"username": "@n", "device": "device_serial_1", "status": None, "tag": None}
    ok(client.post("/_control/accounts", json={"accounts": [account]}))
    page = ok(client.get("/api/v1/accounts", query_string={"device": "device_serial_1"}))
    (stored,) = [account for account in page["accounts"] if account["username"] == "@n"]
    assert (stored["status"], stored["platform"], stored["tag"]) == (0, "tiktok", "")


def test_a_null_usernames_beside_serials_is_refused(client: FlaskClient) -> None:
    body = {**POST, "serials": ["device_serial_1"], "usernames": None}
    error(client.post("/api/v1/task", json=body), 40001, 400, mentions="usernames")


def test_an_account_status_is_a_32_bit_value(client: FlaskClient) -> None:
    huge = "40453869178052927488"
    error(client.get(f"/api/v1/accounts?status={huge}"), 40001, 400, mentions="status")
    body = {"accounts": [{"username": "@big", "device": "device_serial_1", "status": 2**40}]}
    error(client.post("/_control/accounts", json=body), 40001, 400, mentions="status")
