"""Elasticsearch and OpenSearch clients behind one small surface.

Both Python clients accept the same request bodies; what differs is how they are built, their
bulk helpers and their exceptions. A ``Flavour`` captures those differences, so that the
backend in ``search.opensearch_`` shares every mapping and query between the two engines.

Choosing: ``opensearch+http(s)://`` and ``elasticsearch+http(s)://`` name the engine; plain
``http(s)://`` asks the server once (``GET /`` → ``version.distribution``).
"""

from __future__ import annotations

import base64
import json
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import unquote, urlsplit, urlunsplit

from core.logging_ import get_logger, redact
from search.errors import SearchUnavailable

log = get_logger(__name__)

Problem = Literal["missing", "rejected", "unavailable"]
REQUEST_TIMEOUT = 10.0
PROBE_TIMEOUT = 5.0


@dataclass(frozen=True)
class Flavour:
    """One engine's client library.

    Attributes:
        name: ``opensearch`` or ``elasticsearch``.
        make_client: Build a client from a base URL (no credentials) and basic auth.
        streaming_bulk: The library's ``helpers.streaming_bulk``.
        classify: What an exception from the library means, or None if it is not one of its.
    """

    name: str
    make_client: Callable[[str, tuple[str, str] | None], Any]
    streaming_bulk: Callable[..., Iterable[tuple[bool, dict[str, Any]]]]
    classify: Callable[[BaseException], Problem | None]


def _opensearch() -> Flavour:
    from opensearchpy import OpenSearch, helpers
    from opensearchpy import exceptions as errors

    def make(url: str, auth: tuple[str, str] | None) -> Any:
        return OpenSearch(
            hosts=[url], http_auth=auth, timeout=REQUEST_TIMEOUT, max_retries=2,
            retry_on_timeout=True,
        )  # fmt: skip

    def classify(exc: BaseException) -> Problem | None:
        if isinstance(exc, errors.NotFoundError):
            return "missing"
        if isinstance(exc, errors.ConnectionError):
            return "unavailable"
        if isinstance(exc, errors.TransportError):
            status = exc.status_code if isinstance(exc.status_code, int) else 0
            return (
                "rejected"
                if 400 <= status < 500 and status not in (401, 403, 429)
                else ("unavailable")
            )
        if isinstance(exc, errors.OpenSearchException):
            return "unavailable"
        return None

    return Flavour("opensearch", make, helpers.streaming_bulk, classify)


def _elasticsearch() -> Flavour:
    import elastic_transport
    from elasticsearch import ApiError, Elasticsearch, NotFoundError, helpers

    def make(url: str, auth: tuple[str, str] | None) -> Any:
        return Elasticsearch(
            hosts=[url], basic_auth=auth, request_timeout=REQUEST_TIMEOUT, max_retries=2,
            retry_on_timeout=True,
        )  # fmt: skip

    def classify(exc: BaseException) -> Problem | None:
        if isinstance(exc, NotFoundError):
            return "missing"
        if isinstance(exc, ApiError):
            status = exc.meta.status
            return (
                "rejected"
                if 400 <= status < 500 and status not in (401, 403, 429)
                else ("unavailable")
            )
        if isinstance(exc, elastic_transport.TransportError):
            return "unavailable"
        return None

    return Flavour("elasticsearch", make, helpers.streaming_bulk, classify)


FLAVOURS: dict[str, Callable[[], Flavour]] = {
    "opensearch": _opensearch,
    "elasticsearch": _elasticsearch,
}


@dataclass(frozen=True)
class EngineAddress:
    """Where the engine is: base URL without credentials, the credentials, the flavour."""

    url: str
    auth: tuple[str, str] | None
    flavour: str | None


def parse_engine_url(url: str) -> EngineAddress:
    """Split ``[opensearch+|elasticsearch+]http(s)://[user:pass@]host:port`` (query ignored).

    Raises:
        ValueError: The scheme is not one of those.
    """
    parts = urlsplit(url)
    flavour, _, scheme = parts.scheme.rpartition("+")
    if scheme not in ("http", "https") or (flavour and flavour not in FLAVOURS):
        raise ValueError(f"not a search engine URL: {redact(url)}")
    auth = None
    if parts.username is not None:
        auth = (unquote(parts.username), unquote(parts.password or ""))
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    base = urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))
    return EngineAddress(base, auth, flavour or None)


def probe_flavour(address: EngineAddress) -> str:
    """Ask the server which engine it is (``version.distribution``; absent = Elasticsearch).

    Raises:
        SearchUnavailable: The server did not answer.
    """
    request = urllib.request.Request(address.url + "/", headers={"Accept": "application/json"})
    if address.auth:
        token = base64.b64encode(":".join(address.auth).encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=PROBE_TIMEOUT) as response:
            info = json.loads(response.read().decode("utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("search.engine.probe_failed", url=address.url, error=str(exc))
        raise SearchUnavailable("the search engine cannot be reached") from exc
    distribution = str(info.get("version", {}).get("distribution", "elasticsearch"))
    return "opensearch" if distribution.lower() == "opensearch" else "elasticsearch"


def connect(address: EngineAddress) -> tuple[Flavour, Any]:
    """The flavour and a client for an engine address (probing when the URL does not say)."""
    name = address.flavour or probe_flavour(address)
    flavour = FLAVOURS[name]()
    return flavour, flavour.make_client(address.url, address.auth)
