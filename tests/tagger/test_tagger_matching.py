"""How phrases are matched: character tokens for Chinese, case and plural rules for English."""

from __future__ import annotations

from tagger import Tagger
from tagger._lexicon import Entry, Field, Grade, Phrase, build_phrases, is_cased
from tagger._matching import HITS, PhraseTable, make_nlp, variants
from tagger.taxonomy import load_taxonomy


def test_chinese_phrases_are_found_on_characters_at_their_offsets() -> None:
    table = PhraseTable("zh", build_phrases(load_taxonomy(), "zh"))
    text = "无锡 ITC\n企业的光伏组件被扣，LEDGER 不是 LED"
    found = {text[start:end] for _, start, end in table.find(text)}
    assert "光伏组件" in found
    assert "LED" in found, "a Latin term standing apart inside Chinese text"
    assert text.count("LED") == 2 and [t for t in found if t.startswith("LED")] == ["LED"]


def test_the_spacy_pipeline_component_leaves_the_hits_on_the_doc() -> None:
    table = PhraseTable("zh", build_phrases(load_taxonomy(), "zh"))
    nlp = make_nlp("zh", table)
    text = "锂电池 和\n光伏组件"
    assert nlp.pipe_names == ["iprwatch_phrases"]
    assert nlp(text).user_data[HITS] == table.find(text)


def test_acronyms_keep_their_case_and_other_terms_get_plurals() -> None:
    assert is_cased("LED") and is_cased("IoT") and is_cased("SiC") and not is_cased("Solar cell")
    entry = Entry(Field.CHAIN, "A5", Grade.PRODUCT, "")
    assert variants(Phrase("lithium-ion battery", False, entry), "en") == {
        "lithium-ion battery",
        "lithium ion battery",
        "lithium-ion batteries",
        "lithium ion batteries",
    }
    assert variants(Phrase("LED", True, entry), "en") == {"LED"}


def test_the_verb_led_is_not_a_light_emitting_diode(tagger: Tagger) -> None:
    assert tagger.tag("She led the LED chip project with a GaN team.").chains[0].id == "F3"
    tags = tagger.tag("He led the team and led the talks.")
    assert tags.chains == []


def test_latin_terms_inside_chinese_text_need_word_edges(tagger: Tagger) -> None:
    assert "F3" not in tagger.tag("公司LEDGER系统与GANTRY设备上线", "zh").chain_ids()
    assert "F3" in tagger.tag("公司推出GaN快充和LED芯片", "zh").chain_ids()


def test_offsets_survive_characters_whose_lower_case_is_longer() -> None:
    table = PhraseTable("en", build_phrases(load_taxonomy(), "en"))
    text = "İİİ Solar modules and LED chips from İzmir"
    found = {text[start:end] for _, start, end in table.find(text)}
    assert {"Solar modules", "LED"} <= found


def test_terms_inside_urls_are_not_found() -> None:
    table = PhraseTable("en", build_phrases(load_taxonomy(), "en"))
    text = "See https://www.uspto.gov/patents/law/ for the solar module rules."
    found = {text[start:end] for _, start, end in table.find(text)}
    assert "solar module" in found
    assert "patents" not in found


def test_english_terms_need_word_edges_and_cue_words_are_found_anywhere() -> None:
    """The English scan reads the text with every non-word character as one edge mark: a
    term is found only between edges (punctuation counts as one), with its own punctuation
    as written, while cue words are still found inside longer words and at the text's ends."""
    cues = [("v.", False), ("ourt", True)]
    table = PhraseTable("en", build_phrases(load_taxonomy(), "en"), cues)
    text = "solar modules_x, xsolar modules, Münchensolar modules (Solar modules) v. U.S.C."
    hits, finds = table.scan(text)
    found = [(text[start:end], start) for _, start, end in hits]
    assert ("Solar modules", text.index("Solar")) in found
    assert [term for term, _ in found].count("solar modules") == 0, "glued to a word character"
    assert "U.S." not in [term for term, _ in found], '"U.S." is no term inside "U.S.C."'
    for written in ("lithium-ion battery", "lithium ion battery"):
        assert (0, len(written)) in [(s, e) for _, s, e in table.find(written)]
    spans = [(s, e) for _, s, e in table.find("lithium.ion battery")]
    assert (0, 19) not in spans, "edges alike, but not a spelling of the term"
    assert (12, 19) in spans, '"battery" alone'
    assert finds[("v.", False)] == [text.index("v.")]
    assert table.scan("v. Court")[1] == {("v.", False): [0], ("ourt", True): [4]}
