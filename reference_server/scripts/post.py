"""``post``: publish a video or images."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from typing import Any

from tikmatrix_sdk._contract.scripts.post import POST

from ..devices import Device, DeviceError, RunContext
from ._script import Script

__all__ = ["SCRIPT", "expand_spintax"]

Fragments = list[Any]  # strings and nested fragment lists, flattened once at the end


def expand_spintax(text: str, rng: random.Random) -> str:
    """Replace each ``{a|b|c}`` with one of its options, innermost first, in one pass.

    Each group picks its option when it closes and hands the chosen fragments (not a copy) to
    the group around it, so the work is linear in the text however deep the nesting. Braces
    that do not pair up, and ``|`` outside a group, stay as written.
    """
    groups: list[list[Fragments]] = []  # the open groups: each a list of options
    current: Fragments = []  # where text goes now: the top level or an open group's option
    top = current
    start = 0
    for index, char in enumerate(text):
        if char not in "{|}" or (char != "{" and not groups):
            continue
        current.append(text[start:index])
        start = index + 1
        if char == "{":
            current = []
            groups.append([current])
        elif char == "|":
            current = []
            groups[-1].append(current)
        else:
            chosen = rng.choice(groups.pop())
            current = groups[-1][-1] if groups else top
            current.append(chosen)
    current.append(text[start:])
    while groups:  # unclosed groups are literal text, their inner groups expanded
        options = groups.pop()
        literal: Fragments = ["{"]
        for number, option in enumerate(options):
            literal += (["|"] if number else []) + [option]
        (groups[-1][-1] if groups else top).append(literal)
    return "".join(_flatten(top))


def _flatten(fragments: Fragments) -> Iterator[str]:
    stack = [iter(fragments)]
    while stack:
        for item in stack[-1]:
            if isinstance(item, str):
                yield item
            else:
                stack.append(iter(item))
                break
        else:
            stack.pop()


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


SCRIPT = Script(POST, _run)
