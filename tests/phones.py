"""A reference server with virtual phones, for the test modules that drive them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from reference_server import ServerConfig
from reference_server.testing import running_server

__all__ = ["virtual_phones_server"]


@contextmanager
def virtual_phones_server(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    phones: int,
    *,
    element_timeout: float,
    custom_scripts: bool = False,
) -> Iterator[str]:
    """A server driving ``phones`` virtual phones, its store in a fresh directory; its URL."""
    db = tmp_path_factory.mktemp(name) / "tasks.sqlite3"
    config = ServerConfig(
        db=db,
        virtual_devices=phones,
        poll_interval=0.05,
        element_timeout=element_timeout,
        custom_scripts=custom_scripts,
    )
    with running_server(config) as base_url:
        yield base_url
