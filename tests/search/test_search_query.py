"""The query model: validation with reasons, the reading of free text, cursors."""

from __future__ import annotations

from datetime import date

import pytest
from babel import Locale

from search.errors import BadQuery, InvalidCursor
from search.query import SearchQuery, decode_cursor, encode_cursor
from search.text import AnyOf, Clause, fillers, glossary_matches, ignored_words, parse_text
from tagger.segment import segment_query


def test_filters_are_normalised_and_order_insensitive() -> None:
    first = SearchQuery(jurisdictions=["us", "EU", "US"], ip_types=["Patent"], province="广东省")
    second = SearchQuery(jurisdictions=["EU", "us"], ip_types=["patent"], province="Guangdong")
    assert first.jurisdictions == ["EU", "US"]
    assert first.province == second.province == "广东"
    assert first.fingerprint() == second.fingerprint()


def test_page_size_and_cursor_do_not_change_the_fingerprint() -> None:
    assert SearchQuery(q="x y", limit=5).fingerprint() == SearchQuery(q="x y").fingerprint()
    assert SearchQuery(q="x").fingerprint() != SearchQuery(q="x", sort="date").fingerprint()


def test_relevance_without_text_sorts_by_date() -> None:
    assert SearchQuery().effective_sort() == "date"
    assert SearchQuery(q="patent").effective_sort() == "relevance"


@pytest.mark.parametrize(
    "params, field",
    [({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"kinds": ["rumour"]}, "kinds"),
     ({"jurisdictions": ["U S"]}, "jurisdictions"), ({"chains": ["a b"]}, "chains"),
     ({"province": "Atlantis"}, "province"), ({"city": "Gotham"}, "city"),
     ({"party": "x"}, "party"), ({"colour": "red"}, "colour"),
     ({"since": "2025-13-01"}, "since"), ({"jurisdictions": ["US"] * 51}, "jurisdictions")],
)  # fmt: skip
def test_invalid_fields_are_bad_queries_naming_the_field(params: dict, field: str) -> None:
    with pytest.raises(BadQuery) as caught:
        SearchQuery(**params)
    assert caught.value.field == field
    assert caught.value.reason.startswith(f"{field}: ")
    assert isinstance(caught.value, ValueError)


def test_since_after_until_is_a_bad_query() -> None:
    with pytest.raises(BadQuery, match="since is after until"):
        SearchQuery(since=date(2025, 2, 1), until=date(2025, 1, 1))


@pytest.mark.parametrize(
    "q, clauses",
    [("lithium cell", [Clause("lithium", False), Clause("cell", False)]),
     ("337-TA-1400", [Clause("337 TA 1400", False)]),
     ('"schedule a" GEO', [Clause("schedule a", False), Clause("GEO", False)]),
     ("“锂电池专利”", [Clause("锂电池专利", True)]),
     ("专利", [Clause("专利", True)]),
     ("苹果的专利", [Clause("苹果", True), Clause("专利", True)]),
     ("iPhone专利", [Clause("iPhone", False), Clause("专利", True)]),
     ("title:x AND", [Clause("title x", False), Clause("AND", False)]),
     ("ＰＡＴＥＮＴ", [Clause("PATENT", False)]),
     ("patent patent", [Clause("patent", False)])],
)  # fmt: skip
def test_free_text_reads_as_clauses(q: str, clauses: list[Clause]) -> None:
    assert parse_text(q) == clauses


def test_glossary_terms_also_match_their_translations() -> None:
    """An unquoted glossary term keeps the user's own reading as its first option, and adds
    the group's other terms as phrases: Chinese finds English and English finds Chinese."""
    [battery, inquiry] = parse_text("锂电池 337调查", translate=True)
    assert isinstance(battery, AnyOf) and isinstance(inquiry, AnyOf)
    assert battery.options[0] == (Clause("锂电池", True),)
    assert (Clause("lithium ion battery", False),) in battery.options
    assert inquiry.options[0] == (Clause("337", False), Clause("调查", True))
    assert (Clause("Section 337", False),) in inquiry.options
    # "Section 337 investigation" implies "Section 337": no match to add, only cost
    assert (Clause("Section 337 investigation", False),) not in inquiry.options
    [english] = parse_text("preliminary injunctions", translate=True)
    assert isinstance(english, AnyOf)
    assert english.options[0] == (Clause("preliminary", False), Clause("injunctions", False))
    assert (Clause("临时禁令", True),) in english.options


@pytest.mark.parametrize(
    "q, clauses",
    [('"锂电池"', [Clause("锂电池", True)]),  # quoted: as written only
     ("chipset", [Clause("chipset", False)]),  # not "chip" + "set"
     ("专利", [Clause("专利", True)]),  # bare IP types are not in the glossary
     ("应诉337", [Clause("337", False), Clause("应诉", True)])],  # 337 alone is not a term
)  # fmt: skip
def test_text_outside_the_glossary_reads_as_before(q: str, clauses: list[Clause]) -> None:
    assert parse_text(q, translate=True) == clauses


def test_glossary_terms_inside_chinese_and_beside_english() -> None:
    """Chinese terms are found inside a longer run, English ones next to Chinese; the
    longest term wins; one-character words left between terms are dropped."""
    terms = parse_text("USITC临时禁令的锂电池", translate=True)
    assert [type(t) for t in terms] == [AnyOf, AnyOf, AnyOf]
    injunction = terms[1]
    assert isinstance(injunction, AnyOf)
    assert (Clause("preliminary injunction", False),) in injunction.options
    assert (Clause("injunction", False),) not in injunction.options  # 禁令's group, not taken


@pytest.mark.parametrize(
    "q, accented, chinese",
    [("Turkiye", "Türkiye", "土耳其"), ("turkiye", "Türkiye", "土耳其"),
     ("Türkiye", "Türkiye", "土耳其"),
     ("Dusseldorf Regional Court", "Düsseldorf Regional Court", "杜塞尔多夫地区法院"),
     ("Landgericht Dusseldorf", "Landgericht Düsseldorf", "杜塞尔多夫地区法院")],
)  # fmt: skip
def test_glossary_terms_are_found_typed_without_accents(
    q: str, accented: str, chinese: str
) -> None:
    """A user types "Turkiye" or "Dusseldorf" on a keyboard without umlauts; the engines
    index both spellings as one word, and so does the glossary: the term is found, its
    translations added, and its accented spelling not searched again (same words, more
    cost)."""
    [term] = parse_text(q, translate=True)
    assert isinstance(term, AnyOf)
    assert term.options[0] == tuple(Clause(w, False) for w in q.split())
    assert (Clause(chinese, True),) in term.options
    assert all(c.text != accented for option in term.options[1:] for c in option)
    [(written, others)] = glossary_matches(f"{q} 专利")
    assert written == q and chinese in others and accented not in others


@pytest.mark.parametrize(
    "q, found",
    [("锂电池专利", ["锂电池"]),  # 锂电池 + 专利
     ("美国337调查", ["美国", "337调查"]),
     ("USITC临时禁令的锂电池", ["USITC", "临时禁令", "锂电池"]),
     ("北美国家", []),  # 北美 + 国家: no 美国 in it
     ("北美国家的337调查", ["337调查"])],
)  # fmt: skip
def test_chinese_glossary_terms_are_whole_words_of_the_query(q: str, found: list[str]) -> None:
    """A Chinese term counts only where the query's segmentation has it as whole words:
    北美国家 (North American countries) holds the characters 美国 across two words, and
    reading it as the United States added every US item to a search about Canada."""
    assert [written for written, _ in glossary_matches(q)] == found
    terms = parse_text(q, translate=True)
    assert len([t for t in terms if isinstance(t, AnyOf)]) == len(found)
    if not found:
        assert terms == parse_text(q)  # read as without the glossary


@pytest.mark.parametrize(
    "q, english",
    [("美国 337调查", "United States"), ("美国 337调查", "U S"), ("德国 禁令", "Germany"),
     ("德国 禁令", "German"), ("欧盟 商标", "EU"), ("欧盟 商标", "European Union"),
     ("日本 专利无效", "Japan"), ("英国", "UK"), ("韩国", "Korea"), ("土耳其", "Turkey"),
     ("阿联酋", "UAE"), ("沙特", "Saudi")],
)  # fmt: skip
def test_a_chinese_country_name_also_finds_its_english_names(q: str, english: str) -> None:
    """An exporter types the destination in Chinese; items name it in English."""
    country = parse_text(q, translate=True)[0]
    assert isinstance(country, AnyOf) and (Clause(english, False),) in country.options


def test_the_pronoun_us_is_not_the_united_states() -> None:
    """The engines lower-case what they index, so a term "US" would find every "us": the
    United States is found as "U.S.", "USA" or "United States", and "us" is a plain word."""
    [country] = parse_text("美国", translate=True)
    assert isinstance(country, AnyOf)
    assert all(c.text.casefold() != "us" for option in country.options for c in option)
    assert parse_text("us", translate=True) == [Clause("us", False)]
    [dotted] = parse_text("U.S.", translate=True)
    assert isinstance(dotted, AnyOf) and (Clause("美国", True),) in dotted.options


@pytest.mark.parametrize(
    "code", ["US", "DE", "EU", "GB", "FR", "JP", "KR", "IN", "BR", "MX", "AU", "CA", "TR",
             "RU", "VN", "TH", "ID", "MY", "SA", "AE", "IT", "ES", "NL", "SG"],
)  # fmt: skip
def test_key_destinations_are_in_the_glossary_by_their_cldr_names(code: str) -> None:
    """The hand-kept country groups hold CLDR's Chinese and English names (what the rest of
    the product shows for a code), in one group."""
    chinese = Locale.parse("zh_Hans").territories[code]
    english = Locale.parse("en").territories[code]
    [(term, others)] = glossary_matches(chinese)
    assert term == chinese and english in others


def test_courts_and_offices_exporters_meet_are_in_the_glossary() -> None:
    found = dict(glossary_matches("USPTO EPO EUIPO WIPO ITC 德国联邦专利法院 伊利诺伊州北区法院"))
    assert "美国专利商标局" in found["USPTO"] and "欧洲专利局" in found["EPO"]
    assert "欧盟知识产权局" in found["EUIPO"] and "世界知识产权组织" in found["WIPO"]
    assert "美国国际贸易委员会" in found["ITC"]
    assert "Federal Patent Court" in found["德国联邦专利法院"]
    assert "Northern District of Illinois" in found["伊利诺伊州北区法院"]


def test_translate_leaves_out_chinese_fillers_and_names_them() -> None:
    """In "发起337调查", 发起 (launch) is how the exporter phrases it, and no English item has
    it; a translated reading leaves it out and names it. Without translate, quoted, or when
    nothing else is left, it is required as before."""
    [inquiry] = parse_text("发起337调查", translate=True)
    assert isinstance(inquiry, AnyOf) and (Clause("Section 337", False),) in inquiry.options
    assert ignored_words("发起337调查", translate=True) == ["发起"]
    assert Clause("发起", True) in parse_text("发起337调查")
    assert ignored_words("发起337调查") == []
    assert parse_text('"发起" 专利', translate=True) == [Clause("发起", True), Clause("专利", True)]
    assert ignored_words('"发起" 专利', translate=True) == []
    assert parse_text("涉及 关于", translate=True) == [Clause("涉及", True), Clause("关于", True)]
    assert ignored_words("涉及 关于", translate=True) == []
    assert ignored_words("关于欧盟外观设计 涉及 关于", translate=True) == ["关于", "涉及"]


def test_fillers_are_whole_chinese_words_outside_the_glossary() -> None:
    """A filler the segmenter splits or joins to its neighbours would never be left out,
    and one that is a glossary term would hide the term."""
    for word in fillers():
        assert segment_query(word) == [word]
        assert segment_query(f"{word}专利") == [word, "专利"]
        assert glossary_matches(word) == []


def test_without_translate_glossary_terms_are_plain_words() -> None:
    assert parse_text("锂电池 337调查") == [
        Clause("锂电池", True),
        Clause("337", False),
        Clause("调查", True),
    ]


def test_glossary_matches_name_what_translate_would_add() -> None:
    """What the search page offers: each unquoted glossary term, with the terms it would
    also find (not itself); quoted terms are not offered."""
    found = dict(glossary_matches('锂电池 "临时禁令" Section 337'))
    assert list(found) == ["锂电池", "Section 337"]
    assert "lithium-ion battery" in found["锂电池"] and "锂电池" not in found["锂电池"]
    assert "337调查" in found["Section 337"]


def test_translate_changes_the_cursor_fingerprint_only_when_on() -> None:
    plain = SearchQuery(q="锂电池")
    assert SearchQuery(q="锂电池", translate=False).fingerprint() == plain.fingerprint()
    assert SearchQuery(q="锂电池", translate=True).fingerprint() != plain.fingerprint()


def test_too_many_terms_is_refused() -> None:
    with pytest.raises(ValueError, match="more than 32 terms"):
        parse_text(" ".join(f"w{i}" for i in range(40)))


def test_cursor_round_trip_and_tampering() -> None:
    cursor = encode_cursor([1.25, "item:1"], "abc")
    assert decode_cursor(cursor, "abc") == [1.25, "item:1"]
    with pytest.raises(InvalidCursor, match="another query"):
        decode_cursor(cursor, "def")
    for bad in ("!!!", "e30", encode_cursor(["x", "y"], "abc"), encode_cursor([1], "abc")):
        with pytest.raises(InvalidCursor):
            decode_cursor(bad, "abc")


def test_cursor_is_checked_when_the_query_is_built() -> None:
    query = SearchQuery(q="patent")
    cursor = query.next_cursor([2.5, "a"])
    assert SearchQuery(q="patent", cursor=cursor).search_after() == [2.5, "a"]
    with pytest.raises(InvalidCursor):
        SearchQuery(q="patents", cursor=cursor)


@pytest.mark.parametrize(
    "params, field",
    [({"until": date(9999, 12, 31)}, "until"), ({"since": date(1, 1, 1)}, "since"),
     ({"since": date(1899, 12, 31)}, "since")],
)  # fmt: skip
def test_days_beyond_what_the_engines_store_are_bad_queries(params: dict, field: str) -> None:
    with pytest.raises(BadQuery) as caught:
        SearchQuery(**params)
    assert caught.value.field == field
    assert "from 1900-01-01 to 9000-12-31" in caught.value.reason


@pytest.mark.parametrize(
    "params, field",
    [({"party": "中" * 101}, "party"), ({"party": "𠀀" * 101}, "party"),
     ({"party": "ß" * 51 + " GmbH"}, "party")],  # folds to more than 100 characters
)  # fmt: skip
def test_party_and_case_ref_filters_are_capped_at_100_characters(params: dict, field: str) -> None:
    with pytest.raises(BadQuery) as caught:
        SearchQuery(**params)
    assert caught.value.field == field
    assert "at most 100 characters" in caught.value.reason


@pytest.mark.parametrize(
    "params, field, hint",
    [({"jurisdictions": ["XX"]}, "jurisdictions", "ISO 3166 alpha-2"),
     ({"sources": ["nope"]}, "sources", "uspto_ptab"),
     ({"sources": ["uspto-ptab"]}, "sources", "did you mean 'uspto_ptab'"),
     ({"chains": ["ZZ9"]}, "chains", "A5"),
     ({"ip_types": ["bogus"]}, "ip_types", "trademark")],
)  # fmt: skip
def test_unknown_filter_values_are_bad_queries_with_the_valid_ones(
    params: dict, field: str, hint: str
) -> None:
    with pytest.raises(BadQuery) as caught:
        SearchQuery(**params)
    assert caught.value.field == field
    assert hint in caught.value.reason


def test_known_filter_values_are_taken_in_any_case() -> None:
    query = SearchQuery(
        jurisdictions=["us", "upc"], chains=["a5", "b3-1"], sources=["USPTO_PTAB"],
        ip_types=["Trade_Secret", "GI"],
    )  # fmt: skip
    assert query.jurisdictions == ["UPC", "US"] and query.chains == ["A5", "B3-1"]
    assert query.sources == ["uspto_ptab"] and query.ip_types == ["gi", "trade_secret"]


def test_a_saved_query_keeps_values_the_vocabularies_no_longer_know() -> None:
    # saved by an earlier version, which took any source and chain id
    old = {"q": "patent", "sources": ["retired_source", "FEDERAL_register"], "chains": ["zz9"]}
    with pytest.raises(BadQuery):
        SearchQuery(**old)  # a new query with them is refused...
    kept = SearchQuery.stored(old)  # ...a stored one runs, matching nothing through them
    assert kept.sources == ["federal_register", "retired_source"] and kept.chains == ["zz9"]
    with pytest.raises(BadQuery, match="until"):
        SearchQuery.stored({"q": "patent", "until": "9999-12-31"})  # other errors still count
