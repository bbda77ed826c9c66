"""``iprwatch tag``: JSON lines in, the same objects with their ``tags`` out.

Each input line is an item object (``title``/``summary``/``body``, optional ``language``,
``kind`` and ``jurisdictions`` as the crawler set them) or ``{"text": ...}``. Each output
line is the input object plus ``"tags"``; the item's own kind and jurisdictions are merged
into them (``tagger.reconcile``), so ``tags.kind`` is the item's final kind. A line that is not a
JSON object gives ``{"error": "...", "line": N}`` and the stream goes on; blank lines are
skipped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from core.types import Tags
from tagger._pool import POOL_MIN_TEXTS, TaggerPool, TagsDict, default_processes
from tagger.pipeline import DEFAULT_BATCH_SIZE, Tagger, get_tagger
from tagger.reconcile import reconcile_tags

__all__ = ["tag_json_lines"]

_TEXT_FIELDS = ("title", "summary", "body")


@dataclass(frozen=True, slots=True)
class _Line:
    number: int
    item: dict[str, Any] | None = None
    error: str | None = None


def _parse(number: int, line: str) -> _Line | None:
    if not line.strip():
        return None
    try:
        item = json.loads(line)
    except json.JSONDecodeError as error:
        return _Line(number, error=f"invalid JSON: {error.msg} (column {error.colno})")
    if not isinstance(item, dict):
        return _Line(number, error=f"expected a JSON object, got {type(item).__name__}")
    return _Line(number, item=item)


def _text_of(item: dict[str, Any]) -> str | None:
    if isinstance(item.get("text"), str):
        return str(item["text"])
    parts = [item[f] for f in _TEXT_FIELDS if isinstance(item.get(f), str) and item[f]]
    return "\n".join(parts) if parts else None


def _language_of(item: dict[str, Any]) -> str | None:
    language = item.get("language")
    return language if isinstance(language, str) else None


def _final(tags: TagsDict, item: dict[str, Any], text: str) -> TagsDict:
    """The pipeline's tags reconciled with the item's own kind and jurisdictions."""
    kind = item.get("kind") if isinstance(item.get("kind"), str) else None
    own = item.get("jurisdictions")
    codes = [c for c in own if isinstance(c, str)] if isinstance(own, list) else []
    final = reconcile_tags(Tags.model_validate(tags), text, kind, codes)
    return final.model_dump(mode="json")


def _dump(output: dict[str, Any]) -> str:
    """One JSON line, Chinese kept readable; escaped when the input held lone surrogates."""
    line = json.dumps(output, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(output)
    return line


_TagMany = Callable[[list[str], list[str | None]], Iterable[TagsDict]]


def _tag_chunk(
    tagger: Tagger, lines: list[_Line], tag_many: _TagMany | None = None
) -> Iterator[str]:
    items = [line for line in lines if line.item is not None]
    texts = [_text_of(line.item) for line in items if line.item is not None]
    languages = [_language_of(line.item) for line in items if line.item is not None]
    if tag_many is None:
        found: Iterable[TagsDict] = tagger.tag_many_json(
            [t or "" for t in texts], languages, processes=1
        )
    else:
        found = tag_many([t or "" for t in texts], languages)
    tagged = iter(found)
    no_text = Tags(
        untagged="no text: expected 'text', or 'title'/'summary'/'body'",
        taxonomy_version=tagger.version,
    ).model_dump(mode="json")
    for line in lines:
        if line.item is None:
            yield json.dumps({"error": line.error, "line": line.number})
            continue
        tags = next(tagged)
        text = _text_of(line.item)
        tags = no_text if text is None else _final(tags, line.item, text)
        yield _dump({**line.item, "tags": tags})


def tag_json_lines(
    lines: Iterable[str],
    tagger: Tagger | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    processes: int | None = None,
) -> Iterator[str]:
    """Tag a stream of JSON lines, lazily and in batches; yields one output line (without
    newline) per non-blank input line, in order.

    Without a ``tagger`` (the ``iprwatch tag`` command), large inputs are tagged by
    ``processes`` worker processes (default: ``default_processes()``): lines are then read
    ``POOL_MIN_TEXTS`` at a time, and a pool starts at the first chunk that size. Given a
    tagger, or ``processes`` <= 1, everything is tagged in-process.
    """
    processes = 1 if tagger is not None else processes
    processes = default_processes() if processes is None else processes
    tagger = tagger or get_tagger()
    parsed = (p for p in (_parse(n, line) for n, line in enumerate(lines, start=1)) if p)
    if processes <= 1:
        while chunk := list(islice(parsed, batch_size)):
            yield from _tag_chunk(tagger, chunk)
        return
    pool: TaggerPool | None = None
    try:
        while chunk := list(islice(parsed, max(batch_size, POOL_MIN_TEXTS))):
            if pool is None and len(chunk) >= POOL_MIN_TEXTS:
                pool = TaggerPool(processes)
            if pool is not None:
                yield from _tag_chunk(tagger, chunk, pool.iter_tags)
                continue
            for start in range(0, len(chunk), batch_size):
                yield from _tag_chunk(tagger, chunk[start : start + batch_size])
    finally:
        if pool is not None:
            pool.close()
