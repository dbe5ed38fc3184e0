"""The client's resource namespaces: ``tasks``, ``license``, ``accounts`` and ``devices``."""

from .accounts import Accounts
from .devices import Devices
from .leased_device import LeasedDevice
from .license import LicenseResource
from .tasks import Tasks

__all__ = ["Accounts", "Devices", "LeasedDevice", "LicenseResource", "Tasks"]

for _resource in (Accounts, Devices, LicenseResource, Tasks):
    _resource.__module__ = __name__
del _resource
