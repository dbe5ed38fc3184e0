"""The mock's answers as the wire carries them: envelopes and times."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from .._contract.codes import ContractError

__all__ = ["envelope", "iso", "now", "refused", "seconds"]


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def now() -> str:
    return iso(datetime.now(UTC))


def envelope(
    data: Any = None,
    code: int = 0,
    message: str = "success",
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    body = {"code": code, "message": message, "data": data}
    return httpx.Response(status, json=body, headers=headers)


def refused(error: ContractError) -> httpx.Response:
    return envelope(error.data, error.code, error.message, error.http_status)


def seconds(ttl: float) -> timedelta:
    return timedelta(seconds=ttl)
