"""``client.license``: whether the license allows the local API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Unpack

from .._binders import operation
from .._effects import Program
from .._endpoint import Endpoint
from .._lazy import lazy_module
from .._request_options import RequestOptions
from .._resource import M, Raw, Resource

if TYPE_CHECKING:
    from .. import models
    from ..models import License
else:  # the models load with the first answer, not with the import
    models = lazy_module("tikmatrix_sdk.models")

__all__ = ["LicenseResource"]


class LicenseResource(Resource[M]):
    """The license of the TikMatrix instance behind the API."""

    @property
    def with_raw_response(self) -> LicenseResource[Raw[M]]:
        """These methods, each returning a :class:`~tikmatrix_sdk.RawResponse`."""
        return self._raw_view()  # type: ignore[no-any-return]

    @operation
    def check(self, **options: Unpack[RequestOptions]) -> Program[License]:
        """Return the plan and whether it has API access.

        On the Starter plan this raises :class:`~tikmatrix_sdk.LicenseError` (code 40301),
        like every other call.
        """
        return (yield from self._call(Endpoint.of("license_check", models.License)))
