"""``client.license``: whether the license allows the local API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Unpack

from .._binders import operation
from .._effects import Program
from .._endpoint import Endpoint
from .._lazy import lazy_module
from .._request_options import RequestOptions
from .._resource import M, Raw, Resource
from .._response import read_data
from ..errors import LicenseError

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

        This is the one call a plan without API access answers rather than raises on: the
        server refuses it with 40301, as it refuses every call on the Starter plan, and the
        answer is that refusal read as a license (``api_enabled`` false, the plan, the
        server's message, and :attr:`~tikmatrix_sdk.License.code` 40301). Every other call
        raises :class:`~tikmatrix_sdk.LicenseError` on that plan.
        """
        try:
            return (yield from self._call(Endpoint.of("license_check", models.License)))
        except LicenseError as refused:
            return _refused_license(refused)


def _refused_license(refused: LicenseError) -> License:
    """The license a 40301 answer describes: the plan in its ``data``, the API refused."""
    from .._converter import structure  # loaded with the first answer, as the models are

    data = dict(refused.data) if isinstance(refused.data, Mapping) else {}
    data.update(api_enabled=False, message=refused.message)
    data["plan_name"] = refused.plan_name or "unknown"
    data.pop("plan", None)  # an older spelling of plan_name, read by LicenseError
    return read_data(refused.response, lambda read: structure(read, models.License), data)
