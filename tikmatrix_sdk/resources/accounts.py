"""``client.accounts``: the TikTok and Instagram accounts TikMatrix knows."""

from __future__ import annotations

from .. import _endpoints
from .._effects import Program, Stream
from .._endpoint import Endpoint
from .._resource import M, operation, stream
from ..models import Account, AccountPage
from ._base import ApiResource

__all__ = ["Accounts"]


class Accounts(ApiResource[M]):
    """List the accounts, and the devices they live on."""

    @operation
    def list(
        self,
        *,
        platform: str | None = None,
        device: str | None = None,
        logined: bool | None = None,
        status: int | None = None,
        tag: str | None = None,
        page: int | None = None,
        page_size: int | None = None,
    ) -> Program[AccountPage]:
        """Return one page of accounts, filtered by platform, device serial, login, status or tag."""
        endpoint = _endpoints.list_accounts(
            platform=platform, device=device, logined=logined, status=status, tag=tag,
            page=page, page_size=page_size,
        )  # fmt: skip
        return (yield from self._call(endpoint))

    @stream
    def iter(
        self,
        *,
        platform: str | None = None,
        device: str | None = None,
        logined: bool | None = None,
        status: int | None = None,
        tag: str | None = None,
        page_size: int = _endpoints.MAX_PAGE_SIZE,
    ) -> Stream[Account]:
        """Yield every account that matches, fetching pages lazily as the loop goes on."""
        def page(number: int) -> Endpoint[AccountPage]:
            return _endpoints.list_accounts(
                platform=platform, device=device, logined=logined, status=status, tag=tag,
                page=number, page_size=page_size,
            )  # fmt: skip

        yield from self._paginate(page, lambda p: p.accounts, lambda a: (a.id, a.username))
