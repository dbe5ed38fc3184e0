"""The device API end to end: SDK → reference server → real adb → a virtual phone, no mocks.

A program leases the phone, opens TikTok from the launcher, finds and clicks an element,
takes a screenshot that shows that screen, and releases the phone, while a task for the
phone waits for it; a managed custom script does the same from its environment.
"""

from __future__ import annotations

import io
import os
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from reference_server.android.render import ACCENTS
from tikmatrix_sdk import (
    AsyncTikMatrix,
    DeviceBusyError,
    DeviceUnavailableError,
    FollowConfig,
    PermissionDeniedError,
    TaskStatus,
    TikMatrix,
)

from ..phones import virtual_phones_server

TIKTOK = "com.zhiliaoapp.musically"
SEARCH_FIELD = "com.zhiliaoapp.musically:id/search_input"  # TikTok's search box


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    phones = virtual_phones_server(
        tmp_path_factory, "device-api", 1, element_timeout=5.0, custom_scripts=True
    )
    with phones as url:
        yield url


@pytest.fixture
def client(server: str) -> Iterator[TikMatrix]:
    with TikMatrix(server, timeout=60) as sdk:
        yield sdk


@pytest.fixture
def serial(client: TikMatrix) -> str:
    (device,) = client.devices.list()
    assert device.kind == "virtual"
    assert not device.busy
    return device.serial


def shows_tiktoks_search_screen(png: bytes) -> bool:
    image = Image.open(io.BytesIO(png))
    assert (image.format, image.size) == ("PNG", (1080, 2340))
    # The search screen: TikTok's bar on top, then the search field (grey, framed) where the
    # feed's first button (TikTok's colour) was.
    pixels = image.convert("RGB")
    return bool(
        pixels.getpixel((1000, 40)) == ACCENTS["tiktok"]
        and pixels.getpixel((1000, 150)) == (241, 241, 242)
    )


@pytest.fixture
def adb_route(server: str) -> Iterator[None]:
    """The device API's adb route, on for the test (typing goes through it)."""
    httpx.put(f"{server}/_control/rpc/adb", json={"enabled": True}).raise_for_status()
    yield
    httpx.put(f"{server}/_control/rpc/adb", json={"enabled": False}).raise_for_status()


@pytest.mark.usefixtures("adb_route")
def test_a_program_leases_the_phone_while_a_task_for_it_waits(
    client: TikMatrix, serial: str, tmp_path: Path
) -> None:
    with client.devices.lease(serial, label="e2e", ttl=30) as phone:
        (task_id,) = client.tasks.create(
            FollowConfig(target_users=["@someone"]), serials=[serial]
        ).task_ids
        with pytest.raises(DeviceBusyError):
            client.devices.acquire(serial)
        phone.press("home")
        phone.click(text="TikTok")  # the launcher's icon
        assert phone.info().current_package_name == TIKTOK
        phone.click(text="Search")
        field = phone.wait_for(resource_id=SEARCH_FIELD, timeout=5)
        assert field.class_name.endswith("EditText")
        phone.click(*field.center)
        assert "result=0" in phone.input_text("cats")
        result = phone.wait_for(text="cats", class_name="android.widget.Button", timeout=5)
        assert result.resource_id.endswith("search_user_result")
        png = phone.screenshot(tmp_path / "search.png")
        assert shows_tiktoks_search_screen(png)
        result_row = Image.open(io.BytesIO(png)).convert("RGB").getpixel((1000, 250))
        assert result_row == ACCENTS["tiktok"]  # the result is a button, drawn in the app's colour
        assert (tmp_path / "search.png").read_bytes() == png
        keep = os.environ.get("TIKMATRIX_SAVE_SCREENSHOTS")  # the docs' picture comes from here
        if keep:
            small = Image.open(io.BytesIO(png)).resize((360, 780), Image.Resampling.LANCZOS)
            small.save(Path(keep) / "virtual-phone-search.png", optimize=True)
        assert "search_input" in phone.hierarchy()
        time.sleep(0.3)  # several scheduler ticks: the task must not start meanwhile
        assert client.tasks.get(task_id).status == TaskStatus.PENDING
        (listed,) = client.devices.list()
        assert listed.busy
        assert listed.lease_label == "e2e"
    done = client.tasks.wait(task_id, timeout=60, poll_interval=0.05)
    assert done.status == TaskStatus.COMPLETED, done.remark
    assert client.devices.leases() == []


def test_adb_commands_need_the_adb_route(client: TikMatrix, server: str, serial: str) -> None:
    with client.devices.lease(serial) as phone:
        with pytest.raises(PermissionDeniedError):
            phone.adb("shell", "pm", "list", "packages")
        httpx.put(f"{server}/_control/rpc/adb", json={"enabled": True}).raise_for_status()
        try:
            packages = phone.adb("shell", "pm", "list", "packages")
            assert "package:com.zhiliaoapp.musically" in packages
            assert phone.adb("shell", "echo", "one; two") == "one; two\n"
        finally:
            httpx.put(f"{server}/_control/rpc/adb", json={"enabled": False}).raise_for_status()


SCRIPT = """
    from tikmatrix_sdk import TikMatrix

    with TikMatrix.from_env() as client:
        phone = client.devices.current()
        phone.press("home")
        phone.click(text="TikTok")
        phone.click(text="Search")
        phone.wait_for(resource_id="com.zhiliaoapp.musically:id/search_input", timeout=5)
        print("on", phone.info().current_package_name, "with", len(phone.screenshot()), "bytes")
"""


ASYNC_SCRIPT = """
    import asyncio

    from tikmatrix_sdk import AsyncTikMatrix


    async def main() -> None:
        async with AsyncTikMatrix.from_env() as client:
            phone = client.devices.current()
            await phone.press("home")
            await phone.click(text="TikTok")
            await phone.click(text="Search")
            await phone.wait_for(resource_id="com.zhiliaoapp.musically:id/search_input", timeout=5)
            info = await phone.info()
            print("on", info.current_package_name, "with", len(await phone.screenshot()), "bytes")


    asyncio.run(main())
"""


@pytest.mark.parametrize("source", [SCRIPT, ASYNC_SCRIPT], ids=["sync", "async"])
def test_a_managed_custom_script_drives_its_tasks_device(
    client: TikMatrix, server: str, serial: str, tmp_path: Path, source: str
) -> None:
    script = tmp_path / "open_search.py"
    script.write_text(textwrap.dedent(source), encoding="utf-8")
    registration = {"command": [sys.executable, str(script)], "platform": "tiktok"}
    httpx.put(f"{server}/_control/custom-scripts/open-search", json=registration).raise_for_status()
    created = client.post(
        "/task",
        body={"serials": [serial], "script_name": "open-search", "script_config": {}},
        cast_to=dict,
    )
    (task_id,) = created["task_ids"]
    done = client.tasks.wait(task_id, timeout=60, poll_interval=0.05)
    assert done.status == TaskStatus.COMPLETED, done.remark
    assert done.remark.startswith(f"on {TIKTOK} with ")
    assert client.devices.leases() == []  # the runner released the script's lease


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_the_async_client_leases_and_drives_the_phone(server: str, serial: str) -> None:
    async with AsyncTikMatrix(server, timeout=60) as client:
        async with client.devices.lease(serial, ttl=30) as phone:
            await phone.press("home")
            await phone.click(text="TikTok")
            await phone.click(text="Search")
            await phone.wait_for(resource_id=SEARCH_FIELD, timeout=5)
            assert shows_tiktoks_search_screen(await phone.screenshot())
            assert len(await client.devices.leases()) == 1
        assert await client.devices.leases() == []


def test_a_command_that_never_ends_is_cut_at_its_timeout(
    client: TikMatrix, serial: str, adb_route: None
) -> None:
    """logcat prints for ever: adbutils' per-read timeout alone would hold the call."""
    with client.devices.lease(serial) as phone:
        started = time.monotonic()
        with pytest.raises(DeviceUnavailableError, match="timed out after 1 s"):
            phone.adb("shell", "logcat", adb_timeout=1)
        assert time.monotonic() - started < 15
        assert phone.adb("shell", "echo", "still here") == "still here\n"


def test_a_reset_brings_a_virtual_phone_back_to_its_launcher_lit_and_upright(
    client: TikMatrix, server: str, serial: str
) -> None:
    with client.devices.lease(serial, label="turn it") as phone:
        phone.jsonrpc("setOrientation", "left")
        phone.jsonrpc("sleep")
        assert phone.info().screen_on is False
    httpx.post(f"{server}/_control/reset", json={}).raise_for_status()
    with client.devices.lease(serial, label="look") as phone:
        info = phone.info()
        assert (info.screen_on, info.display_rotation) == (True, 0)
        assert info.current_package_name == "com.android.launcher3"
