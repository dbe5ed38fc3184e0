"""A URL as messages, reprs and tables show it: without its user info.

``http://admin:S3CRET@pc-2:50809`` is sent as given (httpx puts the user and password in a
Basic ``Authorization`` header), but every message, repr and table the SDK writes shows
``http://pc-2:50809``: an error printed to a console or a log never carries a password.
"""

from __future__ import annotations

import httpx

__all__ = ["shown_url"]


def shown_url(url: str | httpx.URL) -> str:
    """``url`` without its user and password (as it is, if it is not a URL httpx can read)."""
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return str(url) if "@" not in str(url) else "<a URL with user info>"
    if not parsed.userinfo:
        return str(parsed)
    return str(parsed.copy_with(userinfo=b""))
