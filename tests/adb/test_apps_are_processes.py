"""An app in front is a process of its own on a virtual phone (#35, item 1): what adbutils and
uiautomator2's app calls see, through the real adb."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import adbutils
import pytest

from reference_server.virtual.phones_and_adb import VirtualLab

TIKTOK = "com.zhiliaoapp.musically"
INSTAGRAM = "com.instagram.android"


@pytest.fixture
def device(lab: VirtualLab) -> adbutils.AdbDevice:
    phone = lab.client.device(lab.phones[0].serial)
    for package in (TIKTOK, INSTAGRAM):
        phone.shell(["am", "force-stop", package])
    return phone


@pytest.fixture
def u2(device: adbutils.AdbDevice) -> Iterator[Any]:
    import uiautomator2

    ui = uiautomator2.connect(device)
    yield ui
    ui.stop_uiautomator(wait=False)


def pid_of(device: adbutils.AdbDevice, package: str) -> int | None:
    found = device.shell2(["pidof", package]).output.split()
    return int(found[0]) if found else None


def test_a_started_app_has_a_process_that_ends_with_force_stop(device: adbutils.AdbDevice) -> None:
    assert pid_of(device, TIKTOK) is None
    device.app_start(TIKTOK)
    pid = pid_of(device, TIKTOK)
    assert pid is not None
    row = next(line for line in device.shell(["ps", "-A"]).splitlines() if line.endswith(TIKTOK))
    user, listed, parent = row.split()[:3]
    assert (user.startswith("u0_a"), int(listed), parent) == (True, pid, "2")  # zygote's child
    assert f"pid={pid}" in device.shell(["dumpsys", "activity", "top"])
    device.keyevent("HOME")  # to the background: still running
    assert pid_of(device, TIKTOK) == pid
    device.app_start(TIKTOK)  # to the front again: the same process
    assert pid_of(device, TIKTOK) == pid
    refused = device.shell2(["kill", str(pid)])  # not the shell's to signal
    assert (refused.returncode, refused.output) == (1, f"kill: {pid}: Operation not permitted\n")
    device.app_stop(TIKTOK)
    assert pid_of(device, TIKTOK) is None
    assert device.app_current().package == "com.android.launcher3"
    device.app_start(TIKTOK)
    assert pid_of(device, TIKTOK) not in (None, pid)  # a new process


def test_am_kill_ends_only_an_app_in_the_background(device: adbutils.AdbDevice) -> None:
    device.app_start(INSTAGRAM)
    device.shell(["am", "kill", INSTAGRAM])
    assert pid_of(device, INSTAGRAM) is not None  # in front: am kill leaves it
    device.keyevent("HOME")
    device.shell(["am", "kill", INSTAGRAM])
    assert pid_of(device, INSTAGRAM) is None


def test_uiautomator2s_app_calls_see_the_process(u2: Any) -> None:
    ui = u2
    ui.app_start(TIKTOK)
    current = ui.app_current()
    assert current["package"] == TIKTOK
    pid = ui.app_wait(TIKTOK, front=True, timeout=5)
    assert pid > 0
    assert TIKTOK in ui.app_list_running()
    session = ui.session(TIKTOK, attach=True)
    assert session.running()
    ui.app_start(INSTAGRAM)
    assert set(ui.app_list_running()) >= {TIKTOK, INSTAGRAM}
    stopped = ui.app_stop_all()
    assert {TIKTOK, INSTAGRAM} <= set(stopped)
    assert ui.app_current()["package"] == "com.android.launcher3"
    assert not session.running()
    running = set(ui.app_list_running())
    assert not running & {TIKTOK, INSTAGRAM}
    # what a phone always runs: its launcher and system UI, started again at once
    assert running == {"com.android.launcher3", "com.android.systemui"}
