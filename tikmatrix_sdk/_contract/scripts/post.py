"""``post``: publish a video or images."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..codes import require
from ..options import Option
from ._rules import ScriptRules

__all__ = ["POST"]

OPTIONS = {
    "content_type": Option("int", 0, choices=(0, 1)),
    "image_count": Option("int", 1, minimum=1),
    "captions": Option("str", ""),
    "post_way": Option("str", "share", choices=("share", "addButton", "useSound")),
    "material_source": Option("str", "materialLibrary", choices=("materialLibrary", "localFolder")),
    "material_path": Option("str", ""),
    "material_list": Option("str_list", []),
    "materials_tags": Option("str", ""),
    "upload_wait_time": Option("int", 30, minimum=0),
    "sound_wait_time": Option("int", 10, minimum=0),
    "add_sound": Option("str_or_int", "-1", choices=("-1", "0", "1", "custom", -1, 0, 1)),
    "sound_name": Option("str", ""),
    "custom_sound_keyword": Option("str", ""),
    "origin_sound_volume": Option("int", 50, minimum=0, maximum=100),
    "add_sound_volume": Option("int", 50, minimum=0, maximum=100),
    "add_product_link": Option("int", 0, choices=(0, 1)),
    "placement": Option("str", "reel", choices=("reel", "story")),
}


def _rules(config: Mapping[str, Any]) -> None:
    if config["material_source"] == "localFolder" and not config["material_list"]:
        require(
            bool(config["material_path"].strip()),
            'script_config.material_path is required when material_source is "localFolder"',
        )
    if config["post_way"] == "useSound":
        require(
            bool(config["sound_name"].strip()),
            'script_config.sound_name is required when post_way is "useSound"',
        )
    if config["add_sound"] == "custom":
        require(
            bool(config["custom_sound_keyword"].strip()),
            'script_config.custom_sound_keyword is required when add_sound is "custom"',
        )
    require(
        all(path.strip() for path in config["material_list"]),
        "script_config.material_list must not hold empty paths",
    )


POST = ScriptRules(name="post", options=OPTIONS, rules=_rules)
