"""The client's resource namespaces: ``tasks``, ``license`` and ``accounts``."""

from .accounts import Accounts
from .license import LicenseResource
from .tasks import Tasks

__all__ = ["Accounts", "LicenseResource", "Tasks"]
