"""Country briefings: what they count, how they judge risk, and how they fail."""

from __future__ import annotations

import gc
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from core.models import CrawlRun
from reports.briefing import BriefingData, UnknownChainError, assemble_briefing, build_briefing
from reports.countries import UnknownCountryError, concerning_codes
from reports.periods import PeriodError, parse_period
from reports.render import render_briefing_html
from reports.service import generate_briefing
from tests.reports import dataset
from tests.reports.dataset import AS_OF


def test_disputes_are_counted_by_month_venue_and_chinese_and_jiangsu_share(
    session: Session,
) -> None:
    briefing = build_briefing(session, "US", None, "2025-Q3", AS_OF)
    stats = briefing.disputes
    assert stats.total == 4
    assert stats.by_venue == {"itc337": 1, "district_court": 1, "schedule_a": 1, "customs": 1}
    assert stats.by_month == {
        "2025-07": {"itc337": 1, "district_court": 1},
        "2025-08": {"schedule_a": 1},
        "2025-09": {"customs": 1},
    }
    assert (stats.chinese, stats.jiangsu) == (3, 1)
    assert stats.by_chain == {"A5": 2, "L1": 1, "A2": 1}


def test_rule_changes_carry_category_source_and_date(session: Session) -> None:
    briefing = build_briefing(session, "US", None, "2025-Q3", AS_OF)
    changes = {(r.category, r.source, str(r.published)) for r in briefing.rule_changes}
    assert changes == {
        ("court_practice", "cafc_opinions", "2025-09-20"),
        ("office_practice", "federal_register", "2025-08-14"),
    }


def test_risk_rises_against_the_previous_period_by_the_documented_formula(
    session: Session,
) -> None:
    risk = build_briefing(session, "US", None, "2025-Q3", AS_OF).risk
    # 337 with Chinese party 7.5 + district court (CN) 4.5 + Schedule A (CN) 4.5 + customs 2
    # + two rule changes 2 = 20.5 points over 3 months; Q2: one district suit (CN) 4.5.
    assert risk.score == pytest.approx(20.5 / 3, abs=0.01)
    assert risk.previous_score == pytest.approx(4.5 / 3, abs=0.01)
    assert (risk.level, risk.previous_level, risk.trend) == ("medium", "low", "up")


def test_an_upc_or_eu_item_concerns_germany(session: Session) -> None:
    briefing = build_briefing(session, "DE", None, "2025-Q3", AS_OF)
    assert [c.venue for c in briefing.notable_cases] == ["upc"]
    assert [r.source for r in briefing.rule_changes] == ["eu_official_journal"]


def test_a_norway_briefing_counts_european_patent_office_items() -> None:
    # Norway is an EPC state (it was lost once, read by YAML as false), not an EU member.
    assert {"NO", "EPO"} <= concerning_codes("NO")
    assert not {"EU", "UPC", "WIPO"} & concerning_codes("NO")


def test_chain_filter_keeps_only_that_chains_items(session: Session) -> None:
    briefing = build_briefing(session, "US", "A5", "2025-Q3", AS_OF)
    assert briefing.disputes.total == 2
    assert {c.venue for c in briefing.notable_cases} == {"itc337", "customs"}
    assert [d.chain for d in briefing.dynamics] == ["A5"]


def test_notable_case_names_parties_stage_and_next_date(session: Session) -> None:
    case = build_briefing(session, "US", None, "2025-Q3", AS_OF).notable_cases[0]
    assert case.case_refs == ["337-TA-1456"]
    assert case.claimants == ["Energy Holdings LLC"]
    assert "Wuxi Example Battery Co., Ltd." in case.defendants
    assert case.stage == "institution"
    assert [str(d) for d in case.next_dates] == ["2026-03-02"]
    assert case.jiangsu


def test_who_sues_whom_per_chain(session: Session) -> None:
    dynamics = {d.chain: d for d in build_briefing(session, "US", None, "2025-Q3", AS_OF).dynamics}
    pairs = {(p.claimant, p.defendant) for p in dynamics["A5"].pairs}
    assert ("Energy Holdings LLC", "Ningbo Cells Co.") in pairs
    assert dynamics["A5"].top_claimants[0].name == "Energy Holdings LLC"


def test_stale_and_never_run_sources_are_flagged(session: Session) -> None:
    sources = {s.id: s for s in build_briefing(session, "US", None, "2025-Q3", AS_OF).sources}
    assert sources["courtlistener_recap"].stale  # last success 2025-09-01
    assert sources["cafc_opinions"].stale  # never succeeded
    assert not sources["usitc_337_news"].stale
    html = render_briefing_html(build_briefing(session, "US", None, "2025-Q3", AS_OF), "en")
    assert html.count("⚠ stale") == 2


def test_country_without_data_gets_an_honest_no_data_report(session: Session) -> None:
    briefing = build_briefing(session, "FJ", None, "2025-Q3", AS_OF)
    assert not briefing.has_data
    html = render_briefing_html(briefing, "zh")
    assert "本期（2025-Q3）无数据" in html
    assert "斐济" in html


def test_crawled_markup_is_dropped_before_the_template(session: Session) -> None:
    html = render_briefing_html(build_briefing(session, "US", None, "2025-Q3", AS_OF), "en")
    assert "Acme Networks v. Shenzhen Switch Co." in html
    assert "<script>alert" not in html and "alert(1)" not in html


def test_unknown_country_lists_the_valid_codes(session: Session) -> None:
    with pytest.raises(
        UnknownCountryError, match=r"unknown country code 'XX'; valid: AD, AE.*DE.*US.*UPC"
    ):
        build_briefing(session, "XX", None, "2025-Q3", AS_OF)


def test_unknown_chain_lists_the_valid_ids(session: Session) -> None:
    with pytest.raises(UnknownChainError, match=r"unknown chain id 'Z9'; valid: L1, L2.*A5"):
        build_briefing(session, "US", "Z9", "2025-Q3", AS_OF)


@pytest.mark.parametrize("period", ["2025-Q5", "2025-13", "Q3-2025", ""])
def test_bad_period_says_which_forms_are_accepted(period: str) -> None:
    with pytest.raises(PeriodError, match="YYYY-Qn"):
        parse_period(period)


def test_default_period_is_the_last_full_month(session: Session) -> None:
    briefing = build_briefing(session, "US", None, None, AS_OF)
    assert (briefing.period, briefing.previous_period) == ("2025-09", "2025-08")


def test_briefing_reads_the_same_from_postgresql(postgres_url: str) -> None:
    from core.db import session_scope
    from tests.reports import dataset

    with session_scope() as session:
        dataset.seed(session)
    with session_scope() as session:
        briefing = build_briefing(session, "DE", None, "2025-Q3", AS_OF)
        us = build_briefing(session, "US", None, "2025-Q3", AS_OF)
    assert [c.venue for c in briefing.notable_cases] == ["upc"]
    assert us.disputes.by_venue == {"itc337": 1, "district_court": 1, "schedule_a": 1, "customs": 1}


def test_an_item_whose_tags_hold_nan_is_still_counted(session: Session) -> None:
    from core.models import Item

    # Python's json module (SQLAlchemy's default serialiser) writes NaN; orjson refuses it.
    row: dict[str, Any] = dict(dataset.ITEMS[0], id="usitc_337_news:nan", content_hash="nan")
    row["tags"] = dict(row["tags"], chains=[{"id": "A5", "score": float("nan"), "evidence": []}])
    session.add(Item(**row))
    session.flush()
    stats = build_briefing(session, "US", None, "2025-Q3", AS_OF).disputes
    assert (stats.total, stats.by_venue["itc337"], stats.by_chain["A5"]) == (5, 2, 3)


def test_briefing_leaves_the_garbage_collector_as_it_found_it(session: Session) -> None:
    build_briefing(session, "US", None, "2025-Q3", AS_OF)
    assert gc.isenabled()
    gc.disable()
    try:
        build_briefing(session, "US", None, "2025-Q3", AS_OF)
        assert not gc.isenabled()
    finally:
        gc.enable()


def _upc_case(parties: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return dataset._item(
        "upc-app",
        "upc_decisions",
        "Demo Battery Systems AG v. Wuxi Example Cell Technology Co., Ltd. – provisional measures",
        dataset._at(6, 13),
        "decision",
        ["UPC", "DE"],
        chains=["A5"],
        parties=parties,
        case_refs=["UPC_CFI_1925/2025", "App_99310/2025"],
        **fields,
    )


def _briefing_of(rows: list[dict[str, Any]], as_of: date = date(2025, 12, 1)) -> Any:
    return assemble_briefing(BriefingData(rows, [], {}), "DE", None, parse_period("2025-Q2"), as_of)


def test_a_upc_applicant_is_shown_as_claimant_and_in_who_sues_whom() -> None:
    row = _upc_case(
        [
            dataset._party("Demo Battery Systems AG", "applicant"),
            dataset._party("Wuxi Example Cell Technology Co., Ltd.", "respondent", True, "江苏"),
        ]
    )
    briefing = _briefing_of([row])
    assert briefing.notable_cases[0].claimants == ["Demo Battery Systems AG"]
    assert [(p.claimant, p.defendant) for p in briefing.dynamics[0].pairs] == [
        ("Demo Battery Systems AG", "Wuxi Example Cell Technology Co., Ltd.")
    ]
    html = render_briefing_html(briefing, "en")
    assert "Claimants: Demo Battery Systems AG" in html
    assert "Claimants: not known" not in html


def test_items_published_after_the_as_of_date_are_not_counted(session: Session) -> None:
    briefing = build_briefing(session, "US", None, "2025-Q3", date(2025, 7, 31))
    assert briefing.disputes.total == 2
    assert briefing.disputes.by_month == {
        "2025-07": {"itc337": 1, "district_court": 1},
        "2025-08": {},
        "2025-09": {},
    }
    assert briefing.rule_changes_total == 0  # the changes of 14 Aug and 20 Sep come later
    html = render_briefing_html(briefing, "en")
    assert "only items published up to 31 Jul 2025 are counted" in html


def test_a_later_item_given_to_the_assembly_is_left_out_too() -> None:
    row = _upc_case([dataset._party("Demo Battery Systems AG", "claimant")])
    briefing = _briefing_of([row], as_of=date(2025, 5, 1))
    assert briefing.disputes.total == 0 and not briefing.notable_cases


def test_a_period_after_the_as_of_date_is_refused(session: Session) -> None:
    with pytest.raises(PeriodError, match="2025-Q3 starts on 2025-07-01, after the as-of date"):
        build_briefing(session, "US", None, "2025-Q3", date(2025, 5, 1))


def test_who_sues_whom_shows_eight_pairs_local_parties_first_and_how_many_more() -> None:
    foreign = [dataset._party(f"{name} Corp.", "respondent") for name in "ABCDEFGHI"]
    wuxi = dataset._party("Zenith Cells Co., Ltd.", "respondent", True, "江苏")
    wuxi["city"] = "无锡"
    row = _upc_case([dataset._party("Demo Battery Systems AG", "applicant"), *foreign, wuxi])
    dynamics = _briefing_of([row]).dynamics[0]
    assert len(dynamics.pairs) == 8
    assert dynamics.pairs[0].defendant == "Zenith Cells Co., Ltd."
    assert dynamics.pairs_total == 10
    assert "and 2 more" in render_briefing_html(_briefing_of([row]), "en")
    assert "另有 2 组" in render_briefing_html(_briefing_of([row]), "zh")


def test_a_briefing_without_items_does_not_claim_a_risk_level(session: Session) -> None:
    briefing = build_briefing(session, "FJ", None, "2025-Q3", AS_OF)
    en = render_briefing_html(briefing, "en")
    assert 'Risk level: <span class="badge level-none">Not assessed (no items in this period)' in en
    assert "Low" not in en and "Trend:" not in en
    zh = render_briefing_html(briefing, "zh")
    assert "未评估（本期无数据）" in zh and "持平" not in zh
    row, _ = generate_briefing(session, "FJ", None, "2025-Q3", AS_OF)
    assert row.risk_level == "not_assessed"  # what the list of stored briefings shows


def test_chinese_briefing_joins_lists_with_the_enumeration_comma() -> None:
    row = _upc_case(
        [dataset._party("Demo Battery Systems AG", "claimant")], products=["锂离子电池", "储能系统"]
    )
    zh = render_briefing_html(_briefing_of([row]), "zh")
    assert "UPC_CFI_1925/2025、App_99310/2025" in zh
    assert "锂离子电池、储能系统" in zh


def _run(source_id: str, finished: datetime, status: str = "ok", items: int = 5) -> CrawlRun:
    return CrawlRun(
        source_id=source_id,
        started_at=finished - timedelta(minutes=5),
        finished_at=finished,
        status=status,
        items_seen=items,
    )


def test_source_freshness_of_a_past_briefing_is_as_it_stood_on_its_as_of_date(
    session: Session,
) -> None:
    session.add_all(
        [
            _run("usitc_337_news", datetime(2025, 7, 25, 6, tzinfo=UTC)),
            _run("usitc_337_news", datetime(2025, 7, 29, 6, tzinfo=UTC), items=0),
            _run("usitc_337_news", datetime(2025, 7, 30, 6, tzinfo=UTC), status="failed"),
            _run("usitc_337_news", datetime(2025, 8, 2, 6, tzinfo=UTC)),  # after the as-of date
            _run("courtlistener_recap", datetime(2025, 6, 1, 6, tzinfo=UTC)),
        ]
    )
    session.flush()
    briefing = build_briefing(session, "US", None, "2025-07", date(2025, 7, 31))
    sources = {s.id: s for s in briefing.sources}
    usitc = sources["usitc_337_news"]
    assert usitc.last_success == datetime(2025, 7, 25, 6, tzinfo=UTC) and not usitc.stale
    assert sources["courtlistener_recap"].stale  # 1 June: 60 days before 31 July
    assert sources["federal_register"].last_success is None  # its only success came later
    assert sources["federal_register"].stale
    assert usitc.items_used == 1  # the 337 item of 2 July, not those of August on
    html = render_briefing_html(briefing, "en")
    assert "25 Jul 2025" in html and "14 Oct 2025" not in html and "15 Oct 2025" not in html
    today = {s.id: s for s in build_briefing(session, "US", None, "2025-07", AS_OF).sources}
    assert today["usitc_337_news"].last_success == datetime(2025, 10, 14, tzinfo=UTC)


def test_a_past_dated_reports_freshness_finds_each_sources_last_success_by_index(
    session: Session,
) -> None:
    """A past-dated report reads crawl runs through the (source, finished) index, one short
    lookup per source, not a scan of every run (timings: the report of the change)."""
    from reports._load import last_success_query

    compiled = last_success_query(datetime(2025, 7, 31, tzinfo=UTC)).compile(session.get_bind())
    values = tuple(str(compiled.params[name]) for name in compiled.positiontup or ())
    plan = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", values)
    details = [str(row[-1]) for row in plan]
    assert any(
        "crawl_runs USING INDEX ix_crawl_runs_source_id_finished_at (source_id=? AND finished_at<?)"
        in d
        for d in details
    ), details
    assert not any(d.startswith("SCAN") and "crawl_runs" in d for d in details), details
