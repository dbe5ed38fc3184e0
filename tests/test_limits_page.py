"""The limits page states the bounds the server applies: each number is read from its constant.

The page is written for people, so its numbers are copies; this test holds each copy to the
constant the server checks against, so that a bound cannot change without the page.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reference_server.android.app_commands import MAX_SESSION_BYTES, MAX_SESSIONS
from reference_server.android.described_apps import (
    MAX_APP_BYTES,
    MAX_COORDINATE,
    MAX_SCREENS,
    MAX_TEXT,
    MAX_WIDGETS,
)
from reference_server.android.packages import MAX_ENTRIES, MAX_INFLATED
from reference_server.android.system import MAX_FILE, MAX_HISTORY, MAX_JOBS
from reference_server.android.text_tools import MAX_AWK_PROGRAM, MAX_PRINTF_WIDTH, MAX_TEST_WORDS
from reference_server.devices.adb import MAX_SHELL_OUTPUT
from reference_server.http import control_limits as limits
from tikmatrix_sdk._contract.limits import (
    MAX_SERIAL,
    MAX_STORED_BYTES,
    MAX_TASKS_PER_REQUEST,
    MAX_UNKNOWN_BYTES,
)
from tikmatrix_sdk._contract.patterns import MAX_PATTERN
from tikmatrix_sdk._contract.records import MAX_RECORDS
from tikmatrix_sdk._deadline import DEFAULT_MAX_RESPONSE_BYTES

PAGE = Path(__file__).resolve().parent.parent / "docs" / "server" / "limits.md"
TEXT = " ".join(PAGE.read_text(encoding="utf-8").split())  # lines joined, as a reader sees them


def _size(count: int) -> str:
    for unit, size in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if count % size == 0:
            return f"{count // size} {unit}"
    return f"{count:,} bytes"


@pytest.mark.parametrize(
    "stated",
    [
        f"| {MAX_TASKS_PER_REQUEST:,} |",
        f"| {_size(MAX_STORED_BYTES)} |",
        f"| {_size(MAX_UNKNOWN_BYTES)} of JSON together |",
        f"at {_size(MAX_SHELL_OUTPUT)} of output",
        f"| {MAX_PATTERN} characters, RE2's syntax",
        f"{limits.MAX_DEVICES:,} devices and {limits.MAX_ACCOUNTS:,} accounts per request",
        f"{limits.MAX_FLEET:,} devices in all, serials of up to {MAX_SERIAL} characters",
        f"a fault's `path` of up to {limits.MAX_FAULT_PATH} characters",
        f"`message` of up to {limits.MAX_FAULT_MESSAGE} characters",
        f"`code` up to {limits.MAX_FAULT_CODE:,}",
        f"`times` up to {limits.MAX_FAULT_TIMES:,}",
        f"at most {limits.MAX_FAULTS} faults in force",
        f"in serials, up to their {MAX_SERIAL} characters",
        f"a name, never a path: 1 to {MAX_SERIAL} characters",
        f"`max_response_bytes` ({_size(DEFAULT_MAX_RESPONSE_BYTES)} by default)",
        f"its file (or what is streamed) at most {_size(MAX_SESSION_BYTES)}, and {MAX_SESSIONS} "
        f"install sessions open at once; at most {MAX_ENTRIES:,} entries",
        f"inflated as a stream, up to {_size(MAX_INFLATED)}",
        f"| {MAX_JOBS} at once per phone;",
        f"`printf` fields up to {MAX_PRINTF_WIDTH:,} characters wide, `test` up to "
        f"{MAX_TEST_WORDS} words, an `awk` program up to {MAX_AWK_PROGRAM:,} characters",
        f"each device keeps its latest {MAX_RECORDS:,} records",
        f"a virtual phone its latest {MAX_HISTORY:,} shell lines and commands",
        f"| {_size(MAX_APP_BYTES)} of JSON, {MAX_SCREENS} screens, {MAX_WIDGETS} widgets a "
        f"screen, {MAX_TEXT:,} characters a text, coordinates up to {MAX_COORDINATE:,} |",
    ],
)
def test_the_page_states_the_bound_the_server_applies(stated: str) -> None:
    assert stated in TEXT, f"docs/server/limits.md does not say {stated!r}"


def test_an_apk_pushed_and_an_apk_streamed_have_one_bound() -> None:
    """The page states one size for both: the shell's file bound and an install session's."""
    assert MAX_FILE == MAX_SESSION_BYTES
