"""Chinese word segmentation for search (jieba, which ships its dictionary).

Keyword tagging does not use this: it finds phrases on characters, which is faster and
finds more. Search needs words, so that a two-character query finds its item.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import jieba

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

jieba.setLogLevel(logging.WARNING)


def has_cjk(text: str) -> bool:
    """Whether the text holds any CJK ideograph."""
    return bool(_CJK.search(text))


@lru_cache(maxsize=1)
def _initialised() -> bool:
    jieba.initialize()
    return True


def _cjk_words(run: str) -> list[str]:
    _initialised()
    words = [w for w in jieba.cut_for_search(run) if w.strip()]
    # Character bigrams make any two-character term findable, even one jieba glued into a
    # longer word it does not split.
    bigrams = [run[i : i + 2] for i in range(len(run) - 1)]
    return words + [b for b in bigrams if b not in words]


def segment_for_index(text: str) -> str:
    """Text with each CJK run replaced by its words and bigrams, space separated.

    Non-CJK text passes through unchanged, for the engine's own tokenizer.
    """
    if not has_cjk(text):
        return text
    return _CJK_RUN.sub(lambda m: " " + " ".join(_cjk_words(m.group())) + " ", text)


def segment_query(text: str) -> list[str]:
    """Query terms: CJK runs split into words (a lone two-character run stays whole)."""
    terms: list[str] = []
    for chunk in re.split(r"(\s+)", text):
        if not chunk.strip():
            continue
        if not has_cjk(chunk):
            terms.append(chunk)
            continue
        for piece in _CJK_RUN.split(chunk):
            if piece.strip():
                terms.append(piece)
        for run in _CJK_RUN.findall(chunk):
            _initialised()
            words = [w for w in jieba.cut(run) if w.strip()]
            terms.extend(words if len(run) > 2 else [run])
    return terms
