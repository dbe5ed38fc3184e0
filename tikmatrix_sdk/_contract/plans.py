"""TikMatrix's license plans: which have API access, and how many devices each drives."""

from __future__ import annotations

from typing import Any

import attrs

from .codes import FORBIDDEN, ContractError, bad_request

__all__ = ["PLANS", "Plan", "check_api_access", "check_device_count", "plan_named"]


@attrs.frozen
class Plan:
    """A TikMatrix license plan."""

    name: str
    api_enabled: bool
    device_limit: int

    def to_json(self) -> dict[str, Any]:
        """The plan as ``license/check`` reports it."""
        return {
            "plan_name": self.name,
            "api_enabled": self.api_enabled,
            "device_limit": self.device_limit,
            "message": "API access enabled"
            if self.api_enabled
            else "API access requires a Pro, Team or Business plan",
        }


#: The plans, by name.
PLANS = {
    plan.name: plan
    for plan in (
        Plan("Starter", False, 5),
        Plan("Pro", True, 20),
        Plan("Team", True, 50),
        Plan("Business", True, 1000),
    )
}


def plan_named(name: str) -> str | None:
    """The plan called ``name`` in any case (``starter`` is Starter), or ``None``."""
    return next((plan for plan in PLANS if plan.lower() == name.lower()), None)


def check_api_access(plan: Plan) -> None:
    """Refuse every API call on a plan without API access (40301, the plan as its data)."""
    if not plan.api_enabled:
        raise ContractError(FORBIDDEN, plan.to_json()["message"], data=plan.to_json())


def check_device_count(plan: Plan, count: int) -> None:
    """Refuse a create that names more devices than the plan drives (40001)."""
    if count > plan.device_limit:
        raise bad_request(
            f"serials: the {plan.name} plan drives at most {plan.device_limit} devices, "
            f"this request names {count}"
        )
