"""The client's resource namespaces: ``tasks``, ``license`` and ``accounts``."""

from .accounts import Accounts
from .license import LicenseResource
from .tasks import Tasks

__all__ = ["Accounts", "LicenseResource", "Tasks"]

for _resource in (Accounts, LicenseResource, Tasks):
    _resource.__module__ = __name__
del _resource
