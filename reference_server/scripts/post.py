"""``post``: publish a video or images."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from typing import Any

from ..devices import Device, DeviceError, RunContext
from ._options import Option, require
from ._script import Script

__all__ = ["SCRIPT", "expand_spintax"]

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

_SPIN = re.compile(r"\{([^{}]*)\}")


def expand_spintax(text: str, rng: random.Random) -> str:
    """Replace each ``{a|b|c}`` (innermost first) with one of its options."""
    while True:
        expanded = _SPIN.sub(lambda match: rng.choice(match.group(1).split("|")), text)
        if expanded == text:
            return expanded
        text = expanded


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


def _media(config: Mapping[str, Any]) -> list[str]:
    if config["material_list"]:
        return list(config["material_list"])
    if config["material_source"] == "localFolder":
        return [config["material_path"]]
    return [f"library:{config['materials_tags'] or 'any'}"]


def _run(device: Device, config: Mapping[str, Any], ctx: RunContext) -> str:
    media = _media(config)
    if config["content_type"] == 1 and config["material_list"]:
        media = media[: config["image_count"]]
    if not media:
        raise DeviceError("no material to post")
    caption = expand_spintax(config["captions"], ctx.rng)
    return device.post(ctx, caption=caption, media=media, options=config)


SCRIPT = Script(name="post", options=OPTIONS, rules=_rules, run=_run)
