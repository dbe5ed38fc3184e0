"""A test's child process stops on SIGINT even when the test run itself ignores SIGINT.

That is how a run started in the background (``nox > log &``, ``nohup``) begins: the shell
sets SIGINT to ignored for the job, and a plain ``Popen`` child would inherit it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from .children import child

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signal dispositions")

# "ready" is printed inside the try: a SIGINT that arrives right after it is still caught.
WAIT_FOR_CTRL_C = """
import sys, time
try:
    print("ready", flush=True)
    time.sleep(60)
except KeyboardInterrupt:
    sys.exit(130)
"""


@pytest.fixture
def ignoring_ctrl_c() -> Iterator[None]:
    """This process ignores SIGINT, as a background job does, for the test's length."""
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def test_a_child_of_a_background_run_still_stops_on_ctrl_c(ignoring_ctrl_c: None) -> None:
    with child(
        [sys.executable, "-c", WAIT_FOR_CTRL_C], stdout=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
        process.send_signal(signal.SIGINT)
        assert process.wait(20) == 130


def test_a_child_is_reaped_when_the_test_fails_first() -> None:
    with (
        pytest.raises(RuntimeError),
        child(
            [sys.executable, "-c", "import time; time.sleep(60)"], stdout=subprocess.PIPE
        ) as process,
    ):
        raise RuntimeError("the test failed while its child ran")
    assert process.returncode is not None  # killed and waited for
    assert process.stdout is not None
    assert process.stdout.closed
