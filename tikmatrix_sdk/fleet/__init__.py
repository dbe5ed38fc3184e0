"""One client over several TikMatrix hosts (one per PC): :class:`Fleet` and :class:`AsyncFleet`.

>>> from tikmatrix_sdk.fleet import Fleet, FleetTaskId
>>> str(FleetTaskId.parse("pc-2:1041"))
'pc-2:1041'

See the guide "Running a farm of several PCs".
"""

from ._errors import FleetError, OwnershipConflictError
from ._fleet import AsyncFleet, Fleet
from ._hosts import HOSTS_ENV, MAX_HOSTS, Host, hosts_from_env, hosts_from_file
from ._ids import FleetTaskId
from ._ownership import Ownership
from ._resources import FleetAccounts, FleetDevicesResource, FleetLicense, FleetTasksResource
from ._results import (
    FleetCreated,
    FleetDevice,
    FleetDevices,
    FleetResult,
    FleetStats,
    FleetTask,
    FleetTaskPages,
    FleetTasks,
)

__all__ = [
    "HOSTS_ENV",
    "MAX_HOSTS",
    "AsyncFleet",
    "Fleet",
    "FleetAccounts",
    "FleetCreated",
    "FleetDevice",
    "FleetDevices",
    "FleetDevicesResource",
    "FleetError",
    "FleetLicense",
    "FleetResult",
    "FleetStats",
    "FleetTask",
    "FleetTaskId",
    "FleetTaskPages",
    "FleetTasks",
    "FleetTasksResource",
    "Host",
    "Ownership",
    "OwnershipConflictError",
    "hosts_from_env",
    "hosts_from_file",
]

for _name in __all__:  # where users import them from, in reprs, tracebacks and the docs
    _value = globals()[_name]
    if isinstance(_value, type):
        _value.__module__ = __name__
del _name, _value
