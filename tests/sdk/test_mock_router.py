"""tikmatrix_sdk.testing: the mock TikMatrix users' unit tests run against, with both clients."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tikmatrix_sdk import (
    APIConnectionError,
    AsyncTikMatrix,
    BadRequestError,
    DeviceBusyError,
    FollowConfig,
    InternalServerError,
    LicenseError,
    NotFoundError,
    PermissionDeniedError,
    TaskStatus,
    TikMatrix,
)
from tikmatrix_sdk.testing import Call, MockTikMatrix

from .conftest import collect, resolve

pytestmark = pytest.mark.anyio


@pytest.fixture
def mock() -> Iterator[MockTikMatrix]:
    with MockTikMatrix() as running:
        yield running


@pytest.fixture(params=["sync", "async"])
def sdk(request: pytest.FixtureRequest) -> TikMatrix | AsyncTikMatrix:
    """Each client, retrying once without sleeping; the test starts the mock it wants."""
    client = TikMatrix(max_retries=1) if request.param == "sync" else AsyncTikMatrix(max_retries=1)
    client._shell.sleep = (lambda s: None) if request.param == "sync" else _no_sleep
    return client


async def _no_sleep(seconds: float) -> None:
    return None


async def test_a_created_task_can_be_got_listed_stopped_retried_and_deleted(
    mock: MockTikMatrix, sdk: TikMatrix | AsyncTikMatrix
) -> None:
    created = await resolve(
        sdk.tasks.create(
            FollowConfig(target_username="@a"), serials=["device_serial_1", "device_serial_2"]
        )
    )
    first, second = created.task_ids
    assert (await resolve(sdk.tasks.get(first))).status == TaskStatus.PENDING
    page = await resolve(sdk.tasks.list(serial="device_serial_2"))
    assert [task.id for task in page.items] == [second]
    stopped = await resolve(sdk.tasks.stop(first))
    assert (stopped.status, stopped.remark) == (TaskStatus.FAILED, "stopped by user")
    with pytest.raises(BadRequestError):
        await resolve(sdk.tasks.stop(first))
    assert (await resolve(sdk.tasks.retry(first))).retry_count == 1
    mock.finish(second, ok=False, remark="no such user")
    assert (await resolve(sdk.tasks.retry_all())).task_ids == (second,)
    stats = await resolve(sdk.tasks.stats())
    assert (stats.total, stats.pending) == (2, 2)
    assert mock.run_all() == [first, second]
    assert (await resolve(sdk.tasks.stats())).completed == 2
    deleted = await resolve(sdk.tasks.delete_many([first, 99]))
    assert (deleted.task_ids, deleted.not_found_ids) == ((first,), (99,))
    with pytest.raises(NotFoundError):
        await resolve(sdk.tasks.get(first))
    assert [task.id for task in await collect(sdk.tasks.iter())] == [second]


async def test_auto_complete_lets_wait_return(sdk: TikMatrix | AsyncTikMatrix) -> None:
    with MockTikMatrix(auto_complete=True):
        created = await resolve(
            sdk.tasks.create(FollowConfig(target_username="@a"), usernames=["@user3"])
        )
        task = await resolve(sdk.tasks.wait(created.task_ids[0], timeout=5, poll_interval=0.01))
    assert (task.status, task.serial, task.username) == (
        TaskStatus.COMPLETED,
        "device_serial_3",
        "@user3",
    )


async def test_any_endpoint_answers_a_code_or_fails_in_transport(
    mock: MockTikMatrix, sdk: TikMatrix | AsyncTikMatrix
) -> None:
    mock.fail("POST /task", code=40001, message="serials: too many", times=1)
    with pytest.raises(BadRequestError, match="too many"):
        await resolve(sdk.tasks.create(FollowConfig(target_username="@a"), serials=["x"]))
    mock.fail("GET /task/*")
    with pytest.raises(InternalServerError):  # a 500 on a read is retried, and fails again
        await resolve(sdk.tasks.get(1))
    assert [call.path for call in mock.calls[-2:]] == ["/task/1", "/task/1"]
    mock.clear_failures()
    mock.fail_transport("GET /license/check", httpx.ConnectError, times=1)
    license_ = await resolve(sdk.license.check())  # a read: retried past the one failure
    assert license_.plan_name == "Pro"
    mock.fail_transport("POST /task/stats", times=5)  # never matches: stats is a GET
    mock.fail_transport("GET /task/stats")
    with pytest.raises(APIConnectionError):
        await resolve(sdk.tasks.stats())
    mock.clear_failures()
    assert (await resolve(sdk.tasks.stats())).total == 0


async def test_every_call_is_recorded(mock: MockTikMatrix, sdk: TikMatrix | AsyncTikMatrix) -> None:
    await resolve(sdk.tasks.create(FollowConfig(target_username="@a"), serials=["device_serial_1"]))
    await resolve(sdk.tasks.list(status=TaskStatus.PENDING))
    create, listing = mock.calls
    assert create == Call(
        "POST",
        "/task",
        {},
        {
            "serials": ["device_serial_1"],
            "script_name": "follow",
            "script_config": {"target_username": "@a"},
        },
    )
    assert (listing.method, listing.path, listing.params["status"]) == ("GET", "/task", "0")


async def test_the_plan_and_the_accounts(sdk: TikMatrix | AsyncTikMatrix) -> None:
    with MockTikMatrix(plan="Starter"):
        with pytest.raises(LicenseError):
            await resolve(sdk.tasks.stats())
        starter = await resolve(sdk.license.check())
        assert (starter.plan_name, starter.api_enabled, starter.code) == ("Starter", False, 40301)
    with MockTikMatrix(devices=["a", "b"]):
        accounts = await collect(sdk.accounts.iter())
        assert [(a.username, a.device) for a in accounts] == [("@user1", "a"), ("@user2", "b")]


def test_the_device_api(mock: MockTikMatrix) -> None:
    with TikMatrix() as client:
        with client.devices.lease("device_serial_1", label="bot") as phone:
            assert client.devices.list()[0].busy
            with pytest.raises(DeviceBusyError):
                client.devices.acquire("device_serial_1")
            assert phone.info().product_name == "device_serial_1"
            assert phone.exists(text="TikTok")
            assert phone.screenshot().startswith(b"\x89PNG")
            with pytest.raises(PermissionDeniedError):
                phone.adb("shell", "ls")
        assert client.devices.leases() == []


def test_a_route_must_name_a_method_and_a_path(mock: MockTikMatrix) -> None:
    with pytest.raises(ValueError, match="METHOD /path"):
        mock.fail("/task")


def test_it_refuses_what_tikmatrix_refuses(mock: MockTikMatrix) -> None:
    api = f"{mock.base_url}/api/v1"
    cases = [
        ("POST", "/task", {"script_name": "dance", "script_config": {}, "serials": ["x"]}, 40003),
        ("POST", "/task", {"script_name": "follow", "serials": ["device_serial_1"]}, 40001),
        (
            "POST",
            "/task",
            {"script_name": "follow", "script_config": {}, "usernames": ["@nobody"]},
            40001,
        ),
        ("GET", "/task?status=9", None, 40001),
        ("GET", "/task?page=0", None, 40001),
        ("GET", "/task?page_size=1000", None, 40001),
        ("GET", "/accounts?page=abc", None, 40001),
    ]
    for method, path, body, code in cases:
        answer = httpx.request(method, f"{api}{path}", json=body)
        assert answer.json()["code"] == code, (method, path)


def test_other_hosts_are_not_intercepted(mock: MockTikMatrix) -> None:
    import http.server
    import threading

    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "5")
            self.end_headers()
            self.wfile.write(b"hello")

        def log_message(self, *args: object) -> None:
            return

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        assert httpx.get(f"http://127.0.0.1:{httpd.server_address[1]}/").text == "hello"
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert mock.calls == []


def test_every_refusal_of_the_fake_api(mock: MockTikMatrix) -> None:
    api = f"{mock.base_url}/api/v1"
    created = httpx.post(
        f"{api}/task",
        json={
            "script_name": "follow",
            "script_config": {"target_users": ["a"]},
            "serials": ["device_serial_1"],
        },
    ).json()["data"]["task_ids"][0]
    session = {"x-session-id": "nope"}
    cases: list[tuple[str, str, Any, dict[str, str], int]] = [
        ("POST", f"/task/{created}/retry", None, {}, 40001),  # not failed
        ("GET", "/task/abc", None, {}, 40001),
        (
            "POST",
            "/task",
            {"script_name": "follow", "script_config": {}, "serials": ["a"]},
            {},
            40001,
        ),
        ("POST", "/task/99/stop", None, {}, 40401),
        ("POST", "/task/99/retry", None, {}, 40401),
        ("DELETE", "/task/99", None, {}, 40401),
        ("DELETE", "/task/batch", {"task_ids": []}, {}, 40001),
        (
            "POST",
            "/task",
            {"script_name": "follow", "script_config": {}, "serials": ["zz"]},
            {},
            40001,
        ),
        ("POST", "/task", {"script_name": "follow", "script_config": {}}, {}, 40001),
        ("POST", "/rpc/session", {"serial": "zz"}, {}, 40401),
        ("POST", "/rpc/session/nope/heartbeat", None, {}, 40302),
        ("DELETE", "/rpc/session/nope", None, {}, 40401),
        ("POST", "/rpc/jsonrpc", {"method": "deviceInfo"}, session, 40302),
        ("GET", "/rpc/hierarchy", None, session, 40302),
        ("GET", "/rpc/screenshot", None, session, 40302),
        ("POST", "/rpc/adb", {"args": ["shell", "ls"]}, session, 40302),
        ("GET", "/nothing", None, {}, 40401),
    ]
    for method, path, body, headers, code in cases:
        answer = httpx.request(method, f"{api}{path}", json=body, headers=headers)
        assert answer.json()["code"] == code, (method, path)
    bad_json = httpx.post(f"{api}/task", content=b"{", headers={"content-type": "application/json"})
    assert bad_json.json()["code"] == 40001
    mock.fail("GET /license/check", code=40401)
    assert httpx.get(f"{api}/license/check").status_code == 404


def test_python_dash_m_runs_the_command() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "tikmatrix_sdk.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.startswith("tikmatrix, version")


def test_the_mock_allows_the_lan_host_it_was_given() -> None:
    """#34, item 12: a fleet of mocks with a real farm's addresses."""
    from tikmatrix_sdk.fleet import Fleet

    lan = {"pc-1": "http://10.0.0.5:50809", "pc-2": "http://10.0.0.6:50809"}
    with MockTikMatrix(lan["pc-1"]), MockTikMatrix(lan["pc-2"], devices=["phone_b"]):
        with TikMatrix(lan["pc-1"]) as client:
            assert client.tasks.stats().total == 0
        with Fleet(lan) as fleet:
            assert sorted(fleet.devices.list().by_host) == ["pc-1", "pc-2"]
