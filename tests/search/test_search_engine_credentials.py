"""Elasticsearch API keys and a custom CA bundle, against a local stand-in for the cluster
(an HTTP(S) server answering as Elasticsearch does): what the client sends and trusts."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from core.settings import get_settings
from search.backend import get_backend
from search.errors import SearchUnavailable
from search.query import SearchQuery

API_KEY = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="


class _Cluster(BaseHTTPRequestHandler):
    """Answers ``GET /`` as Elasticsearch 9 and everything else as a missing index."""

    seen: ClassVar[list[str | None]] = []

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        self.seen.append(self.headers.get("Authorization"))
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.split("?")[0] == "/":
            self._answer(200, {"version": {"number": "9.1.0", "build_flavor": "default"}})
        else:
            error = {"type": "index_not_found_exception", "reason": "no such index"}
            self._answer(404, {"error": error, "status": 404})

    do_POST = do_GET

    def log_message(self, *args: Any) -> None:
        pass


def _serve(context: ssl.SSLContext | None) -> Iterator[tuple[str, list[str | None]]]:
    seen: ClassVar[list[str | None]] = []
    handler = type("Cluster", (_Cluster,), {"seen": seen})
    server = HTTPServer(("127.0.0.1", 0), handler)
    if context:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    scheme = "https" if context else "http"
    yield f"{scheme}://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.fixture
def cluster() -> Iterator[tuple[str, list[str | None]]]:
    yield from _serve(None)


def test_api_key_is_sent_to_elasticsearch_and_never_logged(
    settings_env: pytest.MonkeyPatch,
    cluster: tuple[str, list[str | None]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, seen = cluster
    settings_env.setenv("IPRWATCH_SEARCH_API_KEY", API_KEY)
    backend = get_backend(url)  # plain http: asks the server which engine it is
    assert backend.name == "elasticsearch"
    health = backend.health()
    assert health["ok"] is True and health["count"] == 0
    assert seen and set(seen) == {f"ApiKey {API_KEY}"}
    assert API_KEY not in repr(backend.credentials)  # type: ignore[attr-defined]
    down = get_backend("elasticsearch+http://127.0.0.1:9/")
    with pytest.raises(SearchUnavailable):
        down.search(SearchQuery(q="patent"))
    output = capsys.readouterr()
    assert API_KEY not in output.out + output.err


def test_api_key_with_opensearch_is_refused_with_a_reason(
    settings_env: pytest.MonkeyPatch,
) -> None:
    settings_env.setenv("IPRWATCH_SEARCH_API_KEY", API_KEY)
    backend = get_backend("opensearch+http://127.0.0.1:9/")
    with pytest.raises(SearchUnavailable, match="API keys are an Elasticsearch feature"):
        backend.search(SearchQuery(q="patent"))


def _certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A private CA, and a certificate for 127.0.0.1 it signed: (ca.pem, cert.pem, key.pem)."""
    now = dt.datetime.now(dt.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "IPRWatch test CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    paths = directory / "ca.pem", directory / "cert.pem", directory / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )  # fmt: skip
    return paths


def test_custom_ca_bundle_is_trusted_for_https(
    settings_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ca, cert, key = _certificates(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    for url, seen in _serve(context):
        with pytest.raises(SearchUnavailable):  # not trusted by certifi
            get_backend(url).count()
        settings_env.setenv("IPRWATCH_SEARCH_CA_CERTS", str(ca))
        get_settings.cache_clear()
        assert get_backend(url).name == "elasticsearch"  # the probe trusts it
        assert get_backend(url.replace("https", "elasticsearch+https")).health()["ok"] is True
        assert seen


def test_unreadable_ca_bundle_is_unavailable_with_a_reason(
    settings_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings_env.setenv("IPRWATCH_SEARCH_CA_CERTS", str(tmp_path / "missing.pem"))
    backend = get_backend("elasticsearch+https://127.0.0.1:9/")
    with pytest.raises(SearchUnavailable, match="cannot be configured"):
        backend.count()
