"""What the virtual phones' tests share: one phone and its private adb server per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reference_server.virtual.phones_and_adb import VirtualLab


@pytest.fixture(scope="module")
def lab() -> Iterator[VirtualLab]:
    """One virtual phone behind an adb server of its own (free ports), for a module's tests."""
    virtual = VirtualLab(1).start()
    yield virtual
    virtual.stop()
