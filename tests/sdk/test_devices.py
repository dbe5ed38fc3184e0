"""``client.devices`` and leased devices, against respx: wire shapes, variants, errors, leases."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from tikmatrix_sdk import (
    AsyncTikMatrix,
    ClientValidationError,
    DeviceBusyError,
    DeviceRPCError,
    ElementNotFoundError,
    InternalServerError,
    LeaseError,
    LicenseError,
    ListedLease,
    NoFreeSlotError,
    PermissionDeniedError,
    TikMatrix,
    UiNode,
)

from .conftest import BASE, Sleeps, envelope, resolve

pytestmark = pytest.mark.anyio

SESSION = "s3cr3t-session"
LEASE = {"session_id": SESSION, "serial": "phone1", "label": "bot", "ttl_secs": 120}
HIERARCHY = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">"
    '<node index="0" text="Search" resource-id="app:id/search" class="android.widget.Button" '
    'package="app" content-desc="" clickable="true" selected="false" bounds="[0,100][1080,200]" />'
    '<node index="1" text="Follow" resource-id="app:id/follow" class="android.widget.Button" '
    'package="app" content-desc="follow her" clickable="true" selected="false" '
    'bounds="[0,200][1080,300]" /></hierarchy>'
)


def sent(route: respx.Route, index: int = -1) -> Any:
    return json.loads(route.calls[index].request.content)


def test_devices_and_leases_are_read_from_any_of_the_shapes_tikmatrix_may_send(
    router: respx.MockRouter,
) -> None:
    with TikMatrix(BASE) as client:
        router.get("/rpc/devices").respond(json=envelope([{"serial": "a", "busy": True}]))
        (device,) = client.devices.list()
        assert (device.serial, device.busy, device.kind) == ("a", True, None)
        router.get("/rpc/devices").respond(json=[{"udid": "b", "busy": False, "model": "X"}])
        (device,) = client.devices.list()
        assert (device.serial, device.busy, device.extra) == ("b", False, {"model": "X"})
        router.get("/rpc/devices").respond(json={"data": [{"serial": "c", "busy": False}]})
        assert [d.serial for d in client.devices.list()] == ["c"]
        router.get("/rpc/session").respond(json=envelope([{"id": SESSION, "serial": "a"}]))
        assert [lease.session_id for lease in client.devices.leases()] == [SESSION]
        others = [{"session_id": None, "serial": "a", "label": "someone else"}]
        router.get("/rpc/session").respond(json=envelope(others))
        (listed,) = client.devices.leases()  # another program's lease: its key is not shown
        assert isinstance(listed, ListedLease)
        assert (listed.session_id, listed.label) == (None, "someone else")


@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (409, envelope(code=40901, message="device a is leased"), DeviceBusyError, "is leased"),
        (409, envelope(code=40902, message="no free slot"), NoFreeSlotError, "no free slot"),
        (409, "device busy", DeviceBusyError, "device busy"),
        (403, {"message": "adb is disabled"}, PermissionDeniedError, "adb is disabled"),
        (403, envelope(code=40302, message="expired"), LeaseError, "expired"),
        (403, envelope(code=40301, message="Starter"), LicenseError, "Starter"),
    ],
)
async def test_device_api_errors_are_typed(
    client: TikMatrix | AsyncTikMatrix,
    router: respx.MockRouter,
    status: int,
    body: Any,
    error: type[Exception],
    message: str,
) -> None:
    if isinstance(body, str):
        router.post("/rpc/session").respond(status, text=body)
    else:
        router.post("/rpc/session").respond(status, json=body)
    with pytest.raises(error, match=message) as raised:
        await resolve(client.devices.acquire("a"))
    assert raised.value.status_code == status  # type: ignore[attr-defined]


def test_the_error_family() -> None:
    assert issubclass(LeaseError, PermissionDeniedError)
    assert issubclass(LicenseError, PermissionDeniedError)
    assert issubclass(NoFreeSlotError, DeviceBusyError)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"ttl": 601}, "ttl"), ({"ttl": 0.5}, "ttl"), ({"label": "x" * 101}, "label")],
)
async def test_lease_arguments_are_checked_before_sending(
    client: TikMatrix | AsyncTikMatrix, router: respx.MockRouter, kwargs: Any, field: str
) -> None:
    route = router.post("/rpc/session")
    with pytest.raises(ClientValidationError) as raised:
        await resolve(client.devices.acquire("a", **kwargs))
    assert raised.value.field == field
    assert not route.called
    with pytest.raises(TypeError):
        await resolve(client.devices.acquire("a", ttl="60"))  # type: ignore[arg-type]


async def test_acquire_heartbeat_and_release(
    client: TikMatrix | AsyncTikMatrix, router: respx.MockRouter
) -> None:
    acquire = router.post("/rpc/session").respond(json=envelope(LEASE))
    beat = router.post(f"/rpc/session/{SESSION}/heartbeat").respond(json=envelope(None))
    release = router.delete(f"/rpc/session/{SESSION}").respond(json=envelope(LEASE))
    lease = await resolve(client.devices.acquire("phone1", label="bot", ttl=30))
    assert lease.session_id == SESSION
    assert sent(acquire) == {"serial": "phone1", "label": "bot", "ttl_secs": 30}
    await resolve(client.devices.heartbeat(SESSION, ttl=45))
    assert sent(beat) == {"ttl_secs": 45}
    await resolve(client.devices.release(SESSION))
    assert release.called


# -- a leased device -------------------------------------------------------------------------


async def test_device_calls_carry_the_lease(
    client: TikMatrix | AsyncTikMatrix, router: respx.MockRouter, tmp_path: Path
) -> None:
    device = client.devices.attach(SESSION, "phone1")
    rpc = router.post("/rpc/jsonrpc").respond(
        json=envelope({"productName": "Pixel", "displayWidth": 1080, "displayHeight": 2340})
    )
    info = await resolve(device.info())
    assert (info.product_name, info.display_width) == ("Pixel", 1080)
    assert rpc.calls[-1].request.headers["x-session-id"] == SESSION
    assert sent(rpc) == {"method": "deviceInfo", "params": [], "timeout": 10.0, "serial": "phone1"}
    assert await resolve(device.window_size()) == (1080, 2340)
    rpc.respond(json=envelope(True))
    assert await resolve(device.jsonrpc("click", 5, 6, rpc_timeout=3)) is True
    assert sent(rpc) == {"method": "click", "params": [5, 6], "timeout": 3.0, "serial": "phone1"}
    png = b"\x89PNG\r\n\x1a\nfake"
    shot = router.get("/rpc/screenshot").respond(content=png, content_type="image/png")
    target = tmp_path / "screen.png"
    assert await resolve(device.screenshot(target)) == png
    assert target.read_bytes() == png
    assert shot.calls[-1].request.url.params["serial"] == "phone1"
    assert shot.calls[-1].request.headers["x-session-id"] == SESSION
    router.get("/rpc/hierarchy").respond(text=HIERARCHY, content_type="application/xml")
    assert await resolve(device.hierarchy()) == HIERARCHY


async def test_a_binary_route_still_reports_errors(
    client: TikMatrix | AsyncTikMatrix, router: respx.MockRouter
) -> None:
    router.get("/rpc/screenshot").respond(403, json=envelope(code=40302, message="expired"))
    with pytest.raises(LeaseError, match="expired"):
        await resolve(client.devices.attach(SESSION).screenshot())


async def test_finding_waiting_and_clicking_elements(
    client: TikMatrix | AsyncTikMatrix, router: respx.MockRouter, sleeps: Sleeps
) -> None:
    device = client.devices.attach(SESSION, "phone1")
    router.get("/rpc/hierarchy").respond(text=HIERARCHY, content_type="application/xml")
    rpc = router.post("/rpc/jsonrpc").respond(json=envelope(True))
    (node,) = await resolve(device.find(text="Follow"))
    assert node == UiNode(
        text="Follow",
        resource_id="app:id/follow",
        description="follow her",
        class_name="android.widget.Button",
        package="app",
        bounds=(0, 200, 1080, 300),
        clickable=True,
    )
    assert node.center == (540, 250)
    assert await resolve(device.exists(text_contains="Sea", class_name="android.widget.Button"))
    assert not await resolve(device.exists(description="nothing"))
    clicked = await resolve(device.click(resource_id="app:id/follow"))
    assert clicked == node
    assert sent(rpc)["method"] == "click"
    assert sent(rpc)["params"] == [540, 250]
    assert await resolve(device.click(10, 20)) is None
    assert sent(rpc)["params"] == [10, 20]
    with pytest.raises(ElementNotFoundError, match="text='Like'") as raised:
        await resolve(device.wait_for(text="Like", timeout=2, interval=0.5))
    assert raised.value.selector == {"text": "Like"}
    assert sum(sleeps) == 2  # looked every 0.5 s until the 2 s were up, then gave up


async def test_selectors_and_keys_are_checked(
    client: TikMatrix | AsyncTikMatrix, router: respx.MockRouter
) -> None:
    device = client.devices.attach(SESSION)
    with pytest.raises(ClientValidationError):
        await resolve(device.find())
    with pytest.raises(ClientValidationError):
        await resolve(device.click(1, 2, text="x"))
    with pytest.raises(TypeError):
        await resolve(device.find(text=3))  # type: ignore[arg-type]
    with pytest.raises(ClientValidationError, match="key must be one of"):
        await resolve(device.press("warp"))
    with pytest.raises(ClientValidationError) as raised:
        await resolve(device.input_text("x" * 4097))
    assert raised.value.field == "text"
    for kwargs in ({"rpc_timeout": 0}, {"rpc_timeout": 121}, {"rpc_timeout": float("nan")}):
        with pytest.raises(ClientValidationError):
            await resolve(device.jsonrpc("deviceInfo", **kwargs))
    with pytest.raises(ClientValidationError):
        await resolve(device.adb("shell", "ls", adb_timeout=601))
    rpc = router.post("/rpc/jsonrpc").respond(json=envelope(True))
    await resolve(device.press("HOME"))
    assert sent(rpc) == {"method": "pressKey", "params": ["home"], "timeout": 10.0}
    await resolve(device.press(187))
    assert sent(rpc)["method"] == "pressKeyCode"
    await resolve(device.swipe(1, 2, 3, 4, steps=20))
    assert sent(rpc)["params"] == [1, 2, 3, 4, 20]


async def test_text_and_commands_go_through_the_adb_route(
    client: TikMatrix | AsyncTikMatrix, router: respx.MockRouter
) -> None:
    device = client.devices.attach(SESSION, "phone1")
    adb = router.post("/rpc/adb").respond(json=envelope("Broadcast completed: result=0\n"))
    assert await resolve(device.input_text("héllo wörld")) == "Broadcast completed: result=0\n"
    assert sent(adb)["args"] == [
        "shell",
        "am",
        "broadcast",
        "-a",
        "ADB_INPUT_TEXT",
        "--es",
        "msg",
        "héllo wörld",
    ]
    await resolve(device.adb("shell", "ls", "/sdcard", adb_timeout=2))
    assert sent(adb) == {"args": ["shell", "ls", "/sdcard"], "timeout_ms": 2000, "serial": "phone1"}
    adb.respond(403, json=envelope(code=40303, message="adb is disabled"))
    with pytest.raises(PermissionDeniedError, match="adb is disabled"):
        await resolve(device.adb("shell", "ls"))


async def test_a_device_refusal_carries_its_rpc_code(
    client: TikMatrix | AsyncTikMatrix, router: respx.MockRouter
) -> None:
    body = envelope(code=42201, message="no such element")
    body["data"] = {"rpc_code": -32002, "rpc_message": "UiObjectNotFoundException"}
    router.post("/rpc/jsonrpc").respond(422, json=body)
    with pytest.raises(DeviceRPCError) as raised:
        await resolve(client.devices.attach(SESSION).jsonrpc("objInfo", {"text": "x"}))
    assert raised.value.rpc_code == -32002


# -- leases held for a block -----------------------------------------------------------------


def _lease_routes(router: respx.MockRouter, beat_status: int = 200) -> dict[str, respx.Route]:
    beat_body = envelope(None) if beat_status == 200 else envelope(code=40302, message="expired")
    return {
        "acquire": router.post("/rpc/session").respond(json=envelope(LEASE)),
        "beat": router.post(f"/rpc/session/{SESSION}/heartbeat").respond(
            beat_status, json=beat_body
        ),
        "release": router.delete(f"/rpc/session/{SESSION}").respond(json=envelope(LEASE)),
        "rpc": router.post("/rpc/jsonrpc").respond(json=envelope(True)),
    }


def _wait_for_calls(route: respx.Route, count: int) -> None:
    deadline = time.monotonic() + 10
    while route.call_count < count:
        assert time.monotonic() < deadline, "the lease was not renewed"
        time.sleep(0.02)


def test_a_lease_block_renews_in_the_background_and_releases(router: respx.MockRouter) -> None:
    routes = _lease_routes(router)
    with TikMatrix(BASE) as client:
        with client.devices.lease("phone1", label="bot", ttl=1.5) as device:
            assert device.session_id == SESSION
            _wait_for_calls(routes["beat"], 2)  # every ttl/3 = 0.5 s
            assert sent(routes["beat"]) == {"ttl_secs": 1.5}
            assert not routes["release"].called
        assert routes["release"].call_count == 1
        assert not [t for t in threading.enumerate() if t.name.startswith("tikmatrix-lease")]


def test_a_lease_block_is_released_when_it_raises(router: respx.MockRouter) -> None:
    routes = _lease_routes(router)
    with TikMatrix(BASE) as client, pytest.raises(KeyError), client.devices.lease("phone1"):
        raise KeyError("boom")
    assert routes["release"].call_count == 1


def test_a_refused_renewal_is_reported_at_the_next_call(router: respx.MockRouter) -> None:
    routes = _lease_routes(router, beat_status=403)
    routes["release"].respond(404, json=envelope(code=40401, message="no such lease"))
    with TikMatrix(BASE) as client, client.devices.lease("phone1", ttl=1.5) as device:
        _wait_for_calls(routes["beat"], 1)
        time.sleep(0.05)
        with pytest.raises(LeaseError, match="expired"):
            device.press("home")
        assert not routes["rpc"].called
    assert routes["release"].call_count == 1  # tried, and its 404 was taken quietly


def test_a_renewal_that_fails_otherwise_is_tried_again(router: respx.MockRouter) -> None:
    routes = _lease_routes(router)
    routes["beat"].side_effect = [
        httpx.Response(503, json=envelope(code=50001, message="busy")),
        httpx.Response(200, json=envelope(None)),
        httpx.Response(200, json=envelope(None)),
    ]
    with TikMatrix(BASE, max_retries=0) as client:
        with client.devices.lease("phone1", ttl=1.5) as device:
            _wait_for_calls(routes["beat"], 2)
            device.press("home")  # the lease still holds: no error kept from the 503
        assert routes["rpc"].called


async def test_an_async_lease_block_renews_and_releases(router: respx.MockRouter) -> None:
    import anyio

    routes = _lease_routes(router)
    async with AsyncTikMatrix(BASE) as client:
        async with client.devices.lease("phone1", ttl=1.5) as device:
            with anyio.fail_after(10):
                while routes["beat"].call_count < 2:
                    await anyio.sleep(0.02)
            await device.press("back")
        assert routes["release"].call_count == 1
        with pytest.raises(ValueError, match="inside"):
            async with client.devices.lease("phone1", ttl=1.5):
                raise ValueError("inside")
        assert routes["release"].call_count == 2


async def test_an_async_lease_is_released_when_a_timeout_cancels_its_block(
    router: respx.MockRouter,
) -> None:
    import anyio

    routes = _lease_routes(router)
    async with AsyncTikMatrix(BASE) as client:
        with anyio.move_on_after(0.2) as scope:
            async with client.devices.lease("phone1", ttl=30):
                await anyio.sleep(10)
        assert scope.cancelled_caught
        assert routes["release"].call_count == 1


async def test_an_async_refused_renewal_is_reported(router: respx.MockRouter) -> None:
    import anyio

    routes = _lease_routes(router, beat_status=403)
    async with (
        AsyncTikMatrix(BASE) as client,
        client.devices.lease("phone1", ttl=1.5) as device,
    ):
        with anyio.fail_after(10):
            while not routes["beat"].called:
                await anyio.sleep(0.02)
        await anyio.sleep(0.05)
        with pytest.raises(LeaseError):
            await device.info()


def test_from_env_finds_the_managed_scripts_server_and_device(
    router: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIKMATRIX_API_BASE", BASE)
    monkeypatch.setenv("TIKMATRIX_SESSION_ID", SESSION)
    monkeypatch.setenv("TIKMATRIX_SERIAL", "phone7")
    rpc = router.post("/rpc/jsonrpc").respond(json=envelope(True))
    with TikMatrix.from_env() as client:
        assert client.base_url == BASE
        device = client.devices.current()
        assert (device.session_id, device.serial) == (SESSION, "phone7")
        device.press("home")
    assert rpc.calls[-1].request.headers["x-session-id"] == SESSION
    monkeypatch.delenv("TIKMATRIX_SESSION_ID")
    with TikMatrix(BASE) as client, pytest.raises(ClientValidationError, match="SESSION_ID"):
        client.devices.current()


async def test_the_async_client_has_the_same_device_surface() -> None:
    async with AsyncTikMatrix(BASE) as async_client:
        with TikMatrix(BASE) as sync_client:
            sync_device = sync_client.devices.attach(SESSION)
            async_device = async_client.devices.attach(SESSION)
            public = {name for name in dir(sync_device) if not name.startswith("_")}
            assert public == {name for name in dir(async_device) if not name.startswith("_")}
            assert "click" in public


def test_a_failed_release_never_hides_the_blocks_own_error(router: respx.MockRouter) -> None:
    routes = _lease_routes(router)
    routes["release"].respond(500, json=envelope(code=50001, message="boom"))
    with TikMatrix(BASE, max_retries=0) as client:
        with pytest.raises(KeyError), client.devices.lease("phone1"):
            raise KeyError("the block's")
        with pytest.raises(InternalServerError), client.devices.lease("phone1"):
            pass  # nothing else went wrong: the failed release is the error


async def test_an_async_failed_release_never_hides_the_blocks_own_error(
    router: respx.MockRouter,
) -> None:
    routes = _lease_routes(router)
    routes["release"].respond(500, json=envelope(code=50001, message="boom"))
    async with AsyncTikMatrix(BASE, max_retries=0) as client:
        with pytest.raises(KeyError):
            async with client.devices.lease("phone1"):
                raise KeyError("the block's")
        with pytest.raises(InternalServerError):
            async with client.devices.lease("phone1"):
                pass
