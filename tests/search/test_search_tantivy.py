"""The embedded tantivy index shared by processes: the API reads while Celery workers and the
CLI write and rebuild. Every process here is a real separate Python process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import tantivy
from search_testkit import ids, load_documents, load_items, search_all
from sqlalchemy.orm import sessionmaker

import search.tantivy_ as tantivy_backend
from core.db import make_engine
from core.models import Base, Item, OutboxEntry
from search.errors import BadQuery
from search.outbox import drain_outbox
from search.query import SearchQuery
from search.tantivy_ import TantivyBackend

REPO = Path(__file__).resolve().parents[2]


def _run(code: str, *args: str, wait: bool = True) -> subprocess.Popen[str]:
    """Run ``code`` in a new Python process (``sys.argv[1:]`` = ``args``)."""
    script = "import sys, json\nfrom search.tantivy_ import TantivyBackend\n" + textwrap.dedent(
        code
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, *args], cwd=REPO, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    if wait:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr[-3000:]
    return process


WRITER = """
    sys.path.insert(0, "tests/search")
    from search_testkit import load_documents
    backend = TantivyBackend(sys.argv[1])
    docs = load_documents()
    tag = sys.argv[2]
    for start in range(0, len(docs), 4):
        batch = [{**d, "id": f"{d['id']}#{tag}"} for d in docs[start : start + 4]]
        backend.index(batch)
"""


def test_writers_in_several_processes_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "index"
    reader = TantivyBackend(path)
    writers = [_run(WRITER, str(path), f"w{n}", wait=False) for n in range(3)]
    while any(w.poll() is None for w in writers):
        assert reader.search(SearchQuery(q="专利")).total <= 12  # reads while they write
        time.sleep(0.01)
    for writer in writers:
        assert writer.returncode == 0, writer.communicate()[1][-3000:]
    assert reader.count() == 60
    assert ids(reader.search(SearchQuery(q="锂电", limit=10))) == {
        "cnipr:337-battery#w0", "cnipr:337-battery#w1", "cnipr:337-battery#w2",
    }  # fmt: skip


def test_a_reader_sees_commits_and_rebuilds_made_by_other_processes(tmp_path: Path) -> None:
    path = tmp_path / "index"
    reader = TantivyBackend(path)
    assert reader.search(SearchQuery(q="lithium")).total == 0
    _run(WRITER, str(path), "a")
    assert reader.search(SearchQuery(q="lithium")).total == 2
    generation = reader.health()["generation"]
    _run(
        """
        sys.path.insert(0, "tests/search")
        from search_testkit import load_documents
        TantivyBackend(sys.argv[1]).reindex(load_documents()[:10])
        """,
        str(path),
    )
    assert reader.health()["generation"] != generation
    assert reader.count() == 10
    assert [p.name for p in path.glob("gen-*")] == [reader.health()["generation"]]


def test_a_reader_sees_a_rebuild_at_once_though_the_pointer_kept_its_time_and_size(
    tmp_path: Path,
) -> None:
    """Searches stat ``CURRENT`` rather than read it: a switch replaces the file, so its
    inode tells the change even within one tick of a coarse file system clock."""
    path = tmp_path / "index"
    reader = TantivyBackend(path)
    reader.reindex(load_documents()[:3])
    assert reader.count() == 3
    before = (path / "CURRENT").stat()
    TantivyBackend(path).reindex(load_documents()[:7])
    os.utime(path / "CURRENT", ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path / "CURRENT").stat().st_size == before.st_size
    assert reader.count() == 7


def test_searches_during_rebuilds_see_the_old_or_the_new_index_never_a_partial_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "index"
    backend = TantivyBackend(path)
    docs = load_documents()
    backend.reindex(docs)
    seen: set[int] = set()
    errors: list[BaseException] = []
    stop = threading.Event()

    def search_until_stopped() -> None:
        reader = TantivyBackend(path)
        while not stop.is_set():
            try:
                seen.add(reader.search(SearchQuery(sort="date")).total)
            except BaseException as exc:
                errors.append(exc)
                return

    thread = threading.Thread(target=search_until_stopped)
    thread.start()
    rebuild = """
        sys.path.insert(0, "tests/search")
        from search_testkit import load_documents
        backend = TantivyBackend(sys.argv[1])
        for _ in range(4):
            backend.reindex(load_documents()[:7])
            backend.reindex(load_documents())
    """
    _run(rebuild, str(path))
    stop.set()
    thread.join(timeout=30)
    assert errors == []
    assert seen <= {7, 20} and 20 in seen


def test_a_writer_killed_while_holding_the_lock_blocks_nobody(tmp_path: Path) -> None:
    path = tmp_path / "index"
    backend = TantivyBackend(path)
    backend.index(load_documents()[:3])
    holder = _run(
        """
        backend = TantivyBackend(sys.argv[1])
        with backend.generations.write_lock():
            print("locked", flush=True)
            import time; time.sleep(60)
        """,
        str(path),
        wait=False,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=30)
    backend.index(load_documents()[3:6])
    assert backend.count() == 6


def test_a_new_index_is_rebuilt_from_the_database_by_the_next_drain(tmp_path: Path) -> None:
    """Items the old backend already indexed (outbox marked) still reach a new tantivy index."""
    engine = make_engine(f"sqlite:///{tmp_path / 'records.db'}")
    Base.metadata.create_all(engine)
    with sessionmaker(bind=engine, expire_on_commit=False)() as session:
        for data in load_items():
            session.add(Item(**_item_fields(data)))
            session.add(OutboxEntry(item_id=data["id"], version=1))
        session.commit()
        previous = TantivyBackend(tmp_path / "previous")
        assert drain_outbox(session, previous) == 20
        moved = TantivyBackend(tmp_path / "moved")  # e.g. IPRWATCH_SEARCH_URL changed
        assert moved.needs_rebuild()
        assert drain_outbox(session, moved) == 0
        assert moved.count() == 20 and not moved.needs_rebuild()
    engine.dispose()


def test_an_index_built_with_an_earlier_schema_is_rebuilt_by_the_next_drain(
    tmp_path: Path,
) -> None:
    """After an upgrade that changed the index's fields, the old index is not left failing
    every search: the next drain rebuilds it from the database."""
    engine = make_engine(f"sqlite:///{tmp_path / 'records.db'}")
    Base.metadata.create_all(engine)
    with sessionmaker(bind=engine, expire_on_commit=False)() as session:
        for data in load_items():
            session.add(Item(**_item_fields(data)))
            session.add(OutboxEntry(item_id=data["id"], version=1))
        session.commit()
        backend = TantivyBackend(tmp_path / "index")
        assert drain_outbox(session, backend) == 20 and not backend.needs_rebuild()
        expected = ids(backend.search(SearchQuery(q="专利")))
        old = tmp_path / "index" / "gen-00000000000000000000-1"  # an earlier version's fields
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", tokenizer_name="raw", index_option="basic")
        builder.add_bytes_field("stored", stored=True)
        tantivy.Index(builder.build(), path=str(_mkdir(old)), reuse=True)
        (tmp_path / "index" / "CURRENT").write_text(old.name + "\n", encoding="utf-8")
        upgraded = TantivyBackend(tmp_path / "index")
        assert upgraded.needs_rebuild()
        drain_outbox(session, upgraded)
        assert not upgraded.needs_rebuild() and upgraded.count() == 20
        assert expected and ids(upgraded.search(SearchQuery(q="专利"))) == expected
    engine.dispose()


def test_facets_stay_exact_when_items_hold_more_value_sets_than_one_pass_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Multi-valued facets are counted from each item's set of values; with more distinct sets
    than the first pass returns, they are counted again value by value, not cut short."""
    backend = TantivyBackend(tmp_path / "index")
    backend.reindex(load_documents())
    query = SearchQuery(jurisdictions=["US"])
    expected = backend.search(query).facets
    assert expected["jurisdiction"] == {"US": 12}
    assert expected["chain"]["consumer_electronics"] == 4
    monkeypatch.setattr(tantivy_backend, "SET_BUCKETS", 1)
    assert backend.search(query).facets == expected


def test_a_rebuild_fed_an_item_twice_keeps_its_newest_version(tmp_path: Path) -> None:
    """A rebuild writes in one commit; an item that its source yields again (newer, then
    older) is found once, as its newest version says."""
    docs = load_documents()
    first = docs[0]
    newer = {**first, "version": first["version"] + 1, "title": "Zyxwvut newer title"}
    older = {**first, "title": "Qponmlk older title"}
    backend = TantivyBackend(tmp_path / "index")
    assert backend.reindex([*docs, newer, older]) == len(docs)
    assert backend.count() == len(docs)
    assert ids(backend.search(SearchQuery(q="Zyxwvut"))) == {first["id"]}
    assert ids(backend.search(SearchQuery(q="Qponmlk"))) == set()
    assert backend.search(SearchQuery()).total == len(docs)


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


def _item_fields(data: dict[str, Any]) -> dict[str, Any]:
    from datetime import datetime

    published = data["published_at"]
    return {
        "id": data["id"], "source_id": data["source"], "title": data["title"],
        "summary": data["summary"], "body": data["body"], "language": data["language"],
        "kind": data["kind"], "jurisdictions": data["jurisdictions"],
        "published_at": datetime.fromisoformat(published.replace("Z", "+00:00"))
        if published else None,
        "ip_types": data["ip_types"], "case_refs": data.get("case_refs", []), "parties": [],
        "tags": data["tags"], "content_hash": "h", "version": 1,
    }  # fmt: skip


def test_unwritable_directory_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    backend = TantivyBackend(blocker / "index")
    from search.errors import SearchUnavailable

    with pytest.raises(SearchUnavailable):
        backend.index(load_documents()[:1])
    assert backend.health() == {"backend": "tantivy", "ok": False, "error": "unavailable"}
    assert json.dumps(backend.health())


@pytest.mark.parametrize(
    "q, marked",
    [("sensibility", "Sensibility"), ("happy", "happy"), ("filing", "filing"),
     ("ponies", "ponies"), ("agreed", "AGREED"), ("radically", "radically")],
)  # fmt: skip
def test_words_whose_stem_is_spelled_differently_are_still_marked(
    tmp_path: Path, q: str, marked: str
) -> None:
    """Snippets skip texts that cannot hold a match; a stem that ends otherwise than its word
    (happy → happi, filing → file) must not make a real match look impossible."""
    backend = TantivyBackend(tmp_path / "index")
    template = load_documents()[0]
    text = "Sensibility was happy: the filing of ponies was AGREED and radically fast."
    backend.index([{**template, "id": "x:1", "title": "Notice", "summary": text, "body": text}])
    hits = backend.search(SearchQuery(q=q)).hits
    assert [hit.id for hit in hits] == ["x:1"]
    assert f"<mark>{marked}</mark>" in hits[0].snippet


_EDGES = [
    "2023-12-31T23:59:59Z", "2024-01-01T00:00:00Z", "2024-01-14T12:00:00Z",
    "2024-01-31T23:59:59Z", "2024-02-01T00:00:00Z", "2024-02-29T23:00:00Z",
    "2024-03-01T00:00:00Z", "2024-12-31T23:59:59Z", "2025-01-01T00:00:00Z", None,
]  # fmt: skip


@pytest.mark.parametrize(
    ("since", "until"),
    [("2024-01-01", "2024-12-31"), ("2024-01-15", "2024-02-29"), ("2024-01-01", "2024-01-31"),
     ("2024-02-01", "2024-02-01"), ("2024-01-31", "2024-03-01"), ("2020-01-01", "2024-12-31"),
     ("2024-01-02", "2024-01-30"), ("2024-01-01", None), (None, "2024-01-31")],
)  # fmt: skip
def test_date_filters_keep_exactly_the_items_published_on_those_days(
    tmp_path: Path, since: str | None, until: str | None
) -> None:
    """Whole months of a date filter are matched by month, its partial months by the
    timestamp: an item at either side of a month's first or last second is kept or left out
    by its day alone."""
    backend = TantivyBackend(tmp_path / "index")
    template = load_documents()[0]
    docs = [
        {**template, "id": f"x:{n}", "published_at": at, "month": at[:7] if at else None}
        for n, at in enumerate(_EDGES)
    ]
    backend.index(docs)
    expected = {
        f"x:{n}" for n, at in enumerate(_EDGES)
        if at and (since is None or at[:10] >= since) and (until is None or at[:10] <= until)
    }  # fmt: skip
    params = {k: v for k, v in (("since", since), ("until", until)) if v}
    for q in ("", template["title"].split()[0]):
        assert ids(backend.search(SearchQuery(q=q, limit=100, **params))) == expected


_DATED = [
    "2024-03-31T23:59:59Z", "2024-03-15T12:00:00Z", "2024-03-15T12:00:00Z", "2024-03-01T00:00:00Z",
    "2024-02-29T23:59:59Z", "2024-02-29T23:59:59Z", "2024-02-01T00:00:00Z", "2023-12-31T23:59:59Z",
    None, None,
]  # fmt: skip


def _dated(template: dict[str, Any], n: int, at: str | None) -> dict[str, Any]:
    return {**template, "id": f"d:{n:02d}", "published_at": at, "month": at[:7] if at else None}


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 5, 20])
@pytest.mark.parametrize("until", [None, "2024-03-15", "2024-02-29", "2024-01-31", "2023-06-30"])
def test_date_order_lists_the_newest_first_across_months_at_every_page_size(
    tmp_path: Path, limit: int, until: str | None
) -> None:
    """A first page in date order is looked for in the newest month the query can match (the
    index's newest, or the end of its date range), and in the whole index when that month
    holds less than a page. Either way every page lists the items newest first, equal dates
    by id and undated ones last, none lost or repeated, with the total of the whole query."""
    backend = TantivyBackend(tmp_path / "index")
    template = load_documents()[0]
    docs = [_dated(template, n, at) for n, at in enumerate(_DATED)]
    backend.index(list(reversed(docs)))
    kept = [d for d in docs if until is None or (d["published_at"] or "~")[:10] <= until]
    expected = [d["id"] for d in sorted(kept, key=lambda d: (d["published_at"] is None, d["id"]))]
    expected.sort(key=lambda i: docs[int(i[2:])]["published_at"] or "", reverse=True)
    params = {"until": until} if until else {}
    found, pages = search_all(backend, sort="date", limit=limit, **params)
    assert found == expected
    assert {page.total for page in pages} == {len(expected)}


def test_a_newer_item_written_after_a_search_leads_the_next_date_ordered_page(
    tmp_path: Path,
) -> None:
    """The newest month a date-ordered page starts from is read again after every commit: an
    item from a later month, written after a search, is the next search's first hit; and
    an item dated in the future (a source's typo) is not hidden behind it either."""
    backend = TantivyBackend(tmp_path / "index")
    template = load_documents()[0]
    backend.index([_dated(template, n, at) for n, at in enumerate(_DATED)])
    assert backend.search(SearchQuery(sort="date", limit=2)).hits[0].id == "d:00"
    backend.index([_dated(template, 50, "2024-05-02T08:00:00Z")])
    first = backend.search(SearchQuery(sort="date", limit=2))
    assert [hit.id for hit in first.hits] == ["d:50", "d:00"] and first.total == len(_DATED) + 1
    backend.index([_dated(template, 51, "2094-05-02T08:00:00Z")])
    assert [h.id for h in backend.search(SearchQuery(sort="date", limit=1)).hits] == ["d:51"]


def test_a_worker_forked_after_searching_searches_with_the_same_facets(tmp_path: Path) -> None:
    """Servers and Celery fork workers from a process that may already have searched: the
    child counts facets on threads of its own (its parent's do not exist in it)."""
    path = tmp_path / "index"
    TantivyBackend(path).reindex(load_documents())
    script = """
        import os
        from search.query import SearchQuery
        backend = TantivyBackend(sys.argv[1])
        query = SearchQuery(q="专利")
        parent = backend.search(query)
        read, write = os.pipe()
        child = os.fork()
        if child == 0:
            results = backend.search(query)
            os.write(write, json.dumps([results.total, results.facets]).encode())
            os._exit(0)
        os.close(write)
        with os.fdopen(read) as pipe:
            got = json.loads(pipe.read())
        assert os.waitpid(child, 0)[1] == 0
        print(json.dumps({"parent": [parent.total, parent.facets], "child": got}))
    """
    process = _run(script, str(path), wait=False)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr[-3000:]
    seen = json.loads(stdout)
    assert seen["child"] == seen["parent"]
    assert seen["child"][0] > 0 and seen["child"][1]["jurisdiction"]


def test_a_filter_tantivy_cannot_compile_is_a_bad_query_not_an_outage(tmp_path: Path) -> None:
    """The query model caps party names well below tantivy's regex limit; a query built past
    the model (``model_construct``, as no caller should) still fails as the request's fault."""
    backend = TantivyBackend(tmp_path / "index")
    backend.reindex(load_documents())
    query = SearchQuery.model_construct(**{**SearchQuery().model_dump(), "party": "中" * 200})
    with pytest.raises(BadQuery) as caught:
        backend.search(query)
    assert caught.value.field == "party"
