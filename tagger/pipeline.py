"""The tagger: text in, ``Tags`` out (chains with evidence, kind, IP types, jurisdictions,
parties, case numbers, products, signals).

Load it once per process with ``get_tagger()``; building the matchers takes about a second.
Tagging never raises: bad input gives ``Tags(untagged="reason")``.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from spacy.language import Language as SpacyLanguage

from core.gc_pause import collector_paused
from core.logging_ import get_logger
from core.types import ItemKind, Tags
from tagger._assemble import (
    Matches,
    choose_ip_types,
    choose_jurisdictions,
    choose_kind,
    choose_products,
    head_end,
    slot_of,
)
from tagger._chains import ChainScorer
from tagger._codes import CodeIndex, find_codes
from tagger._cues import CueFinds, Cues, declared_count, declared_cues, scan_cues
from tagger._lexicon import COMPANY_SUFFIX, Language, build_phrases
from tagger._matching import CUE_FINDS, HITS, Hit, PhraseTable, make_nlp, scans_only
from tagger._parties import find_party_fields
from tagger._pool import POOL_MIN_TEXTS, TaggerPool, TagsDict, default_processes, pool_allowed
from tagger._products import find_337_products
from tagger._refs import find_case_refs
from tagger._signals import SignalCue, signal_fields
from tagger._stages import NO_CLOCK, StageClock
from tagger._text import Prepared, prepare
from tagger.taxonomy import Taxonomy, load_taxonomy

__all__ = ["DEFAULT_BATCH_SIZE", "Tagger", "get_tagger", "tag_many_parallel"]

log = get_logger(__name__)

DEFAULT_BATCH_SIZE = 256
_LANGUAGES: tuple[Language, ...] = ("en", "zh")

_Scan = tuple[list[Hit], CueFinds]
"""What a pipeline's phrase scan found in one text: phrase hits and cue words."""

_Fields = dict[str, Any]
"""The fields of one ``Tags``, in its field order, nested models as their fields: made into
a ``Tags`` in one validation (``_as_tags``), or into JSON with none (``_as_json``)."""
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class _Pipeline:
    nlp: SpacyLanguage
    table: PhraseTable


class Tagger:
    """Tags texts with the taxonomy. Thread-compatible for reading, not for concurrent
    ``tag_many`` calls (spaCy pipelines are not thread-safe); use one per worker process."""

    def __init__(self, taxonomy: Taxonomy | None = None) -> None:
        self.taxonomy = taxonomy or load_taxonomy()
        self._cue_count = declared_count()
        self._pipelines = {lang: self._pipeline(lang) for lang in _LANGUAGES}
        self._codes = CodeIndex(self.taxonomy)
        self._scorer = ChainScorer(self.taxonomy)
        self._kinds = [kind.id.value for kind in self.taxonomy.kinds]
        self._weak_codes = set(self.taxonomy.weak_codes)
        self._routes = {
            lang: {
                key: tuple((slot_of(entry), entry) for entry in entries)
                for key, entries in pipeline.table.entries.items()
            }
            for lang, pipeline in self._pipelines.items()
        }

    def _pipeline(self, lang: Language) -> _Pipeline:
        table = PhraseTable(lang, build_phrases(self.taxonomy, lang), declared_cues())
        return _Pipeline(make_nlp(lang, table), table)

    @property
    def version(self) -> str:
        """The taxonomy version these tags are made with."""
        return self.taxonomy.version

    def tag(self, text: str, language: str | None = None) -> Tags:
        """Tag one text. ``language`` (an item's label, e.g. "en", "zh-CN") is a hint: the
        script decides which pipelines run."""
        return self.tag_many([text], [language])[0]

    def tag_many(
        self,
        texts: Iterable[str],
        languages: Iterable[str | None] | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        processes: int | None = None,
    ) -> list[Tags]:
        """Tag many texts, tokenising them in batches; one ``Tags`` per text, in order.

        With ``processes`` > 1, a batch of at least ``POOL_MIN_TEXTS`` texts is tagged in
        that many worker processes (see ``tag_many_json``); smaller ones stay in-process.

        Raises:
            ValueError: ``languages`` was given but is not as long as ``texts``.
        """
        if processes is not None and processes > 1:
            dicts = self.tag_many_json(texts, languages, batch_size, processes)
            return [Tags.model_validate(d) for d in dicts]
        return self._tag_many(texts, languages, batch_size, _as_tags)

    def tag_many_json(
        self,
        texts: Iterable[str],
        languages: Iterable[str | None] | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        processes: int | None = None,
    ) -> list[TagsDict]:
        """``tag_many`` as JSON-ready dicts (``Tags.model_dump(mode="json")``), what storage
        and the CLI write.

        A batch of at least ``POOL_MIN_TEXTS`` texts goes to ``processes`` worker processes
        (default: ``default_processes()``, up to two) when this is the default tagger; the
        pool is started for the call and shut down after it.

        Raises:
            ValueError: ``languages`` was given but is not as long as ``texts``.
        """
        texts = list(texts)
        hints = list(languages) if languages is not None else [None] * len(texts)
        if len(hints) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(hints)} languages")
        processes = default_processes() if processes is None else processes
        if processes > 1 and len(texts) >= POOL_MIN_TEXTS and pool_allowed(self):
            return tag_many_parallel(texts, hints, processes)
        # The dicts are made from the tags' fields directly: what ``model_dump(mode="json")``
        # of the ``Tags`` would give, without making the models (a tenth of the CPU time).
        return self._tag_many(texts, hints, batch_size, finish=_as_json)

    def stage_times(
        self, texts: Sequence[str], languages: Sequence[str | None] | None = None
    ) -> dict[str, float]:
        """Tag ``texts`` in this process and say where the time went: CPU µs per text in
        each stage (``prepare``, ``match_en`` and ``match_zh`` for the spaCy pipelines,
        ``cues`` for the cue-word scan, ``route``, ``codes``, ``refs``, ``parties``,
        ``signals``, ``chains``, ``kind``, ``ip_types``, ``jurisdictions``, ``products``,
        ``assemble``). For benchmarks."""
        clock = StageClock()
        self._tag_many(texts, languages, DEFAULT_BATCH_SIZE, _as_tags, clock)
        count = max(1, len(texts))
        return {stage: seconds * 1e6 / count for stage, seconds in clock.seconds.items()}

    def _tag_many(
        self,
        texts: Iterable[str],
        languages: Iterable[str | None] | None,
        batch_size: int,
        finish: Callable[[_Fields], _T],
        clock: StageClock = NO_CLOCK,
    ) -> list[_T]:
        """One ``finish(fields)`` per text, in order: ``Tags`` (``_as_tags``) or JSON-ready
        dicts (``_as_json``)."""
        texts = list(texts)
        hints = list(languages) if languages is not None else [None] * len(texts)
        if len(hints) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(hints)} languages")
        with collector_paused():  # a batch makes no reference cycles: see core.gc_pause
            clock.start()
            prepared = [self._prepare(text, hint) for text, hint in zip(texts, hints, strict=True)]
            clock.lap("prepare")
            en = self._match("en", prepared, batch_size)
            clock.lap("match_en")
            zh = self._match("zh", prepared, batch_size)
            clock.lap("match_zh")
            cues = [self._cues(p, en.get(i), zh.get(i)) for i, p in enumerate(prepared)]
            clock.lap("cues")
            tagged = [
                self._assemble(p, _hits(en.get(i)), _hits(zh.get(i)), cues[i], finish, clock)
                for i, p in enumerate(prepared)
            ]
            # Freed here, while the collector is off: left for the return, the batch's phrase
            # hits and cue finds (some 60 objects an item) were walked by the collection
            # that the first allocation after ``gc.enable()`` starts.
            del prepared, en, zh, cues
        return tagged

    def _cues(self, prepared: Prepared, en: _Scan | None, zh: _Scan | None) -> Cues:
        """The cue words in the text, as the phrase scan of the whole text found them (the
        Chinese one when it ran: the English one may have read the text with CJK blanked),
        or from a scan of their own (when no pipeline read the whole text, or more cue
        words were declared after this tagger was built)."""
        scan = zh if prepared.run_zh else en
        if scan is None or self._cue_count != declared_count():
            return scan_cues(prepared.text)
        return Cues(prepared.text, scan[1])

    def _matches(self, en: list[Hit] | None, zh: list[Hit] | None) -> Matches:
        matches = Matches()
        appends = [terms.append for terms in matches.lists()]
        for lang, hits in zip(_LANGUAGES, (en, zh), strict=True):
            if not hits:
                continue
            routes = self._routes[lang]
            for key, start, end in hits:
                for slot, entry in routes[key]:
                    appends[slot]((entry, start, end))
        return matches

    def _prepare(self, text: object, language: str | None) -> Prepared:
        if not isinstance(text, str):
            return Prepared("", None, False, f"not text: {type(text).__name__}")
        try:
            prepared = prepare(text, language)
        except Exception as error:  # never let one bad item stop a batch
            log.exception("text preparation failed", error=repr(error))
            return Prepared("", None, False, f"error: {type(error).__name__}")
        if prepared.truncated_from is not None:
            log.info(
                "text truncated for tagging",
                length=prepared.truncated_from,
                kept=len(prepared.text),
            )
        return prepared

    def _match(
        self, lang: Language, prepared: Sequence[Prepared], batch_size: int
    ) -> dict[int, _Scan]:
        pipeline = self._pipelines[lang]
        wanted = [
            (i, (p.en_text or "") if lang == "en" else p.text)
            for i, p in enumerate(prepared)
            if (p.en_text is not None if lang == "en" else p.run_zh)
        ]
        found: dict[int, _Scan] = {}
        try:
            if scans_only(pipeline.nlp, pipeline.table):
                for index, text in wanted:
                    found[index] = pipeline.table.scan(text)
                return found
            docs = pipeline.nlp.pipe((text for _, text in wanted), batch_size=batch_size)
            for (index, _), doc in zip(wanted, docs, strict=True):
                found[index] = doc.user_data[HITS], doc.user_data[CUE_FINDS]
        except Exception as error:  # a failing batch falls back to one text at a time
            log.warning("batch matching failed; retrying one by one", error=repr(error))
            found = self._match_one_by_one(pipeline, wanted)
        return found

    @staticmethod
    def _match_one_by_one(pipeline: _Pipeline, wanted: list[tuple[int, str]]) -> dict[int, _Scan]:
        found: dict[int, _Scan] = {}
        for index, text in wanted:
            try:
                doc = pipeline.nlp(text)
                found[index] = doc.user_data[HITS], doc.user_data[CUE_FINDS]
            except Exception as error:
                log.exception("matching failed", error=repr(error))
        return found

    def _assemble(
        self,
        prepared: Prepared,
        en: list[Hit] | None,
        zh: list[Hit] | None,
        cues: Cues,
        finish: Callable[[_Fields], _T],
        clock: StageClock = NO_CLOCK,
    ) -> _T:
        missing = (prepared.en_text is not None and en is None) or (prepared.run_zh and zh is None)
        if missing:
            return finish(_fields(self.version, untagged="error: matching failed"))
        try:
            matches = self._matches(en, zh)
            clock.lap("route")
            tags = finish(self._build(prepared, matches, cues, clock))
            clock.lap("assemble")
            return tags
        except Exception as error:
            log.exception("tag assembly failed", error=repr(error))
            return finish(_fields(self.version, untagged=f"error: {type(error).__name__}"))

    def _build(
        self, prepared: Prepared, matches: Matches, cues: Cues, clock: StageClock
    ) -> _Fields:
        """The tags' fields from the matches and the extractors, stage by stage (``clock``
        times them for ``stage_times``)."""
        text = prepared.text
        codes = find_codes(text, self._codes, cues)
        clock.lap("codes")
        refs = find_case_refs(text, cues)
        clock.lap("refs")
        if prepared.untagged:
            return _fields(
                self.version,
                case_refs=[r.ref for r in refs],
                products=codes.hs_codes,
                untagged=prepared.untagged,
            )
        suffixes = [start for entry, start, _ in matches.cue if entry.target == COMPANY_SUFFIX]
        parties = find_party_fields(text, suffixes, cues)
        clock.lap("parties")
        signal_cues = [SignalCue(e.target, start, end) for e, start, end in matches.signal]
        signals = signal_fields(text, signal_cues)
        clock.lap("signals")
        chains = self._scorer.score_fields(matches.chain, codes.hits, text)
        clock.lap("chains")
        kind = choose_kind(matches.kind, head_end(text), self._kinds)
        clock.lap("kind")
        ip_types = choose_ip_types(matches.ip_type, refs)
        clock.lap("ip_types")
        jurisdictions = choose_jurisdictions(
            matches.jurisdiction, parties.spans, refs, self._weak_codes, text
        )
        clock.lap("jurisdictions")
        products = [
            *choose_products(matches.chain),
            *find_337_products(text, cues),
            *codes.hs_codes,
        ]
        clock.lap("products")
        return {
            "chains": chains,
            "kind": kind,
            "ip_types": ip_types,
            "jurisdictions": jurisdictions,
            "parties": parties.parties,
            "case_refs": [r.ref for r in refs],
            "products": list(dict.fromkeys(products)),
            "signals": signals,
            "flags": [],
            "capped": False,
            "untagged": None,
            "taxonomy_version": self.version,
        }


def _fields(
    version: str,
    *,
    case_refs: list[str] | None = None,
    products: list[str] | None = None,
    untagged: str | None = None,
) -> _Fields:
    """The fields of tags with no chains, parties or signals (an untagged text)."""
    return {
        "chains": [],
        "kind": None,
        "ip_types": [],
        "jurisdictions": [],
        "parties": [],
        "case_refs": case_refs or [],
        "products": products or [],
        "signals": [],
        "flags": [],
        "capped": False,
        "untagged": untagged,
        "taxonomy_version": version,
    }


def _as_tags(fields: _Fields) -> Tags:
    """The ``Tags`` of these fields, nested models and all, in one validation."""
    return Tags.model_validate(fields)


def _as_json(fields: _Fields) -> TagsDict:
    """The fields as ``Tags.model_dump(mode="json")`` gives them: the kind as its value,
    signal dates in ISO form (every other field is JSON-ready as made)."""
    kind = fields["kind"]
    if isinstance(kind, ItemKind):
        fields["kind"] = kind.value
    for signal in fields["signals"]:
        when = signal["date"]
        if when is not None:
            signal["date"] = when.isoformat()
    return fields


def _hits(scan: _Scan | None) -> list[Hit] | None:
    return None if scan is None else scan[0]


@lru_cache(maxsize=1)
def get_tagger() -> Tagger:
    """The process-wide tagger (built on first use, then cached).

    Its long-lived objects (taxonomy, matchers, lookup tables: some 100,000 of them) are
    moved out of the garbage collector's sight: otherwise every full collection during
    tagging walks them all again, which cost about a fifth of the tagging time.
    """
    tagger = Tagger()
    gc.collect()
    gc.freeze()
    return tagger


def tag_many_parallel(
    texts: Sequence[str], languages: Sequence[str | None] | None = None, processes: int = 2
) -> list[TagsDict]:
    """Tag texts with the default tagger in ``processes`` worker processes, started for this
    call and shut down after it; tags come back as JSON-ready dicts, in order. For many
    batches, keep one ``TaggerPool`` open instead."""
    with TaggerPool(processes) as pool:
        return pool.tag_many(texts, languages)
