"""The schedule of a wait's looks: 20 ms, doubling, then the interval for ever."""

from __future__ import annotations

import itertools

import pytest

from tikmatrix_sdk._polling import FIRST_DELAY, delays


def test_a_wait_starts_short_and_backs_off_to_its_interval() -> None:
    looks = list(itertools.islice(delays(2.0), 10))
    assert looks == pytest.approx([0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.0, 2.0, 2.0])


def test_after_the_first_seconds_a_wait_costs_what_the_interval_does() -> None:
    pauses = delays(2.0)
    elapsed, looks = 0.0, 0
    while elapsed < 60:
        elapsed += next(pauses)
        looks += 1
    assert looks <= 60 / 2 + 7  # seven early looks more than one every 2 s


@pytest.mark.parametrize("interval", [0.001, FIRST_DELAY])
def test_an_interval_shorter_than_the_first_delay_is_kept(interval: float) -> None:
    assert list(itertools.islice(delays(interval), 3)) == [interval] * 3
