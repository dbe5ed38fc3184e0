"""Timing several ways of doing one thing, taking turns, as every benchmark here does."""

from __future__ import annotations

import gc
import timeit
from collections.abc import Callable

__all__ = ["best_of_turns"]


def best_of_turns(
    cases: dict[str, Callable[[], object]], *, number: int, rounds: int
) -> dict[str, float]:
    """Best-of-``rounds`` seconds per call of each case, the cases taking turns.

    Taking turns spreads the machine's slow spells over every case alike, so the ratios stay
    put even when the absolute times wander. Each case runs once first (connections, caches).
    """
    for fn in cases.values():
        fn()
    best = dict.fromkeys(cases, float("inf"))
    for _ in range(rounds):
        for name, fn in cases.items():
            gc.collect()
            best[name] = min(best[name], timeit.timeit(fn, number=number) / number)
    return best
