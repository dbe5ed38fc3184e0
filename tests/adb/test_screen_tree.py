"""The screen tree a virtual phone dumps is a phone's (#35, item 2): the window's root, every
attribute uiautomator writes, and one node model behind the dump, objInfo and selectors, as
uiautomator2 reads them through the real adb."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

import adbutils
import pytest

from reference_server.virtual.phones_and_adb import VirtualLab

TIKTOK = "com.zhiliaoapp.musically"
#: The attributes of each node in uiautomator's dump, in its order.
ATTRIBUTES = [
    "index", "text", "resource-id", "class", "package", "content-desc", "checkable", "checked",
    "clickable", "enabled", "focusable", "focused", "scrollable", "long-clickable", "password",
    "selected", "visible-to-user", "bounds",
]  # fmt: skip


@pytest.fixture
def u2(lab: VirtualLab) -> Iterator[Any]:
    import uiautomator2

    device: adbutils.AdbDevice = lab.client.device(lab.phones[0].serial)
    ui = uiautomator2.connect(device)
    ui.app_start(TIKTOK)
    yield ui
    ui.app_stop(TIKTOK)
    ui.stop_uiautomator(wait=False)


def flag(selected: Any, name: str) -> bool:
    """One of a selected view's flags, as objInfo gives it."""
    value: bool = selected.info[name]
    return value


def test_the_dump_has_the_windows_root_and_every_attribute(u2: Any) -> None:
    root = ElementTree.fromstring(u2.dump_hierarchy())
    decor = root[0]
    assert decor.get("class") == "android.widget.FrameLayout"
    assert decor.get("bounds") == "[0,0][1080,2340]"
    assert decor[0].get("class") == "android.widget.LinearLayout"
    content = decor[0][0]
    assert content.get("resource-id") == "android:id/content"
    assert len(content) > 0  # the app's views are its children
    for node in root.iter("node"):
        assert list(node.keys()) == ATTRIBUTES, node.attrib
        assert node.get("package") == TIKTOK


def test_xpath_finds_the_content_and_by_any_attribute(u2: Any) -> None:
    content = u2.xpath("@android:id/content")
    assert content.exists
    assert content.info["bounds"] == {"left": 0, "top": 84, "right": 1080, "bottom": 2340}
    enabled = u2.xpath('//*[@enabled="true"]').all()
    assert len(enabled) >= 4
    clickable = u2.xpath('//*[@clickable="true"]').all()
    assert any(item.attrib["resource-id"].endswith(":id/search_icon") for item in clickable)
    left, top, right, bottom = content.bounds
    u2.swipe_ext("up", box=(left, top, right, bottom))  # a swipe within the content's box


def test_focus_reads_the_same_from_selectors_objinfo_and_the_dump(u2: Any) -> None:
    assert not u2(focused=True).exists  # nothing has the keyboard yet
    u2(resourceId=f"{TIKTOK}:id/search_icon").click()
    field = u2(className="android.widget.EditText")
    assert field.info["clickable"] is True
    assert flag(field, "focused") is False
    field.click()  # a tap gives it the keyboard
    assert u2(focused=True).exists
    assert u2(focused=True).info["className"] == "android.widget.EditText"
    assert flag(field, "focused") is True
    focused = [
        node.get("class")
        for node in ElementTree.fromstring(u2.dump_hierarchy()).iter("node")
        if node.get("focused") == "true"
    ]
    assert focused == ["android.widget.EditText"]
    assert u2.xpath('//*[@focused="true"]').info["className"] == "android.widget.EditText"
    assert not u2(focused=False, className="android.widget.EditText").exists


def test_a_turned_display_lays_the_screen_out_again(u2: Any) -> None:
    """#35, item 6: landscape is laid out as landscape, and taps land on its layout."""
    u2.press("home")
    try:
        u2.set_orientation("left")
        icon = u2(text="TikTok")
        bounds = icon.info["bounds"]
        assert (bounds["left"], bounds["right"]) == (0, 2340)  # the row spans the wide side
        shot = u2.screenshot()
        assert shot.size == (2340, 1080)
        wallpaper = shot.getpixel((2300, 1050))
        assert shot.getpixel((2000, bounds["top"] + 30)) != wallpaper  # the icon is drawn there
        u2.click(2000, bounds["top"] + 30)  # past the upright screen's width: only landscape
        assert u2.app_current()["package"] == TIKTOK
        root = ElementTree.fromstring(u2.dump_hierarchy())
        assert root.get("rotation") == "1"
        assert root[0].get("bounds") == "[0,0][2340,1080]"
    finally:
        u2.set_orientation("natural")
    assert u2(text="Search").info["bounds"]["right"] == 1080


def test_uiautomator2s_device_info_is_a_phones(u2: Any) -> None:
    """#35, item 5: every field read from the phone's properties, the architecture too."""
    info = u2.device_info
    assert info["arch"] == "arm64-v8a"
    assert (info["sdk"], info["version"]) == (33, 13)
    assert all(info[name] for name in ("brand", "model", "serial"))
    battery = u2.adb_device.battery()
    assert battery.level == 85
