"""EUIPO, WIPO and the EU Official Journal: what their parsers promise beyond the golden files.

Feed categories are read through lookup tables (unknown ones counted, never guessed); Cellar
notices give one act, with its CELEX number, English title, document date and subjects, and
anything else is refused or recorded.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import Element

import feedparser
import pytest
from scrapy.http import Response

from core.types import ItemKind, ItemRecord
from crawlers.context import ParseContext
from crawlers.dates import DateParseError, parse_date
from crawlers.errors import PayloadError
from crawlers.payloads import parse_xml
from crawlers.registry import get_source
from crawlers.sources.eu_official_journal.notice import read_notice
from crawlers.sources.eu_official_journal.spider import EuOfficialJournalSpider, notice_to_item
from crawlers.sources.euipo_news.spider import CATEGORIES as EUIPO_CATEGORIES
from crawlers.sources.wipo_news.spider import CATEGORIES as WIPO_CATEGORIES
from crawlers.spiders.feed import apply_cues, entry_categories
from tests.crawlers.conftest import FIXTURES
from tests.crawlers.test_parsing import BILLION_LAUGHS

NOTICES = FIXTURES / "eu_official_journal"
WORK = NOTICES / "cellar_notice_object_work_celex_32018R0196.xml"
EXPRESSION = NOTICES / "cellar_notice_object_expression_celex_32018R0196.xml"


def context(source_id: str) -> ParseContext:
    return ParseContext(source=get_source(source_id), location=f"{source_id}.xml")


def feed_item(ctx: ParseContext) -> ItemRecord:
    return ctx.new_item("https://example.org/news/1", "News", url="https://example.org/news/1")


def notice(path: Any) -> Element:
    return parse_xml(path.read_bytes(), str(path))


# Feed categories -----------------------------------------------------------------------


def test_feed_categories_are_read_as_they_are_written() -> None:
    feed = feedparser.parse(
        b'<rss version="2.0"><channel><item><title>x</title><category>Designs</category>'
        b"<category> Legal  reform </category><category/></item></channel></rss>"
    )
    assert entry_categories(feed.entries[0]) == ["Designs", "Legal reform"]


def test_the_most_actionable_kind_wins_and_every_named_right_is_kept() -> None:
    ctx = context("euipo_news")
    item = apply_cues(
        feed_item(ctx),
        ["Observatory", "Trade marks", "Legal reform", "Designs"],
        EUIPO_CATEGORIES,
        ctx,
    )
    assert item.kind == ItemKind.RULE_CHANGE
    assert item.ip_types == ["trademark", "design"]
    assert not ctx.unmapped


def test_an_unknown_category_is_counted_and_the_source_defaults_stay() -> None:
    ctx = context("euipo_news")
    item = apply_cues(feed_item(ctx), ["Webinars", "Webinars"], EUIPO_CATEGORIES, ctx)
    assert item.kind == ItemKind.NEWS and item.ip_types == ["trademark", "design"]
    assert ctx.unmapped == {("euipo_news_category", "Webinars"): 2}


def test_wipo_notices_are_rule_changes_for_their_right() -> None:
    ctx = context("wipo_news")
    item = apply_cues(feed_item(ctx), ["Hague Notices"], WIPO_CATEGORIES, ctx)
    assert (item.kind, item.ip_types) == (ItemKind.RULE_CHANGE, ["design"])
    general = apply_cues(feed_item(ctx), ["General Information"], WIPO_CATEGORIES, ctx)
    assert (general.kind, general.ip_types) == (ItemKind.NEWS, [])


# Cellar notices ------------------------------------------------------------------------


def test_work_notice_gives_celex_document_date_and_subjects() -> None:
    read = read_notice(notice(WORK))
    assert read is not None
    assert read.celex == "32018R0196" and read.title is None
    assert read.document_date == "2018-02-07", "the earliest DATE, not entry into force"
    assert read.entry_into_force == "2018-03-08"
    assert read.subjects == ("suspension of customs duties", "codification of EU law")
    assert read.directory == ("Reintroduction of customs duties",)


def test_the_consolidated_versions_title_is_not_taken_for_the_acts() -> None:
    read = read_notice(notice(WORK))
    assert read is not None and read.title is None  # "(codification)" belongs to another work


def test_expression_notice_gives_the_english_title_and_its_works_celex() -> None:
    read = read_notice(notice(EXPRESSION))
    assert read is not None and read.celex == "32018R0196"
    assert read.title is not None and read.title.startswith("Regulation (EU) 2018/196 of the")
    assert read.document_date is None


def test_branch_notice_gives_one_complete_item() -> None:
    branch = Element("NOTICE", {"type": "branch"})
    branch.append(copy.deepcopy(notice(WORK).find("WORK")))
    branch.append(copy.deepcopy(notice(EXPRESSION).find("EXPRESSION")))
    ctx = context("eu_official_journal")
    read = read_notice(branch)
    assert read is not None
    item = notice_to_item(read, ctx)
    assert item.title.endswith("originating in the United States of America")
    assert item.published_at == datetime(2018, 2, 7, tzinfo=UTC)
    assert item.raw_ref == "32018R0196" and item.case_refs == ["CELEX 32018R0196"]
    assert item.url == "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32018R0196"
    assert item.kind == ItemKind.RULE_CHANGE and item.jurisdictions == ["EU"]
    assert "EuroVoc subjects: suspension of customs duties" in item.summary
    assert ctx.problems == [] and not ctx.unmapped


def test_work_notice_without_a_title_is_titled_by_celex_and_says_so() -> None:
    ctx = context("eu_official_journal")
    read = read_notice(notice(WORK))
    assert read is not None
    item = notice_to_item(read, ctx)
    assert item.title == "Regulation CELEX 32018R0196"
    assert [p.message for p in ctx.problems] == [
        "32018R0196: the notice gives no English title; titled by CELEX number"
    ]


def test_an_expression_in_another_language_is_not_taken_for_the_english_title() -> None:
    root = notice(EXPRESSION)
    for lang in root.iter("LANG"):
        value = lang.find("VALUE")
        assert value is not None
        value.text = "de" if value.text == "en" else "deu"
    ctx = context("eu_official_journal")
    read = read_notice(root)
    assert read is not None and read.title is None
    item = notice_to_item(read, ctx)
    assert item.title == "Regulation CELEX 32018R0196"
    assert "32018R0196: no English version (de, deu)" in [p.message for p in ctx.problems]


def test_an_unknown_celex_type_is_counted_not_guessed() -> None:
    root = notice(EXPRESSION)
    for identifier in root.iter("IDENTIFIER"):
        if identifier.text == "32018R0196":
            identifier.text = "32018X0196"
    ctx = context("eu_official_journal")
    read = read_notice(root)
    assert read is not None
    item = notice_to_item(read, ctx)
    assert item.kind == ItemKind.RULE_CHANGE  # the source's stated default, counted below
    assert ctx.unmapped == {("eu_celex_document_type", "3X"): 1}


def test_a_notice_without_celex_number_is_skipped() -> None:
    root = notice(EXPRESSION)
    for uri in root.iter("URI"):
        for kind in uri.findall("TYPE"):
            kind.text = "oj" if kind.text == "celex" else kind.text
    read = read_notice(root)
    assert read is not None and read.celex is None
    with pytest.raises(ValueError, match="names no CELEX number"):
        notice_to_item(read, context("eu_official_journal"))


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            b"<html><body>Service unavailable</body></html>",
            "XML root <html> is not a Cellar NOTICE",
        ),
        (BILLION_LAUGHS, "XML declares entity 'lol'"),
        (b"<NOTICE><WORK>", "not well-formed XML"),
    ],
)
def test_a_body_that_is_not_a_safe_notice_is_refused(body: bytes, reason: str) -> None:
    spider_class = type(
        "TestSpider",
        (EuOfficialJournalSpider,),
        {"name": "test", "source": get_source("eu_official_journal")},
    )
    response = Response("https://publications.europa.eu/resource/celex/32018R0196", body=body)
    with pytest.raises(PayloadError, match=reason):
        spider_class().decode(response, context("eu_official_journal"))


# Dates ---------------------------------------------------------------------------------


def test_a_numeric_date_that_could_be_either_way_needs_the_sources_format() -> None:
    with pytest.raises(DateParseError, match=r"ambiguous date '05\.02\.2025'"):
        parse_date("05.02.2025")
    assert parse_date("05.02.2025", formats=["%d.%m.%Y"]).value == datetime(2025, 2, 5, tzinfo=UTC)
    assert parse_date("25.02.2025").value == datetime(2025, 2, 25, tzinfo=UTC)
