"""A source's health reason in the page's language (the public sources page).

The crawlers record reasons in English (``crawlers.runs.REASONS``) around the problem lines
of the run (``crawlers.problem_forms``); each part is read back and worded from the
catalogue: ``health_<reason>``, ``health_kind_<kind>``, ``health_msg_<message>``. What the
data names stays as recorded — the kind's value in the API, URLs, HTTP statuses, exception
class names, a parser's own message — and a part of no known form is shown as it was.
"""

from __future__ import annotations

from collections.abc import Callable

from crawlers.problem_forms import count_parts, detail_parts, message_parts
from crawlers.runs import reason_parts
from reports.jinja import LIST_SEPARATOR, translator

__all__ = ["health_reason_text"]

Words = Callable[..., str]


def health_reason_text(reason: str | None, lang: str) -> str | None:
    """A source's health reason in ``lang`` (English: as recorded)."""
    parts = reason_parts(reason) if reason and lang != "en" else None
    if parts is None:
        return reason
    name, values = parts
    words = translator(lang)
    if "reason" in values:
        values["reason"] = health_reason_text(values["reason"], lang) or ""
    if "detail" in values:
        values["detail"] = _detail_text(values["detail"], words)
    if "counts" in values:
        values["counts"] = _counts_text(values["counts"], lang, words)
    return words(f"health_{name}", **values)


def _detail_text(detail: str, words: Words) -> str:
    """A problem line (``kind: location: message``) or a whole failure message, worded."""
    parts = detail_parts(detail)
    if parts is None:
        return _message_text(detail, words)
    text = words(f"health_kind_{parts.kind}") + words("health_sep")
    if parts.location:
        text += parts.location + words("health_sep")
    text += _message_text(parts.message, words)
    if parts.count:
        text += words("health_times", count=parts.count)
    if parts.more:
        text += words("health_more", more=parts.more)
    return text


def _message_text(message: str, words: Words) -> str:
    """A message of a known form in the page's words; any other as it was."""
    parts = message_parts(message)
    if parts is None:
        return message
    name, values = parts
    return words(f"health_msg_{name}", **values)


def _counts_text(counts: str, lang: str, words: Words) -> str:
    """``date 2, unmapped 1`` as ``日期 2、未映射值 1``."""
    pairs = count_parts(counts)
    if pairs is None:
        return counts
    return LIST_SEPARATOR[lang].join(f"{words(f'health_kind_{k}')} {n}" for k, n in pairs)
