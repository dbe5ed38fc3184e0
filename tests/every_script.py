"""One task of every script the reference server runs, valid on every kind of device."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from reference_server.scripts import SCRIPTS
from tikmatrix_sdk import (
    AccountWarmupConfig,
    CommentConfig,
    FollowConfig,
    PostConfig,
    ScriptConfig,
    UnfollowConfig,
)

__all__ = ["ACTIONS", "every_script"]


#: What a device records for each script: a virtual phone's warm-up is the videos it watched.
ACTIONS = {
    "post": "post",
    "follow": "follow",
    "unfollow": "unfollow",
    "comment": "comment",
    "account_warmup": "account_warmup|watch",
}


def every_script(folder: Path) -> list[ScriptConfig]:
    """A config of each script, in the order a user meets them; a post's video in ``folder``.

    The follow and unfollow name a user no phone follows yet, so each does something.
    """
    user = f"@user_{uuid.uuid4().hex[:8]}"
    video = folder / "clip.mp4"
    if not video.exists():
        video.write_bytes(os.urandom(4096))
    configs: list[ScriptConfig] = [
        PostConfig(captions="Hello #fyp", material_list=[str(video)], upload_wait_time=0),
        FollowConfig(target_username=user),
        UnfollowConfig(target_username=user),
        CommentConfig(
            target_post_url="https://www.tiktok.com/@nasa/video/1", comment_content="Nice!"
        ),
        AccountWarmupConfig(task_duration=1, min_duration=0.1, max_duration=0.2),
    ]
    assert sorted(c.script_name for c in configs) == sorted(SCRIPTS)  # a new script joins here
    return configs
