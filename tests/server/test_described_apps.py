"""Apps described as data (#35, item 7): what a description may say, bounded and checked
field by field; installed through the control API, in an APK, or in Python; run by the same
UI model as the built-in apps."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from reference_server.android.described_apps import (
    MAX_APP_BYTES,
    MAX_SCREENS,
    MAX_TEXT,
    MAX_WIDGETS,
    AppError,
    read_app,
)
from reference_server.android.packages import DESCRIBED_ASSET
from reference_server.android.system import AndroidSystem

from .conftest import error, ok

NOTES: dict[str, Any] = {
    "package": "com.example.notes",
    "label": "Notes",
    "start": "list",
    "screens": {
        "list": {
            "widgets": [
                {"id": "title", "text": "No notes"},
                {"id": "new", "class": "android.widget.Button", "text": "New",
                 "on_click": {"go": "edit"}},
                {"id": "corner", "text": "x", "bounds": [900, 2200, 1080, 2340]},
            ]
        },
        "edit": {
            "widgets": [
                {"id": "body", "class": "android.widget.EditText",
                 "on_text": {"set_text": {"id": "count", "text": "typed: {body}"}}},
                {"id": "count", "text": ""},
                {"id": "save", "class": "android.widget.Button", "text": "Save",
                 "on_click": {"set_text": {"id": "title", "text": "Last: {body}"},
                              "toast": "Saved {body}", "go": "list"}},
            ],
        },
    },
}  # fmt: skip


@pytest.fixture
def phone() -> Iterator[AndroidSystem]:
    system = AndroidSystem("describer")
    yield system
    system.close()


def _changed(path: str, value: Any) -> dict[str, Any]:
    """NOTES with the field at ``path`` (dots and [n]) set to ``value`` (None: removed)."""
    data = copy.deepcopy(NOTES)
    *parents, last = path.replace("[", ".").replace("]", "").split(".")
    here: Any = data
    for part in parents:
        here = here[int(part)] if part.isdigit() else here[part]
    if value is None:
        del here[last]
    elif last.isdigit():
        here[int(last)] = value
    else:
        here[last] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("package", "notes", "package"),
        ("package", "com.example/../x", "package"),
        ("start", "nowhere", "start"),
        ("screens.list.widgets[1].on_click.go", "nowhere", "screens.list.widgets[1].on_click.go"),
        ("screens.edit.widgets[2].on_click.set_text.id", "ghost",
         "screens.edit.widgets[2].on_click.set_text.id"),
        ("screens.list.widgets[0].id", "new", "screens.list.widgets"),
        ("screens.list.widgets[0].text", "x" * (MAX_TEXT + 1), "screens.list.widgets[0].text"),
        ("screens.list.widgets[2].bounds", [10, 10, 5, 20], "screens.list.widgets[2].bounds"),
        ("screens.list.widgets[2].bounds", [0, 0, 1, True], "screens.list.widgets[2].bounds"),
        ("screens.list.widgets[0].colour", "red", "screens.list.widgets[0].colour"),
        ("screens.list.widgets[1].on_click", {}, "screens.list.widgets[1].on_click"),
        ("screens.list.widgets[1].class", "not a class!", "screens.list.widgets[1].class"),
        ("version_code", 0, "version_code"),
        ("label", "", "label"),
        ("screens", {}, "screens"),
    ],
)  # fmt: skip
def test_a_mistake_is_refused_naming_its_field(path: str, value: Any, field: str) -> None:
    with pytest.raises(AppError) as refused:
        read_app(_changed(path, value))
    assert refused.value.field == field


def test_the_bounds_of_a_description() -> None:
    many_screens: dict[str, Any] = {f"s{n}": {"widgets": []} for n in range(MAX_SCREENS + 1)}
    with pytest.raises(AppError, match=f"at most {MAX_SCREENS} screens"):
        read_app({"package": "com.example.a", "screens": many_screens})
    many_widgets = {"main": {"widgets": [{"text": "x"}] * (MAX_WIDGETS + 1)}}
    with pytest.raises(AppError, match=f"at most {MAX_WIDGETS} widgets"):
        read_app({"package": "com.example.a", "screens": many_widgets})
    full = {"widgets": [{"text": "x" * MAX_TEXT}] * MAX_WIDGETS}
    screens = {"main": full, "two": full, "three": full}
    with pytest.raises(AppError, match=f"at most {MAX_APP_BYTES}"):
        read_app({"package": "com.example.a", "screens": screens})


def test_a_description_is_served_back_as_it_can_be_given_again() -> None:
    app = read_app(NOTES)
    assert read_app(app.to_json()) == app


def test_the_app_runs_on_the_phones_ui(phone: AndroidSystem) -> None:
    phone.install_app(NOTES)
    ui = phone.ui
    assert "Notes" in [element.text for element in ui.elements()]  # its icon on the launcher
    assert phone.execute_line("monkey -p com.example.notes 1").status == 0
    assert ui.package == "com.example.notes"
    corner = ui.find({"resourceId": "com.example.notes:id/corner"})[0]
    assert corner.bounds == (900, 2200, 1080, 2340)  # where its bounds put it
    ui.find({"text": "New"})[0].on_click()  # type: ignore[misc]
    ui.click(540, 150)  # the field: it takes the keyboard
    assert ui.type_text("milk")
    assert ui.find({"resourceId": "com.example.notes:id/count"})[0].text == "typed: milk"
    ui.find({"text": "Save"})[0].on_click()  # type: ignore[misc]
    assert ui.screen == "list"
    assert ui.find({"resourceId": "com.example.notes:id/title"})[0].text == "Last: milk"
    assert ui.last_toast == "Saved milk"
    assert ui.caption() == "Notes · list"
    ui.back()  # on the start screen: out to the launcher, the app left running
    assert ui.package == "com.android.launcher3"
    assert phone.execute_line("pidof com.example.notes").status == 0
    uninstalled = phone.execute_line("pm uninstall com.example.notes")
    assert uninstalled.out == b"Success\n"
    assert "com.example.notes" not in phone.described
    assert phone.execute_line("pidof com.example.notes").status == 1


def test_an_apk_that_carries_its_description_installs_as_that_app(
    phone: AndroidSystem, tmp_path: Path
) -> None:
    import uiautomator2

    signed = Path(uiautomator2.__file__).parent / "assets" / "app-uiautomator.apk"
    described = {**NOTES, "package": "com.github.uiautomator", "label": "Helper"}

    def apk(description: str) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(signed) as source, zipfile.ZipFile(buffer, "w") as out:
            for entry in source.infolist():  # its v1 signature files are kept
                out.writestr(entry, source.read(entry))
            out.writestr(DESCRIBED_ASSET, description)
        return buffer.getvalue()

    phone.path("/data/local/tmp/notes.apk").write_bytes(apk(json.dumps(NOTES)))
    wrong = phone.execute_line("pm install /data/local/tmp/notes.apk").out.decode()
    assert wrong.startswith("Failure [INSTALL_FAILED_INVALID_APK: assets/tikmatrix-app.json ")
    assert "com.github.uiautomator" not in phone.packages  # nothing half-installed
    phone.path("/data/local/tmp/notes.apk").write_bytes(apk("{not json"))
    broken = phone.execute_line("pm install /data/local/tmp/notes.apk").out.decode()
    assert broken.startswith("Failure [INSTALL_FAILED_INVALID_APK: assets/tikmatrix-app.json: ")
    phone.path("/data/local/tmp/notes.apk").write_bytes(apk(json.dumps(described)))
    assert phone.execute_line("pm install /data/local/tmp/notes.apk").out == b"Success\n"
    assert phone.described["com.github.uiautomator"].label == "Helper"


def test_the_control_api_installs_lists_and_removes_an_app(client: FlaskClient) -> None:
    base = "/_control/devices/device_serial_1/apps"
    installed = ok(client.put(base, json=NOTES))
    assert read_app(installed) == read_app(NOTES)
    assert ok(client.get(base)) == {"apps": [installed]}
    message = error(client.put(base, json=_changed("start", "nowhere")), 40001, 400)
    assert message.startswith("start: names no screen")
    error(client.put("/_control/devices/nobody/apps", json=NOTES), 40401, 404)
    removed = ok(client.delete(f"{base}/com.example.notes"))
    assert removed == {"package": "com.example.notes", "removed": True}
    assert ok(client.get(base)) == {"apps": []}
    assert ok(client.delete(f"{base}/com.example.notes"))["removed"] is False


@pytest.mark.parametrize("start", [{}, [], 3, None])
def test_a_start_that_is_not_a_name_is_refused(start: Any) -> None:
    """Found by the contract fuzzer: a start of another type was a server error."""
    with pytest.raises(AppError) as refused:
        read_app({**NOTES, "start": start})
    assert refused.value.field == "start"
