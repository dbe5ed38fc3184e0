"""Mistakes a type checker must catch in code that uses the SDK (checked by ``nox -s typecheck``).

Each line below is wrong and carries the ignore for mypy's error; ``mypy --strict`` reports an
ignore that is not needed, so if the SDK's types ever stopped catching one of these mistakes,
the typecheck session would fail. Nothing here runs.
"""

from __future__ import annotations

from tikmatrix_sdk import CommentConfig, FollowConfig, PostConfig, TikMatrix


def mistakes(client: TikMatrix) -> None:
    """A bare string where a list of names belongs, and a timeout given as text."""
    client.tasks.create(FollowConfig(target_username="@a"), serials="device_1")  # type: ignore[arg-type]
    client.tasks.create(FollowConfig(target_username="@a"), usernames="@me")  # type: ignore[arg-type]
    PostConfig(material_list="C:/v.mp4")  # type: ignore[arg-type]
    FollowConfig(target_users="@a")  # type: ignore[arg-type]
    CommentConfig(target_post_urls="https://x", comment_content="hi")  # type: ignore[arg-type]
    TikMatrix(timeout="5")  # type: ignore[arg-type]
    client.tasks.list(status="completed")  # type: ignore[arg-type]
