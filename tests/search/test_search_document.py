"""Building the indexed document from an item row, a record or a dict."""

from __future__ import annotations

from datetime import datetime

import pytest
from search_testkit import load_items

from core.models import Item
from core.types import ItemRecord, Tags
from search.document import MAX_BODY_CHARS, build_document
from tagger.places import normalise_city, normalise_province, resolve_location


def test_orm_row_with_naive_datetime_and_tags_dict() -> None:
    row = Item(
        id="usitc:1", source_id="usitc", title="Notice", summary="", body="b" * (MAX_BODY_CHARS + 5),
        language="en", published_at=datetime(2025, 3, 4, 23, 30), jurisdictions=["us"],
        kind="news", ip_types=["Patent"], case_refs=["337-TA-1"], parties=[
            {"name": "Foo Co.", "location": "广东省东莞市", "chinese": False}],
        tags={"kind": "dispute", "chains": [{"id": "ev", "score": 0.5}, {"id": "ev", "score": 0.4}],
              "parties": [{"name": "FOO  co.", "chinese": True}], "jurisdictions": ["US", "CN"]},
        content_hash="h", version=4,
    )  # fmt: skip
    doc = build_document(row)
    assert doc["published_at"] == "2025-03-04T23:30:00Z" and doc["month"] == "2025-03"
    assert doc["kind"] == "dispute"  # the tagger's kind wins over the crawler's default
    assert doc["jurisdictions"] == ["US", "CN"] and doc["chains"] == ["ev"]
    assert doc["ip_types"] == ["patent"] and doc["case_refs_folded"] == ["337-ta-1"]
    assert doc["parties"] == ["Foo Co."] and doc["chinese_party"] is True
    assert (doc["provinces"], doc["cities"]) == (["广东"], ["东莞"])
    assert len(doc["body"]) == MAX_BODY_CHARS and doc["version"] == 4 and doc["source"] == "usitc"


def test_record_and_dict_give_the_same_document() -> None:
    data = load_items()[0]
    record = ItemRecord.model_validate({**data, "tags": Tags.model_validate(data["tags"])})
    assert build_document(record) == build_document(data)


def test_bad_tags_are_logged_and_ignored() -> None:
    doc = build_document({"id": "x", "title": "T", "tags": {"chains": "not a list"}})
    assert doc["chains"] == [] and doc["month"] is None and doc["published_at"] is None


def test_item_without_title_is_refused() -> None:
    with pytest.raises(ValueError):
        build_document({"id": "x", "title": ""})


@pytest.mark.parametrize(
    "location, provinces, cities",
    [("广东省深圳市宝安区", {"广东"}, {"深圳"}), ("Shenzhen, Guangdong, China", {"广东"}, {"深圳"}),
     ("上海市南京路100号", {"上海"}, {"上海"}), ("浙江义乌", {"浙江"}, {"义乌"}),
     ("Xi'an, Shaanxi", {"陕西"}, {"西安"}), ("Taizhou, China", set(), set()),
     ("新疆维吾尔自治区乌鲁木齐市", {"新疆"}, {"乌鲁木齐"}), ("Los Angeles, CA", set(), set()),
     (None, set(), set())],
)  # fmt: skip
def test_locations_flag_provinces_and_cities(
    location: str | None, provinces: set[str], cities: set[str]
) -> None:
    assert resolve_location(location) == (provinces, cities)


def test_place_names_normalise_from_any_spelling() -> None:
    assert {
        normalise_province(v) for v in ("广东省", "guangdong", "CN-GD", "Guangdong Province")
    } == {"广东"}
    assert {normalise_city(v) for v in ("深圳市", "Shenzhen", "shenzhen city")} == {"深圳"}
    with pytest.raises(ValueError):
        normalise_city("Taizhou")
