"""The scripts the API runs, by name, and the ones TikMatrix does not run through the API."""

from __future__ import annotations

from ._script import Script
from .account_warmup import SCRIPT as ACCOUNT_WARMUP
from .comment import SCRIPT as COMMENT
from .follow import FOLLOW, UNFOLLOW
from .post import SCRIPT as POST

__all__ = ["NOT_VIA_API", "SCRIPTS", "Script"]

#: Scripts the API creates tasks for.
SCRIPTS: dict[str, Script] = {
    script.name: script for script in (POST, FOLLOW, UNFOLLOW, COMMENT, ACCOUNT_WARMUP)
}

#: Scripts TikMatrix has but does not run through the API yet (code 40003, like unknown names).
NOT_VIA_API = frozenset({"like", "message", "super_marketing", "profile", "scrape_user"})
