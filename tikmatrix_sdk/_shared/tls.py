"""httpx's default TLS settings, built once per process rather than once per client.

Building them reads the CA bundle, about 25 ms: a program (or a test suite) that makes a
client per task or per test paid that each time, though TikMatrix answers on plain HTTP. The
settings are httpx's own (``httpx.create_ssl_context()``: certifi's bundle, or the one
``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` name), shared by every client the SDK makes itself.
"""

from __future__ import annotations

import functools
import os
import ssl

import httpx

__all__ = ["tls_context"]


def tls_context() -> ssl.SSLContext:
    """The TLS context of a client the SDK makes (one per CA bundle setting)."""
    return _context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.cache
def _context(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    return httpx.create_ssl_context()
