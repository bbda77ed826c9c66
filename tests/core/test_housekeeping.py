"""Catch-up finds the work that stalled between stages, and nothing once it is done."""

from __future__ import annotations

from pathlib import Path

from core.db import session_scope
from core.housekeeping import stalled_work
from core.types import ItemRecord


def test_stalled_items_are_found_until_processed(db: str) -> None:
    from api.pipeline import process_items
    from crawlers.store import store_items

    item = ItemRecord(
        id="x:1",
        source="federal_register",
        title="Certain Lithium-Ion Batteries",
        summary="337-TA-1450 lithium-ion battery cells",
        kind="dispute",
    )
    with session_scope() as session:
        written = store_items(session, "federal_register", [item]).written
    ids = [item_id for item_id, _ in written]
    work = stalled_work()
    assert work["untagged"] == ids and work["unindexed"] == ids
    with session_scope() as session:
        process_items(session, ids)
    assert stalled_work() == {"untagged": [], "unevaluated": [], "unindexed": []}


def test_delivered_broker_messages_are_purged_and_pending_ones_kept(tmp_path: Path) -> None:
    from datetime import timedelta

    from kombu import Connection

    from core.housekeeping import purge_delivered_broker_messages

    url = f"sqla+sqlite:///{tmp_path / 'broker.db'}"
    with Connection(url) as conn:
        queue = conn.SimpleQueue("work")
        for n in range(3):
            queue.put({"n": n})
        for _ in range(2):
            queue.get(timeout=5).ack()
        purged = purge_delivered_broker_messages(url, older_than=timedelta(0))
        assert purged == 2
        assert queue.get(timeout=5).payload == {"n": 2}
        queue.close()


def test_purge_leaves_other_brokers_alone() -> None:
    from core.housekeeping import purge_delivered_broker_messages

    assert purge_delivered_broker_messages("redis://127.0.0.1:6379/0") == 0
