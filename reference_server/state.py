"""What one app instance holds: store, service, runner, fleet and faults."""

from __future__ import annotations

import attrs
from flask import current_app

from .faults import Faults
from .fleet import DeviceSource
from .runner import Fleet, Runner
from .service import TaskService
from .store import Store

__all__ = ["ServerState", "state"]


@attrs.frozen(kw_only=True)
class ServerState:
    """The parts of a running reference server."""

    store: Store
    service: TaskService
    fleet: Fleet
    runner: Runner
    faults: Faults
    scheduler_running: bool
    source: DeviceSource


def state() -> ServerState:
    """The state of the app handling the current request."""
    server: ServerState = current_app.extensions["tikmatrix"]
    return server
