"""Bounds of what one control-API request may ask for (shared by the routes and OpenAPI)."""

from __future__ import annotations

__all__ = ["MAX_ACCOUNTS", "MAX_ADVANCE", "MAX_DEVICES", "MAX_DURATION", "MAX_SEQUENCE"]

#: Devices one ``POST /_control/devices`` may add.
MAX_DEVICES = 1000
#: Accounts one ``POST /_control/accounts`` may add.
MAX_ACCOUNTS = 10_000
#: Seconds a simulated device may take per action.
MAX_DURATION = 3600.0
#: Steps in a simulated device's ``sequence`` of outcomes.
MAX_SEQUENCE = 10_000
#: Seconds one ``POST /_control/clock/advance`` may move a manual clock (ten years).
MAX_ADVANCE = 10 * 366 * 86_400
