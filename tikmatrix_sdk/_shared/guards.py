"""The guards of a local API, in one place: what every server of this project refuses.

A local API is reachable by every web page its user opens. The reference server and the
``tikmatrix record`` proxy both put these checks before anything else, so a request one
refuses the other refuses too (one implementation, no framework: each caller passes what its
HTTP layer read):

- a ``Host`` that is not a loopback name or address (or one the user allowed) is refused,
  which defeats DNS rebinding;
- ``OPTIONS`` is refused: no CORS preflight is answered, so a page can never read an answer;
- a request that changes state (``POST``, ``PUT``, ``PATCH``, ``DELETE``) is refused when a
  browser says another page sent it (``Origin`` not the server's own, ``null`` included, or
  ``Sec-Fetch-Site: cross-site``/``same-site``), or when it carries, or names, a body that is
  not ``application/json`` (a page's form or ``text/plain`` post).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["CHANGES_STATE", "Refusal", "host_allowed", "refusal"]

#: The methods that change state: a page may not send them here.
CHANGES_STATE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused, and the HTTP status to answer it with."""

    status: int
    message: str


def host_allowed(host: str, allowed: tuple[str, ...] = ()) -> bool:
    """Whether ``host`` (a ``Host`` header, port and all) names this machine, or is allowed."""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.strip("[]").lower()
    if name in _LOOPBACK_NAMES or name in allowed:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _foreign(scheme: str, host: str, headers: Mapping[str, str]) -> str:
    fetch_site = (_header(headers, "sec-fetch-site") or "").lower()
    if fetch_site in ("cross-site", "same-site"):
        return f"Sec-Fetch-Site: {fetch_site}"
    origin = _header(headers, "origin")
    if origin is not None and origin.rstrip("/").lower() != f"{scheme}://{host}".lower():
        return f"Origin: {origin}"
    return ""


def refusal(
    method: str,
    host: str,
    headers: Mapping[str, str],
    *,
    scheme: str = "http",
    allowed_hosts: tuple[str, ...] = (),
) -> Refusal | None:
    """Why a local API refuses this request, or ``None`` when it may be served.

    ``headers`` are the request's (any case); ``allowed_hosts`` are lower-case names the user
    allowed beside the loopback ones.
    """
    if not host_allowed(host, allowed_hosts):
        return Refusal(403, f"Host {host!r} is not allowed")
    method = method.upper()
    if method == "OPTIONS":
        return Refusal(405, "cross-origin requests are not served")
    if method not in CHANGES_STATE:
        return None
    foreign = _foreign(scheme, host, headers)
    if foreign:
        return Refusal(403, f"cross-origin requests are refused ({foreign})")
    length = _header(headers, "content-length") or ""
    has_body = (length.strip() not in ("", "0")) or bool(_header(headers, "transfer-encoding"))
    content_type = _header(headers, "content-type") or ""
    mimetype = content_type.split(";", 1)[0].strip().lower()
    if (has_body or content_type) and mimetype != "application/json":
        return Refusal(415, f"request bodies must be application/json, got {mimetype or 'none'!r}")
    return None
