"""``comment``: one task per post URL."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..codes import require
from ..options import Option, split_list
from ._rules import ScriptRules

__all__ = ["COMMENT"]

OPTIONS = {
    "target_post_urls": Option("str_list", []),
    "target_post_url": Option("str", ""),
    "comment_content": Option("str", ""),
    "comment_order": Option("str", "random", choices=("random", "sequential")),
    "insert_emoji": Option("bool", False),
    "comment_image_path": Option("str", ""),
}


def _rules(config: Mapping[str, Any]) -> None:
    require(
        bool(split_list(config["target_post_urls"], config["target_post_url"])),
        "script_config.target_post_urls (or target_post_url) is required",
    )
    require(bool(config["comment_content"].strip()), "script_config.comment_content is required")


def _fan_out(config: dict[str, Any]) -> list[dict[str, Any]]:
    urls = split_list(config["target_post_urls"], config["target_post_url"])
    return [{**config, "target_post_urls": [url], "target_post_url": url} for url in urls]


COMMENT = ScriptRules(name="comment", options=OPTIONS, rules=_rules, fan_out=_fan_out)
