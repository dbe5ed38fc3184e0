"""How long to wait between two looks at something that is not done yet.

A wait starts by looking often and backs off to its ``interval``: the first look again after
:data:`FIRST_DELAY` seconds, each delay then twice the last, up to ``interval``. A task that
finishes quickly (on the reference server, in tens of milliseconds) is seen within a few
tens of milliseconds of finishing; one that runs for seconds costs a real TikMatrix no more
than polling every ``interval`` did, plus a handful of early looks (seven before a 2 s
interval is reached, in its first 2.5 s).
"""

from __future__ import annotations

from collections.abc import Iterator

__all__ = ["FIRST_DELAY", "delays"]

#: The first delay of every wait, in seconds.
FIRST_DELAY = 0.02


def delays(interval: float, first: float = FIRST_DELAY) -> Iterator[float]:
    """The delays of one wait: ``first``, doubling, then ``interval`` for ever."""
    delay = min(first, interval)
    while True:
        yield delay
        delay = min(delay * 2, interval)
