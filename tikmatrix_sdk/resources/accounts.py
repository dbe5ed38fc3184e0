"""``client.accounts``: the TikTok and Instagram accounts TikMatrix knows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Unpack

from .._binders import paged, stream
from .._effects import Program, Stream
from .._endpoint import Endpoint
from .._filters import MAX_PAGE_SIZE, AccountFilters, AccountListArgs, filter_query
from .._lazy import lazy_module
from .._resource import M, Raw, Resource

if TYPE_CHECKING:
    from .. import models
    from ..models import Account, AccountPage
else:  # the models load with the first answer, not with the import
    models = lazy_module("tikmatrix_sdk.models")

__all__ = ["Accounts"]


class Accounts(Resource[M]):
    """List the accounts, and the devices they live on."""

    @property
    def with_raw_response(self) -> Accounts[Raw[M]]:
        """These methods, each returning a :class:`~tikmatrix_sdk.RawResponse`."""
        return self._raw_view()  # type: ignore[no-any-return]

    @paged
    def list(
        self,
        *,
        page: int | None = None,
        page_size: int | None = None,
        **filters: Unpack[AccountListArgs],
    ) -> Program[AccountPage]:
        """Return one page of accounts.

        Filters: ``platform`` (``"tiktok"``, ``"instagram"``), ``device`` (a serial),
        ``logined``, ``status`` and ``tag``.
        """
        params = filter_query(AccountFilters, filters, page, page_size)
        return (
            yield from self._call(Endpoint.of("list_accounts", models.AccountPage, params=params))
        )

    @stream
    def iter(
        self, *, page_size: int = MAX_PAGE_SIZE, **filters: Unpack[AccountListArgs]
    ) -> Stream[Account]:
        """Yield every matching account, fetching pages lazily; filters as in :meth:`list`."""

        def page(number: int) -> Endpoint[AccountPage]:
            params = filter_query(AccountFilters, filters, number, page_size)
            return Endpoint.of("list_accounts", models.AccountPage, params=params)

        yield from self._paginate(page)
