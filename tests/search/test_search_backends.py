"""Choosing a backend by URL, and the engine request being the shared builder's."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from search_testkit import unreachable_url

from core.settings import get_settings
from search.backend import SearchBackend, get_backend
from search.builder import build_engine_request, build_fts_query
from search.errors import SearchUnavailable
from search.opensearch_ import EngineBackend
from search.query import SearchQuery
from search.sqlite_ import SqliteBackend
from search.tantivy_ import TantivyBackend


def _server_answering(info: dict[str, Any]) -> Iterator[str]:
    class Root(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(info).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Root)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def opensearch_root() -> Iterator[str]:
    yield from _server_answering({"version": {"distribution": "opensearch", "number": "2.19.1"}})


@pytest.fixture
def elasticsearch_root() -> Iterator[str]:
    yield from _server_answering({"version": {"number": "8.15.0", "build_flavor": "default"}})


def test_sqlite_url_is_the_embedded_index(tmp_path: Path) -> None:
    backend = get_backend(f"sqlite:///{tmp_path / 'idx.db'}")
    assert isinstance(backend, SqliteBackend) and isinstance(backend, SearchBackend)
    assert backend.path == tmp_path / "idx.db"


def test_default_is_the_embedded_tantivy_index_in_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IPRWATCH_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("IPRWATCH_SEARCH_URL", raising=False)
    get_settings.cache_clear()
    try:
        backend = get_backend()
        assert isinstance(backend, TantivyBackend) and isinstance(backend, SearchBackend)
        assert backend.path == tmp_path / "search-index"
        assert get_backend("tantivy:").path == tmp_path / "search-index"  # type: ignore[attr-defined]
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize(
    "url, path",
    [("tantivy:///srv/iprwatch/index", "/srv/iprwatch/index"), ("tantivy:var/idx", "var/idx"),
     ("tantivy:///srv/idx?x=1", "/srv/idx")],
)  # fmt: skip
def test_tantivy_url_names_the_index_directory(url: str, path: str) -> None:
    backend = get_backend(url)
    assert isinstance(backend, TantivyBackend) and backend.path == Path(path)


def test_tantivy_url_with_a_host_is_refused() -> None:
    with pytest.raises(ValueError, match="tantivy:///absolute/path"):
        get_backend("tantivy://server/index")


def test_scheme_variant_names_the_engine_without_asking() -> None:
    backend = get_backend(
        "opensearch+https://reader:s3cret@search.example:9243/?alias=Items&replicas=1"
    )
    assert isinstance(backend, EngineBackend)
    assert backend.address.flavour == "opensearch"
    assert backend.address.url == "https://search.example:9243"
    assert backend.address.auth == ("reader", "s3cret")
    assert (backend.alias, backend.replicas) == ("items", 1)
    assert get_backend("elasticsearch+http://es:9200").address.flavour == "elasticsearch"  # type: ignore[attr-defined]


def test_plain_http_asks_the_server_once(opensearch_root: str, elasticsearch_root: str) -> None:
    assert get_backend(opensearch_root).name == "opensearch"
    assert get_backend(elasticsearch_root).name == "elasticsearch"


@pytest.mark.parametrize("url", ["ftp://x", "redis://localhost", "opensearch+ftp://x"])
def test_unknown_schemes_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        get_backend(url)


@pytest.mark.parametrize("kind", ["sqlite", "tantivy", "opensearch"])
def test_unreachable_backend_is_unavailable_and_unhealthy(kind: str) -> None:
    backend = get_backend(unreachable_url(kind))
    with pytest.raises(SearchUnavailable):
        backend.search(SearchQuery(q="patent"))
    assert backend.health()["ok"] is False


def test_elasticsearch_client_errors_are_ours_too() -> None:
    url = unreachable_url("opensearch").replace("opensearch+", "elasticsearch+")
    backend = get_backend(url)
    assert backend.name == "elasticsearch"
    with pytest.raises(SearchUnavailable):
        backend.search(SearchQuery(q="patent"))
    with pytest.raises(SearchUnavailable):
        backend.index([])
    assert backend.health()["ok"] is False


def test_plain_http_with_nothing_listening_is_unavailable() -> None:
    url = unreachable_url("opensearch").replace("opensearch+", "")
    with pytest.raises(SearchUnavailable):
        get_backend(url).count()


def test_engine_request_uses_phrases_filters_and_a_tiebreak() -> None:
    query = SearchQuery(q="固态电池 337-TA-1400", jurisdictions=["US"], party="Foo*", limit=5)
    body = build_engine_request(query)
    musts = [m["multi_match"]["query"] for m in body["query"]["bool"]["must"]]
    assert musts == ["固态", "电池", "337 TA 1400"]
    assert {"terms": {"jurisdictions": ["US"]}} in body["query"]["bool"]["filter"]
    assert {"wildcard": {"party_names_folded": {"value": "*foo\\**"}}} in body["query"]["bool"][
        "filter"
    ]
    assert body["sort"][-1] == {"id": {"order": "asc"}} and body["size"] == 6
    assert body["highlight"]["pre_tags"] == ["<mark>"]


def test_fts_query_quotes_every_term() -> None:
    plan = build_fts_query(SearchQuery(q='AND "NEAR" 锂电池', kinds=["dispute"]))
    assert plan.match is not None
    assert '{title summary body} : "AND"' in plan.match
    assert '{title summary body} : ("锂电" AND "电池")' in plan.match
    assert plan.match.count("tags : (") == 1
    assert plan.params == ["锂电池", "锂电池", "锂电池"]
