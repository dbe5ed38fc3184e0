"""A device's records and the dashboard's state keep one shape, whatever the kind of device.

Every script runs on a simulated device and on a virtual phone; every record either keeps
is checked against the record's schema, and every state answer against the route's schema.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import httpx
import jsonschema
import pytest
from PIL import Image, ImageStat

from reference_server import ServerConfig
from reference_server.android.render import render_png
from reference_server.android.system import AndroidSystem
from reference_server.testing import running_server
from tikmatrix_sdk import FollowConfig, TaskStatus, TikMatrix
from tikmatrix_sdk._contract.records import RECORD_SCHEMA, DeviceRecord, MediaFile, make_record

from ..every_script import every_script
from ..openapi_check import check_answer
from ..phones import virtual_phones_server


@pytest.fixture(scope="module", params=["simulated", "virtual"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "virtual":
        with virtual_phones_server(tmp_path_factory, "records", 1, element_timeout=5.0) as url:
            yield url
    else:
        db = tmp_path_factory.mktemp("records") / "tasks.sqlite3"
        with running_server(ServerConfig(db=db, devices=1, poll_interval=0.05)) as url:
            yield url


def _state(server: str) -> dict[str, Any]:
    answer = httpx.get(f"{server}/dashboard/api/state")
    body = answer.json()
    check_answer("GET", "/dashboard/api/state", answer.status_code, body)
    data: dict[str, Any] = body["data"]
    return data


def test_every_script_leaves_records_of_one_shape(server: str, tmp_path: Path) -> None:
    validator = jsonschema.Draft202012Validator(RECORD_SCHEMA)
    with TikMatrix(server) as client:
        (account, *_) = [a for a in client.accounts.iter() if a.platform == "tiktok"]
        for config in every_script(tmp_path):
            created = client.tasks.create(config, usernames=[account.username])
            task = client.tasks.wait(created.task_ids[0], timeout=60, poll_interval=0.05)
            assert task.status is TaskStatus.COMPLETED, (config.script_name, task.remark)
            state = _state(server)  # the route's schema holds after each script
            (device,) = [d for d in state["devices"] if d["serial"] == account.device]
            for record in device["activity"]["records"]:
                validator.validate(record)
        records = httpx.get(f"{server}/_control/devices/{account.device}/records").json()
    actions = {record["action"] for record in records["data"]["records"]}
    assert {"post", "follow", "unfollow"} <= actions
    for record in records["data"]["records"]:
        validator.validate(record)
    (post,) = [r for r in records["data"]["records"] if r["action"] == "post"]
    assert post["platform"] == "tiktok"
    (media,) = post["media"]
    assert set(media) == {"path", "size", "sha256"}


def test_the_state_names_what_each_screen_shows(server: str) -> None:
    with TikMatrix(server) as client:
        (device, *_) = client.devices.list()
        created = client.tasks.create(
            FollowConfig(target_username="@nasa"), serials=[device.serial]
        )
        client.tasks.wait(created.task_ids[0], timeout=60, poll_interval=0.05)
    (shown,) = [d for d in _state(server)["devices"] if d["serial"] == device.serial]
    # a simulated device only records what it would do; a virtual phone's app really moved
    wanted = "Home screen" if device.kind == "simulated" else "TikTok · profile of @nasa"
    assert shown["activity"]["screen"] == wanted


def test_the_launcher_is_drawn_light_so_a_small_picture_reads() -> None:
    phone = AndroidSystem("launcher")
    try:
        assert phone.ui.caption() == "Home screen"
        image = Image.open(io.BytesIO(render_png(phone.ui))).convert("L")
    finally:
        phone.close()
    assert ImageStat.Stat(image).mean[0] > 160  # a light wallpaper; the icons' names on tiles


def test_the_schema_names_the_records_fields() -> None:
    fields = {field.name for field in attrs.fields(DeviceRecord)} - {"details"}
    assert set(RECORD_SCHEMA["properties"]) == fields
    media = RECORD_SCHEMA["properties"]["media"]["items"]["properties"]
    assert set(media) == {field.name for field in attrs.fields(MediaFile)}


def test_a_detail_cannot_take_a_fixed_fields_name() -> None:
    with pytest.raises(ValueError, match="task_id"):
        DeviceRecord(action="x", details={"task_id": 3}).to_json()
    assert make_record("post", media=["C:/v.mp4"])["media"] == [
        {"path": "C:/v.mp4", "size": None, "sha256": None}
    ]
