"""The machine's clock, as a task's waits use it: a wait ends early when the task is stopped."""

from __future__ import annotations

import threading

from reference_server.clock import SystemClock


def test_a_wait_of_no_time_says_whether_the_task_was_stopped() -> None:
    clock, cancel = SystemClock(), threading.Event()
    assert clock.sleep(0, cancel) is True
    assert clock.sleep(-1, cancel) is True
    cancel.set()
    assert clock.sleep(0, cancel) is False
    assert clock.sleep(-1, cancel) is False


def test_a_wait_ends_when_the_task_is_stopped() -> None:
    clock, cancel = SystemClock(), threading.Event()
    threading.Timer(0.05, cancel.set).start()
    assert clock.sleep(600, cancel) is False  # the stop, not the ten minutes, ends it
