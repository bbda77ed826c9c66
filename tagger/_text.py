"""Text preparation: HTML remnants out, length capped, and which pipelines the script needs."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from itertools import islice

MAX_CHARS = 100_000
"""Longer texts are cut here: tagging is for news items and notices, not whole dockets."""

_RAW_LIMIT = 4 * MAX_CHARS

_TAG_HINT = re.compile(r"<[A-Za-z/!?]")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_DROPPED_BLOCK = re.compile(
    r"<(script|style|noscript|template|head)\b.*?(?:</\1\s*>|$)", re.S | re.I
)
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|li|ul|ol|tr|td|th|table|thead|tbody|h[1-6]|section|article|header|footer|"
    r"blockquote|pre|hr|title|dd|dt|dl)\b[^>]*>",
    re.I,
)
_ANY_TAG = re.compile(r"</?[A-Za-z!?][^<>]{0,2000}>")
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")
_INVISIBLE = (
    ("\u200b", ""),
    ("\u200c", ""),
    ("\u200d", ""),
    ("\ufeff", ""),
    ("\xa0", " "),
    ("\u3000", " "),
    ("\r", ""),
)
"""Replaced one by one, only when present: ``str.translate`` with a table looks up every
character of a non-ASCII text and took about 50 µs per 300-character Chinese item."""

_CJK_BLANKS = {
    code: " "
    for low, high in (
        (0x3400, 0x4DBF),
        (0x4E00, 0x9FFF),
        (0xF900, 0xFAFF),
        (0x3000, 0x303F),
        (0xFF00, 0xFFEF),
    )
    for code in range(low, high + 1)
}
_DROP_CJK = dict.fromkeys(
    code
    for low, high in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
    for code in range(low, high + 1)
)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
_OTHER_SCRIPT = re.compile(
    r"[\u0370-\u03ff\u0400-\u04ff\u0590-\u05ff\u0600-\u06ff\u0900-\u097f\u0e00-\u0e7f]"
)
_FOREIGN_SCRIPT = re.compile(
    r"[\u3040-\u30ff\uac00-\ud7af\u1100-\u11ff"
    r"\u0370-\u03ff\u0400-\u04ff\u0590-\u05ff\u0600-\u06ff\u0900-\u097f\u0e00-\u0e7f]"
)
"""Kana, Hangul or one of ``_OTHER_SCRIPT``: one scan that lets most texts skip the counts."""
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_NOT_LATIN = re.compile(r"[^\x00-\u024f\u1e00-\u1eff\u2000-\u2bff\ufb00-\ufb06]")
"""Anything outside Latin letters, punctuation and symbols: the text may need more than the
English pipeline."""
_LETTER_OR_DIGIT = re.compile(r"\w")

_MIN_LATIN_WORDS_IN_CHINESE = 3
"""A Chinese item with this many Latin words also runs the English pipeline on them."""

UNSUPPORTED_LANGUAGES = frozenset({"ja", "ko", "ru", "ar", "he", "el", "hi", "th", "uk"})


@dataclass(frozen=True, slots=True)
class Prepared:
    """A text ready for the pipelines, and which of them it needs.

    Attributes:
        text: the cleaned text; every offset the tagger reports is into this text.
        en_text: the text for the English pipeline (CJK characters blanked, so offsets still
            agree with ``text``), or None when it is not needed.
        run_zh: whether the Chinese pipeline reads ``text``.
        untagged: why the text could not be tagged (fully or partly), or None.
        truncated_from: the original length when the text was cut to ``MAX_CHARS``.
    """

    text: str
    en_text: str | None
    run_zh: bool
    untagged: str | None = None
    truncated_from: int | None = None


def mentions(text: str, words: tuple[str, ...]) -> bool:
    """Whether any of ``words`` occurs in ``text`` (far cheaper than a regex scan)."""
    for word in words:  # noqa: SIM110 - a dozen calls an item: any() over a generator costs more
        if word in text:
            return True
    return False


def lower_keeping_offsets(text: str) -> str:
    """The text in lower case, one character for one: characters whose lower case is longer
    ("İ") stay as they are, so offsets still point into the original."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(low := c.lower()) != 1 else low for c in text)


def strip_html(text: str) -> str:
    """The text without tags, comments, scripts and entities (a no-op on plain text)."""
    if "<" in text and _TAG_HINT.search(text):
        text = _COMMENT.sub(" ", text)
        text = _DROPPED_BLOCK.sub(" ", text)
        text = _BLOCK_TAG.sub("\n", text)
        text = _ANY_TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return text


def clean_text(raw: str) -> tuple[str, int | None]:
    """The cleaned text and, when it had to be cut, its length before cutting."""
    original = len(raw)
    text = raw[:_RAW_LIMIT]
    if not text.isascii():  # lone surrogates (from JSON escapes) would break UTF-8 output
        text = text.encode("utf-8", "replace").decode("utf-8")
    text = _drop_invisible(strip_html(text))
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    text = text.strip()
    if len(text) > MAX_CHARS or original > _RAW_LIMIT:
        return text[:MAX_CHARS], original
    return text, None


def _drop_invisible(text: str) -> str:
    """Zero-width characters and carriage returns out, no-break and ideographic spaces as
    spaces."""
    if text.isascii():
        return text.replace("\r", "") if "\r" in text else text
    for old, new in _INVISIBLE:
        if old in text:
            text = text.replace(old, new)
    return text


def _blank_cjk(text: str) -> str:
    return text.translate(_CJK_BLANKS)


def _primary_subtag(language: str | None) -> str | None:
    if not language:
        return None
    return language.strip().lower().replace("_", "-").split("-")[0] or None


def _count(pattern: re.Pattern[str], text: str) -> int:
    return len(pattern.findall(text)) if pattern.search(text) else 0


def _cjk_count(text: str) -> int:
    return len(text) - len(text.translate(_DROP_CJK))


def _unsupported(text: str, hint: str | None) -> str | None:
    if hint not in UNSUPPORTED_LANGUAGES and not _FOREIGN_SCRIPT.search(text):
        return None
    kana = _count(_KANA, text)
    cjk = _cjk_count(text) if kana >= 5 or hint in {"ja", "ko"} else 0
    if kana >= 5 and kana * 5 >= cjk:
        return "ja"
    if _count(_HANGUL, text) >= 5:
        return "ko"
    others = _count(_OTHER_SCRIPT, text)
    if others >= 20 and others > len(_LATIN_WORD.findall(text)) * 3 + _cjk_count(text):
        return hint if hint in UNSUPPORTED_LANGUAGES else "other"
    if cjk and hint in {"ja", "ko"}:
        return hint
    return None


def prepare(raw: str, language: str | None = None) -> Prepared:
    """Clean the text and decide which pipelines read it.

    The script decides, not the language label: crawled labels are often wrong. CJK text runs
    the Chinese pipeline (and the English one too on its Latin parts, when it has some);
    Latin-script text runs the English pipeline whatever its language (codes, case numbers and
    many English cues still match); Japanese, Korean and other scripts are not tagged.
    """
    text, truncated_from = clean_text(raw)
    if not _LETTER_OR_DIGIT.search(text):
        return Prepared(text, None, False, "empty text", truncated_from)
    hint = _primary_subtag(language)
    if text.isascii() or not _NOT_LATIN.search(text):
        return Prepared(text, text, False, None, truncated_from)
    unsupported = _unsupported(text, hint)
    if unsupported:
        reason = f"unsupported language {unsupported!r}: only codes and case numbers were read"
        return Prepared(text, None, False, reason, truncated_from)
    if not _CJK.search(text):
        return Prepared(text, text, False, None, truncated_from)
    latin_words = sum(1 for _ in islice(_LATIN_WORD.finditer(text), _MIN_LATIN_WORDS_IN_CHINESE))
    en_text = _blank_cjk(text) if latin_words >= _MIN_LATIN_WORDS_IN_CHINESE else None
    return Prepared(text, en_text, True, None, truncated_from)
