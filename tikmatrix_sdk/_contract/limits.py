"""Every number, size and count a request may ask for, and the values an enum may take.

The server refuses anything outside these (40001, naming the field), never clamps it; the mock
refuses it alike; the OpenAPI document and ``docs/contract.md`` print them.
"""

from __future__ import annotations

__all__ = [
    "MAX_BODY",
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_TTL",
    "MAX_ACCOUNT_STATUS",
    "MAX_ADB_TIMEOUT_MS",
    "MAX_ADB_WORD",
    "MAX_ADB_WORDS",
    "MAX_CUSTOM_CONFIG_BYTES",
    "MAX_INTERVAL_MINUTES",
    "MAX_LABEL",
    "MAX_METHOD_TIMEOUT",
    "MAX_PAGE",
    "MAX_PAGE_SIZE",
    "MAX_PARAMS",
    "MAX_SCRIPT_TIMEOUT",
    "MAX_SERIAL",
    "MAX_SESSION_ID",
    "MAX_STORED_BYTES",
    "MAX_TASKS_PER_REQUEST",
    "MAX_TASK_ID",
    "MAX_TTL",
    "MAX_UNKNOWN_BYTES",
    "SOURCES",
]

#: The largest request body taken, in bytes (HTTP 413 beyond).
MAX_BODY = 1024 * 1024
#: A list request's largest page size, and the size it gets when it names none.
MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE = 100, 20
#: The highest page number a list request may ask for (pages past the last are empty).
MAX_PAGE = 1_000_000
#: Task ids are SQLite row ids: positive signed 64-bit integers.
MAX_TASK_ID = 2**63 - 1
#: The longest wait, in minutes, between two tasks of one request on one device (a day).
MAX_INTERVAL_MINUTES = 1440
#: The most tasks one create request may make, after fan-out.
MAX_TASKS_PER_REQUEST = 10_000
#: The most bytes of task configuration one create may store, after fan-out.
MAX_STORED_BYTES = 16 * 1024 * 1024
#: The most bytes of JSON a config's unknown keys may hold (kept as given, in every task).
MAX_UNKNOWN_BYTES = 16_384
#: The most bytes of JSON a custom script's config may hold: it travels in the command's
#: environment, which the system bounds.
MAX_CUSTOM_CONFIG_BYTES = 65_536
#: The longest a custom script's task may run, in seconds (its lease on the device lasts as
#: long).
MAX_SCRIPT_TIMEOUT = 86_400.0
#: The largest account status (a 32-bit value, as TikMatrix stores it).
MAX_ACCOUNT_STATUS = 2**31 - 1
#: Where a task came from: TikMatrix's own window, or this API.
SOURCES = ("ui", "api")

# -- the device API ---------------------------------------------------------------------------

#: A lease's time to live, in seconds, when none is asked for, and the longest one may ask for.
DEFAULT_TTL, MAX_TTL = 120.0, 600.0
#: The longest lease label, device serial and lease id (``x-session-id``), in characters.
MAX_LABEL, MAX_SERIAL, MAX_SESSION_ID = 100, 200, 128
#: A uiautomator2 call's most params, and its longest timeout in seconds.
MAX_PARAMS, MAX_METHOD_TIMEOUT = 32, 120.0
#: An adb call's most words, its longest word, and its longest timeout in milliseconds.
MAX_ADB_WORDS, MAX_ADB_WORD, MAX_ADB_TIMEOUT_MS = 64, 4096, 600_000
