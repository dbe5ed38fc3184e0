"""``post``: publish a video or images to TikTok or Instagram."""

from __future__ import annotations

from typing import ClassVar, Literal

import attrs

from .._types import SequenceNotStr
from ._base import ScriptConfig, choice, integer, list_option, option, require, text

__all__ = ["PostConfig"]


@attrs.frozen(kw_only=True)
class PostConfig(ScriptConfig):
    """Configuration of the ``post`` script. Unset options take the server's defaults.

    Common to TikTok and Instagram:

    - ``content_type``: ``0`` video (default) or ``1`` images; ``image_count`` images (1).
    - ``captions``: caption text, spintax ``{a|b|c}`` allowed (``""``).
    - ``post_way``: ``"share"`` (default), ``"addButton"`` or ``"useSound"`` (needs
      ``sound_name``).
    - ``material_list``: file paths to post, the simplest way from the API (``[]``); without it,
      ``material_source`` ``"materialLibrary"`` (default, filtered by ``materials_tags``) or
      ``"localFolder"`` (needs ``material_path``).
    - ``upload_wait_time`` (30) and ``sound_wait_time`` (10): seconds to wait.
    - ``add_sound``: ``"-1"`` default, ``"0"`` off, ``"1"`` on, ``"custom"`` (needs
      ``custom_sound_keyword``); ``origin_sound_volume`` and ``add_sound_volume``: 0 to 100 (50).

    TikTok only: ``add_product_link`` ``0``/``1`` (0). Instagram only: ``placement`` ``"reel"``
    (default) or ``"story"``.
    """

    script_name: ClassVar[str] = "post"

    content_type: Literal[0, 1] | None = option(0, integer(), choice(0, 1))
    image_count: int | None = option(1, integer(minimum=1))
    captions: str | None = option("", text())
    post_way: Literal["share", "addButton", "useSound"] | None = option(
        "share", choice("share", "addButton", "useSound")
    )
    material_source: Literal["materialLibrary", "localFolder"] | None = option(
        "materialLibrary", choice("materialLibrary", "localFolder")
    )
    material_path: str | None = option("", text())
    material_list: SequenceNotStr[str] | None = list_option()
    materials_tags: str | None = option("", text())
    upload_wait_time: int | None = option(30, integer(minimum=0))
    sound_wait_time: int | None = option(10, integer(minimum=0))
    add_sound: Literal["-1", "0", "1", "custom", -1, 0, 1] | None = option(
        "-1", choice("-1", "0", "1", "custom", -1, 0, 1)
    )
    sound_name: str | None = option("", text())
    custom_sound_keyword: str | None = option("", text())
    origin_sound_volume: int | None = option(50, integer(0, 100))
    add_sound_volume: int | None = option(50, integer(0, 100))
    add_product_link: Literal[0, 1] | None = option(0, integer(), choice(0, 1))
    placement: Literal["reel", "story"] | None = option("reel", choice("reel", "story"))

    def __attrs_post_init__(self) -> None:
        if self.material_source == "localFolder" and not self.material_list:
            require(
                bool(self.material_path and self.material_path.strip()),
                "material_path",
                'material_path is required when material_source is "localFolder" '
                "and no material_list is given",
            )
        if self.post_way == "useSound":
            require(
                bool(self.sound_name and self.sound_name.strip()),
                "sound_name",
                'sound_name is required when post_way is "useSound"',
            )
        if self.add_sound == "custom":
            require(
                bool(self.custom_sound_keyword and self.custom_sound_keyword.strip()),
                "custom_sound_keyword",
                'custom_sound_keyword is required when add_sound is "custom"',
            )
