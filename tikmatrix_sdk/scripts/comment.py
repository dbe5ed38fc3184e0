"""``comment``: comment on posts, one task per post URL."""

from __future__ import annotations

from typing import ClassVar, Literal

import attrs

from .._types import SequenceNotStr
from ._base import ScriptConfig, boolean, choice, list_option, option, require, split_targets, text

__all__ = ["CommentConfig"]


@attrs.frozen(kw_only=True)
class CommentConfig(ScriptConfig):
    """Configuration of the ``comment`` script: one task per post URL and device.

    - ``target_post_urls``: the posts; or ``target_post_url``, URLs separated by newlines or
      commas.
    - ``comment_content`` (required): comments, one per line; ``comment_order`` ``"random"``
      (default) or ``"sequential"`` picks one per task.
    - ``insert_emoji``: add a random emoji (false). ``comment_image_path``: an image to attach,
      TikTok only (``""``).
    """

    script_name: ClassVar[str] = "comment"

    target_post_urls: SequenceNotStr[str] | None = list_option()
    target_post_url: str | None = option("", text())
    comment_content: str | None = option("", text())
    comment_order: Literal["random", "sequential"] | None = option(
        "random", choice("random", "sequential")
    )
    insert_emoji: bool | None = option(False, boolean())
    comment_image_path: str | None = option("", text())

    def __attrs_post_init__(self) -> None:
        require(
            bool(self.targets()),
            "target_post_urls",
            "give the posts as target_post_urls (a list) or target_post_url "
            "(URLs separated by newlines or commas)",
        )
        require(
            bool(self.comment_content and self.comment_content.strip()),
            "comment_content",
            "comment_content is required: one comment per line",
        )

    def targets(self) -> list[str]:
        """The post URLs the server makes one task each for."""
        return split_targets(self.target_post_urls, self.target_post_url)

    def comments(self) -> list[str]:
        """The comments to choose from, one per line of ``comment_content``."""
        return [line.strip() for line in (self.comment_content or "").splitlines() if line.strip()]
