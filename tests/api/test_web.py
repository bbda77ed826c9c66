"""The web UI: alerts and search pages, in Chinese by default and in English on request."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_alerts_page_is_chinese_by_default(client: TestClient) -> None:
    page = client.get("/alerts")
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text
    assert "我的预警" in page.text
    assert "您所在产业链的美国337调查" in page.text


def test_language_switch_sticks(client: TestClient) -> None:
    page = client.get("/alerts", params={"lang": "en"})
    assert '<html lang="en">' in page.text
    assert "Section 337 investigation in your industry chain" in page.text
    assert "我的预警" not in page.text
    again = client.get("/search")
    assert '<html lang="en">' in again.text


def test_alert_detail_shows_why_evidence_and_deadline(client: TestClient) -> None:
    alert_id = client.get("/api/v1/alerts").json()["alerts"][-1]["id"]
    page = client.get(f"/alerts/{alert_id}", params={"lang": "en"})
    assert page.status_code == 200
    for text in ("Why you got this", "Evidence", "Recommended action"):
        assert text in page.text


def test_search_page_highlights_and_offers_facets(client: TestClient) -> None:
    page = client.get("/search", params={"q": "专利"})
    assert page.status_code == 200
    assert "<mark>" in page.text
    assert "统一专利法院" in page.text or "专利" in page.text
    assert "UPC" in page.text


def test_crawled_text_is_escaped(client: TestClient) -> None:
    page = client.get("/search", params={"q": "<script>alert(1)</script>"})
    assert "<script>alert(1)</script>" not in page.text


def test_unknown_alert_is_404(client: TestClient) -> None:
    assert client.get("/alerts/999999").status_code == 404
