"""The device API: leases, their expiry and their place beside tasks, and calls on a device."""

from __future__ import annotations

import io
import threading
import time
import xml.etree.ElementTree as ElementTree
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from reference_server.android.render import ACCENTS
from reference_server.clock import ManualClock
from reference_server.state import ServerState

from ..waiting import wait_until
from .conftest import POST, create, error, ok

SERIAL = "device_serial_1"


def lease(client: FlaskClient, serial: str = SERIAL, **body: Any) -> dict[str, Any]:
    data: dict[str, Any] = ok(client.post("/api/v1/rpc/session", json={"serial": serial, **body}))
    return data


def call(client: FlaskClient, session_id: str | None, method: str, *params: Any) -> Any:
    headers = {"x-session-id": session_id} if session_id else {}
    body = {"method": method, "params": list(params)}
    return client.post("/api/v1/rpc/jsonrpc", json=body, headers=headers)


def devices(client: FlaskClient) -> dict[str, dict[str, Any]]:
    return {device["serial"]: device for device in ok(client.get("/api/v1/rpc/devices"))}


# -- leases ----------------------------------------------------------------------------------


def test_a_lease_marks_the_device_busy_until_released(client: FlaskClient) -> None:
    assert devices(client)[SERIAL]["busy"] is False
    held = lease(client, label="my bot", ttl_secs=30)
    assert held["serial"] == SERIAL
    assert held["ttl_secs"] == 30
    assert held["expires_in"] == 30
    listed = devices(client)[SERIAL]
    assert listed["busy"]
    assert listed["leased"]
    assert listed["lease_label"] == "my bot"
    assert "session_id" not in listed  # the listing names the holder, never its key
    (listed_lease,) = ok(client.get("/api/v1/rpc/session"))
    assert (listed_lease["serial"], listed_lease["label"]) == (SERIAL, "my bot")
    assert listed_lease["session_id"] is None  # the key only to the program that holds it
    mine = client.get("/api/v1/rpc/session", headers={"x-session-id": held["session_id"]})
    assert [entry["session_id"] for entry in ok(mine)] == [held["session_id"]]
    ok(client.delete(f"/api/v1/rpc/session/{held['session_id']}"))
    assert devices(client)[SERIAL]["busy"] is False
    assert ok(client.get("/api/v1/rpc/session")) == []


def test_one_driver_per_device(client: FlaskClient) -> None:
    lease(client, label="first")
    error(
        client.post("/api/v1/rpc/session", json={"serial": SERIAL}),
        40901,
        409,
        mentions="already leased by 'first'",
    )


def test_a_lease_expires_after_its_ttl_unless_renewed(
    client: FlaskClient, clock: ManualClock
) -> None:
    held = lease(client, ttl_secs=10)
    clock.advance(8)
    renewed = ok(client.post(f"/api/v1/rpc/session/{held['session_id']}/heartbeat", json={}))
    assert renewed["ttl_secs"] == 120
    assert renewed["expires_in"] == 120
    ok(client.post(f"/api/v1/rpc/session/{held['session_id']}/heartbeat", json={"ttl_secs": 10}))
    clock.advance(10)
    assert devices(client)[SERIAL]["busy"] is False
    error(
        client.post(f"/api/v1/rpc/session/{held['session_id']}/heartbeat"),
        40302,
        403,
        mentions="expired",
    )
    error(call(client, held["session_id"], "deviceInfo"), 40302, 403)
    error(client.delete(f"/api/v1/rpc/session/{held['session_id']}"), 40401, 404)


def test_the_scheduler_never_dispatches_to_a_leased_device(
    client: FlaskClient, server: ServerState
) -> None:
    held = lease(client)
    (leased_task,) = create(client, **POST, serials=[SERIAL])
    (free_task,) = create(client, **POST, serials=["device_serial_2"])
    assert server.runner.run_until_idle() == 1
    assert ok(client.get(f"/api/v1/task/{free_task}"))["status"] == 2
    assert ok(client.get(f"/api/v1/task/{leased_task}"))["status"] == 0
    ok(client.delete(f"/api/v1/rpc/session/{held['session_id']}"))
    assert server.runner.run_until_idle() == 1
    assert ok(client.get(f"/api/v1/task/{leased_task}"))["status"] == 2


def test_a_device_running_a_task_cannot_be_leased(client: FlaskClient, server: ServerState) -> None:
    (task_id,) = create(client, **POST, serials=[SERIAL])
    with server.runner.hold(SERIAL) as running:
        assert running == {}
    batch = server.runner._claim_batch()  # claim it, as a scheduler tick does
    assert [claim.task.id for claim in batch] == [task_id]
    error(
        client.post("/api/v1/rpc/session", json={"serial": SERIAL}),
        40901,
        409,
        mentions=f"running task {task_id}",
    )
    assert devices(client)[SERIAL]["task_id"] == task_id


def test_leases_and_running_tasks_share_the_plans_device_slots(
    client: FlaskClient, server: ServerState
) -> None:
    ok(client.post("/_control/reset", json={"devices": 22}))
    sessions = [lease(client, f"device_serial_{n}")["session_id"] for n in range(1, 21)]
    # Pro drives 20 devices at once
    error(
        client.post("/api/v1/rpc/session", json={"serial": "device_serial_21"}),
        40902,
        409,
        mentions="Pro plan drives 20 devices",
    )
    (waiting,) = create(client, **POST, serials=["device_serial_22"])
    assert server.runner.run_until_idle() == 0  # no slot for a task either
    ok(client.delete(f"/api/v1/rpc/session/{sessions[0]}"))
    assert server.runner.run_until_idle() == 1
    assert ok(client.get(f"/api/v1/task/{waiting}"))["status"] == 2


def test_a_reset_ends_every_lease(client: FlaskClient) -> None:
    lease(client)
    ok(client.post("/_control/reset", json={}))
    assert ok(client.get("/api/v1/rpc/session")) == []


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ({}, "serial"),
        ({"serial": ""}, "serial"),
        ({"serial": SERIAL, "ttl_secs": 601}, "ttl_secs"),
        ({"serial": SERIAL, "ttl_secs": 0}, "ttl_secs"),
        ({"serial": SERIAL, "ttl_secs": True}, "ttl_secs"),
        ({"serial": SERIAL, "label": "x" * 101}, "label"),
        ({"serial": SERIAL, "owner": "me"}, "owner"),
    ],
)
def test_lease_requests_are_checked(client: FlaskClient, body: Any, mentions: str) -> None:
    error(client.post("/api/v1/rpc/session", json=body), 40001, 400, mentions=mentions)
    assert ok(client.get("/api/v1/rpc/session")) == []


def test_an_unknown_device_is_not_found(client: FlaskClient) -> None:
    error(client.post("/api/v1/rpc/session", json={"serial": "nope"}), 40401, 404)


def test_the_device_api_needs_an_api_plan(client: FlaskClient) -> None:
    ok(client.put("/_control/plan", json={"plan": "Starter"}))
    error(client.get("/api/v1/rpc/devices"), 40301, 403)
    error(client.post("/api/v1/rpc/session", json={"serial": SERIAL}), 40301, 403)


def test_another_sites_page_cannot_lease(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/rpc/session", json={"serial": SERIAL}, headers={"Origin": "https://evil.example"}
    )
    error(response, 40001, 403, mentions="cross-origin")


# -- calls on a leased device ----------------------------------------------------------------


def test_device_calls_need_the_lease_of_that_device(client: FlaskClient) -> None:
    held = lease(client)
    error(call(client, None, "deviceInfo"), 40302, 403, mentions="x-session-id")
    error(call(client, "forged", "deviceInfo"), 40302, 403)
    other = {"method": "deviceInfo", "serial": "device_serial_2"}
    response = client.post(
        "/api/v1/rpc/jsonrpc", json=other, headers={"x-session-id": held["session_id"]}
    )
    error(response, 40302, 403, mentions="device_serial_2")
    error(client.get("/api/v1/rpc/screenshot"), 40302, 403)
    error(client.get("/api/v1/rpc/hierarchy"), 40302, 403)


def test_ui_automation_on_a_simulated_device(client: FlaskClient) -> None:
    session = lease(client)["session_id"]
    info = ok(call(client, session, "deviceInfo"))
    assert (info["displayWidth"], info["displayHeight"]) == (1080, 2340)
    assert info["currentPackageName"] == "com.android.launcher3"
    xml = client.get("/api/v1/rpc/hierarchy", headers={"x-session-id": session}).data.decode()
    assert 'text="TikTok"' in xml
    assert 'bounds="[0,100][1080,200]"' in xml
    assert ok(call(client, session, "click", 540, 150)) is True  # the TikTok icon
    assert ok(call(client, session, "deviceInfo"))["currentPackageName"] == (
        "com.zhiliaoapp.musically"
    )
    found = ok(call(client, session, "objInfo", {"text": "Search"}))
    assert found["resourceName"] == "com.zhiliaoapp.musically:id/search_icon"
    ok(call(client, session, "pressKey", "home"))
    assert ok(call(client, session, "deviceInfo"))["currentPackageName"] == (
        "com.android.launcher3"
    )


def test_a_screenshot_is_a_png_of_the_screen_the_hierarchy_describes(client: FlaskClient) -> None:
    session = lease(client)["session_id"]
    headers = {"x-session-id": session}
    launcher = Image.open(io.BytesIO(client.get("/api/v1/rpc/screenshot", headers=headers).data))
    assert launcher.format == "PNG"
    assert launcher.size == (1080, 2340)
    ok(call(client, session, "click", 540, 150))
    shot = client.get(f"/api/v1/rpc/screenshot?serial={SERIAL}", headers=headers)
    image = Image.open(io.BytesIO(shot.data)).convert("RGB")
    # The first button ("Search") fills [0,100][1080,200] in TikTok's colour; the launcher
    # drew light text on a dark wallpaper there.
    assert image.getpixel((1000, 150)) == ACCENTS["tiktok"]
    assert launcher.convert("RGB").getpixel((1000, 150)) != ACCENTS["tiktok"]


def test_device_refusals_and_bad_calls(client: FlaskClient) -> None:
    session = lease(client)["session_id"]
    refused = call(client, session, "objInfo", {"text": "Nothing like this"})
    error(refused, 42201, 422, mentions="UiObjectNotFoundException")
    assert refused.json is not None
    assert refused.json["data"]["rpc_code"] == -32002
    error(call(client, session, "noSuchMethod"), 42201, 422, mentions="method not found")
    error(call(client, session, "click", "x"), 42201, 422)
    for body, mentions in [
        ({"method": "rm -rf"}, "method"),
        ({"method": "click", "params": list(range(33))}, "params"),
        ({"method": "click", "timeout": 0}, "timeout"),
        ({"method": "click", "extra": 1}, "extra"),
    ]:
        response = client.post("/api/v1/rpc/jsonrpc", json=body, headers={"x-session-id": session})
        error(response, 40001, 400, mentions=mentions)


def test_adb_is_refused_until_enabled_and_then_runs_argument_vectors(client: FlaskClient) -> None:
    session = lease(client)["session_id"]
    headers = {"x-session-id": session}
    listing = {"args": ["shell", "pm", "list", "packages"]}
    error(client.post("/api/v1/rpc/adb", json=listing, headers=headers), 40303, 403)
    assert ok(client.put("/_control/rpc/adb", json={"enabled": True})) == {"enabled": True}
    assert ok(client.get("/_control/rpc/adb")) == {"enabled": True}
    output = ok(client.post("/api/v1/rpc/adb", json=listing, headers=headers))
    assert "package:com.zhiliaoapp.musically\n" in output
    # Each item is one word on the device: no shell there splits or chains it.
    sneaky = {"args": ["shell", "echo", "a; rm -rf /sdcard && reboot"]}
    assert ok(client.post("/api/v1/rpc/adb", json=sneaky, headers=headers)) == (
        "a; rm -rf /sdcard && reboot\n"
    )
    for body, mentions in [
        ({"args": ["push", "/etc/passwd", "/sdcard/"]}, "shell"),
        ({"args": ["shell"]}, "args"),
        ({"args": "shell ls"}, "args"),
        ({"args": ["shell", "ls"], "timeout_ms": 10**9}, "timeout_ms"),
    ]:
        response = client.post("/api/v1/rpc/adb", json=body, headers=headers)
        error(response, 40001, 400, mentions=mentions)
    ok(client.put("/_control/rpc/adb", json={"enabled": False}))
    error(client.post("/api/v1/rpc/adb", json=listing, headers=headers), 40303, 403)


# -- what a leased program may send, however odd -----------------------------------------------


@pytest.mark.parametrize(
    ("method", "params", "mentions"),
    [
        ("waitForExists", [{"text": "x"}, "nan"], "milliseconds"),
        ("waitForExists", [{"text": "x"}, -5], "milliseconds"),
        ("exist", ["x"], "selector"),
        ("exist", [{"text": 5}], "selector text"),
        ("setText", [{"className": "android.widget.EditText"}, "x" * 100_001], "100000"),
        ("pressKey", ["warp"], "unknown key"),
    ],
)
def test_odd_device_calls_are_refused_by_the_device_not_failed(
    client: FlaskClient, method: str, params: list[Any], mentions: str
) -> None:
    session = lease(client)["session_id"]
    ok(call(client, session, "click", 540, 150))  # into TikTok
    ok(call(client, session, "click", 540, 150))  # its search screen, with a text field
    error(call(client, session, method, *params), 42201, 422, mentions=mentions)
    assert ok(call(client, session, "exist", {"textMatches": "Se.*"})) is False  # still fine


def test_text_the_xml_cannot_hold_is_left_out_of_the_hierarchy(client: FlaskClient) -> None:
    session = lease(client)["session_id"]
    ok(call(client, session, "click", 540, 150))
    ok(call(client, session, "click", 540, 150))
    field = {"className": "android.widget.EditText"}
    ok(call(client, session, "setText", field, "bell\u0007 and \ufffe gone"))
    xml = client.get("/api/v1/rpc/hierarchy", headers={"x-session-id": session}).data
    nodes = ElementTree.fromstring(xml).iter("node")
    node = next(n for n in nodes if n.get("class") == "android.widget.EditText")
    assert node.get("text") == "bell and  gone"
    shot = client.get("/api/v1/rpc/screenshot", headers={"x-session-id": session})
    assert shot.status_code == 200


def test_a_tools_usage_error_is_its_output_not_a_failure(client: FlaskClient) -> None:
    session = lease(client)["session_id"]
    ok(client.put("/_control/rpc/adb", json={"enabled": True}))
    body = {"args": ["shell", "monkey", "-p"]}
    output = ok(client.post("/api/v1/rpc/adb", json=body, headers={"x-session-id": session}))
    assert output == "** Error: Invalid argument: -p needs a package name\n"


def test_a_lease_outlives_its_ttl_while_a_call_runs(
    app: Flask, client: FlaskClient, clock: ManualClock
) -> None:
    """A call holds its lease (and its device) until it ends, however short the ttl."""
    session = lease(client, ttl_secs=1)["session_id"]
    answers: list[Any] = []

    def slow_call() -> None:  # waitForExists of something absent waits its 0.2 s out
        with app.test_client() as other:
            answers.append(call(other, session, "waitForExists", {"text": "never"}, 200).json)

    worker = threading.Thread(target=slow_call)
    worker.start()
    wait_until(lambda: app.extensions["tikmatrix"].leases._calls, "the call to start")
    clock.advance(5)
    held = ok(client.get("/api/v1/rpc/session", headers={"x-session-id": session}))
    assert [entry["session_id"] for entry in held] == [session]
    error(client.post("/api/v1/rpc/session", json={"serial": SERIAL}), 40901, 409)
    worker.join(10)
    assert answers == [{"code": 0, "message": "success", "data": False}]
    assert ok(client.get("/api/v1/rpc/session")) == []  # and then it expires


@pytest.mark.parametrize(
    ("params", "mentions"),
    [
        ([{"textMatches": "("}], "params[0].textMatches: not a pattern RE2 can match"),
        ([{"resourceIdMatches": "(a)\\1"}], "params[0].resourceIdMatches"),
        ([{"text": "x", "childSelector": {"textMatches": "(?=a)"}}], "childSelector.textMatches"),
        ([{"textMatches": "a" * 201}], "longer than 200"),
    ],
)
def test_a_pattern_the_server_cannot_match_is_a_bad_argument(
    client: FlaskClient, params: list[Any], mentions: str
) -> None:
    session = lease(client)["session_id"]
    error(call(client, session, "exist", *params), 40001, 400, mentions=mentions)


def test_patterns_that_backtrack_in_python_are_matched_in_linear_time(
    client: FlaskClient,
) -> None:
    session = lease(client)["session_id"]
    ok(call(client, session, "click", 540, 150))  # into TikTok
    ok(call(client, session, "click", 540, 150))  # its search screen, with a text field
    field = {"className": "android.widget.EditText"}
    ok(call(client, session, "setText", field, "a" * 3000))
    started = time.monotonic()
    for pattern in ("a*a*a*a*a*a*b", "(a+)+b", "(a|aa)*c", "(a*)*b"):
        assert ok(call(client, session, "exist", {"textMatches": pattern})) is False
    assert ok(call(client, session, "exist", {"textMatches": "a+"})) is True
    # Python's re takes hours on the first of them; RE2, milliseconds. A generous bound:
    assert time.monotonic() - started < 30


def test_the_adb_route_keeps_to_its_timeout_on_a_simulated_phone(client: FlaskClient) -> None:
    session = lease(client)["session_id"]
    ok(client.put("/_control/rpc/adb", json={"enabled": True}))
    body = {"args": ["shell", "sleep", "15"], "timeout_ms": 300}
    started = time.monotonic()
    answer = client.post("/api/v1/rpc/adb", json=body, headers={"x-session-id": session})
    error(answer, 50301, 503, mentions="timed out after 0.3 s")
    assert time.monotonic() - started < 10  # not the 15 s asked for


def test_a_lease_runs_one_call_at_a_time(app: Flask, client: FlaskClient) -> None:
    session = lease(client)["session_id"]
    headers = {"x-session-id": session}
    ok(client.put("/_control/rpc/adb", json={"enabled": True}))
    slow = {"args": ["shell", "sleep", "1"], "timeout_ms": 5000}
    answers: list[Any] = []

    def slow_call() -> None:
        with app.test_client() as other:
            answers.append(other.post("/api/v1/rpc/adb", json=slow, headers=headers).json)

    first = threading.Thread(target=slow_call)
    first.start()
    wait_until(lambda: app.extensions["tikmatrix"].leases._calls, "the first call to start")
    error(call(client, session, "deviceInfo"), 40901, 409, mentions="one at a time")
    first.join(10)
    assert answers[0]["code"] == 0
    ok(call(client, session, "deviceInfo"))  # and the next call, after it, is served
