"""Time for the service and the runner: the real clock, or a manual one that tests advance."""

from __future__ import annotations

import functools
import math
import threading
import time
from datetime import UTC, datetime
from typing import Protocol

__all__ = ["Clock", "ManualClock", "SystemClock", "to_iso"]


class Clock(Protocol):
    """What the server needs of time."""

    def now(self) -> float:
        """Seconds since the epoch."""

    def sleep(self, seconds: float, cancel: threading.Event) -> bool:
        """Wait ``seconds``; return ``False`` if ``cancel`` was set first."""


class SystemClock:
    """The machine's clock; sleeping ends early when the task is cancelled."""

    def now(self) -> float:
        """Seconds since the epoch."""
        return time.time()

    def sleep(self, seconds: float, cancel: threading.Event) -> bool:
        """Wait ``seconds`` unless ``cancel`` is set first."""
        if seconds <= 0:  # a device that takes no time (most tests'): no wait to set up
            return not cancel.is_set()
        return not cancel.wait(seconds)


class ManualClock:
    """A clock that moves only when told, so scheduling tests never sleep."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else start
        self._lock = threading.Lock()

    def now(self) -> float:
        """The clock's current time."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        with self._lock:
            self._now += seconds

    def sleep(self, seconds: float, cancel: threading.Event) -> bool:
        """Advance the clock by ``seconds`` at once (a simulated wait)."""
        if cancel.is_set():
            return False
        self.advance(max(seconds, 0.0))
        return True


def to_iso(timestamp: float | None) -> str | None:
    """A timestamp as ISO 8601 in the server's local time, with its offset (whole seconds)."""
    if timestamp is None:
        return None
    return _iso_second(math.floor(timestamp))


@functools.lru_cache(maxsize=65_536)
def _iso_second(second: int) -> str:
    """One second's text, kept: a page writes four per task, and many tasks share them."""
    return datetime.fromtimestamp(second, tz=UTC).astimezone().isoformat()
