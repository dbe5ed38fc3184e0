"""``follow`` and ``unfollow``: follow or unfollow users, one task per target user."""

from __future__ import annotations

from typing import ClassVar, Literal

import attrs

from .._types import SequenceNotStr
from ._base import ScriptConfig, choice, list_option, option, require, split_targets, text

__all__ = ["FollowConfig", "UnfollowConfig"]


@attrs.frozen(kw_only=True)
class _TargetUsersConfig(ScriptConfig):
    """Targets and navigation shared by ``follow`` and ``unfollow``."""

    target_users: SequenceNotStr[str] | None = list_option()
    target_user: str | None = option("", text())
    target_username: str | None = option("", text())
    access_method: Literal["direct", "search"] | None = option("direct", choice("direct", "search"))

    def __attrs_post_init__(self) -> None:
        require(
            bool(self.targets()),
            "target_users",
            "give the users as target_users (a list), target_user (names separated by "
            "newlines or commas) or target_username",
        )

    def targets(self) -> list[str]:
        """The users the server makes one task each for.

        ``target_users`` wins, then ``target_user`` split on newlines and commas, then
        ``target_username``.
        """
        return split_targets(self.target_users, self.target_user, self.target_username)


@attrs.frozen(kw_only=True)
class FollowConfig(_TargetUsersConfig):
    """Configuration of the ``follow`` script: one task per target user and device.

    - ``target_users``: the users to follow; or ``target_user``, one string of names separated
      by newlines or commas; or ``target_username``, one user.
    - ``access_method``: ``"direct"`` (default: open the profile URL) or ``"search"``.
    """

    script_name: ClassVar[str] = "follow"


@attrs.frozen(kw_only=True)
class UnfollowConfig(_TargetUsersConfig):
    """Configuration of the ``unfollow`` script; the options are those of :class:`FollowConfig`."""

    script_name: ClassVar[str] = "unfollow"
