"""``client.license``: whether the license allows the local API."""

from __future__ import annotations

from .._effects import Program
from .._endpoint import Endpoint
from .._endpoints import parse_license
from .._resource import M, operation
from ..models import License
from ._base import ApiResource

__all__ = ["LicenseResource"]


class LicenseResource(ApiResource[M]):
    """The license of the TikMatrix instance behind the API."""

    @operation
    def check(self) -> Program[License]:
        """Return the plan and whether it has API access.

        On the Starter plan this raises :class:`~tikmatrix_sdk.LicenseError` (code 40301),
        like every other call.
        """
        return (yield from self._call(Endpoint("GET", "/license/check", parse_license)))
