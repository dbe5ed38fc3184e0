"""Bounds of what one control-API request may ask for (shared by the routes and OpenAPI)."""

from __future__ import annotations

from ..domain.faults import MAX_FAULTS

__all__ = [
    "FAULT_METHOD",
    "MAX_ACCOUNTS",
    "MAX_ADVANCE",
    "MAX_DEVICES",
    "MAX_DURATION",
    "MAX_FAULT_CODE",
    "MAX_FAULT_LATENCY",
    "MAX_FAULT_MESSAGE",
    "MAX_FAULT_PATH",
    "MAX_FAULTS",
    "MAX_FAULT_TIMES",
    "MAX_FLEET",
    "MAX_SEQUENCE",
]

#: Devices one ``POST /_control/devices`` may add.
MAX_DEVICES = 1000
#: Devices a server may know in all (the largest plan's device limit).
MAX_FLEET = 1000
#: Accounts one ``POST /_control/accounts`` may add.
MAX_ACCOUNTS = 10_000
#: Seconds a simulated device may take per action.
MAX_DURATION = 3600.0
#: Steps in a simulated device's ``sequence`` of outcomes.
MAX_SEQUENCE = 10_000
#: Seconds one ``POST /_control/clock/advance`` may move a manual clock (ten years).
MAX_ADVANCE = 10 * 366 * 86_400

#: A fault's ``path`` glob, at most this many characters.
MAX_FAULT_PATH = 200
#: A fault's ``method``: an HTTP method's letters, or a glob of them (``*``, ``P*``).
FAULT_METHOD = r"^[A-Za-z*?]{1,10}$"
#: Seconds of latency a fault may add to each call.
MAX_FAULT_LATENCY = 60.0
#: The highest error code a fault may answer (the API's codes have five digits).
MAX_FAULT_CODE = 99_999
#: A fault's ``message``, at most this many characters.
MAX_FAULT_MESSAGE = 500
#: Calls a fault may count down from.
MAX_FAULT_TIMES = 1_000_000
