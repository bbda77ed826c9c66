"""Bad search input gets a 422 naming the parameter, never a 500 or "unavailable"; exports
say when they are cut short and never hand a spreadsheet a formula."""

from __future__ import annotations

import csv
import html
import io
import zipfile
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from core.types import ItemRecord, stable_item_id


def _error(response: object) -> dict:
    assert response.status_code == 422, response.text  # type: ignore[attr-defined]
    return response.json()["error"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("param", ["until", "since"])
def test_a_day_no_engine_can_store_is_a_422_naming_the_field_everywhere(
    client: TestClient, param: str
) -> None:
    far = {param: "9999-12-31"}
    for path in ("/api/v1/items", "/api/v1/items/export"):
        error = _error(client.get(path, params=far))
        assert error["fields"][0]["field"] == param
        assert "9000-12-31" in error["message"]
    saved = client.post("/api/v1/searches", json={"name": "far", "query": far})
    assert _error(saved)["fields"][0]["field"] == f"query.{param}"
    assert client.get("/api/v1/items", params={param: "9000-12-31"}).status_code == 200


def test_an_overlong_party_name_is_a_422_not_search_unavailable(client: TestClient) -> None:
    for param in ("party", "case_ref"):
        error = _error(client.get("/api/v1/items", params={param: "中" * 100 + "x"}))
        assert error["fields"][0]["field"] == param
        assert "at most 100 characters" in error["message"]
    longest = client.get("/api/v1/items", params={"party": "中" * 100})
    assert longest.status_code == 200 and longest.json()["total"] == 0


@pytest.mark.parametrize(
    "param, value, hint",
    [("country", "XX", "ISO 3166"), ("source", "nope", "federal_register"),
     ("chain", "ZZ9", "A5"), ("ip_type", "bogus", "trademark"),
     ("ip_type", "patnet", "did you mean 'patent'")],
)  # fmt: skip
def test_an_unknown_filter_value_is_a_422_naming_it_and_the_valid_ones(
    client: TestClient, param: str, value: str, hint: str
) -> None:
    error = _error(client.get("/api/v1/items", params={param: value}))
    assert error["fields"][0]["field"] == param
    assert error["message"].startswith(f"{param}: ") and repr(value) in error["message"]
    assert hint in error["message"]


def test_known_filter_values_match_in_any_case(client: TestClient) -> None:
    exact = client.get("/api/v1/items", params={"country": "US", "source": "federal_register"})
    folded = client.get("/api/v1/items", params={"country": "us", "source": "FEDERAL_REGISTER"})
    assert exact.json()["total"] == folded.json()["total"] == 2
    assert client.get("/api/v1/items", params={"chain": "a5"}).json()["total"] >= 1


def test_an_item_shows_its_times_in_utc_as_the_list_does(client: TestClient) -> None:
    hit = client.get("/api/v1/items", params={"q": "Patent Term"}).json()["hits"][0]
    item = client.get(f"/api/v1/items/{hit['id']}").json()
    assert item["published_at"] == hit["published_at"] == "2025-05-01T00:00:00Z"
    assert item["fetched_at"] is None or item["fetched_at"].endswith("Z")


@pytest.fixture
def hostile_item(client: TestClient) -> ItemRecord:
    """An item whose title and jurisdictions a spreadsheet would read as formulas."""
    from api.pipeline import process_items
    from core.db import session_scope
    from crawlers.store import store_items

    item = ItemRecord(
        id=stable_item_id("federal_register", "hostile"),
        source="federal_register",
        title="-5 days to respond",
        summary="A deadline.",
        language="en",
        published_at=datetime(2025, 7, 1, tzinfo=UTC),
        jurisdictions=["=1+2", "US"],
        kind="news",
    )
    with session_scope() as session:
        result = store_items(session, item.source, [item])
        session.flush()
        process_items(session, [item_id for item_id, _ in result.written])
    return item


def test_csv_export_never_hands_a_spreadsheet_a_formula(
    client: TestClient, hostile_item: ItemRecord
) -> None:
    response = client.get("/api/v1/items/export", params={"format": "csv", "sort": "date"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    row = next(r for r in rows if r["id"] == hostile_item.id)
    assert row["title"] == "'-5 days to respond"
    assert row["jurisdictions"].startswith("'=1+2")


def test_xlsx_export_shows_text_as_it_is(client: TestClient, hostile_item: ItemRecord) -> None:
    response = client.get("/api/v1/items/export", params={"format": "xlsx", "q": "deadline"})
    with zipfile.ZipFile(io.BytesIO(response.content)) as workbook:
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
    assert ">-5 days to respond<" in sheet and "'-5" not in sheet
    assert ">=1+2; " in sheet
    assert "<f>" not in sheet  # no formula cells


LONG_URL = "https://www.federalregister.gov/documents/search?" + "conditions%5Bterm%5D=x&" * 100


def test_xlsx_export_makes_no_link_of_a_title_and_keeps_a_long_url(client: TestClient) -> None:
    """xlsxwriter turned a title starting ``external:`` into a link to a file share (its text
    cut) and left the cell of a URL over Excel's 2,079 characters empty."""
    from api.pipeline import process_items
    from core.db import session_scope
    from crawlers.store import store_items

    title = r"external:\\files.example\share\notice.exe"
    item = ItemRecord(
        id=stable_item_id("federal_register", "link-bait"),
        source="federal_register",
        title=title,
        summary="A deadline.",
        url=LONG_URL,
        language="en",
        published_at=datetime(2025, 7, 1, tzinfo=UTC),
        jurisdictions=["US"],
        kind="news",
    )
    with session_scope() as session:
        result = store_items(session, item.source, [item])
        session.flush()
        process_items(session, [item_id for item_id, _ in result.written])
    response = client.get("/api/v1/items/export", params={"format": "xlsx", "sort": "date"})
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as workbook:
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
        links = workbook.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
    assert f">{html.escape(title, quote=False)}<" in sheet
    assert f">{html.escape(LONG_URL, quote=False)}<" in sheet, "the long URL is kept as text"
    assert "file:" not in links and "share" not in links
    assert 'Target="https://www.federalregister.gov/d/2025-01001"' in links, "URLs still link"


def test_export_tells_whether_it_holds_the_whole_result_set(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.routers import items

    whole = client.get("/api/v1/items/export", params={"format": "csv"})
    assert whole.headers["x-export-truncated"] == "false"
    assert whole.headers["x-export-total"] == "3"
    monkeypatch.setattr(items, "EXPORT_CAP", 2)  # the cap is 10,000: too many items to store
    for format in ("csv", "xlsx"):
        cut = client.get("/api/v1/items/export", params={"format": format})
        assert cut.headers["x-export-truncated"] == "true"
        assert cut.headers["x-export-total"] == "3"
    rows = client.get("/api/v1/items/export", params={"format": "csv"})
    assert len(rows.content.decode("utf-8-sig").strip().splitlines()) == 1 + 2


@pytest.mark.parametrize("cell", ["\t=cmd()", "\r=cmd()", "=1+2; US", "@SUM(A1)"])
def test_a_csv_cell_a_spreadsheet_would_run_is_quoted(cell: str) -> None:
    from api.export import csv_chunks

    text = b"".join(csv_chunks(row for row in [["id", cell]])).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1] == ["id", "'" + cell]


def test_a_saved_search_stored_before_its_values_were_checked_is_a_422(
    client: TestClient,
) -> None:
    from core.db import session_scope
    from core.models import SavedSearch

    with session_scope() as session:
        saved = SavedSearch(name="legacy", query={"q": "patent", "until": "9999-12-31"})
        session.add(saved)
        session.flush()
        saved_id = saved.id
    assert _error(client.get(f"/api/v1/searches/{saved_id}/run"))["fields"][0]["field"] == "until"
    body = {
        "name": "legacy",
        "saved_search_id": saved_id,
        "owner_contact": "mailtos://bob:hunter2@smtp.example.com?to=owner@example.com",
    }
    for path in ("/api/v1/subscriptions/estimate", "/api/v1/subscriptions"):
        error = _error(client.post(path, json=body))
        assert error["fields"][0]["field"] == "saved_search_id"
        assert "until" in error["message"]
