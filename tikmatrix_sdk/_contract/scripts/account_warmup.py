"""``account_warmup``: browse like a person for a while."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..codes import require
from ..options import Option, validate_options
from ._rules import ScriptRules

__all__ = ["ACCOUNT_WARMUP", "CHATGPT_OPTIONS"]

OPTIONS = {
    "task_duration": Option("number", 600, minimum=0),
    "topic": Option("str", ""),
    "min_duration": Option("number", 15, minimum=0),
    "max_duration": Option("number", 30, minimum=0),
    "like_probable": Option("number", 0, minimum=0, maximum=100),
    "floow_probable": Option("number", 0, minimum=0, maximum=100),
    "collect_probable": Option("number", 0, minimum=0, maximum=100),
    "comment_probable": Option("number", 0, minimum=0, maximum=100),
    "comment": Option("str", ""),
    "insert_emoji": Option("bool", False),
    "comment_order": Option("str", "random", choices=("random", "sequential")),
    "generate_by_chatgpt": Option("bool", False),
    "chatgpt_settings": Option("object", {}),
}
#: The options of ``chatgpt_settings``, an object inside the config.
CHATGPT_OPTIONS = {
    "api_key": Option("str", ""),
    "model": Option("str", "gpt-3.5-turbo"),
    "prompt": Option("str", ""),
    "max_tokens": Option("int", 100, minimum=1),
    "temperature": Option("number", 0.7, minimum=0, maximum=2),
    "base_url": Option("str", ""),
}


def _rules(config: Mapping[str, Any]) -> None:
    require(
        config["min_duration"] <= config["max_duration"],
        "script_config.min_duration must not exceed script_config.max_duration",
    )
    if config["generate_by_chatgpt"]:
        settings = config["chatgpt_settings"]
        require(
            bool(str(settings.get("api_key", "")).strip()),
            "script_config.chatgpt_settings.api_key is required when generate_by_chatgpt is true",
        )
    if config["chatgpt_settings"]:
        validate_options(
            CHATGPT_OPTIONS, config["chatgpt_settings"], prefix="script_config.chatgpt_settings."
        )


ACCOUNT_WARMUP = ScriptRules(name="account_warmup", options=OPTIONS, rules=_rules)
