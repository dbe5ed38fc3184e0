"""httpx's default TLS settings, built once per process, their CA bundle read when first needed.

Reading the CA bundle takes 25 to 40 ms. A program (or a test suite) that made a client per
task or per test paid that each time, and every program paid it once, though TikMatrix answers
on plain HTTP. The settings are httpx's own (``httpx.create_ssl_context()``: certifi's bundle,
or the one ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` name, as the environment says when the
context is made), shared by every client the SDK makes itself; the bundle is read at the
first TLS handshake, so a program that never speaks HTTPS never reads it.
"""

from __future__ import annotations

import functools
import os
import ssl
import sys
import threading
from typing import Any

__all__ = ["tls_context"]


def tls_context() -> ssl.SSLContext:
    """The TLS context of a client the SDK makes (one per CA bundle setting)."""
    return _context(*_settings())


def _settings() -> tuple[str | None, str | None]:
    """The CA bundle the environment names: a file, a directory (httpx reads the same)."""
    return os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")


class _TrustedOnFirstHandshake(ssl.SSLContext):
    """``ssl.create_default_context(cafile=…)`` as httpx makes it, loading the CAs late.

    A client's TLS context is handed to its transport when the client is built; the sockets
    (``wrap_socket``, for blocking clients) and memory pipes (``wrap_bio``, for asyncio and
    trio) are made from it at each TLS connection, and the first of them loads the bundle.
    """

    _cafile: str | None
    _capath: str | None
    _loaded: bool
    _lock: threading.Lock

    def _trust(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if not self._loaded:
                cafile = self._cafile
                if cafile is None and self._capath is None:
                    import certifi  # httpx's own default, and one of its dependencies

                    cafile = certifi.where()
                self.load_verify_locations(cafile=cafile, capath=self._capath)
                self._loaded = True

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        """Load the CA bundle if not yet done, then wrap as :class:`ssl.SSLContext` does."""
        self._trust()
        return super().wrap_socket(*args, **kwargs)

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        """Load the CA bundle if not yet done, then wrap as :class:`ssl.SSLContext` does."""
        self._trust()
        return super().wrap_bio(*args, **kwargs)


@functools.cache
def _context(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    # httpx.create_ssl_context() with verification on: SSL_CERT_FILE first, then
    # SSL_CERT_DIR, then certifi's bundle (tests/sdk/test_tls.py holds the two alike).
    context = _TrustedOnFirstHandshake(ssl.PROTOCOL_TLS_CLIENT)  # verifies, checks host names
    context._cafile = cert_file or None
    context._capath = None if cert_file else cert_dir or None
    context._loaded = False
    context._lock = threading.Lock()
    keylog = os.environ.get("SSLKEYLOGFILE")
    if keylog and not sys.flags.ignore_environment:  # as ssl.create_default_context does
        context.keylog_filename = keylog
    return context
