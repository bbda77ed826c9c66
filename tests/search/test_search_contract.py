"""The search contract: every backend gives the same items, totals and facet counts.

Expectations are written out by hand from ``fixtures/items.json``; each backend must meet
them, so they agree with one another.
"""

from __future__ import annotations

from typing import Any

import pytest
from search_testkit import ids, load_documents, search_all

from search.backend import SearchBackend
from search.errors import BadQuery, InvalidCursor
from search.query import SearchQuery

ALL_IDS = {
    "usitc:1400", "usitc:1412", "usitc:1380-final", "ndil:schedule-a-grinch",
    "ndil:schedule-a-joinder", "upc:munich-separator", "upc:coa-solar", "uspto:fee-rule-2025",
    "euipo:design-reform", "cbp:earbuds-seizure", "wipo:pct-2024", "cnipr:337-battery",
    "cnipr:yiwu-schedule-a", "cnipr:upc-solar", "mofcom:dispute-guide", "cnipr:zhongshan-led",
    "cnipr:eu-design", "cnipr:customs-earbuds", "ipkat:asi-sep", "blog:schedule-a-checklist",
}  # fmt: skip
US_IDS = {
    "usitc:1400", "usitc:1412", "usitc:1380-final", "ndil:schedule-a-grinch",
    "ndil:schedule-a-joinder", "uspto:fee-rule-2025", "cbp:earbuds-seizure",
    "cnipr:337-battery", "cnipr:yiwu-schedule-a", "cnipr:zhongshan-led",
    "cnipr:customs-earbuds", "blog:schedule-a-checklist",
}  # fmt: skip
CHINESE_PARTY_IDS = {
    "usitc:1400", "usitc:1412", "usitc:1380-final", "ndil:schedule-a-grinch",
    "ndil:schedule-a-joinder", "upc:munich-separator", "upc:coa-solar", "cbp:earbuds-seizure",
    "cnipr:337-battery", "cnipr:yiwu-schedule-a", "cnipr:upc-solar", "cnipr:zhongshan-led",
    "cnipr:customs-earbuds", "ipkat:asi-sep",
}  # fmt: skip

CASES: dict[str, tuple[dict[str, Any], set[str]]] = {
    "english word": ({"q": "lithium"}, {"usitc:1400", "upc:munich-separator"}),
    "english words, stemmed": (
        {"q": '"exclusion orders"'}, {"usitc:1400", "usitc:1380-final"}
    ),
    "quoted phrase, also inside Chinese text": (
        {"q": '"Schedule A"'},
        {"ndil:schedule-a-grinch", "ndil:schedule-a-joinder", "blog:schedule-a-checklist",
         "cnipr:yiwu-schedule-a"},
    ),
    "case number as words": ({"q": "337-TA-1400"}, {"usitc:1400"}),
    "two-character Chinese word": (
        {"q": "专利"},
        {"cnipr:337-battery", "cnipr:upc-solar", "mofcom:dispute-guide", "cnipr:zhongshan-led"},
    ),
    "two characters inside a longer word": ({"q": "锂电"}, {"cnipr:337-battery"}),
    "Chinese words without spaces": ({"q": "光伏专利"}, {"cnipr:upc-solar"}),
    "Chinese three-character word as written": (
        {"q": "商标权"}, {"cnipr:customs-earbuds"}
    ),
    "digits and Chinese": (
        {"q": '"337调查"'},
        {"cnipr:337-battery", "mofcom:dispute-guide", "cnipr:zhongshan-led"},
    ),
    "glossary: a Chinese term finds English items": (
        {"q": "锂电池", "translate": True},
        {"cnipr:337-battery", "usitc:1400", "upc:munich-separator"},
    ),
    "glossary: an English term finds Chinese items": (
        {"q": "Section 337", "translate": True},
        {"usitc:1412", "usitc:1380-final", "cnipr:337-battery", "mofcom:dispute-guide",
         "cnipr:zhongshan-led"},
    ),
    "glossary: beside another word": ({"q": "锂电池 exclusion", "translate": True}, {"usitc:1400"}),
    "glossary: English plural finds Chinese": (
        {"q": "exclusion orders", "translate": True},
        {"usitc:1400", "usitc:1380-final", "cnipr:337-battery"},
    ),
    "glossary: quoted, as written only": ({"q": '"锂电池"', "translate": True}, {"cnipr:337-battery"}),
    "glossary: not without translate": ({"q": "锂电池"}, {"cnipr:337-battery"}),
    "glossary: a Chinese country finds U.S. in English": (
        {"q": "美国", "translate": True},
        {"usitc:1400", "cnipr:337-battery", "cnipr:yiwu-schedule-a", "mofcom:dispute-guide",
         "cnipr:zhongshan-led", "cnipr:customs-earbuds"},
    ),
    "glossary: 欧盟 finds EU": (
        {"q": "欧盟", "translate": True},
        {"euipo:design-reform", "cnipr:eu-design", "mofcom:dispute-guide"},
    ),
    "glossary: an English country finds Chinese": (
        {"q": "European Union", "translate": True},
        {"euipo:design-reform", "cnipr:eu-design", "mofcom:dispute-guide"},
    ),
    "glossary: a court's Chinese name finds the court": (
        {"q": "Northern District of Illinois", "translate": True}, {"cnipr:yiwu-schedule-a"}
    ),
    "filler: plain, 发起 must match": ({"q": "发起337调查"}, {"cnipr:337-battery"}),
    "filler: translated, 发起 is left out": (
        {"q": "发起337调查", "translate": True},
        {"usitc:1412", "usitc:1380-final", "cnipr:337-battery", "mofcom:dispute-guide",
         "cnipr:zhongshan-led"},
    ),
    "filler: left out beside a plain word": (
        {"q": "涉及 专利", "translate": True},
        {"cnipr:337-battery", "cnipr:upc-solar", "mofcom:dispute-guide", "cnipr:zhongshan-led"},
    ),
    "filler: quoted, searched as written": (
        {"q": '"涉及" 专利', "translate": True}, {"cnipr:337-battery"}
    ),
    "filler: alone, searched as written": ({"q": "涉及", "translate": True}, {"cnipr:337-battery"}),
    "country filter": (
        {"jurisdictions": ["UPC"]},
        {"upc:munich-separator", "upc:coa-solar", "cnipr:upc-solar"},
    ),
    "any of two countries": (
        {"jurisdictions": ["de", "EU"]},
        {"upc:munich-separator", "ipkat:asi-sep", "euipo:design-reform", "cnipr:eu-design"},
    ),
    "chain filter": (
        {"chains": ["A5"]},
        {"usitc:1400", "upc:munich-separator", "cnipr:337-battery"},
    ),
    "kind filter": (
        {"kinds": ["rule_change"]},
        {"uspto:fee-rule-2025", "euipo:design-reform", "cnipr:eu-design"},
    ),
    "text and filter together": (
        {"q": "专利", "jurisdictions": ["US"]}, {"cnipr:337-battery", "cnipr:zhongshan-led"}
    ),
    "date range, whole days": (
        {"since": "2025-03-01", "until": "2025-03-31"},
        {"usitc:1400", "cbp:earbuds-seizure", "wipo:pct-2024", "cnipr:337-battery",
         "cnipr:customs-earbuds"},
    ),
    "one day": ({"since": "2025-03-04", "until": "2025-03-04"}, {"usitc:1400"}),
    "Chinese party": ({"chinese_party": True}, CHINESE_PARTY_IDS),
    "no Chinese party": ({"chinese_party": False}, ALL_IDS - CHINESE_PARTY_IDS),
    "province from party location": (
        {"province": "Guangdong"},
        {"usitc:1412", "usitc:1380-final", "ndil:schedule-a-joinder", "cbp:earbuds-seizure",
         "cnipr:zhongshan-led", "cnipr:customs-earbuds", "ipkat:asi-sep"},
    ),
    "city from party location": (
        {"city": "深圳"}, {"usitc:1380-final", "ndil:schedule-a-joinder", "ipkat:asi-sep"}
    ),
    "party name substring, any case": (
        {"party": "SHENZHEN"}, {"usitc:1380-final", "ndil:schedule-a-joinder", "ipkat:asi-sep"}
    ),
    "Chinese party name substring": (
        {"party": "有限公司"},
        {"cnipr:337-battery", "cnipr:yiwu-schedule-a", "cnipr:upc-solar",
         "cnipr:zhongshan-led", "cnipr:customs-earbuds"},
    ),
    "case reference": ({"case_ref": "337-ta-1400"}, {"usitc:1400", "cnipr:337-battery"}),
    "source and IP type": (
        {"sources": ["cnipa_news"], "ip_types": ["Trademark"]},
        {"cnipr:yiwu-schedule-a", "cnipr:customs-earbuds"},
    ),
    "operators are words": ({"q": "AND OR NOT"}, set()),
    "field syntax is words": ({"q": "title:x"}, set()),
}  # fmt: skip


@pytest.mark.parametrize("params, expected", CASES.values(), ids=CASES.keys())
def test_query_finds_exactly_the_expected_items(
    corpus_backend: SearchBackend, params: dict[str, Any], expected: set[str]
) -> None:
    found, pages = search_all(corpus_backend, **params, limit=100)
    assert set(found) == expected
    assert pages[0].total == len(expected)


@pytest.mark.parametrize(
    "q",
    ["发起337调查", "涉及 专利", "美国 发起 337调查", "关于欧盟外观设计", "针对 锂电池 提起 诉讼"],
)
def test_translating_never_loses_a_match_and_names_what_it_left_out(
    corpus_backend: SearchBackend, q: str
) -> None:
    """Leaving out fillers (发起, 涉及 ...) only adds matches to the plain reading, and
    every backend reports the same words left out, for the page to name."""
    plain, _ = search_all(corpus_backend, q=q, limit=100)
    translated, pages = search_all(corpus_backend, q=q, translate=True, limit=100)
    assert set(plain) <= set(translated)
    assert pages[0].ignored == [w for w in ("发起", "涉及", "关于", "针对", "提起") if w in q]
    assert corpus_backend.search(SearchQuery(q=q)).ignored == []


def test_facets_count_the_whole_filtered_set(corpus_backend: SearchBackend) -> None:
    results = corpus_backend.search(SearchQuery(jurisdictions=["US"], limit=2))
    assert results.total == len(US_IDS)
    assert len(results.hits) == 2
    assert results.facets == {
        "jurisdiction": {"US": 12},
        "kind": {"dispute": 6, "decision": 2, "enforcement": 2, "rule_change": 1, "report": 1},
        "month": {
            "2025-06": 1, "2025-04": 2, "2025-03": 4, "2025-02": 2, "2025-01": 1, "2024-11": 1,
        },
        "source": {"cnipa_news": 4, "usitc": 3, "ndil": 2, "blog": 1, "cbp": 1, "uspto": 1},
        "chain": {
            "consumer_electronics": 4, "apparel": 2, "led_lighting": 2, "A5": 2,
        },
        "ip_type": {"patent": 6, "trademark": 5, "copyright": 1, "design": 1},
    }  # fmt: skip


def test_facets_follow_the_text_query(corpus_backend: SearchBackend) -> None:
    results = corpus_backend.search(SearchQuery(q="专利"))
    assert results.facets["jurisdiction"] == {"US": 2, "CN": 1, "UPC": 1}
    assert results.facets["month"] == {"2025-07": 1, "2025-04": 2, "2025-03": 1}


def test_months_are_listed_newest_first(corpus_backend: SearchBackend) -> None:
    months = list(corpus_backend.search(SearchQuery()).facets["month"])
    assert months == sorted(months, reverse=True)


def test_snippet_marks_english_match_and_escapes_the_rest(corpus_backend: SearchBackend) -> None:
    results = corpus_backend.search(SearchQuery(q="surcharges"))
    [hit] = results.hits
    assert "<mark>surcharges</mark>" in hit.snippet
    assert "&gt;50" in hit.snippet and "&amp;" in hit.snippet
    assert "<" not in hit.snippet.replace("<mark>", "").replace("</mark>", "")


def test_snippet_shows_original_chinese_with_marks(corpus_backend: SearchBackend) -> None:
    results = corpus_backend.search(SearchQuery(q="专利", jurisdictions=["US"]))
    snippets = {hit.id: hit.snippet for hit in results.hits}
    assert "被诉侵犯<mark>专利</mark>权" in snippets["cnipr:zhongshan-led"]
    assert "涉及三项<mark>专利</mark>" in snippets["cnipr:337-battery"]


def test_every_text_hit_has_a_highlight(corpus_backend: SearchBackend) -> None:
    for q, translate in [*((q, False) for q in ("lithium", "锂电", "Schedule A", "337调查")),
                         ("锂电池", True), ("Section 337", True)]:  # fmt: skip
        for hit in corpus_backend.search(SearchQuery(q=q, translate=translate)).hits:
            assert "<mark>" in hit.snippet, (q, hit.id, hit.snippet)


def test_hits_carry_display_fields(corpus_backend: SearchBackend) -> None:
    [hit] = corpus_backend.search(SearchQuery(q="337-TA-1400", sort="date")).hits
    assert hit.id == "usitc:1400"
    assert hit.title.startswith("Certain Lithium-Ion Battery Cells")
    assert hit.published_at == "2025-03-04T15:30:00Z"
    assert (hit.source, hit.kind) == ("usitc", "dispute")
    assert hit.jurisdictions == ["US"] and hit.chains == ["A5"]
    assert hit.score is None


def test_relevance_scores_rank_title_matches_first(corpus_backend: SearchBackend) -> None:
    hits = corpus_backend.search(SearchQuery(q="battery")).hits
    assert all(hit.score is not None and hit.score > 0 for hit in hits)
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    assert {hit.id for hit in hits[:2]} == {"usitc:1400", "upc:munich-separator"}  # in titles
    assert hits[2].id == "wipo:pct-2024"  # only in the body


@pytest.mark.parametrize(
    "params",
    [{"sort": "date"}, {"q": "专利", "sort": "relevance"}, {"jurisdictions": ["US"]},
     {"q": "patent"}, {"q": "Schedule A", "sort": "date"}],
    ids=["all by date", "zh by relevance", "filter only", "en by relevance", "en by date"],
)  # fmt: skip
@pytest.mark.parametrize("limit", [1, 3, 7])
def test_cursor_paging_returns_every_item_exactly_once(
    corpus_backend: SearchBackend, params: dict[str, Any], limit: int
) -> None:
    everything = corpus_backend.search(SearchQuery(**params, limit=100))
    found, pages = search_all(corpus_backend, **params, limit=limit)
    assert len(found) == len(set(found)) == everything.total
    assert found == [hit.id for hit in everything.hits]
    assert all(page.total == everything.total for page in pages)
    assert pages[-1].next_cursor is None


def test_date_order_is_newest_first_undated_last(corpus_backend: SearchBackend) -> None:
    found, _ = search_all(corpus_backend, sort="date", limit=6)
    assert found[:3] == ["cnipr:upc-solar", "upc:coa-solar", "ndil:schedule-a-joinder"]
    assert found[-2:] == ["uspto:fee-rule-2025", "blog:schedule-a-checklist"]


def test_cursor_from_another_query_is_rejected(corpus_backend: SearchBackend) -> None:
    first = corpus_backend.search(SearchQuery(q="专利", limit=1))
    assert first.next_cursor
    with pytest.raises(InvalidCursor):
        corpus_backend.search(SearchQuery(q="patent", limit=1, cursor=first.next_cursor))
    with pytest.raises(InvalidCursor):
        SearchQuery(q="专利", sort="date", cursor=first.next_cursor)
    with pytest.raises(InvalidCursor):
        SearchQuery(q="专利", cursor=first.next_cursor[:-3] + "AAA")


def test_limit_may_change_between_pages(corpus_backend: SearchBackend) -> None:
    first = corpus_backend.search(SearchQuery(sort="date", limit=2))
    second = corpus_backend.search(SearchQuery(sort="date", limit=5, cursor=first.next_cursor))
    assert len(second.hits) == 5 and not ids(first) & ids(second)


HOSTILE = [
    '"', '"unbalanced', "AND OR NOT", "*", "title:x", "(((", ")))", "NEAR(a b)", "a OR",
    "-", "^", "'", "\\", "{title}: x", "foo*", "x" * 10_240, "\x00", "ＡＮＤ", "'; DROP TABLE x;--",
    "<script>alert(1)</script>", "专利\"", "、。，", "🙂",
]  # fmt: skip


@pytest.mark.parametrize("q", HOSTILE, ids=[repr(h[:12]) for h in HOSTILE])
def test_hostile_text_is_refused_or_searched_literally(
    corpus_backend: SearchBackend, q: str
) -> None:
    try:
        query = SearchQuery(q=q)
    except BadQuery as exc:
        assert exc.reason and "fts5" not in exc.reason.lower()
        return
    results = corpus_backend.search(query)
    assert results.total == len(results.hits) <= len(ALL_IDS)


@pytest.mark.parametrize(
    "q, reason",
    [('"', "unbalanced quote"), ("x" * 10_240, "at most 500 characters"),
     ("*", "no searchable words"), ("锂", "too short")],
)  # fmt: skip
def test_unusable_text_is_a_bad_query_with_a_reason(q: str, reason: str) -> None:
    with pytest.raises(BadQuery, match=reason):
        SearchQuery(q=q)


def test_count_and_health(corpus_backend: SearchBackend) -> None:
    assert corpus_backend.count() == len(ALL_IDS)
    health = corpus_backend.health()
    assert health["ok"] is True and health["count"] == len(ALL_IDS)


PATTERN_VALUES = [".*", "(", "[a-z]", "\\", "a|b", "{2}", "^", "$", "<", "~", "#", "co.*ltd", "?"]


@pytest.mark.parametrize("value", PATTERN_VALUES, ids=PATTERN_VALUES)
def test_party_and_case_reference_filters_are_literal(
    corpus_backend: SearchBackend, value: str
) -> None:
    for field in ("party", "case_ref"):
        try:
            query = SearchQuery(**{field: value})
        except BadQuery as exc:
            assert exc.field == field
            continue
        assert corpus_backend.search(query).total == 0, field


def test_party_filter_with_punctuation_matches_it_literally(corpus_backend: SearchBackend) -> None:
    literal = corpus_backend.search(SearchQuery(party="co., ltd", limit=100))
    assert literal.total > 0
    assert corpus_backend.search(SearchQuery(party="co.. ltd")).total == 0


@pytest.mark.parametrize("value", [1e300, 2**70, -(2**64), float("inf"), float("nan")])
def test_forged_cursor_values_are_refused(corpus_backend: SearchBackend, value: float) -> None:
    from search.query import encode_cursor

    for sort in ("date", "relevance"):
        fingerprint = SearchQuery(q="patent", sort=sort).fingerprint()
        with pytest.raises(InvalidCursor):
            corpus_backend.search(
                SearchQuery(q="patent", sort=sort, cursor=encode_cursor([value, "x"], fingerprint))
            )


@pytest.mark.parametrize("q", ['"lithium separator"', '"专利侵权"', '"lithium separator" 专利侵权'])
def test_a_phrase_never_spans_two_text_fields(fresh_backend: SearchBackend, q: str) -> None:
    """A phrase matches inside the title, the summary or the body, never from the end of one
    into the start of the next, nor from a text's end into its own start (tantivy repeats a
    weighted text): in the hits, the total and the facet counts alike."""
    template = load_documents()[0]
    fresh_backend.index(
        [
            {**template, "id": "x:edge", "title": "Report on lithium",
             "summary": "Separator makers met at 会议讨论专利", "body": "侵权 questions"},
            {**template, "id": "x:wrap", "title": "Separator prices and lithium",
             "summary": "Separator lines for lithium", "body": "侵权 ruling on 专利"},
            {**template, "id": "x:inside", "title": "Notice",
             "summary": "A lithium separator plant", "body": "涉及专利侵权的案件"},
        ]
    )  # fmt: skip
    results = fresh_backend.search(SearchQuery(q=q))
    assert ids(results) == {"x:inside"} and results.total == 1
    assert sum(results.facets["kind"].values()) == 1


@pytest.mark.parametrize("q", ["zyxwv", "隔膜"])
def test_a_title_match_ranks_above_the_same_match_in_the_body(
    fresh_backend: SearchBackend, q: str
) -> None:
    """The title weighs three times the body: an item naming the word in its title comes
    before one naming it once in its body, the texts being otherwise alike."""
    template = load_documents()[0]
    others = [{**template, "id": f"x:other{n}"} for n in range(4)]
    fresh_backend.index(
        [
            *others,
            {**template, "id": "x:in-body", "title": "Notice of a ruling 公告",
             "summary": "A court ruled on the matter", "body": f"The ruling named {q} makers"},
            {**template, "id": "x:in-title", "title": f"Notice of a ruling {q}",
             "summary": "A court ruled on the matter", "body": "The ruling named the makers"},
        ]
    )  # fmt: skip
    results = fresh_backend.search(SearchQuery(q=q))
    assert [hit.id for hit in results.hits] == ["x:in-title", "x:in-body"]
