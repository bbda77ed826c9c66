"""Promises of the fast paths: gating an extractor on the phrase scan's cues never loses what
the full search finds, the pipelines' docs do not grow the vocab, and pausing the garbage
collector while a batch is tagged leaves nothing behind."""

from __future__ import annotations

import gc
import json

import pytest
from spacy.language import Language as SpacyLanguage
from spacy.tokens import Doc

from tagger import Tagger
from tagger._dates import Sentences, _is_sentence_end
from tagger._matching import SOURCE
from tagger._parties import find_parties

RUNNING_TEXT_PARTIES = (
    "Injunction upheld\nThe court granted a preliminary injunction to Orthomed GmbH against "
    "Wuxi Kangli Medical Instruments Co., Ltd. for infringing its patent."
)


def test_a_company_named_only_in_running_text_is_still_found(tagger: Tagger) -> None:
    # No role word, no list, no caption: only the suffixed-name search finds these two,
    # and it now runs only where the phrase scan saw a company suffix.
    names = {party.name for party in tagger.tag(RUNNING_TEXT_PARTIES).parties}
    assert names == {"Orthomed GmbH", "Wuxi Kangli Medical Instruments Co., Ltd."}


def test_a_text_without_a_company_suffix_names_no_suffixed_party(tagger: Tagger) -> None:
    text = "The court granted a preliminary injunction for infringing a patent on solar modules."
    assert tagger.tag(text).parties == []


@pytest.mark.parametrize(
    "text",
    [
        RUNNING_TEXT_PARTIES,
        # A suffix inside a URL: the phrase scan skips URLs, the search must not.
        "Patent suit: Acme Widgets Co. sued Beta Parts Ltd. (see www.beta-parts.co.uk/Gamma Co).",
        # Letters that match "Inc" or "SE" only case-insensitively in a regex.
        "The patent lawsuit names Acme ınc and Beta ſe as defendants in court.",
        "Court filing: AT&T Co. and Foo &Co Ltd settled the patent case with Bar Co.Ltd today.",
        "Patent court: Baz S.A.S. and Qux S.p.A. v. Quux K.K. and Corge L.L.C.",
        "无锡示例科技有限公司与 Delta Solar GmbH 在德国法院的专利诉讼中和解，Epsilon Power Inc. 未参与。",
        "PATENT INFRINGEMENT: WUXI LEAD TECH CO., LTD. V. OMEGA ROBOTICS CORP.",
    ],
)
def test_the_tagger_finds_the_parties_a_full_search_finds(tagger: Tagger, text: str) -> None:
    # find_parties(text) without cue positions searches the whole text for suffixes.
    full = find_parties(text).parties
    assert tagger.tag(text).parties == full


def test_the_pipelines_do_not_grow_the_vocab_with_every_new_word(tagger: Tagger) -> None:
    nlp = tagger._pipelines["en"].nlp
    before = len(nlp.vocab.strings)
    for number in range(200):
        nlp(f"Unique words zq{number}x and more zr{number}y about solar modules.")
    assert len(nlp.vocab.strings) == before


def test_tagging_a_batch_leaves_no_garbage_cycles_and_restores_the_collector(
    tagger: Tagger,
) -> None:
    texts = [RUNNING_TEXT_PARTIES, "锂电池企业遭遇337调查，被申请人为无锡某科技有限公司。"] * 50
    gc.collect()
    assert gc.isenabled()
    gc.disable()
    try:
        tags = tagger.tag_many(texts)
        assert not gc.isenabled(), "a disabled collector stays disabled"
        del tags
        # The collector is paused during tagging only because tagging makes no cycles.
        assert gc.collect() == 0
    finally:
        gc.enable()
    tagger.tag_many(texts[:4])
    assert gc.isenabled()


def test_stage_times_account_for_every_stage(tagger: Tagger) -> None:
    stages = tagger.stage_times([RUNNING_TEXT_PARTIES] * 20, ["en"] * 20)
    assert {"prepare", "match_en", "parties", "signals", "chains", "assemble"} <= set(stages)
    assert all(us >= 0 for us in stages.values())
    assert sum(stages.values()) > 0


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # A bracketed place may hold lower-case words; the name search must look past them.
        (
            "A patent complaint was filed by Acme Widgets (Suzhou industrial park) Co., Ltd. "
            "on Monday.",
            "Acme Widgets (Suzhou industrial park) Co., Ltd.",
        ),
        # Connectors ("of", "and", "the") are part of a name, other lower-case words are not.
        (
            "The patent suit was brought by Bank of the Lakes and Rivers Holdings Inc. today.",
            "Bank of the Lakes and Rivers Holdings Inc.",
        ),
        (
            "In a patent lawsuit filed yesterday, the court heard that Omega Robotics Corp. sued.",
            "Omega Robotics Corp.",
        ),
    ],
)
def test_a_suffixed_name_is_read_whole_however_it_is_worded(
    tagger: Tagger, text: str, name: str
) -> None:
    assert [party.name for party in tagger.tag(text).parties] == [name]


def test_a_signal_keeps_to_its_own_long_sentence(tagger: Tagger) -> None:
    # The cue's sentence starts far back, past periods that end abbreviations, not
    # sentences: the date of the sentence before it is not the complaint's date.
    long_sentence = (
        "Acme Widgets Inc. of St. Louis, Mo., and its affiliate Beta Corp. of Wilmington, "
        "Del., represented by counsel at Smith & Jones LLP and supported by the U.S. "
        "subsidiary of a German group, filed a complaint against three importers."
    )
    text = "The firms met on March 1, 2024 in Geneva. " + long_sentence
    signals = {s.type: s for s in tagger.tag(text).signals}
    complaint = signals["complaint_filed"]
    assert complaint.date is None
    assert complaint.evidence.startswith("Acme Widgets Inc. of St. Louis")


def test_json_tags_are_what_the_models_dump(tagger: Tagger) -> None:
    # tag_many_json makes its dicts without making the models: they must be exactly what
    # Tags.model_dump(mode="json") gives (kind as its value, signal dates in ISO form).
    texts = [
        RUNNING_TEXT_PARTIES,
        "The U.S. International Trade Commission instituted an investigation of certain "
        "lithium-ion battery cells on March 20, 2024, based on a complaint filed by Alpha "
        "Power Inc. of San Jose, CA, on February 1, 2024. HTS 8507.60.0020.",
        "美国国际贸易委员会于2024年3月20日对无锡某科技有限公司生产的锂离子电池发起337调查。",
        "",
        "Привет мир патент 337-TA-1234",
        "<p>IPR2024-00123 and Case No. 1:24-cv-01234</p>",
    ]
    models = [tags.model_dump(mode="json") for tags in tagger.tag_many(texts)]
    dicts = tagger.tag_many_json(texts, processes=1)
    assert dicts == models
    # the same JSON text too: keys in the same order, at every level
    assert json.dumps(dicts, ensure_ascii=False) == json.dumps(models, ensure_ascii=False)
    assert models[1]["signals"] and models[1]["kind"] is not None


def _stops(text: str, stop: int, limit: int) -> bool:
    """Whether the character at ``stop`` ends a sentence (a ". " must end before ``limit``)."""
    return text[stop] in "\n。！？；" or (
        text[stop] in ".!?"
        and stop + 1 < limit
        and text[stop + 1] in " \n"
        and _is_sentence_end(text, stop)
    )


def _bounds_by_hand(text: str, position: int) -> tuple[int, int]:
    """Sentence bounds read character by character: the last stop that ends a sentence
    before ``position`` (". " must end before it) and the first from it on, 600 at most."""
    low, high = max(0, position - 600), min(len(text), position + 600)
    start = next(
        (s + 1 for s in range(position - 1, low - 1, -1) if _stops(text, s, position)), low
    )
    end = next((s + 1 for s in range(position, high) if _stops(text, s, high)), high)
    return start, end


@pytest.mark.parametrize(
    "text",
    [
        "Acme Inc. of St. Louis, Mo., filed a complaint on May 1, 2024. The U.S. court ruled! "
        "Why? Because.\nNext line. e.g. this one. 2. Numbered.",
        "美国国际贸易委员会于2024年3月20日发起337调查。被申请人为无锡某公司；涉案产品包括电池！",
        "x" * 700 + ". A cue far from every stop. " + "y " * 400,
        "Ends with a period.",
    ],
)
def test_sentence_bounds_are_the_stops_read_one_by_one(text: str) -> None:
    # Sentences reads back from a position a chunk at a time: from any position, the
    # bounds are those a character-by-character reading gives.
    sentences = Sentences(text)
    for position in range(len(text)):
        assert sentences.bounds(position) == _bounds_by_hand(text, position), position


_recorded: list[str] = []
"""The texts ``test_records_texts`` saw."""


@SpacyLanguage.component("test_records_texts")
def _records_texts(doc: Doc) -> Doc:
    _recorded.append(doc.user_data[SOURCE])
    return doc


def test_a_component_added_to_the_pipeline_runs_and_the_tags_stay_the_same() -> None:
    # The tagger calls the phrase scan directly while its pipeline holds only the scan; with
    # a component of the user's added, every text goes through spaCy (and that component).
    texts = [RUNNING_TEXT_PARTIES, "USITC instituted 337-TA-1399 on lithium-ion batteries."]
    own = Tagger()
    direct = own.tag_many(texts)
    own._pipelines["en"].nlp.add_pipe("test_records_texts")
    _recorded.clear()
    assert own.tag_many(texts) == direct
    assert _recorded == texts
