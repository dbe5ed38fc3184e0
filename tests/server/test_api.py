"""The API's endpoints, codes and fan-out, through Flask's test client."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from reference_server.state import ServerState

from .conftest import POST, create, error, ok


def test_example_from_the_docs_runs_verbatim(client: FlaskClient) -> None:
    data = ok(
        client.post(
            "/api/v1/task",
            json={
                "serials": ["device_serial_1"],
                "script_name": "post",
                "script_config": {
                    "content_type": 0,
                    "captions": "Check out my new video! #viral #fyp",
                    "material_list": ["C:/Videos/video1.mp4"],
                    "upload_wait_time": 60,
                },
            },
        )
    )
    assert data == {"task_ids": [1], "created_count": 1}
    task = ok(client.get("/api/v1/task/1"))
    assert task["status"] == 0
    assert task["source"] == "api"
    assert task["script_config"]["upload_wait_time"] == 60
    assert task["script_config"]["sound_wait_time"] == 10  # the documented default, filled in
    assert task["retry_count"] == 0
    assert task["remark"] == ""
    assert task["created_at"].endswith(task["scheduled_at"][-6:])


def test_license_check(client: FlaskClient) -> None:
    assert ok(client.get("/api/v1/license/check")) == {
        "plan_name": "Pro",
        "api_enabled": True,
        "device_limit": 20,
        "message": "API access enabled",
    }


@pytest.mark.parametrize(
    "path",
    [
        ("GET", "/api/v1/license/check"),
        ("GET", "/api/v1/task"),
        ("POST", "/api/v1/task"),
        ("GET", "/api/v1/task/1"),
        ("DELETE", "/api/v1/task/1"),
        ("POST", "/api/v1/task/1/stop"),
        ("POST", "/api/v1/task/1/retry"),
        ("POST", "/api/v1/task/retry-all"),
        ("GET", "/api/v1/task/stats"),
        ("GET", "/api/v1/accounts"),
    ],
)
def test_starter_plan_answers_40301_everywhere(
    client: FlaskClient, server: ServerState, path: tuple[str, str]
) -> None:
    server.service.set_plan("Starter")
    method, url = path
    response = client.open(url, method=method, json=POST if method == "POST" else None)
    error(response, 40301, 403, mentions="Pro")
    assert response.json is not None
    assert response.json["data"]["plan_name"] == "Starter"
    assert response.json["data"]["api_enabled"] is False


@pytest.mark.parametrize(
    ("body", "code", "mentions"),
    [
        ({"serials": ["device_serial_1"], "script_config": {}}, 40002, "script_name"),
        ({"serials": ["device_serial_1"], "script_name": "", "script_config": {}}, 40002, ""),
        (
            {"serials": ["device_serial_1"], "script_name": "like", "script_config": {}},
            40003,
            "like",
        ),
        (
            {"serials": ["device_serial_1"], "script_name": "message", "script_config": {}},
            40003,
            "",
        ),
        (
            {"serials": ["device_serial_1"], "script_name": "super_marketing", "script_config": {}},
            40003,
            "",
        ),
        (
            {"serials": ["device_serial_1"], "script_name": "profile", "script_config": {}},
            40003,
            "",
        ),
        (
            {"serials": ["device_serial_1"], "script_name": "scrape_user", "script_config": {}},
            40003,
            "",
        ),
        (
            {"serials": ["device_serial_1"], "script_name": "dance", "script_config": {}},
            40003,
            "unknown",
        ),
        ({"serials": ["device_serial_1"], "script_name": "post"}, 40001, "script_config"),
        (
            {"serials": ["device_serial_1"], "script_name": "post", "script_config": []},
            40001,
            "script_config",
        ),
        ({"script_name": "post", "script_config": {}}, 40001, "serials"),
        ({**POST, "serials": ["device_serial_1"], "usernames": ["@user1"]}, 40001, "exactly one"),
        ({**POST, "serials": "device_serial_1"}, 40001, "serials"),
        ({**POST, "serials": []}, 40001, "serials"),
        ({**POST, "serials": ["device_serial_1", ""]}, 40001, "serials"),
        ({**POST, "serials": ["nope"]}, 40001, "'nope'"),
        ({**POST, "usernames": ["@ghost"]}, 40001, "'@ghost'"),
        (
            {**POST, "serials": ["device_serial_1"], "enable_multi_account": "yes"},
            40001,
            "enable_multi_account",
        ),
        ({**POST, "serials": ["device_serial_1"], "start_time": "25:00"}, 40001, "start_time"),
        ({**POST, "serials": ["device_serial_1"], "start_time": "9:30"}, 40001, "start_time"),
        ({**POST, "serials": ["device_serial_1"], "min_interval": -1}, 40001, "min_interval"),
        ({**POST, "serials": ["device_serial_1"], "max_interval": 1.5}, 40001, "max_interval"),
        (
            {**POST, "serials": ["device_serial_1"], "min_interval": 5, "max_interval": 2},
            40001,
            "min_interval",
        ),
        (
            {"serials": ["device_serial_1"], "script_name": 5, "script_config": {}},
            40001,
            "script_name",
        ),
    ],
)
def test_create_errors(client: FlaskClient, body: dict[str, Any], code: int, mentions: str) -> None:
    error(client.post("/api/v1/task", json=body), code, 400, mentions=mentions)
    assert ok(client.get("/api/v1/task/stats"))["total"] == 0


CONFIG_ERRORS: list[tuple[str, dict[str, Any], str]] = [
    ("post", {"content_type": 2}, "script_config.content_type"),
    ("post", {"content_type": True}, "script_config.content_type"),
    ("post", {"image_count": 0}, "script_config.image_count"),
    ("post", {"captions": 1}, "script_config.captions"),
    ("post", {"post_way": "upload"}, "script_config.post_way"),
    ("post", {"material_source": "cloud"}, "script_config.material_source"),
    ("post", {"material_list": "C:/v.mp4"}, "script_config.material_list"),
    ("post", {"material_list": [""]}, "script_config.material_list"),
    ("post", {"upload_wait_time": -1}, "script_config.upload_wait_time"),
    ("post", {"sound_wait_time": "10"}, "script_config.sound_wait_time"),
    ("post", {"add_sound": "2"}, "script_config.add_sound"),
    ("post", {"origin_sound_volume": 101}, "script_config.origin_sound_volume"),
    ("post", {"add_sound_volume": -1}, "script_config.add_sound_volume"),
    ("post", {"add_product_link": 2}, "script_config.add_product_link"),
    ("post", {"placement": "feed"}, "script_config.placement"),
    ("post", {"material_source": "localFolder"}, "script_config.material_path"),
    ("post", {"post_way": "useSound"}, "script_config.sound_name"),
    ("post", {"add_sound": "custom"}, "script_config.custom_sound_keyword"),
    ("follow", {}, "script_config.target_users"),
    ("follow", {"target_users": "@a"}, "script_config.target_users"),
    ("follow", {"target_users": ["@a"], "access_method": "url"}, "script_config.access_method"),
    ("unfollow", {"target_user": " , "}, "script_config.target_users"),
    ("comment", {"comment_content": "x"}, "script_config.target_post_urls"),
    ("comment", {"target_post_url": "https://a"}, "script_config.comment_content"),
    (
        "comment",
        {"target_post_url": "https://a", "comment_content": "x", "comment_order": "by"},
        "comment_order",
    ),
    (
        "comment",
        {"target_post_url": "https://a", "comment_content": "x", "insert_emoji": 1},
        "insert_emoji",
    ),
    ("account_warmup", {"task_duration": -1}, "script_config.task_duration"),
    ("account_warmup", {"like_probable": 101}, "script_config.like_probable"),
    ("account_warmup", {"floow_probable": "5"}, "script_config.floow_probable"),
    ("account_warmup", {"min_duration": 40, "max_duration": 30}, "script_config.min_duration"),
    ("account_warmup", {"generate_by_chatgpt": True}, "chatgpt_settings.api_key"),
    (
        "account_warmup",
        {"chatgpt_settings": {"api_key": "k", "temperature": 3}},
        "chatgpt_settings.temperature",
    ),
    ("account_warmup", {"chatgpt_settings": "k"}, "script_config.chatgpt_settings"),
]


@pytest.mark.parametrize(("script", "config", "mentions"), CONFIG_ERRORS)
def test_script_config_errors_name_the_field(
    client: FlaskClient, script: str, config: dict[str, Any], mentions: str
) -> None:
    body = {"serials": ["device_serial_1"], "script_name": script, "script_config": config}
    error(client.post("/api/v1/task", json=body), 40001, 400, mentions=mentions)


def test_unknown_config_keys_are_kept(client: FlaskClient) -> None:
    create(client, serials=["device_serial_1"], script_name="post", script_config={"x_new": [1]})
    assert ok(client.get("/api/v1/task/1"))["script_config"]["x_new"] == [1]


def test_atomic_create_stores_nothing_on_a_bad_serial(client: FlaskClient) -> None:
    serials = [f"device_serial_{i % 5 + 1}" for i in range(49)] + ["missing_phone"]
    error(
        client.post("/api/v1/task", json={**POST, "serials": serials}),
        40001,
        400,
        mentions="missing_phone",
    )
    assert ok(client.get("/api/v1/task"))["total"] == 0


def test_device_limit_of_the_plan(client: FlaskClient, server: ServerState) -> None:
    serials = [f"phone_{i}" for i in range(21)]
    ok(client.post("/_control/devices", json={"serials": serials}))
    error(client.post("/api/v1/task", json={**POST, "serials": serials}), 40001, 400, mentions="20")
    server.service.set_plan("Team")
    assert len(create(client, **POST, serials=serials)) == 21


@pytest.mark.parametrize(
    ("body", "count"),
    [
        ({**POST, "serials": ["device_serial_1", "device_serial_2"]}, 2),
        (
            {
                **POST,
                "serials": ["device_serial_1", "device_serial_2"],
                "enable_multi_account": True,
            },
            6,
        ),
        ({**POST, "usernames": ["@user1", "@user2", "@user3"]}, 3),
        (
            {
                "serials": ["device_serial_1", "device_serial_2"],
                "script_name": "follow",
                "script_config": {"target_users": ["@a", "@b", "@c"]},
            },
            6,
        ),
        (
            {
                "usernames": ["@my_account1", "@my_account2"],
                "script_name": "unfollow",
                "script_config": {"target_user": "@a\n@b"},
            },
            4,
        ),
        (
            {
                "serials": ["device_serial_1", "device_serial_2"],
                "script_name": "comment",
                "script_config": {"target_post_urls": ["u1", "u2", "u3"], "comment_content": "x"},
            },
            6,
        ),
        ({"serials": ["device_serial_1"], "script_name": "account_warmup", "script_config": {}}, 1),
    ],
)
def test_fan_out(client: FlaskClient, body: dict[str, Any], count: int) -> None:
    assert len(create(client, **body)) == count
    assert ok(client.get("/api/v1/task/stats"))["pending"] == count


def test_username_mode_takes_the_device_from_the_registry(client: FlaskClient) -> None:
    create(client, **POST, usernames=["@user2"])
    task = ok(client.get("/api/v1/task/1"))
    assert (task["serial"], task["username"]) == ("device_serial_2", "@user2")


def test_multi_account_makes_one_task_per_account(client: FlaskClient) -> None:
    create(client, **POST, serials=["device_serial_1"], enable_multi_account=True)
    tasks = ok(client.get("/api/v1/task"))["tasks"]
    assert sorted(t["username"] for t in tasks) == ["@insta_user1", "@my_account1", "@user1"]
    assert all(t["enable_multi_account"] for t in tasks)


def test_follow_tasks_each_carry_one_target(client: FlaskClient) -> None:
    create(
        client,
        serials=["device_serial_1"],
        script_name="follow",
        script_config={"target_user": "@a, @b", "target_username": "@ignored"},
    )
    tasks = ok(client.get("/api/v1/task"))["tasks"]
    assert sorted(t["script_config"]["target_username"] for t in tasks) == ["@a", "@b"]


def test_target_username_spelling_is_accepted(client: FlaskClient) -> None:
    ids = create(
        client,
        serials=["device_serial_1"],
        script_name="follow",
        script_config={"target_username": "@x"},
    )
    assert len(ids) == 1


def test_list_filters_and_paging(client: FlaskClient) -> None:
    create(client, **POST, serials=["device_serial_1", "device_serial_2"])
    create(
        client,
        serials=["device_serial_1"],
        script_name="follow",
        script_config={"target_users": ["@a"]},
    )
    ok(client.post("/_control/tasks", json={**POST, "serials": ["device_serial_3"]}))
    everything = ok(client.get("/api/v1/task"))
    assert [t["id"] for t in everything["tasks"]] == [4, 3, 2, 1]
    assert (everything["total"], everything["page"], everything["page_size"]) == (4, 1, 20)
    assert [t["id"] for t in ok(client.get("/api/v1/task?serial=device_serial_1"))["tasks"]] == [
        3,
        1,
    ]
    assert [t["id"] for t in ok(client.get("/api/v1/task?script_name=follow"))["tasks"]] == [3]
    assert [t["id"] for t in ok(client.get("/api/v1/task?source=ui"))["tasks"]] == [4]
    assert ok(client.get("/api/v1/task?source=api"))["total"] == 3
    assert ok(client.get("/api/v1/task?status=2"))["total"] == 0
    page = ok(client.get("/api/v1/task?page=2&page_size=3"))
    assert ([t["id"] for t in page["tasks"]], page["total"]) == ([1], 4)
    assert ok(client.get("/api/v1/task?page=9"))["tasks"] == []


@pytest.mark.parametrize(
    ("query", "mentions"),
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=x", "page"),
        ("page_size=0", "page_size"),
        ("page_size=101", "page_size"),
        ("status=4", "status"),
        ("status=pending", "status"),
        ("source=web", "source"),
    ],
)
def test_list_bounds_are_errors_not_clamps(client: FlaskClient, query: str, mentions: str) -> None:
    error(client.get(f"/api/v1/task?{query}"), 40001, 400, mentions=mentions)


def test_accounts_filters(client: FlaskClient) -> None:
    everything = ok(client.get("/api/v1/accounts?page_size=100"))
    assert everything["total"] == 15
    instagram = ok(client.get("/api/v1/accounts?platform=instagram"))
    assert {a["username"] for a in instagram["accounts"]} == {
        f"@insta_user{i}" for i in range(1, 6)
    }
    assert (
        ok(client.get("/api/v1/accounts?device=device_serial_2&tag=mine"))["accounts"][0][
            "username"
        ]
        == "@my_account2"
    )
    assert ok(client.get("/api/v1/accounts?logined=false"))["total"] == 0
    assert ok(client.get("/api/v1/accounts?logined=true&status=0"))["total"] == 15
    error(client.get("/api/v1/accounts?logined=maybe"), 40001, 400, mentions="logined")
    error(client.get("/api/v1/accounts?page_size=500"), 40001, 400, mentions="page_size")


def test_not_found_and_bad_ids(client: FlaskClient) -> None:
    error(client.get("/api/v1/task/999"), 40401, 404, mentions="999")
    error(client.delete("/api/v1/task/999"), 40401, 404)
    error(client.post("/api/v1/task/999/stop"), 40401, 404)
    error(client.post("/api/v1/task/999/retry"), 40401, 404)
    error(client.get("/api/v1/task/abc"), 40001, 400, mentions="task_id")
    error(client.get("/api/v1/task/0"), 40001, 400, mentions="task_id")
    error(client.get("/api/v1/nowhere"), 40401, 404)
    error(client.put("/api/v1/task"), 40001, 405)


def test_batch_delete(client: FlaskClient) -> None:
    create(client, **POST, serials=["device_serial_1", "device_serial_2", "device_serial_3"])
    data = ok(client.delete("/api/v1/task/batch", json={"task_ids": [1, 3, 3, 42]}))
    assert data == {"deleted_count": 2, "task_ids": [1, 3], "not_found_ids": [42]}
    assert [t["id"] for t in ok(client.get("/api/v1/task"))["tasks"]] == [2]
    bodies: list[Any] = [
        {"task_ids": []},
        {"task_ids": [0]},
        {"task_ids": ["1"]},
        {"ids": [1]},
        [1],
    ]
    for body in bodies:
        error(client.delete("/api/v1/task/batch", json=body), 40001, 400, mentions="task_ids")


def test_internal_errors_are_50001_envelopes(
    client: FlaskClient, server: ServerState, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(server.service, "stats", broken)
    error(client.get("/api/v1/task/stats"), 50001, 500, mentions="RuntimeError")
