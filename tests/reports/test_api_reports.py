"""Briefings and health checks over HTTP: the API under /api/v1 and the web pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def client(seeded: str) -> Iterator[TestClient]:
    from api.app import create_app
    from tests.credentials import admin_headers

    with TestClient(create_app(), headers=admin_headers()) as test_client:
        yield test_client


def _generate(client: TestClient, **body: object) -> dict:
    response = client.post("/api/v1/briefings", json={"as_of": "2025-10-15", **body})
    assert response.status_code == 201, response.text
    return response.json()


def test_briefing_generated_on_demand_is_listed_and_served_as_json_html_and_pdf(
    client: TestClient,
) -> None:
    made = _generate(client, country="us", period="2025-Q3")
    assert (made["country"], made["period"], made["risk_level"]) == ("US", "2025-Q3", "medium")
    listed = client.get("/api/v1/briefings").json()["briefings"]
    assert [b["id"] for b in listed] == [made["id"]]
    data = client.get(f"/api/v1/briefings/{made['id']}").json()
    assert data["disputes"]["total"] == 4 and data["country_name"]["zh"] == "美国"
    html = client.get(f"/api/v1/briefings/{made['id']}/html?lang=en")
    assert html.headers["content-type"].startswith("text/html")
    assert "Country IP environment briefing · United States (US)" in html.text
    pdf = client.get(made["pdf_url"] + "?lang=zh")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert 'filename="briefing-' in pdf.headers["content-disposition"]


def test_unknown_country_chain_or_period_is_a_422_listing_valid_values(client: TestClient) -> None:
    bad_country = client.post("/api/v1/briefings", json={"country": "XX"}).json()["error"]
    assert bad_country["fields"][0]["field"] == "country"
    assert "valid: AD, AE" in bad_country["message"]
    bad_chain = client.post("/api/v1/briefings", json={"country": "US", "chain": "Q9"}).json()
    assert "valid: L1, L2" in bad_chain["error"]["message"]
    bad_period = client.post("/api/v1/briefings", json={"country": "US", "period": "2025-Q9"})
    assert bad_period.status_code == 422 and "YYYY-Qn" in bad_period.text


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/briefings/999",
        "/api/v1/briefings/..%2F..%2Fetc%2Fpasswd",
        "/api/v1/health-checks/1.pdf",
    ],
)
def test_reports_are_addressed_by_id_only(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (404, 422)
    assert "root:" not in response.text


def test_health_check_runs_is_listed_renders_and_takes_an_advisors_note(
    client: TestClient,
) -> None:
    made = client.post(
        "/api/v1/health-checks", json={"enterprise_id": "wuxi-battery", "as_of": "2025-10-15"}
    )
    assert made.status_code == 201, made.text
    check = made.json()
    assert check["level"] in {"green", "yellow", "orange", "red"}
    assert [c["id"] for c in client.get("/api/v1/health-checks").json()["health_checks"]] == [
        check["id"]
    ]
    notes = f"/api/v1/health-checks/{check['id']}/notes"
    forged = client.post(notes, json={"author": "李顾问", "text": "冒名的意见"})
    assert forged.status_code == 422 and "author" in forged.text  # not signed as someone else
    note = client.post(notes, json={"text": "请在两周内完成美国商标检索。"})
    assert note.status_code == 201
    result = client.get(f"/api/v1/health-checks/{check['id']}").json()
    assert [n["author"] for n in result["notes"]] == ["operator test key"]  # the caller's key
    html = client.get(f"/api/v1/health-checks/{check['id']}/html?lang=zh").text
    assert "企业知识产权体检报告" in html and "请在两周内完成美国商标检索。" in html
    pdf = client.get(check["pdf_url"] + "?lang=en")
    assert pdf.headers["content-type"] == "application/pdf"


def test_health_check_of_an_unknown_enterprise_is_a_404_naming_known_ones(
    client: TestClient,
) -> None:
    response = client.post("/api/v1/health-checks", json={"enterprise_id": "nobody"})
    assert response.status_code == 404
    assert "known: wuxi-battery" in response.json()["error"]["message"]


def test_web_pages_list_render_and_link_the_pdf_in_both_languages(client: TestClient) -> None:
    made = _generate(client, country="DE", period="2025-Q3")
    listing = client.get("/briefings?lang=en").text
    assert f"/api/v1/briefings/{made['id']}/pdf?lang=en" in listing
    assert 'href="/briefings"' in listing  # the nav link
    page = client.get(f"/briefings/{made['id']}?lang=zh").text
    assert "国别知识产权环境简报 · 德国 (DE)" in page and "下载 PDF" in page
    assert client.get("/briefings/12345").status_code == 404


def test_web_form_generates_a_briefing_and_rejects_an_unknown_country(client: TestClient) -> None:
    ok = client.post(
        "/briefings", data={"country": "US", "period": "2025-Q3"}, follow_redirects=False
    )
    assert ok.status_code == 303 and ok.headers["location"].startswith("/briefings/")
    bad = client.post("/briefings?lang=en", data={"country": "XX"})
    assert bad.status_code == 422 and "unknown country code" in bad.text


def test_web_health_check_form_and_note(client: TestClient) -> None:
    ran = client.post(
        "/health-checks", data={"enterprise_id": "wuxi-battery"}, follow_redirects=False
    )
    assert ran.status_code == 303
    location = ran.headers["location"]
    noted = client.post(
        f"{location}/notes",
        data={"author": "Advisor Wang", "text": "Check US TM coverage."},
        follow_redirects=False,
    )
    assert noted.status_code == 303
    assert "Check US TM coverage." in client.get(f"{location}?lang=en").text
    assert "Wuxi Example Battery Co., Ltd." in client.get("/health-checks?lang=en").text


RANGE = "give a date from 1990-01-01 to 2100-12-31"


@pytest.mark.parametrize("day", ["0001-01-01", "1989-12-31", "2101-01-01", "9999-12-31"])
def test_an_as_of_date_out_of_range_is_a_422_naming_as_of_and_the_range(
    client: TestClient, day: str
) -> None:
    for path, body in (
        ("/api/v1/briefings", {"country": "US", "as_of": day}),
        ("/api/v1/health-checks", {"enterprise_id": "wuxi-battery", "as_of": day}),
    ):
        response = client.post(path, json=body)
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "invalid_request" and error["message"].endswith("as_of")
        [field] = error["fields"]
        assert field["field"] == "as_of"
        assert f"as_of: {day} is out of range; {RANGE}" in field["message"]
    assert client.get("/api/v1/briefings").json()["briefings"] == []
    assert client.get("/api/v1/health-checks").json()["health_checks"] == []


@pytest.mark.parametrize("period", ["1989", "2101-Q1", "9999-12", "0001"])
def test_a_period_out_of_range_is_a_422_naming_period_and_the_years(
    client: TestClient, period: str
) -> None:
    response = client.post("/api/v1/briefings", json={"country": "US", "period": period})
    assert response.status_code == 422, response.text
    [field] = response.json()["error"]["fields"]
    assert field["field"] == "period"
    assert f"period {period!r} is out of range; give one from 1990 to 2100" in field["message"]


@pytest.mark.parametrize(
    ("as_of", "period"),
    [("1990-01-01", None), ("1990-01-01", "1990-01"), ("2100-12-31", "2100-Q4"),
     ("2100-12-31", None), ("2100-12-31", "2100")],
)  # fmt: skip
def test_the_first_and_last_days_of_the_range_give_reports_not_errors(
    client: TestClient, as_of: str, period: str | None
) -> None:
    briefing = client.post(
        "/api/v1/briefings", json={"country": "US", "as_of": as_of, "period": period}
    )
    assert briefing.status_code == 201, briefing.text
    assert client.get(briefing.json()["html_url"] + "?lang=en").status_code == 200
    check = client.post(
        "/api/v1/health-checks", json={"enterprise_id": "wuxi-battery", "as_of": as_of}
    )
    assert check.status_code == 201, check.text
    assert client.get(check.json()["html_url"] + "?lang=en").status_code == 200


def test_a_health_check_read_in_english_names_markets_not_codes(client: TestClient) -> None:
    made = client.post(
        "/api/v1/health-checks", json={"enterprise_id": "wuxi-battery", "as_of": "2025-10-15"}
    ).json()
    result = client.get(f"/api/v1/health-checks/{made['id']}").json()
    d3 = next(d for d in result["dimensions"] if d["id"] == "D3")
    english = [e["text"]["en"] for e in d3["evidence"]]
    assert any(t.startswith("United States (40% of exports): patent no") for t in english)
    assert not any(t.startswith("US ") for t in english)
    assert d3["evidence"][0]["source"] == "profile.destinations.US"  # a machine field
    risks = " ".join(r["explanation"]["en"] for r in result["top_risks"])
    assert "(United States)" in risks and "(US)" not in risks
    html = client.get(f"{made['html_url']}?lang=en").text
    assert "United States 40%" in html and "US 40%" not in html
