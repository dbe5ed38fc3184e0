"""A task's context makes its random numbers on first use, from its seed, or takes them given."""

from __future__ import annotations

import random
import threading

from reference_server.clock import ManualClock
from reference_server.devices import RunContext


def run_context(task_id: int = 1, **given: object) -> RunContext:
    """A task's context on a manual clock; ``given`` adds ``seed=``, ``rng=`` or others."""
    return RunContext(
        task_id=task_id,
        username=None,
        job_index=0,
        clock=ManualClock(0.0),
        cancel=threading.Event(),
        **given,  # type: ignore[arg-type]
    )


def test_the_random_numbers_come_from_the_seed_on_first_use() -> None:
    context = run_context(seed=0.25)
    assert context._random is None  # nothing seeded until a script draws
    first = context.rng
    assert context.rng is first
    expected = random.Random(0.25)
    assert [first.random() for _ in range(3)] == [expected.random() for _ in range(3)]


def test_the_same_seed_draws_the_same_numbers_and_a_given_generator_is_kept() -> None:
    draws = [run_context(seed=0.5).rng.random() for _ in range(2)]
    assert draws == [random.Random(0.5).random()] * 2
    given = random.Random(3)
    assert run_context(rng=given).rng is given
