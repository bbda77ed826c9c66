"""Golden snapshots of the rendered HTML for the fixed dataset (``--update-golden`` to
rewrite them after a deliberate change; a missing snapshot is written and the test fails
until someone reviews it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from reports.briefing import build_briefing
from reports.health import build_health_report
from reports.render import render_briefing_html, render_health_html
from tests.reports import dataset

GOLDEN = Path(__file__).resolve().parent / "golden"


def _check(name: str, html: str, update: bool) -> None:
    path = GOLDEN / name
    if update or not path.exists():
        path.write_text(html, encoding="utf-8")
        if not update:
            pytest.fail(f"wrote new snapshot {path.name}; review it and run again")
    assert html == path.read_text(encoding="utf-8"), f"{name} differs from its snapshot"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_briefing_html_matches_its_snapshot(
    session: Session, lang: str, update_golden: bool
) -> None:
    briefing = build_briefing(session, "US", None, "2025-Q3", dataset.AS_OF)
    briefing = briefing.model_copy(update={"generated_at": dataset.GENERATED})
    _check(f"briefing-US-2025-Q3.{lang}.html", render_briefing_html(briefing, lang), update_golden)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_health_check_html_matches_its_snapshot(
    session: Session, lang: str, update_golden: bool
) -> None:
    report = build_health_report(session, dataset.RESULT, dataset.PROFILE)
    report = report.model_copy(update={"generated_at": dataset.GENERATED})
    _check(
        f"health-check-wuxi-battery.{lang}.html", render_health_html(report, lang), update_golden
    )


def test_sparse_profile_marks_missing_sections_not_assessed(session: Session) -> None:
    result = dataset.RESULT.model_copy(
        update={"enterprise_id": "sparse-co", "top_risks": [], "recommendations": [], "notes": []}
    )
    report = build_health_report(session, result, dataset.SPARSE_PROFILE)
    html = render_health_html(report, "en")
    assert (
        html.count("Not assessed (not provided in the profile)") == 4
    )  # chains, products, markets, portfolio
    assert "Not assessed: The profile does not give this information" in html
    assert "Assessed: 6 of 8 dimensions, carrying 80 of 100 weight points" in html


def test_evidence_quoting_crawled_markup_is_made_plain(session: Session) -> None:
    from core.types import Evidence, LocalizedName

    dimension = dataset.RESULT.dimensions[0].model_copy(
        update={
            "evidence": [
                Evidence(
                    text=LocalizedName(en='Named in <a href="javascript:x()">Acme</a> &amp; Co.'),
                    source="item",
                    url="javascript:alert(1)",
                )
            ]
        }
    )
    result = dataset.RESULT.model_copy(update={"dimensions": [dimension]})
    html = render_health_html(build_health_report(session, result, dataset.PROFILE), "en")
    assert "Named in Acme &amp; Co." in html
    assert "javascript:" not in html
