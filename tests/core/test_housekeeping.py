"""Catch-up finds the work that stalled between stages, and nothing once it is done."""

from __future__ import annotations

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
