"""Parsing promises that need no crawl: safe XML, clean text, strict dates, strict lookups."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.types import ItemRecord, stable_item_id
from crawlers.checks import check_item
from crawlers.context import Lookup, ParseContext
from crawlers.errors import PayloadError
from crawlers.payloads import decode_html, decode_json, parse_feed
from crawlers.registry import get_source
from crawlers.sources.cafc_opinions.spider import parties_from_caption
from crawlers.sources.federal_register.issue import normalize_slug
from crawlers.sources.federal_register.spider import case_refs, is_section_337, toc_title
from crawlers.text import html_to_text

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss version="2.0"><channel><title>&lol4;</title></channel></rss>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>&xxe;</title></channel></rss>"""


@pytest.fixture
def ctx() -> ParseContext:
    return ParseContext(source=get_source("cafc_opinions"), location="test.xml")


def test_script_and_style_are_stripped_and_paragraphs_kept() -> None:
    html = (
        "<p>Appeal Number: 20-1046<br/>Origin: ITC</p><script>steal(document.cookie)</script>"
        "<style>p {color: red}</style><!-- note --><p onclick='x()'>Tom &amp; Jerry&nbsp;v. <b>ITC</b></p>"
    )
    text = html_to_text(html)
    assert text == "Appeal Number: 20-1046\nOrigin: ITC\n\nTom & Jerry v. ITC"
    assert "steal" not in text and "color" not in text and "note" not in text


def test_billion_laughs_feed_is_refused_with_a_clear_reason() -> None:
    with pytest.raises(PayloadError) as caught:
        parse_feed(BILLION_LAUGHS, "bomb.xml")
    assert str(caught.value).startswith("bomb.xml: XML declares entity")


def test_external_entity_feed_is_refused() -> None:
    with pytest.raises(PayloadError, match="declares entity 'xxe'"):
        parse_feed(EXTERNAL_ENTITY, "xxe.xml")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<rss><channel>", "not well-formed XML"),
        (b"<html><body>Not found</body></html>", "not an RSS or Atom feed"),
    ],
)
def test_malformed_or_foreign_xml_is_not_taken_for_a_feed(body: bytes, reason: str) -> None:
    with pytest.raises(PayloadError, match=reason):
        parse_feed(body, "page.xml")


def test_bad_json_names_line_and_column() -> None:
    with pytest.raises(PayloadError, match=r"broken.json: not valid JSON: .* line 1 column 14"):
        decode_json(b'{"results": [', "broken.json")


def test_unreadable_date_is_recorded_not_guessed(ctx: ParseContext) -> None:
    assert ctx.date("sometime next week-ish", "published") is None
    assert [p.kind for p in ctx.problems] == ["date"]
    assert "unreadable date" in ctx.problems[0].message


def test_known_formats_read_without_fallback(ctx: ParseContext) -> None:
    assert ctx.date("Fri, 21 Jan 2022 16:00:05 +0000", "published") == datetime(
        2022, 1, 21, 16, 0, 5, tzinfo=UTC
    )
    assert ctx.date("2016-02-29", "issue date") == datetime(2016, 2, 29, tzinfo=UTC)
    assert ctx.date("Friday, April 15, 2016", "issue", formats=("%A, %B %d, %Y",)) == datetime(
        2016, 4, 15, tzinfo=UTC
    )
    assert ctx.problems == []


def test_fallback_parser_use_is_surfaced(ctx: ParseContext) -> None:
    assert ctx.date("April 15th, 2016", "published") == datetime(2016, 4, 15, tzinfo=UTC)
    assert ctx.problems and "fallback" in ctx.problems[0].message


def test_lookup_counts_unknown_values_instead_of_defaulting(ctx: ParseContext) -> None:
    origins = Lookup("origin", {"ITC": "trade commission"})
    assert origins.get("ITC", ctx) == "trade commission"
    assert origins.get("XYZ", ctx) is None
    assert origins.get("XYZ", ctx) is None
    assert ctx.unmapped == {("origin", "XYZ"): 2}


def test_implausible_date_is_dropped_and_reported(ctx: ParseContext) -> None:
    item = ItemRecord(
        id=stable_item_id("cafc_opinions", "k"),
        title="t",
        url="https://example.org/a",
        published_at=datetime(2199, 1, 1, tzinfo=UTC),
    )
    checked = check_item(item, ctx)
    assert checked is not None and checked.published_at is None
    assert "implausible" in ctx.problems[0].message


def test_item_without_url_is_skipped(ctx: ParseContext) -> None:
    item = ItemRecord(id="cafc_opinions:x", title="t", url=None)
    assert check_item(item, ctx) is None
    assert "lacks url" in ctx.problems[0].message


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        (
            "Certain Network Devices, Related Software and Components Thereof (I); "
            "Commission's Determination To Review",
            "",
            True,
        ),
        ("Complaints: Certain Nanopores and Products Containing Same, DN 3123", "", True),
        ("Notice of Filing", "violations of section 337 of the Tariff Act of 1930", True),
        ("Certain Steel Nails From China; Determinations", "", False),
        ("Certain Softwood Lumber Products; Institution of Antidumping Investigations", "", False),
        ("Sunshine Act Meetings", "", False),
    ],
)
def test_itc_section_337_notices_are_told_from_trade_remedies(
    title: str, text: str, expected: bool
) -> None:
    assert is_section_337(title, f"{title}\n{text}") is expected


def test_case_refs_keep_investigation_numbers_as_written() -> None:
    text = "Inv. No. 337-TA-944; Investigation Nos. 701-TA-545-547 and 731-TA-1291-1297 (Final)"
    assert case_refs(text, ["international-trade-commission"]) == [
        "337-TA-944",
        "701-TA-545-547",
        "731-TA-1291-1297",
    ]
    assert case_refs("Certain Nanopores, DN 3123", ["international-trade-commission"]) == [
        "USITC DN 3123"
    ]
    assert case_refs("Certain Nanopores, DN 3123", ["patent-and-trademark-office"]) == []


def test_agency_names_and_slugs_normalise_to_the_api_slug() -> None:
    assert (
        normalize_slug("u.s.-customs-and-border-protection") == "u-s-customs-and-border-protection"
    )
    assert (
        normalize_slug("United States Patent and Trademark Office") == "patent-and-trademark-office"
    )
    assert normalize_slug("INTERNATIONAL TRADE COMMISSION") == "international-trade-commission"


def test_toc_heading_and_subheading_make_one_title() -> None:
    assert toc_title("Complaints:", "Certain Nanopores") == "Complaints: Certain Nanopores"
    assert (
        toc_title("2015/2016 GSP Annual Product Review", "")
        == "2015/2016 GSP Annual Product Review"
    )


@pytest.mark.parametrize(
    ("caption", "names"),
    [
        ("KYOCERA SENCO INDUS. TOOLS INC v. ITC", ["KYOCERA SENCO INDUS. TOOLS INC", "ITC"]),
        ("In Re NETFLIX, INC.", ["NETFLIX, INC."]),
        ("In re: HP INC.", ["HP INC."]),
        (
            "LEVI STRAUSS & CO. v. AQUA DYNAMICS SYSTEMS, INC.",
            ["LEVI STRAUSS & CO.", "AQUA DYNAMICS SYSTEMS, INC."],
        ),
    ],
)
def test_cafc_caption_gives_parties_with_unknown_roles(caption: str, names: list[str]) -> None:
    parties = parties_from_caption(caption)
    assert [p.name for p in parties] == names
    assert all(p.role is None for p in parties)


def test_generic_json_entries_map_through_the_yaml_field_paths(ctx: ParseContext) -> None:
    from crawlers.config import JsonFields
    from crawlers.spiders.json_api import entries_at, json_entry_to_item

    fields = JsonFields(
        key="meta.number", title="title", url="links.html", summary="abstract",
        body_html="content", published_at="meta.date",
    )  # fmt: skip
    page = {"data": {"items": [{
        "meta": {"number": "A-1", "date": "2024-03-01"}, "title": " Notice  of  change ",
        "links": {"html": "https://example.org/a-1"}, "abstract": "Short.",
        "content": "<p>Long <script>x()</script>text.</p>",
    }]}}  # fmt: skip
    [entry] = entries_at(page, "data.items", "page.json")
    item = json_entry_to_item(entry, fields, ctx)
    assert (item.id, item.title, item.url) == (
        stable_item_id("cafc_opinions", "A-1"),
        "Notice of change",
        "https://example.org/a-1",
    )
    assert (item.summary, item.body) == ("Short.", "Long text.")
    assert item.published_at == datetime(2024, 3, 1, tzinfo=UTC)
    with pytest.raises(PayloadError, match=r"expected a list at 'data\.results', found nothing"):
        entries_at(page, "data.results", "page.json")


def test_markup_in_json_titles_and_summaries_is_stripped_as_in_feeds(ctx: ParseContext) -> None:
    """JSON titles and summaries were stored with their tags and entities, shown as such."""
    from crawlers.config import JsonFields
    from crawlers.sources.mofcom_ipr.spider import row_to_item
    from crawlers.spiders.json_api import json_entry_to_item

    fields = JsonFields(key="id", title="title", url="url", summary="abstract")
    entry = {
        "id": "A-2", "url": "https://example.org/a-2",
        "title": "<b>Certain</b> Widgets &amp; Parts<script>steal()</script>",
        "abstract": "<p>Short.</p><p>Second &lt;para&gt;.</p><img src=x onerror=alert(1)>",
    }  # fmt: skip
    item = json_entry_to_item(entry, fields, ctx)
    assert item.title == "Certain Widgets & Parts"
    assert item.summary == "Short.\n\nSecond <para>."
    row = {"title": '<font color="red">美国</font>对锂电池发起&nbsp;337调查', "url": "/a/1.html"}
    mofcom = row_to_item(row, ParseContext(source=get_source("mofcom_ipr"), location="p.json"))
    assert mofcom.title == "美国对锂电池发起 337调查"


def test_xml_in_an_unknown_encoding_is_refused_as_a_payload_error() -> None:
    """Found by the fuzzer (tests/faults): expat raised LookupError, not the crawler's error."""
    declaration = b'<?xml version="1.0" encoding="ATF-8"?>'
    body = declaration + b'<rss version="2.0"><channel><title>t</title></channel></rss>'
    with pytest.raises(PayloadError, match=r"unreadable XML: .*encoding"):
        parse_feed(body, "feed.xml")


CJK_TITLES = {
    "GB2312": "美国337调查：锂电池专利",
    "GBK": "欧盟海关知识产权执法",
    "GB18030": "美国337调查：锂电池专利",
    "Big5": "專利訴訟與商標",
    "Shift_JIS": "特許庁の新着情報",
    "EUC-JP": "特許庁の新着情報",
    "EUC-KR": "특허청 보도자료",
}


@pytest.mark.parametrize(("encoding", "title"), CJK_TITLES.items(), ids=list(CJK_TITLES))
def test_a_feed_in_a_chinese_japanese_or_korean_encoding_is_read(encoding: str, title: str) -> None:
    """expat reads no multi-byte encoding but UTF-8/16: such feeds were refused whole."""
    feed = (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel><title>{title}'
        f"</title><item><title>{title}</title><link>https://example.cn/1</link></item>"
        "</channel></rss>"
    )
    parsed = parse_feed(feed.encode(encoding), "feed.xml")
    assert [entry.title for entry in parsed.entries] == [title]


def test_a_feed_not_in_the_encoding_it_declares_is_refused_not_guessed() -> None:
    body = b'<?xml version="1.0" encoding="GBK"?><rss><channel><title>\xff\xff'
    with pytest.raises(PayloadError, match="unreadable XML: document declared as gbk"):
        parse_feed(body + b"</title></channel></rss>", "feed.xml")


def test_entities_in_a_gbk_feed_are_refused_as_in_any_other() -> None:
    body = BILLION_LAUGHS.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="GBK"?>')
    with pytest.raises(PayloadError, match="declares entity 'lol'"):
        parse_feed(body, "bomb.xml")


@pytest.mark.parametrize(
    "next_url",
    ["https://www.federalregister.gov[/api?page=2", "https:&lol;//www.federalregister.gov/"],
)
def test_an_unusable_next_page_link_keeps_the_page_items_and_is_named(next_url: str) -> None:
    """Found by the fuzzer (tests/faults): such a link made Scrapy's Request raise."""
    import json

    from scrapy.http import Request, TextResponse
    from scrapy.utils.test import get_crawler

    from crawlers.settings import build_scrapy_settings
    from crawlers.spiders.catalog import spider_class
    from tests.crawlers.conftest import FR_SEARCH

    page = json.loads(FR_SEARCH.read_text(encoding="utf-8")) | {"next_page_url": next_url}
    cls = spider_class("federal_register")
    spider = cls.from_crawler(get_crawler(cls, build_scrapy_settings()))
    url = "https://www.federalregister.gov/api/v1/documents.json"
    response = TextResponse(url, body=json.dumps(page).encode(), request=Request(url))
    results = list(spider.parse(response))
    assert len(results) == 2 and all(isinstance(r, dict) for r in results)
    [problem] = [p for p in spider.problems if p.kind == "payload"]
    assert not problem.fatal and "is not an http(s) URL" in problem.message


def test_a_page_cut_off_anywhere_in_its_head_is_still_read() -> None:
    """A dropped connection can leave a page that ends inside its ``<meta>`` tag. w3lib 2.6
    panicked on that (a Rust panic, which ``except Exception`` does not stop) and the crawl
    died; each cut must give the text of what arrived."""
    page = (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="gbk">\n<title>海外维权</title>\n</head>'
        "<body><p>专利纠纷</p></body></html>"
    ).encode("gbk")
    whole = decode_html(page, "text/html", "zh")
    assert "海外维权" in whole and "专利纠纷" in whole
    for cut in range(page.index(b"</head>") + 1):
        text = decode_html(page[:cut], "text/html", "zh")
        assert whole.startswith(text.rstrip("\ufffd")), cut
