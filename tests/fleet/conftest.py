"""Both fleets over the plugin's fleet of reference servers (three, each reset per test)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tikmatrix_sdk.fleet import AsyncFleet, Fleet


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=["sync", "async"])
async def fleet(
    request: pytest.FixtureRequest, tikmatrix_fleet: Fleet, tikmatrix_fleet_hosts: dict[str, str]
) -> AsyncIterator[Fleet | AsyncFleet]:
    """The plugin's blocking fleet, or an async one over the same (freshly reset) hosts."""
    if request.param == "sync":
        yield tikmatrix_fleet
        return
    async with AsyncFleet(tikmatrix_fleet_hosts) as async_fleet:
        yield async_fleet
