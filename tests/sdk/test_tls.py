"""The SDK's TLS context: httpx's own settings, its CA bundle read at the first handshake."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import certifi
import httpx
import pytest
import trustme

from tikmatrix_sdk import TikMatrix
from tikmatrix_sdk._shared import tls


def _fresh() -> ssl.SSLContext:
    """A context as ``tls_context()`` makes it, not the one this process already shares."""
    return tls._context.__wrapped__(*tls._settings())


def _handshake_start(context: ssl.SSLContext) -> None:
    """Begin a TLS handshake in memory, as asyncio's and trio's streams do (``wrap_bio``)."""
    pipe = context.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="example.com")
    with pytest.raises(ssl.SSLWantReadError):
        pipe.do_handshake()  # nobody answers: it has sent its hello and waits


def _same_settings(ours: ssl.SSLContext, httpx_own: ssl.SSLContext) -> None:
    assert ours.verify_mode == httpx_own.verify_mode == ssl.CERT_REQUIRED
    assert ours.check_hostname is httpx_own.check_hostname is True
    assert ours.options == httpx_own.options
    assert ours.minimum_version == httpx_own.minimum_version
    assert ours.get_ca_certs() == httpx_own.get_ca_certs()
    assert ours.cert_store_stats() == httpx_own.cert_store_stats()


def test_building_a_client_reads_no_ca_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
    context = _fresh()
    assert context.cert_store_stats()["x509_ca"] == 0
    _handshake_start(context)
    _same_settings(context, httpx.create_ssl_context())
    with TikMatrix("http://tikmatrix.invalid") as client:  # the shared one, whatever its state
        assert client.http_client is not None


def test_the_bundle_is_the_one_the_environment_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One CA of certifi's in a file of its own: SSL_CERT_FILE wins over SSL_CERT_DIR, as in httpx.
    first = Path(certifi.where()).read_text(encoding="ascii").split("-----END CERTIFICATE-----")[0]
    bundle = tmp_path / "one.pem"
    bundle.write_text(first + "-----END CERTIFICATE-----\n", encoding="ascii")
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    context = _fresh()
    _handshake_start(context)
    _same_settings(context, httpx.create_ssl_context())
    assert context.cert_store_stats()["x509_ca"] == 1
    assert tls.tls_context() is tls.tls_context() is not _fresh()


@pytest.fixture
def https_server() -> Iterator[tuple[str, trustme.CA]]:
    """A one-answer HTTPS server on a free loopback port, its certificate from a test CA."""
    ca = trustme.CA()
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(served)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                raw, _ = listener.accept()
            except OSError:
                return
            with raw:
                try:
                    with served.wrap_socket(raw, server_side=True) as conn:
                        conn.recv(65536)
                        conn.sendall(
                            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            b"Content-Length: 2\r\nConnection: close\r\n\r\n{}"
                        )
                except (ssl.SSLError, OSError):
                    continue  # a client that refused our certificate

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"https://localhost:{port}", ca
    finally:
        stop.set()
        # Closing the listener would not wake the thread's accept: a connection does.
        socket.create_connection(("127.0.0.1", port), timeout=10).close()
        thread.join(10)
        listener.close()


def test_a_real_handshake_loads_the_named_bundle_and_verifies(
    https_server: tuple[str, trustme.CA], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, ca = https_server
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    # certifi's bundle does not trust the test CA: the certificate is refused.
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with httpx.Client(verify=_fresh()) as http, pytest.raises(httpx.ConnectError, match="CERT"):
        http.get(url)
    # The bundle SSL_CERT_FILE names trusts it: the same request is answered.
    pem = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    monkeypatch.setenv("SSL_CERT_FILE", str(pem))
    context = _fresh()
    with httpx.Client(verify=context) as http:
        assert http.get(url).json() == {}
    assert context.cert_store_stats()["x509_ca"] == 1
