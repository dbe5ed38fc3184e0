"""SDK → reference server → ADB runner → real adb server → virtual phones, with no mocks.

The adb server is the binary adbutils ships, on a port of the test's own; the phones are the
project's virtual phones, which adb connects to over loopback. Assertions read what the
phones recorded: the pushed media's bytes, captions, follows, comments, every shell line.
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reference_server import ServerConfig
from reference_server.testing import running_server
from tikmatrix_sdk import (
    AccountWarmupConfig,
    CommentConfig,
    FollowConfig,
    PostConfig,
    Task,
    TaskStatus,
    TikMatrix,
    UnfollowConfig,
)
from tikmatrix_sdk._contract.records import make_record

from ..phones import virtual_phones_server
from ..waiting import wait_until


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with virtual_phones_server(tmp_path_factory, "adb", 2, element_timeout=2.0) as url:
        yield url


@pytest.fixture
def client(server: str) -> Iterator[TikMatrix]:
    with TikMatrix(server, timeout=30) as sdk:
        yield sdk


@pytest.fixture
def serials(client: TikMatrix) -> dict[str, str]:
    """The device of each virtual account (the accounts list tells which serials exist)."""
    return {account.username: account.device or "" for account in client.accounts.iter()}


def phone(server: str, serial: str) -> dict[str, Any]:
    body = httpx.get(f"{server}/_control/devices/{serial}/records").json()
    assert body["code"] == 0, body
    result: dict[str, Any] = body["data"]
    return result


def run(client: TikMatrix, task_ids: tuple[int, ...]) -> list[Task]:
    return [client.tasks.wait(task_id, timeout=60, poll_interval=0.05) for task_id in task_ids]


def media_file(tmp_path: Path, name: str, size: int = 300_000) -> Path:
    path = tmp_path / name
    path.write_bytes(os.urandom(size))
    return path


def test_accounts_name_the_virtual_serials(client: TikMatrix, serials: dict[str, str]) -> None:
    assert set(serials) == {"@phone1_tiktok", "@phone1_insta", "@phone2_tiktok", "@phone2_insta"}
    assert all(serial.startswith("127.0.0.1:") for serial in serials.values())
    license_ = client.license.check()
    assert license_.api_enabled


def test_post_pushes_the_media_and_posts_the_caption(
    client: TikMatrix, server: str, serials: dict[str, str], tmp_path: Path
) -> None:
    video = media_file(tmp_path, "clip.mp4")
    created = client.tasks.create(
        PostConfig(
            captions="{Hello|Hello} world #fyp", material_list=[str(video)], upload_wait_time=0
        ),
        usernames=["@phone1_tiktok"],
    )
    (task,) = run(client, created.task_ids)
    assert task.status is TaskStatus.COMPLETED, task.remark
    posts = [
        r for r in phone(server, serials["@phone1_tiktok"])["records"] if r["action"] == "post"
    ]
    assert posts[-1]["platform"] == "tiktok"
    assert posts[-1]["caption"] == "Hello world #fyp"
    (media,) = posts[-1]["media"]
    assert media["path"] == "/sdcard/DCIM/TikMatrix/clip.mp4"
    assert media["sha256"] == hashlib.sha256(video.read_bytes()).hexdigest()
    assert media["size"] == video.stat().st_size


@pytest.mark.parametrize("way", ["share", "addButton", "useSound"])
def test_each_post_way(
    client: TikMatrix, server: str, serials: dict[str, str], tmp_path: Path, way: str
) -> None:
    video = media_file(tmp_path, f"{way}.mp4", 5000)
    sound = "https://www.tiktok.com/music/original-sound-7123456789"
    config = PostConfig(
        post_way=way,  # type: ignore[arg-type]
        sound_name=sound if way == "useSound" else None,
        captions=way,
        material_list=[str(video)],
        upload_wait_time=0,
    )
    (task,) = run(client, client.tasks.create(config, usernames=["@phone2_tiktok"]).task_ids)
    assert task.status is TaskStatus.COMPLETED, task.remark
    assert task.remark == f"posted 1 file(s) to TikTok ({way})"
    post = [
        r for r in phone(server, serials["@phone2_tiktok"])["records"] if r["action"] == "post"
    ][-1]
    assert (post["caption"], post["way"], post["media"][0]["path"]) == (
        way,
        way,
        f"/sdcard/DCIM/TikMatrix/{way}.mp4",
    )
    assert post.get("sound") == (sound if way == "useSound" else None)


def test_post_settings_on_the_caption_screen(
    client: TikMatrix, server: str, serials: dict[str, str], tmp_path: Path
) -> None:
    video = media_file(tmp_path, "settings.mp4", 3000)
    config = PostConfig(
        material_list=[str(video)],
        add_sound="custom",
        custom_sound_keyword="trending dance",
        origin_sound_volume=30,
        add_sound_volume=70,
        add_product_link=1,
        upload_wait_time=0,
    )
    (task,) = run(client, client.tasks.create(config, usernames=["@phone1_tiktok"]).task_ids)
    assert task.status is TaskStatus.COMPLETED, task.remark
    post = [
        r for r in phone(server, serials["@phone1_tiktok"])["records"] if r["action"] == "post"
    ][-1]
    assert post["settings"] == {
        "added_sound": "trending dance",
        "origin_volume": "30",
        "added_volume": "70",
        "product_link": True,
        "placement": "feed",
    }
    muted = PostConfig(material_list=[str(video)], add_sound="0", upload_wait_time=0)
    (task,) = run(client, client.tasks.create(muted, usernames=["@phone1_tiktok"]).task_ids)
    post = [
        r for r in phone(server, serials["@phone1_tiktok"])["records"] if r["action"] == "post"
    ][-1]
    assert post["settings"] == {"muted": True, "placement": "feed"}


def test_instagram_images(
    client: TikMatrix, server: str, serials: dict[str, str], tmp_path: Path
) -> None:
    images = [str(media_file(tmp_path, f"img{i}.jpg", 20_000)) for i in range(3)]
    created = client.tasks.create(
        PostConfig(
            content_type=1,
            image_count=2,
            material_list=images,
            captions="two",
            placement="story",
            upload_wait_time=0,
        ),
        usernames=["@phone2_insta"],
    )
    (task,) = run(client, created.task_ids)
    assert task.status is TaskStatus.COMPLETED, task.remark
    post = [r for r in phone(server, serials["@phone2_insta"])["records"] if r["action"] == "post"][
        -1
    ]
    assert post["platform"] == "instagram"
    assert post["settings"]["placement"] == "story"
    assert len(post["media"]) == 2
    assert {m["path"].rsplit("/", 1)[-1] for m in post["media"]} <= {
        "img0.jpg",
        "img1.jpg",
        "img2.jpg",
    }


def test_follow_direct_and_search_then_unfollow(
    client: TikMatrix, server: str, serials: dict[str, str]
) -> None:
    serial = serials["@phone1_tiktok"]
    direct = client.tasks.create(
        FollowConfig(target_users=["@alice"]), usernames=["@phone1_tiktok"]
    )
    search = client.tasks.create(
        FollowConfig(target_users=["@bob"], access_method="search"), usernames=["@phone1_tiktok"]
    )
    undo = client.tasks.create(
        UnfollowConfig(target_username="@alice"), usernames=["@phone1_tiktok"]
    )
    tasks = run(client, direct.task_ids + search.task_ids + undo.task_ids)
    assert [t.status for t in tasks] == [TaskStatus.COMPLETED] * 3, [t.remark for t in tasks]
    assert tasks[0].remark == "followed @alice on TikTok"
    actions = [(r["action"], r.get("user")) for r in phone(server, serial)["records"]]
    assert ("follow", "alice") in actions
    assert ("follow", "bob") in actions
    assert actions.index(("unfollow", "alice")) > actions.index(("follow", "alice"))


def test_comment(client: TikMatrix, server: str, serials: dict[str, str]) -> None:
    url = "https://www.tiktok.com/@creator/video/123"
    created = client.tasks.create(
        CommentConfig(
            target_post_url=url, comment_content="First!\nSecond!", comment_order="sequential"
        ),
        usernames=["@phone2_tiktok"],
    )
    (task,) = run(client, created.task_ids)
    assert task.status is TaskStatus.COMPLETED, task.remark
    comments = [
        r for r in phone(server, serials["@phone2_tiktok"])["records"] if r["action"] == "comment"
    ]
    assert comments[-1] == make_record("comment", platform="tiktok", url=url, text="First!")


def test_warmup_watches_the_feed(client: TikMatrix, server: str, serials: dict[str, str]) -> None:
    serial = serials["@phone2_tiktok"]
    before = len(phone(server, serial)["records"])
    created = client.tasks.create(
        AccountWarmupConfig(
            task_duration=2,
            min_duration=0.1,
            max_duration=0.2,
            like_probable=100,
            comment_probable=100,
            comment="nice\ncool",
            comment_order="sequential",
            topic="cats",
        ),
        usernames=["@phone2_tiktok"],
    )
    (task,) = run(client, created.task_ids)
    assert task.status is TaskStatus.COMPLETED, task.remark
    # How many videos fit in the two seconds depends on the machine's speed (a loaded one
    # watches one): each video watched is liked and commented on, the comments in order.
    found = re.fullmatch(r"watched (\d+) video\(s\) on TikTok", task.remark)
    assert found is not None, task.remark
    watched = int(found[1])
    assert watched >= 1
    records = phone(server, serial)["records"][before:]
    actions = [r["action"] for r in records]
    assert (actions.count("watch"), actions.count("like")) == (watched, watched)
    feed_comments = [r["text"] for r in records if r["action"] == "comment" and r["url"] == "feed"]
    assert feed_comments == [("nice", "cool")[n % 2] for n in range(watched)]


INJECTIONS = ["x; rm -rf /sdcard", "$(reboot)", "`reboot`", "a && reboot", "q'uote\"d | reboot"]


def test_request_values_are_only_ever_literals_on_the_phone(
    client: TikMatrix, server: str, serials: dict[str, str], tmp_path: Path
) -> None:
    serial = serials["@phone1_tiktok"]
    direct = client.tasks.create(
        FollowConfig(target_users=INJECTIONS), usernames=["@phone1_tiktok"]
    )
    search = client.tasks.create(
        FollowConfig(target_users=["$(reboot)"], access_method="search"),
        usernames=["@phone1_tiktok"],
    )
    weird = media_file(tmp_path, "v; reboot $(reboot).mp4", 1000)
    post = client.tasks.create(
        PostConfig(
            captions="caption; reboot $(reboot)", material_list=[str(weird)], upload_wait_time=0
        ),
        usernames=["@phone1_tiktok"],
    )
    comment = client.tasks.create(
        CommentConfig(
            target_post_url="https://www.tiktok.com/@u/video/1?x=$(reboot);rm",
            comment_content="`reboot`",
        ),
        usernames=["@phone1_tiktok"],
    )
    tasks = run(client, direct.task_ids + search.task_ids + post.task_ids + comment.task_ids)
    assert all(t.status is TaskStatus.COMPLETED for t in tasks), [t.remark for t in tasks]
    snapshot = phone(server, serial)
    assert snapshot["rebooted"] is False
    followed = {r["user"] for r in snapshot["records"] if r["action"] == "follow"}
    assert {name.lstrip("@") for name in INJECTIONS} <= followed
    assert "$(reboot)" in followed
    post_record = [r for r in snapshot["records"] if r["action"] == "post"][-1]
    assert post_record["caption"] == "caption; reboot $(reboot)"
    assert post_record["media"][0]["path"].endswith("v; reboot $(reboot).mp4")
    comment_record = [r for r in snapshot["records"] if r["action"] == "comment"][-1]
    assert comment_record["text"] == "`reboot`"
    assert comment_record["url"] == "https://www.tiktok.com/@u/video/1?x=$(reboot);rm"
    executed = {argv[0] for argv in snapshot["executed"]}
    assert executed.isdisjoint({"rm", "reboot"}), executed


def test_nul_bytes_and_long_captions_reach_the_phone_byte_exact(
    client: TikMatrix, server: str, serials: dict[str, str], tmp_path: Path
) -> None:
    caption = "a\x00b 😀 $(reboot) `id`; " + "x" * 10_000
    media = media_file(tmp_path, "clip.mp4", 1000)
    post = client.tasks.create(
        PostConfig(captions=caption, material_list=[str(media)], upload_wait_time=0),
        usernames=["@phone1_tiktok"],
    )
    (task,) = run(client, post.task_ids)
    assert task.status is TaskStatus.COMPLETED, task.remark
    snapshot = phone(server, serials["@phone1_tiktok"])
    assert [r for r in snapshot["records"] if r["action"] == "post"][-1]["caption"] == caption
    assert snapshot["rebooted"] is False


def test_missing_material_fails_clearly(client: TikMatrix, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.mp4"
    created = client.tasks.create(
        PostConfig(material_list=[str(missing)], upload_wait_time=0), usernames=["@phone2_tiktok"]
    )
    (task,) = run(client, created.task_ids)
    assert task.status is TaskStatus.FAILED
    assert task.remark == f"material file not found: {missing}"


def test_missing_app_fails_clearly(client: TikMatrix, server: str, serials: dict[str, str]) -> None:
    serial = serials["@phone2_insta"]
    httpx.put(
        f"{server}/_control/devices/{serial}/packages",
        json={"packages": ["com.zhiliaoapp.musically"]},
    )
    try:
        created = client.tasks.create(
            FollowConfig(target_users=["@x"]), usernames=["@phone2_insta"]
        )
        (task,) = run(client, created.task_ids)
        assert task.status is TaskStatus.FAILED
        assert task.remark == f"Instagram (com.instagram.android) is not installed on {serial}"
    finally:
        httpx.put(
            f"{server}/_control/devices/{serial}/packages",
            json={"packages": ["com.zhiliaoapp.musically", "com.instagram.android"]},
        )


# adbutils leaves the socket of a transport it could not open (the phone went offline) to the
# garbage collector; the collection at the end of this test reports it here, not at exit.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_phone_that_disconnects_mid_task_fails_it_and_the_others_go_on(
    client: TikMatrix, server: str, serials: dict[str, str]
) -> None:
    doomed, healthy = serials["@phone1_tiktok"], serials["@phone2_tiktok"]
    long_task = client.tasks.create(
        AccountWarmupConfig(task_duration=30, min_duration=0.2, max_duration=0.3),
        usernames=["@phone1_tiktok"],
    )
    wait_until(
        lambda: client.tasks.get(long_task.task_ids[0]).status is TaskStatus.RUNNING,
        "the warm-up to start",
        timeout=30,
        interval=0.05,
    )

    def watching() -> bool:  # the task is mid-work: the phone has played a video for it
        snapshot = httpx.get(f"{server}/_control/devices/{doomed}/records").json()["data"]
        return any(record["action"] == "watch" for record in snapshot["records"])

    wait_until(watching, "the warm-up to watch a video", timeout=30, interval=0.05)
    assert httpx.post(f"{server}/_control/devices/{doomed}/disconnect").json()["code"] == 0
    try:
        failed = client.tasks.wait(long_task.task_ids[0], timeout=60, poll_interval=0.05)
        assert failed.status is TaskStatus.FAILED
        assert f"device {doomed} failed while" in failed.remark
        other = client.tasks.create(
            FollowConfig(target_users=["@still_here"]), usernames=["@phone2_tiktok"]
        )
        (done,) = run(client, other.task_ids)
        assert done.status is TaskStatus.COMPLETED, done.remark
        assert any(r.get("user") == "still_here" for r in phone(server, healthy)["records"])
    finally:
        reconnected = httpx.post(f"{server}/_control/devices/{doomed}/reconnect", timeout=30)
        assert reconnected.json()["code"] == 0
    gc.collect()


@pytest.mark.android
@pytest.mark.skipif(
    not os.environ.get("ANDROID_SERIAL"), reason="needs a physical phone (ANDROID_SERIAL)"
)
def test_a_physical_phone_answers() -> None:  # pragma: no cover - needs hardware
    import adbutils

    from reference_server.devices.adb import AdbDevice

    serial = os.environ["ANDROID_SERIAL"]
    device = AdbDevice(serial, adbutils.AdbClient())
    assert device.shell("echo", "ok; not a command").strip() == "ok; not a command"
    assert device.ui().info["displayWidth"] > 0


def test_a_screen_that_never_appears_fails_the_task(client: TikMatrix) -> None:
    # A profile URL where a post was expected: the comment button never shows up.
    created = client.tasks.create(
        CommentConfig(target_post_url="https://www.tiktok.com/@not_a_post", comment_content="hi"),
        usernames=["@phone1_tiktok"],
    )
    (task,) = run(client, created.task_ids)
    assert task.status is TaskStatus.FAILED
    assert task.remark.startswith("TikTok: the screen with 'comment_icon' never appeared")
    assert "follow_button" in task.remark  # what was on screen instead, from a hierarchy dump


def test_attached_adb_phones_become_the_fleet(tmp_path: Path) -> None:
    from reference_server.virtual.phones_and_adb import VirtualLab

    lab = VirtualLab(1).start()
    try:
        config = ServerConfig(
            db=tmp_path / "t.sqlite3", adb=True, adb_port=lab.adb_port, poll_interval=0.05
        )
        with running_server(config) as base_url, TikMatrix(base_url) as sdk:
            serial = lab.phones[0].serial
            created = sdk.tasks.create(FollowConfig(target_users=["@via_adb"]), serials=[serial])
            (task,) = run(sdk, created.task_ids)
            assert task.status is TaskStatus.COMPLETED, task.remark
            followed = make_record("follow", platform="tiktok", user="via_adb")
            assert followed in lab.phones[0].records
            devices = httpx.get(f"{base_url}/_control/devices").json()["data"]["devices"]
            assert [(d["serial"], d["kind"]) for d in devices] == [(serial, "adb")]
    finally:
        lab.stop()
