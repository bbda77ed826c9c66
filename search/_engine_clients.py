"""Elasticsearch and OpenSearch clients behind one small surface.

Both Python clients accept the same request bodies; what differs is how they are built, their
bulk helpers and their exceptions. A ``Flavour`` captures those differences, so that the
backend in ``search.opensearch_`` shares every mapping and query between the two engines.

Choosing: ``opensearch+http(s)://`` and ``elasticsearch+http(s)://`` name the engine; plain
``http(s)://`` asks the server once (``GET /`` → ``version.distribution``).

Credentials: basic auth in the URL (``user:password@``), or an Elasticsearch API key
(``Credentials.api_key``, from the secret setting ``IPRWATCH_SEARCH_API_KEY``). A custom CA
bundle (``IPRWATCH_SEARCH_CA_CERTS``) replaces ``certifi`` for https. Neither is ever logged.
"""

from __future__ import annotations

import base64
import json
import re
import ssl
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit, urlunsplit

from core.logging_ import get_logger, redact
from search.errors import SearchUnavailable

log = get_logger(__name__)

Problem = Literal["missing", "rejected", "unavailable"]
REQUEST_TIMEOUT = 10.0
MAX_SLICES = 4  # segment slices searched at once per shard (OpenSearch)
_MAJOR_MINOR = re.compile(r"(\d+)\.(\d+)")
PROBE_TIMEOUT = 5.0


@dataclass(frozen=True)
class Credentials:
    """What the client presents and trusts, besides basic auth in the URL.

    Attributes:
        api_key: An Elasticsearch API key (the base64 ``id:api_key`` form the create-key API
            returns as ``encoded``). Not shown in ``repr``.
        ca_certs: A PEM file of CA certificates to trust for https instead of ``certifi``.
    """

    api_key: str | None = field(default=None, repr=False)
    ca_certs: Path | None = None


@dataclass(frozen=True)
class Flavour:
    """One engine's client library.

    Attributes:
        name: ``opensearch`` or ``elasticsearch``.
        make_client: Build a client from a base URL (no credentials), basic auth and the
            other credentials.
        streaming_bulk: The library's ``helpers.streaming_bulk``.
        classify: What an exception from the library means, or None if it is not one of its.
        open_pit: Open a point in time on an index (client, index, keep-alive such as
            ``2m``); returns its id. Searches with ``{"pit": {"id": …}}`` in the body then
            all see the index as it was (exports: ``EngineBackend.scan``).
        close_pit: Close a point in time by id.
        search_settings: Index settings that make searches on this engine use the node's
            cores (asked of the engine through a client); ``{}`` if there are none.
    """

    name: str
    make_client: Callable[[str, tuple[str, str] | None, Credentials], Any]
    streaming_bulk: Callable[..., Iterable[tuple[bool, dict[str, Any]]]]
    classify: Callable[[BaseException], Problem | None]
    open_pit: Callable[[Any, str, str], str]
    close_pit: Callable[[Any, str], None]
    search_settings: Callable[[Any], dict[str, Any]] = lambda _client: {}


def _opensearch() -> Flavour:
    from opensearchpy import OpenSearch, helpers
    from opensearchpy import exceptions as errors

    def make(url: str, auth: tuple[str, str] | None, credentials: Credentials) -> Any:
        if credentials.api_key:
            raise SearchUnavailable(
                "API keys are an Elasticsearch feature: give OpenSearch user:password in the URL"
            )
        tls: dict[str, Any] = (
            {"ca_certs": str(credentials.ca_certs)} if credentials.ca_certs else {}
        )
        return OpenSearch(
            hosts=[url], http_auth=auth, timeout=REQUEST_TIMEOUT, max_retries=2,
            retry_on_timeout=True, **tls,
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

    return Flavour(
        "opensearch", make, helpers.streaming_bulk, classify, open_pit=_open_opensearch_pit,
        close_pit=_close_opensearch_pit, search_settings=_concurrent_search,
    )  # fmt: skip


def _open_opensearch_pit(client: Any, index: str, keep_alive: str) -> str:
    return str(client.create_pit(index=index, params={"keep_alive": keep_alive})["pit_id"])


def _close_opensearch_pit(client: Any, pit_id: str) -> None:
    client.delete_pit(body={"pit_id": [pit_id]})


def _open_elasticsearch_pit(client: Any, index: str, keep_alive: str) -> str:
    return str(client.open_point_in_time(index=index, keep_alive=keep_alive)["id"])


def _close_elasticsearch_pit(client: Any, pit_id: str) -> None:
    client.close_point_in_time(id=pit_id)


def _concurrent_search(client: Any) -> dict[str, Any]:
    """OpenSearch's concurrent segment search (2.17+), one slice per core up to ``MAX_SLICES``.

    Without it a shard searches its segments one after another, on one core: the match count
    and the facet aggregations of a broad query over 200,000 items then take tens of
    milliseconds. ``auto`` searches aggregation requests (every search here) concurrently.
    The slice count must be set: Lucene's own slicing puts up to 250,000 documents in one
    slice, which is no concurrency at all at this size. Elasticsearch needs nothing: 8.12+
    searches segments concurrently by itself.
    """
    if _version(str(client.info()["version"]["number"])) < (2, 17):
        return {}
    nodes = client.nodes.info(metric="os")["nodes"].values()
    cores = [
        int(node.get("os", {}).get("allocated_processors") or 1)
        for node in nodes
        if "data" in node.get("roles", ["data"])
    ]
    slices = min([*cores, MAX_SLICES]) if cores else 1
    if slices < 2:
        return {}
    return {
        "index.search.concurrent_segment_search.mode": "auto",
        "index.search.concurrent.max_slice_count": slices,
    }


def _version(number: str) -> tuple[int, int]:
    """``"2.19.1"`` as ``(2, 19)``; ``(0, 0)`` if it does not start with major.minor."""
    found = _MAJOR_MINOR.match(number)
    return (int(found[1]), int(found[2])) if found else (0, 0)


def _elasticsearch() -> Flavour:
    import elastic_transport
    from elasticsearch import ApiError, Elasticsearch, NotFoundError, helpers

    def make(url: str, auth: tuple[str, str] | None, credentials: Credentials) -> Any:
        options: dict[str, Any] = {"basic_auth": auth} if auth else {}
        if credentials.api_key:
            options = {"api_key": credentials.api_key}
        if credentials.ca_certs:
            options["ca_certs"] = str(credentials.ca_certs)
        return Elasticsearch(
            hosts=[url], request_timeout=REQUEST_TIMEOUT, max_retries=2, retry_on_timeout=True,
            **options,
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

    return Flavour(
        "elasticsearch", make, helpers.streaming_bulk, classify,
        open_pit=_open_elasticsearch_pit, close_pit=_close_elasticsearch_pit,
    )  # fmt: skip


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


def probe_flavour(address: EngineAddress, credentials: Credentials | None = None) -> str:
    """Ask the server which engine it is (``version.distribution``; absent = Elasticsearch).

    Raises:
        SearchUnavailable: The server did not answer.
    """
    credentials = credentials or Credentials()
    request = urllib.request.Request(address.url + "/", headers={"Accept": "application/json"})
    if credentials.api_key:
        request.add_header("Authorization", f"ApiKey {credentials.api_key}")
    elif address.auth:
        token = base64.b64encode(":".join(address.auth).encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        context = _tls_context(credentials)
        with urllib.request.urlopen(request, timeout=PROBE_TIMEOUT, context=context) as response:
            info = json.loads(response.read().decode("utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("search.engine.probe_failed", url=address.url, error=str(exc))
        raise SearchUnavailable("the search engine cannot be reached") from exc
    distribution = str(info.get("version", {}).get("distribution", "elasticsearch"))
    return "opensearch" if distribution.lower() == "opensearch" else "elasticsearch"


def _tls_context(credentials: Credentials) -> ssl.SSLContext | None:
    """Trust the configured CA bundle (``None``: the default, as the clients use certifi)."""
    if credentials.ca_certs is None:
        return None
    return ssl.create_default_context(cafile=str(credentials.ca_certs))


def connect(address: EngineAddress, credentials: Credentials | None = None) -> tuple[Flavour, Any]:
    """The flavour and a client for an engine address (probing when the URL does not say)."""
    credentials = credentials or Credentials()
    name = address.flavour or probe_flavour(address, credentials)
    flavour = FLAVOURS[name]()
    try:
        _tls_context(credentials)  # a CA bundle that cannot be read fails here, not mid-request
        return flavour, flavour.make_client(address.url, address.auth, credentials)
    except (OSError, ValueError) as exc:  # e.g. a CA bundle that cannot be read
        log.warning("search.engine.client_config", url=address.url, error=redact(str(exc)))
        raise SearchUnavailable("the search engine client cannot be configured") from exc
