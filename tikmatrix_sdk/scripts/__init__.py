"""Typed ``script_config`` classes, one per script the API runs.

Each checks its options when built and sends only those set; the server fills in the rest
with TikMatrix's documented defaults. For scripts not listed here, pass ``script_name=`` and a
``script_config=`` mapping to ``tasks.create``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from .._public import say_public
from ._base import CONFIG_CLASSES, ScriptConfig
from .account_warmup import AccountWarmupConfig, ChatGPTSettings
from .comment import CommentConfig
from .follow import FollowConfig, UnfollowConfig
from .post import PostConfig

__all__ = [
    "SCRIPT_CONFIGS",
    "AccountWarmupConfig",
    "ChatGPTSettings",
    "CommentConfig",
    "FollowConfig",
    "PostConfig",
    "ScriptConfig",
    "UnfollowConfig",
]

#: The typed config class of each script the SDK knows, by script name (read-only).
SCRIPT_CONFIGS: Mapping[str, type[ScriptConfig]] = MappingProxyType(CONFIG_CLASSES)


def config_from_dict(script_name: str, data: Mapping[str, Any]) -> ScriptConfig | None:
    """Read a stored ``script_config`` into its typed class; ``None`` for an unknown script."""
    cls = SCRIPT_CONFIGS.get(script_name)
    return None if cls is None else cls.from_dict(data)


say_public(__all__, globals())
