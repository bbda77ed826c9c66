"""Bad input gives tags or a reason, never an exception."""

from __future__ import annotations

import logging

import pytest

from core.types import Tags
from tagger import Tagger
from tagger._text import MAX_CHARS


def test_empty_and_blank_texts_are_untagged(tagger: Tagger) -> None:
    for text in ("", "   \n\t ", "<p>&nbsp;</p>", "\u200b\ufeff"):
        tags = tagger.tag(text)
        assert tags.untagged == "empty text", repr(text)
        assert tags.chains == []


def test_html_remnants_are_stripped(tagger: Tagger) -> None:
    html = (
        "<html><head><style>.x{color:red}</style><script>var USITC=1;</script></head>"
        "<body><h1>USITC&nbsp;institutes investigation</h1><p>Certain <b>solar "
        "modules</b> &amp; inverters</p><!-- comment: Germany --></body></html>"
    )
    tags = tagger.tag(html)
    assert "A5" in tags.chain_ids()
    assert tags.jurisdictions == ["US"]
    assert all("<" not in e for c in tags.chains for e in c.evidence)


def test_very_long_text_is_capped_and_still_tagged(
    tagger: Tagger, caplog: pytest.LogCaptureFixture
) -> None:
    text = "Solar modules were seized by customs in Germany. " * (MAX_CHARS // 40)
    with caplog.at_level(logging.INFO):
        tags = tagger.tag(text)
    assert tags.untagged is None
    assert "A5" in tags.chain_ids() and "DE" in tags.jurisdictions


def test_non_text_input_gives_a_reason(tagger: Tagger) -> None:
    tags = tagger.tag_many([None, 42, b"bytes"])  # type: ignore[list-item]
    assert [t.untagged for t in tags] == ["not text: NoneType", "not text: int", "not text: bytes"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("特許庁は審査ガイドラインを改訂しました。", "ja"),
        ("특허청은 새로운 심사 지침을 발표했습니다. 특허 분쟁이 증가했다.", "ko"),
        ("Роспатент опубликовал новые правила регистрации товарных знаков в России сегодня.", "ru"),
    ],
)
def test_unsupported_scripts_say_so_but_still_read_codes(
    tagger: Tagger, text: str, language: str
) -> None:
    tags = tagger.tag(text + " 337-TA-1441", language)
    assert tags.untagged is not None and "unsupported language" in tags.untagged
    assert tags.case_refs == ["337-TA-1441"]


def test_latin_script_languages_other_than_english_still_run(tagger: Tagger) -> None:
    tags = tagger.tag(
        "Das Landgericht München erließ eine einstweilige Verfügung (UPC_CFI_1/2025).", "de"
    )
    assert tags.untagged is None
    assert {"DE", "UPC"} <= set(tags.jurisdictions)
    assert [s.type for s in tags.signals] == ["preliminary_injunction"]


def test_language_label_does_not_override_the_script(tagger: Tagger) -> None:
    assert "A5" in tagger.tag("光伏组件出口欧盟", "en").chain_ids()
    assert "A5" in tagger.tag("Solar modules exported to the EU", "zh").chain_ids()


def test_mixed_scripts_run_both_pipelines(tagger: Tagger) -> None:
    tags = tagger.tag("无锡企业的光伏组件 were detained by customs in the Netherlands.")
    assert "A5" in tags.chain_ids()
    assert "NL" in tags.jurisdictions
    assert [s.type for s in tags.signals] == ["customs_detention"]


def test_garbage_does_not_raise(tagger: Tagger) -> None:
    junk = [
        "\x00\x01\x02",
        "((((((((((",
        "v. v. v. v.",
        "Plaintiff, v. Defendants.",
        "337-TA-",
        "H01M /",
        "年月日",
        "\ud800" * 3,
        "😀" * 50,
        "a" * 5000,
        "respondents are: ; ; ;",
        "对企业发起",
        "<" * 100,
        "&" * 100,
    ]
    tags = tagger.tag_many(junk)
    assert len(tags) == len(junk)
    assert all(isinstance(t, Tags) for t in tags)


def test_tag_many_keeps_order_and_length(tagger: Tagger) -> None:
    texts = ["Solar modules", "", "锂电池", "Semiconductor wafers and chips"]
    tags = tagger.tag_many(texts, ["en", None, "zh", "en"])
    assert [t.chain_ids()[:1] for t in tags] == [["A5"], [], ["A5"], ["L2"]]


def test_tag_many_rejects_mismatched_languages(tagger: Tagger) -> None:
    with pytest.raises(ValueError, match="languages"):
        tagger.tag_many(["a", "b"], ["en"])
