"""The HTTP API under /api/v1: what a client sees."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import ITEMS


def test_health_reports_each_component(client: TestClient) -> None:
    body = client.get("/api/v1/health").json()
    assert body["status"] == "ok"
    assert set(body["components"]) == {"database", "search", "broker"}
    assert all(c["ok"] for c in body["components"].values())


def test_items_search_finds_english_text_with_highlight(client: TestClient) -> None:
    body = client.get("/api/v1/items", params={"q": "lithium-ion battery"}).json()
    assert body["total"] >= 1
    top = body["hits"][0]
    assert "337" in top["title"] or "Lithium" in top["title"]
    assert "<mark>" in top["snippet"]


def test_translate_finds_english_items_for_a_chinese_term(client: TestClient) -> None:
    """An exporter searching 锂电池 finds the US 337 notice on lithium-ion battery cells when
    asking for translations, with the English words marked; not without."""
    plain = client.get("/api/v1/items", params={"q": "锂电池 337调查"}).json()
    assert plain["total"] == 0
    both = client.get("/api/v1/items", params={"q": "锂电池 337调查", "translate": "true"}).json()
    assert [h["title"][:30] for h in both["hits"]] == ["Certain Lithium-Ion Battery Ce"]
    assert "<mark>" in both["hits"][0]["snippet"]
    bad = client.get("/api/v1/items", params={"q": "锂电池", "translate": "maybe"})
    assert bad.status_code == 422 and "translate" in bad.text


def test_translate_leaves_out_chinese_fillers_and_says_so(client: TestClient) -> None:
    """An exporter types "美国 发起337调查" (the US launches a 337 investigation); no English
    item words 发起, so a translated search leaves it out, finds the U.S. section 337 notice,
    and names the word it left out; the plain search still requires it and leaves nothing
    out."""
    q = "美国 发起337调查"
    plain = client.get("/api/v1/items", params={"q": q}).json()
    assert (plain["total"], plain["ignored"]) == (0, [])
    both = client.get("/api/v1/items", params={"q": q, "translate": "true"}).json()
    assert [h["title"][:30] for h in both["hits"]] == ["Certain Lithium-Ion Battery Ce"]
    assert both["ignored"] == ["发起"]


def test_two_character_chinese_query_finds_its_item(client: TestClient) -> None:
    body = client.get("/api/v1/items", params={"q": "专利"}).json()
    assert [h["title"] for h in body["hits"]] == [
        "欧盟统一专利法院对光伏组件专利侵权案发布临时禁令"
    ]


def test_filters_by_kind_country_and_date(client: TestClient) -> None:
    rules = client.get("/api/v1/items", params={"kind": "rule_change"}).json()
    assert [h["kind"] for h in rules["hits"]] == ["rule_change"]
    us = client.get("/api/v1/items", params={"country": "US"}).json()
    assert us["total"] == 2
    recent = client.get("/api/v1/items", params={"since": "2025-05-01"}).json()
    assert recent["total"] == 2
    assert us["facets"]["kind"] == {"dispute": 1, "rule_change": 1}


def test_filter_by_chain_uses_the_tags(client: TestClient) -> None:
    body = client.get("/api/v1/items", params={"chain": "A5"}).json()
    titles = {h["title"] for h in body["hits"]}
    assert any("Lithium-Ion" in t for t in titles)
    assert not any("Patent Term" in t for t in titles)


def test_cursor_pages_through_everything_once(client: TestClient) -> None:
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 1, "sort": "date"}
    for _ in range(10):
        body = client.get("/api/v1/items", params=params).json()
        seen += [h["id"] for h in body["hits"]]
        if not body["next_cursor"]:
            break
        params["cursor"] = body["next_cursor"]
    assert len(seen) == len(set(seen)) == 3


def test_wrong_parameter_gets_422_naming_the_field(client: TestClient) -> None:
    response = client.get("/api/v1/items", params={"since": "last tuesday"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert [f["field"] for f in error["fields"]] == ["since"]
    assert "since" in error["message"]
    bad_kind = client.get("/api/v1/items", params={"kind": "gossip"})
    assert bad_kind.status_code == 422
    assert bad_kind.json()["error"]["fields"][0]["field"] == "kind"


def test_hostile_query_is_not_a_server_error(client: TestClient) -> None:
    for q in ['"unbalanced', "AND OR NOT", "title:x", "(((", "*"]:
        response = client.get("/api/v1/items", params={"q": q})
        assert response.status_code in (200, 422), (q, response.text)


def test_item_by_id_and_unknown_id(client: TestClient) -> None:
    hit = client.get("/api/v1/items", params={"q": "Patent Term"}).json()["hits"][0]
    item = client.get(f"/api/v1/items/{hit['id']}").json()
    assert item["kind"] == "rule_change"
    assert item["tags"]["jurisdictions"] == ["US"]
    missing = client.get("/api/v1/items/nope:123")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_alerts_explain_why(client: TestClient) -> None:
    alerts = client.get("/api/v1/alerts").json()["alerts"]
    by_rule = {a["rule_id"]: a for a in alerts}
    alert = by_rule["itc337_in_market_chain"]
    assert alert["enterprise_id"] == "wuxi-battery"
    assert alert["severity"] == "critical"
    assert alert["deadline"] == "2025-03-23"
    assert "337-TA-1450" in alert["explanation"]["en"]
    # the UPC preliminary injunction concerns the German market
    assert "upc_injunction_in_chain" in by_rule
    assert by_rule["upc_injunction_in_chain"]["explanation"]["matched"]["markets"] == ["DE"]


def test_openapi_lists_the_contract_paths(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/health",
        "/api/v1/items",
        "/api/v1/items/{item_id}",
        "/api/v1/alerts",
        "/api/v1/sources",
    ):
        assert path in paths


def test_filters_by_case_ref_party_and_place(client: TestClient) -> None:
    def titles(**params: str) -> list[str]:
        return [h["title"] for h in client.get("/api/v1/items", params=params).json()["hits"]]

    lithium = ITEMS[0].title
    assert titles(case_ref="337-ta-1450") == [lithium]
    assert titles(party="example battery") == [lithium]
    assert titles(province="Jiangsu") == [lithium]
    assert titles(city="无锡") == [lithium]
    assert lithium in titles(chinese_party="true")
    assert ITEMS[1].title not in titles(chinese_party="true")
    assert titles(ip_type="patent", until="2025-03-31") == [lithium]


def test_unknown_province_is_a_422_naming_the_field(client: TestClient) -> None:
    response = client.get("/api/v1/items", params={"province": "Atlantis"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "province"


def test_export_csv_streams_the_result_set_with_chinese_intact(client: TestClient) -> None:
    response = client.get("/api/v1/items/export", params={"format": "csv", "sort": "date"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("id,published_at,title")
    assert len(lines) == 4
    assert "欧盟统一专利法院" in text


def test_export_xlsx_is_a_workbook_with_every_row(client: TestClient) -> None:
    import zipfile
    from io import BytesIO

    response = client.get("/api/v1/items/export", params={"format": "xlsx", "country": "US"})
    assert response.status_code == 200
    with zipfile.ZipFile(BytesIO(response.content)) as workbook:
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<row ") == 3  # header + the two US items


def test_export_refuses_a_bad_query_before_streaming(client: TestClient) -> None:
    response = client.get("/api/v1/items/export", params={"format": "pdf"})
    assert response.status_code == 422
    response = client.get("/api/v1/items/export", params={"q": '"unbalanced'})
    assert response.status_code == 422
