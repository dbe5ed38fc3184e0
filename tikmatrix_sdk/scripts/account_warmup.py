"""``account_warmup``: watch, like, follow and comment like a person, to warm an account up."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import attrs

from ._base import Options, ScriptConfig, boolean, choice, integer, number, option, require, text

__all__ = ["AccountWarmupConfig", "ChatGPTSettings"]


@attrs.frozen(kw_only=True)
class ChatGPTSettings(Options):
    """How ``account_warmup`` asks ChatGPT (or a compatible API) to write its comments.

    ``api_key`` (required when ``generate_by_chatgpt`` is on), ``model``
    (``"gpt-3.5-turbo"``), ``prompt``, ``max_tokens`` (100), ``temperature`` 0 to 2 (0.7) and
    ``base_url`` (for Azure or compatible endpoints).
    """

    api_key: str | None = option("", text())
    model: str | None = option("gpt-3.5-turbo", text())
    prompt: str | None = option("", text())
    max_tokens: int | None = option(100, integer(minimum=1))
    temperature: float | None = option(0.7, number(0, 2))
    base_url: str | None = option("", text())


def _settings(value: Any) -> Any:
    if isinstance(value, Mapping):
        return ChatGPTSettings.from_dict(value)
    return value


def _is_settings(name: str, value: Any) -> None:
    require(
        isinstance(value, ChatGPTSettings),
        name,
        f"{name} must be ChatGPTSettings or a mapping, got {value!r}",
    )


def _probability(default: float = 0) -> Any:
    return option(default, number(0, 100))


@attrs.frozen(kw_only=True)
class AccountWarmupConfig(ScriptConfig):
    """Configuration of the ``account_warmup`` script.

    - ``task_duration``: seconds the session lasts (600); ``topic``: search topics, one per
      line (``""``); ``min_duration``/``max_duration``: seconds to watch a video (15/30).
    - ``like_probable``, ``floow_probable`` (sic: TikMatrix's name for following),
      ``collect_probable``, ``comment_probable``: percentages 0 to 100 (0).
    - ``comment``: comment templates, one per line; ``insert_emoji`` (false);
      ``comment_order`` ``"random"`` (default) or ``"sequential"``.
    - ``generate_by_chatgpt`` (false) with ``chatgpt_settings``: let ChatGPT write comments.
    """

    script_name: ClassVar[str] = "account_warmup"

    task_duration: float | None = option(600, number(minimum=0))
    topic: str | None = option("", text())
    min_duration: float | None = option(15, number(minimum=0))
    max_duration: float | None = option(30, number(minimum=0))
    like_probable: float | None = _probability()
    floow_probable: float | None = _probability()
    collect_probable: float | None = _probability()
    comment_probable: float | None = _probability()
    comment: str | None = option("", text())
    insert_emoji: bool | None = option(False, boolean())
    comment_order: Literal["random", "sequential"] | None = option(
        "random", choice("random", "sequential")
    )
    generate_by_chatgpt: bool | None = option(False, boolean())
    chatgpt_settings: ChatGPTSettings | None = option({}, _is_settings, converter=_settings)

    def __attrs_post_init__(self) -> None:
        effective = self.resolved()  # the rule holds between the values the server will use
        low, high = effective["min_duration"], effective["max_duration"]
        require(
            low <= high,
            "min_duration",
            f"min_duration ({low}) must not exceed max_duration ({high})",
        )
        if self.generate_by_chatgpt:
            key = self.chatgpt_settings.api_key if self.chatgpt_settings is not None else None
            require(
                bool(key and key.strip()),
                "chatgpt_settings",
                "chatgpt_settings with an api_key is required when generate_by_chatgpt is true",
            )
