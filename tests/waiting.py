"""Waiting in tests: on a condition, with a deadline of its own, never a bare sleep."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T], what: str, *, timeout: float = 10.0, interval: float = 0.01
) -> T:
    """Poll ``condition`` until it is truthy and return its value; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(interval)
    return value


async def wait_until_async(
    condition: Callable[[], Awaitable[T]],
    what: str,
    *,
    timeout: float = 10.0,
    interval: float = 0.01,
) -> T:
    """:func:`wait_until` for an async condition, pausing without blocking the event loop."""
    deadline = time.monotonic() + timeout
    while not (value := await condition()):
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        await anyio.sleep(interval)
    return value
