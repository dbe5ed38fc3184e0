"""Typed script configs: every documented option's checks, defaults and wire form."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from tikmatrix_sdk import (
    SCRIPT_CONFIGS,
    AccountWarmupConfig,
    ChatGPTSettings,
    ClientValidationError,
    CommentConfig,
    FollowConfig,
    PostConfig,
    ScriptConfig,
    UnfollowConfig,
)
from tikmatrix_sdk.scripts import config_from_dict

FOLLOW: dict[str, Any] = {"target_users": ["@a"]}
COMMENT: dict[str, Any] = {
    "target_post_url": "https://www.tiktok.com/@u/video/1",
    "comment_content": "Nice",
}

# (class, required options, option, bad value) — each bad value must be refused, naming the option.
BAD_VALUES: list[tuple[type[ScriptConfig], dict[str, Any], str, Any]] = [
    (PostConfig, {}, "content_type", 2),
    (PostConfig, {}, "content_type", True),
    (PostConfig, {}, "content_type", "0"),
    (PostConfig, {}, "image_count", 0),
    (PostConfig, {}, "image_count", 1.5),
    (PostConfig, {}, "captions", 5),
    (PostConfig, {}, "post_way", "upload"),
    (PostConfig, {}, "material_source", "cloud"),
    (PostConfig, {}, "material_path", ["C:/x"]),
    (PostConfig, {}, "material_list", "C:/Videos/1.mp4"),
    (PostConfig, {}, "material_list", ["C:/ok.mp4", ""]),
    (PostConfig, {}, "material_list", [1]),
    (PostConfig, {}, "material_list", 3),
    (PostConfig, {}, "materials_tags", ["a"]),
    (PostConfig, {}, "upload_wait_time", -1),
    (PostConfig, {}, "upload_wait_time", "60"),
    (PostConfig, {}, "sound_wait_time", -5),
    (PostConfig, {}, "add_sound", "2"),
    (PostConfig, {}, "add_sound", 2),
    (PostConfig, {}, "add_sound", True),
    (PostConfig, {}, "sound_name", 1),
    (PostConfig, {}, "custom_sound_keyword", 1),
    (PostConfig, {}, "origin_sound_volume", 101),
    (PostConfig, {}, "origin_sound_volume", -1),
    (PostConfig, {}, "add_sound_volume", 100.5),
    (PostConfig, {}, "add_product_link", 2),
    (PostConfig, {}, "add_product_link", False),
    (PostConfig, {}, "placement", "feed"),
    (FollowConfig, FOLLOW, "target_users", "@a"),
    (FollowConfig, FOLLOW, "target_users", ["@a", " "]),
    (FollowConfig, FOLLOW, "target_user", ["@a"]),
    (FollowConfig, FOLLOW, "target_username", 7),
    (FollowConfig, FOLLOW, "access_method", "url"),
    (UnfollowConfig, FOLLOW, "access_method", "DIRECT"),
    (CommentConfig, COMMENT, "target_post_urls", "https://x"),
    (CommentConfig, COMMENT, "target_post_url", ["https://x"]),
    (CommentConfig, COMMENT, "comment_content", 3),
    (CommentConfig, COMMENT, "comment_order", "shuffle"),
    (CommentConfig, COMMENT, "insert_emoji", 1),
    (CommentConfig, COMMENT, "insert_emoji", "true"),
    (CommentConfig, COMMENT, "comment_image_path", 1),
    (AccountWarmupConfig, {}, "task_duration", -1),
    (AccountWarmupConfig, {}, "task_duration", "600"),
    (AccountWarmupConfig, {}, "topic", ["cats"]),
    (AccountWarmupConfig, {}, "min_duration", -0.5),
    (AccountWarmupConfig, {}, "max_duration", True),
    (AccountWarmupConfig, {}, "like_probable", 101),
    (AccountWarmupConfig, {}, "floow_probable", -1),
    (AccountWarmupConfig, {}, "collect_probable", 100.1),
    (AccountWarmupConfig, {}, "comment_probable", "10"),
    (AccountWarmupConfig, {}, "comment", 1),
    (AccountWarmupConfig, {}, "insert_emoji", 0),
    (AccountWarmupConfig, {}, "comment_order", "by-likes"),
    (AccountWarmupConfig, {}, "generate_by_chatgpt", "yes"),
    (AccountWarmupConfig, {}, "chatgpt_settings", "sk-123"),
]


@pytest.mark.parametrize(("cls", "required", "name", "value"), BAD_VALUES)
def test_bad_values_are_refused_naming_the_option(
    cls: type[ScriptConfig], required: dict[str, Any], name: str, value: Any
) -> None:
    with pytest.raises(ClientValidationError) as caught:
        cls(**{**required, name: value})
    assert caught.value.field == name
    assert str(caught.value).startswith(name)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"material_source": "localFolder"}, "material_path"),
        ({"material_source": "localFolder", "material_path": "  "}, "material_path"),
        ({"post_way": "useSound"}, "sound_name"),
        ({"add_sound": "custom"}, "custom_sound_keyword"),
    ],
)
def test_post_cross_field_rules(options: dict[str, Any], field: str) -> None:
    with pytest.raises(ClientValidationError) as caught:
        PostConfig(**options)
    assert caught.value.field == field


def test_post_cross_field_rules_satisfied() -> None:
    PostConfig(material_source="localFolder", material_path="C:/Videos")
    PostConfig(material_source="localFolder", material_list=["C:/v.mp4"])
    PostConfig(post_way="useSound", sound_name="https://www.tiktok.com/music/x-1")
    PostConfig(add_sound="custom", custom_sound_keyword="dance")
    for value in ("-1", "0", "1", -1, 0, 1):
        assert PostConfig(add_sound=value).add_sound == value


def test_post_sends_only_what_was_set() -> None:
    config = PostConfig(
        content_type=0, captions="{Hi|Hello} #fyp", material_list=("a.mp4", "b.mp4"), extra={"x": 1}
    )
    assert config.material_list == ("a.mp4", "b.mp4")
    assert config.to_dict() == {
        "content_type": 0,
        "captions": "{Hi|Hello} #fyp",
        "material_list": ["a.mp4", "b.mp4"],
        "x": 1,
    }
    assert PostConfig().to_dict() == {}
    assert PostConfig(upload_wait_time=30).to_dict() == {"upload_wait_time": 30}


def test_defaults_and_resolved() -> None:
    assert PostConfig.defaults() == {
        "content_type": 0,
        "image_count": 1,
        "captions": "",
        "post_way": "share",
        "material_source": "materialLibrary",
        "material_path": "",
        "material_list": [],
        "materials_tags": "",
        "upload_wait_time": 30,
        "sound_wait_time": 10,
        "add_sound": "-1",
        "sound_name": "",
        "custom_sound_keyword": "",
        "origin_sound_volume": 50,
        "add_sound_volume": 50,
        "add_product_link": 0,
        "placement": "reel",
    }
    resolved = PostConfig(upload_wait_time=60).resolved()
    assert resolved["upload_wait_time"] == 60
    assert resolved["sound_wait_time"] == 10
    assert FollowConfig.defaults()["access_method"] == "direct"
    assert CommentConfig.defaults()["comment_order"] == "random"
    assert AccountWarmupConfig.defaults()["task_duration"] == 600
    assert AccountWarmupConfig.defaults()["floow_probable"] == 0
    assert ChatGPTSettings.defaults()["temperature"] == 0.7


def test_configs_are_frozen_and_carry_their_script_name() -> None:
    config = PostConfig(captions="x")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        config.captions = "y"  # type: ignore[misc]
    assert {name: cls.script_name for name, cls in SCRIPT_CONFIGS.items()} == {
        "post": "post",
        "follow": "follow",
        "unfollow": "unfollow",
        "comment": "comment",
        "account_warmup": "account_warmup",
    }


@pytest.mark.parametrize("cls", [FollowConfig, UnfollowConfig])
def test_follow_targets(cls: type[FollowConfig]) -> None:
    assert cls(target_users=["@a", "@b"], target_user="@c").targets() == ["@a", "@b"]
    assert cls(target_user="@a,\n@b , ,@c\n").targets() == ["@a", "@b", "@c"]
    assert cls(target_username="@solo").targets() == ["@solo"]
    assert cls(target_users=[], target_username="@solo").targets() == ["@solo"]
    with pytest.raises(ClientValidationError) as caught:
        cls()
    assert caught.value.field == "target_users"
    with pytest.raises(ClientValidationError):
        cls(target_user=" , \n")
    assert cls(target_users=["@a"], access_method="search").to_dict() == {
        "target_users": ["@a"],
        "access_method": "search",
    }


def test_comment_rules() -> None:
    config = CommentConfig(
        target_post_urls=["https://a", "https://b"],
        comment_content="Great!\n\nLove it",
        comment_order="sequential",
        insert_emoji=True,
        comment_image_path="C:/img.jpg",
    )
    assert config.targets() == ["https://a", "https://b"]
    assert config.comments() == ["Great!", "Love it"]
    assert CommentConfig(**COMMENT).targets() == ["https://www.tiktok.com/@u/video/1"]
    with pytest.raises(ClientValidationError) as caught:
        CommentConfig(comment_content="x")
    assert caught.value.field == "target_post_urls"
    for content in (None, "", "  \n "):
        with pytest.raises(ClientValidationError) as caught:
            CommentConfig(target_post_url="https://a", comment_content=content)
        assert caught.value.field == "comment_content"


def test_warmup_rules_and_chatgpt_settings() -> None:
    config = AccountWarmupConfig(
        task_duration=900.5,
        min_duration=10,
        max_duration=10,
        like_probable=12.5,
        generate_by_chatgpt=True,
        chatgpt_settings={"api_key": "sk-1", "model": "gpt-4", "temperature": 2, "seed": 7},  # type: ignore[arg-type]
    )
    assert isinstance(config.chatgpt_settings, ChatGPTSettings)
    assert config.chatgpt_settings.extra == {"seed": 7}
    assert config.to_dict()["chatgpt_settings"] == {
        "api_key": "sk-1",
        "model": "gpt-4",
        "temperature": 2,
        "seed": 7,
    }
    with pytest.raises(ClientValidationError) as caught:
        AccountWarmupConfig(min_duration=31, max_duration=30)
    assert caught.value.field == "min_duration"
    with pytest.raises(ClientValidationError) as caught:
        AccountWarmupConfig(generate_by_chatgpt=True)
    assert caught.value.field == "chatgpt_settings"
    AccountWarmupConfig(generate_by_chatgpt=False)


def test_generating_comments_needs_a_non_blank_api_key() -> None:
    # As the server rules: an empty api_key is the documented default, refused only when
    # ChatGPT is to write the comments.
    AccountWarmupConfig(chatgpt_settings=ChatGPTSettings(api_key=""))
    for key in ("", "   "):
        with pytest.raises(ClientValidationError) as caught:
            AccountWarmupConfig(
                generate_by_chatgpt=True, chatgpt_settings=ChatGPTSettings(api_key=key)
            )
        assert caught.value.field == "chatgpt_settings"


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"api_key": 5}, "api_key"),
        ({"model": 5}, "model"),
        ({"api_key": "k", "model": None, "max_tokens": 1.5}, "max_tokens"),
        ({"api_key": "k", "max_tokens": 0}, "max_tokens"),
        ({"api_key": "k", "temperature": 2.1}, "temperature"),
        ({"api_key": "k", "temperature": -0.1}, "temperature"),
        ({"api_key": "k", "base_url": 1}, "base_url"),
        ({"api_key": "k", "prompt": None, "max_tokens": True}, "max_tokens"),
    ],
)
def test_chatgpt_settings_checks(options: dict[str, Any], field: str) -> None:
    with pytest.raises(ClientValidationError) as caught:
        ChatGPTSettings(**options)
    assert caught.value.field == field


def test_from_dict_round_trips_and_keeps_unknown_keys() -> None:
    stored = {"content_type": 1, "image_count": 5, "captions": "x", "future_option": True}
    config = config_from_dict("post", stored)
    assert isinstance(config, PostConfig)
    assert config.image_count == 5
    assert config.extra == {"future_option": True}
    assert config.to_dict() == stored
    assert config_from_dict("like", {"a": 1}) is None
    with pytest.raises(ClientValidationError) as caught:
        config_from_dict("post", {"content_type": 9})
    assert caught.value.field == "content_type"


def test_all_documented_scripts_round_trip() -> None:
    samples: dict[str, dict[str, Any]] = {
        "follow": {"target_user": "@a\n@b", "access_method": "search"},
        "unfollow": {"target_username": "@old"},
        "comment": {**COMMENT, "comment_order": "sequential"},
        "account_warmup": {"topic": "cats\ndogs", "comment_probable": 15, "insert_emoji": True},
    }
    for name, stored in samples.items():
        config = config_from_dict(name, stored)
        assert config is not None
        assert config.to_dict() == stored
        assert type(config) is SCRIPT_CONFIGS[name]


def test_a_configs_repr_shows_what_was_set() -> None:
    """#34, item 11: ``repr(PostConfig(captions="x"))`` showed sixteen ``None``."""
    from tikmatrix_sdk import FollowConfig, PostConfig

    assert repr(PostConfig(captions="x")) == "PostConfig(captions='x')"
    assert repr(FollowConfig.from_dict({"target_users": ["@a"], "new": 1})) == (
        "FollowConfig(target_users=('@a',), extra={'new': 1})"
    )
