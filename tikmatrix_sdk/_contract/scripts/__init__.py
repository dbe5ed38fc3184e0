"""The scripts the API runs, by name, and the ones TikMatrix does not run through the API."""

from __future__ import annotations

from ._rules import ScriptRules
from .account_warmup import ACCOUNT_WARMUP
from .comment import COMMENT
from .follow import FOLLOW, UNFOLLOW
from .post import POST

__all__ = ["NOT_VIA_API", "SCRIPT_RULES", "ScriptRules"]

#: The scripts the API creates tasks for, by name (the server gives each its steps).
SCRIPT_RULES: dict[str, ScriptRules] = {
    rules.name: rules for rules in (ACCOUNT_WARMUP, COMMENT, FOLLOW, POST, UNFOLLOW)
}

#: Scripts TikMatrix has but does not run through the API yet (code 40003, like unknown names).
NOT_VIA_API = frozenset({"like", "message", "super_marketing", "profile", "scrape_user"})
