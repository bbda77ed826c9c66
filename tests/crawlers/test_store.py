"""Storing items as versions: unchanged items write nothing; a change is a new version."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core.models import Item, ItemVersion, OutboxEntry, Source
from core.types import ItemKind, ItemRecord, Party, stable_item_id
from crawlers.registry import get_source
from crawlers.store import store_items, upsert_source

SOURCE = "cafc_opinions"


def record(key: str, title: str = "20-1046: KYOCERA v. ITC [OPINION], Precedential") -> ItemRecord:
    return ItemRecord(
        id=stable_item_id(SOURCE, key),
        source=SOURCE,
        url=f"https://cafc.uscourts.gov/{key}/",
        title=title,
        published_at=datetime(2022, 1, 21, 16, tzinfo=UTC),
        jurisdictions=["US"],
        kind=ItemKind.DECISION,
        case_refs=["CAFC 20-1046"],
        parties=[Party(name="KYOCERA SENCO INDUS. TOOLS INC"), Party(name="ITC")],
        raw_ref=key,
    )


def count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_new_items_get_version_one_and_an_outbox_entry(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        result = store_items(session, SOURCE, [record("a"), record("b")])
    assert (result.new, result.changed, result.unchanged) == (2, 0, 0)
    assert result.written == [(stable_item_id(SOURCE, "a"), 1), (stable_item_id(SOURCE, "b"), 1)]
    with Session(engine) as session:
        assert (
            count(session, Item) == count(session, ItemVersion) == count(session, OutboxEntry) == 2
        )
        row = session.get(Item, stable_item_id(SOURCE, "a"))
        assert (
            row is not None
            and row.kind == "decision"
            and row.parties[1]["name"] == "ITC"
            and row.parties[1]["chinese"] is False
        )


def test_storing_the_same_items_twice_writes_nothing_new(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        store_items(session, SOURCE, [record("a"), record("b")])
    with Session(engine) as session, session.begin():
        again = store_items(session, SOURCE, [record("a"), record("b")])
    assert (again.new, again.changed, again.unchanged, again.written) == (0, 0, 2, [])
    with Session(engine) as session:
        assert count(session, ItemVersion) == 2 and count(session, OutboxEntry) == 2


def test_a_changed_title_is_version_two_with_its_own_outbox_entry(engine: Engine) -> None:
    item_id = stable_item_id(SOURCE, "a")
    with Session(engine) as session, session.begin():
        store_items(session, SOURCE, [record("a")])
        session.get_one(Item, item_id).tags = {"chains": []}
    changed = record("a", title="20-1046: KYOCERA v. ITC [ERRATA], Precedential")
    with Session(engine) as session, session.begin():
        result = store_items(session, SOURCE, [changed])
    assert (result.new, result.changed, result.written) == (0, 1, [(item_id, 2)])
    with Session(engine) as session:
        row = session.get_one(Item, item_id)
        assert (row.version, row.title, row.tags) == (2, changed.title, None)
        versions = session.scalars(select(ItemVersion).order_by(ItemVersion.version)).all()
        assert [(v.version, v.payload["title"]) for v in versions] == [
            (1, record("a").title),
            (2, changed.title),
        ]
        outbox = session.scalars(select(OutboxEntry).order_by(OutboxEntry.id)).all()
        assert [(o.item_id, o.version) for o in outbox] == [(item_id, 1), (item_id, 2)]


def test_a_date_this_crawl_could_not_read_does_not_erase_the_stored_one(engine: Engine) -> None:
    """A re-crawl that could not read the date (a changed format; the run says so) stored a
    version without one: the item left every date range and sank to the end of the list."""
    dated = record("a")
    with Session(engine) as session, session.begin():
        store_items(session, SOURCE, [dated])
    undated = dated.model_copy(update={"published_at": None})
    with Session(engine) as session, session.begin():
        again = store_items(session, SOURCE, [undated])
    assert (again.changed, again.unchanged) == (0, 1), "nothing else changed: no new version"
    retitled = undated.model_copy(update={"title": "20-1046: KYOCERA v. ITC [ERRATA]"})
    with Session(engine) as session, session.begin():
        changed = store_items(session, SOURCE, [retitled])
    assert changed.written == [(dated.id, 2)]
    with Session(engine) as session:
        row = session.get_one(Item, dated.id)
        assert row.title.endswith("[ERRATA]")
        assert row.published_at is not None
        assert row.published_at.replace(tzinfo=UTC) == dated.published_at
        [latest] = session.scalars(select(ItemVersion).filter_by(item_id=dated.id, version=2))
        assert latest.payload["published_at"] == "2022-01-21T16:00:00Z"


def test_an_id_repeated_in_one_batch_is_stored_once(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        result = store_items(session, SOURCE, [record("a"), record("a", title="other")])
    assert result.written == [(stable_item_id(SOURCE, "a"), 1)]


def test_failed_transaction_leaves_no_version_without_its_outbox_entry(engine: Engine) -> None:
    try:
        with Session(engine) as session, session.begin():
            store_items(session, SOURCE, [record("a")])
            raise RuntimeError("crash before commit")
    except RuntimeError:
        pass
    with Session(engine) as session:
        assert (
            count(session, Item) == count(session, ItemVersion) == count(session, OutboxEntry) == 0
        )


def test_source_row_is_upserted_from_its_yaml(engine: Engine) -> None:
    config = get_source("federal_register")
    with Session(engine) as session, session.begin():
        upsert_source(session, config)
        upsert_source(session, config)
    with Session(engine) as session:
        row = session.get_one(Source, "federal_register")
        assert (row.title_en, row.jurisdictions, row.healthy) == (config.title.en, ["US"], None)
