"""How phrases are matched: character tokens for Chinese, case and plural rules for English."""

from __future__ import annotations

from tagger import Tagger
from tagger._lexicon import Entry, Field, Grade, Phrase, is_cased
from tagger._matching import make_nlp, variants


def test_chinese_tokens_are_characters_with_whitespace_kept_in_place() -> None:
    nlp = make_nlp("zh")
    text = "无锡 ITC\n337调查"
    doc = nlp.make_doc(text)
    assert len(doc) == len(text)
    assert [t.text for t in doc][:3] == ["无", "锡", "\u2423"]


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
