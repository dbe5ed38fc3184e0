"""A serial is a name, never a path (#33, item 1): one rule, on every route that takes one."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from reference_server import ServerConfig, create_app
from reference_server.android.system import folder_name
from tikmatrix_sdk._contract.serials import is_serial
from tikmatrix_sdk.testing import MockTikMatrix

ESCAPES = ["device_serial_1-x/../x/escaped", "../../../etc/passwd", "a\\b", "..", ".", "a\x00b"]


@pytest.fixture(params=["server", "mock"])
def http(request: pytest.FixtureRequest) -> Iterator[httpx.Client]:
    """The reference server (in process) or the mock: the rule holds on both."""
    if request.param == "server":
        app = create_app(ServerConfig(db=":memory:", run_scheduler=False))
        transport = httpx.WSGITransport(app=app)
        with httpx.Client(transport=transport, base_url="http://localhost") as client:
            yield client
        app.extensions["tikmatrix_close"]()
    else:
        with MockTikMatrix(), httpx.Client(base_url="http://localhost:50809") as client:
            yield client


def _code(response: httpx.Response) -> int:
    code: int = response.json()["code"]
    return code


@pytest.mark.parametrize("serial", ESCAPES)
def test_every_route_that_takes_a_serial_refuses_a_path(http: httpx.Client, serial: str) -> None:
    follow = {"script_name": "follow", "script_config": {"target_users": ["@a"]}}
    assert _code(http.post("/api/v1/task", json={**follow, "serials": [serial]})) == 40001
    assert _code(http.post("/api/v1/rpc/session", json={"serial": serial})) == 40001
    assert _code(http.get("/api/v1/task", params={"serial": serial})) == 40001
    assert _code(http.get("/api/v1/accounts", params={"device": serial})) == 40001
    lease = http.post("/api/v1/rpc/session", json={"serial": "device_serial_1"}).json()["data"]
    headers = {"x-session-id": lease["session_id"]}
    call = {"method": "deviceInfo", "serial": serial}
    assert _code(http.post("/api/v1/rpc/jsonrpc", json=call, headers=headers)) == 40001
    screen = http.get("/api/v1/rpc/hierarchy", params={"serial": serial}, headers=headers)
    assert _code(screen) == 40001


def test_the_control_api_and_the_dashboard_refuse_a_path(tmp_path: Path) -> None:
    app = create_app(ServerConfig(db=":memory:", run_scheduler=False))
    try:
        client = app.test_client()
        for serial in ESCAPES:
            refused = client.post("/_control/devices", json={"serials": [serial]})
            assert refused.status_code == 400
            assert refused.json is not None
            assert refused.json["code"] == 40001
        assert client.get("/dashboard/api/state").status_code == 200
        for path in ("/_control/devices/..%2F..%2Fx/records", "/dashboard/api/screen/...png"):
            assert client.get(path).status_code in (400, 404)
        added = client.post("/_control/devices", json={"serials": ["lab phone #1 (é)"]})
        assert added.status_code == 200  # a name with spaces and letters of any script
    finally:
        app.extensions["tikmatrix_close"]()


@pytest.mark.parametrize("serial", [*ESCAPES, "x" * 500, "emulator-5554", "192.168.1.5:5555"])
def test_a_phones_folder_stays_where_it_is_put(serial: str) -> None:
    name = folder_name(serial)
    assert "/" not in name
    assert "\\" not in name
    assert ".." not in name
    assert len(name) <= 60
    base = Path(tempfile.gettempdir())
    assert (base / name).resolve().parent == base.resolve()
    assert folder_name(serial) != folder_name(serial + "x")


def test_what_adb_gives_out_is_a_serial() -> None:
    for serial in ("emulator-5554", "192.168.1.5:5555", "R58M123ABC", "device_serial_1"):
        assert is_serial(serial)
    for serial in [*ESCAPES, "", "x" * 201, "a\nb"]:
        assert not is_serial(serial)


def test_the_documents_rule_is_the_servers() -> None:
    import jsonschema

    from tikmatrix_sdk._contract.serials import SERIAL_FILTER_SCHEMA, SERIAL_SCHEMA

    exact = jsonschema.Draft202012Validator(SERIAL_SCHEMA)
    filter_ = jsonschema.Draft202012Validator(SERIAL_FILTER_SCHEMA)
    for value in [*ESCAPES, "", "x" * 201, "a\nb", "emulator-5554", "lab phone #1 (é)"]:
        assert exact.is_valid(value) == is_serial(value), value
        assert filter_.is_valid(value) == (value == "" or is_serial(value)), value
