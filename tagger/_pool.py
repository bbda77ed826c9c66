"""Tagging large batches in worker processes.

Each worker loads the default tagger once (``get_tagger()``) and returns tags as JSON-ready
dicts (``Tags.model_dump(mode="json")``), never spaCy objects: pickling docs is what made
``nlp.pipe(n_process=2)`` slower than one process (MEASURED.md). Worth it only for a few
thousand texts or more: starting the workers costs a second or two.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from types import TracebackType
from typing import Any

from core.logging_ import get_logger

__all__ = ["POOL_CHUNK", "POOL_MIN_TEXTS", "TaggerPool", "default_processes", "pool_allowed"]

log = get_logger(__name__)

POOL_MIN_TEXTS = 4000
"""Batches smaller than this are tagged in-process: the pool would not pay for its start."""

POOL_CHUNK = 500
"""Texts per task sent to a worker."""

PROCESSES_ENV = "IPRWATCH_TAGGER_PROCESSES"
"""Worker processes for large batches; 1 or 0 keeps all tagging in-process."""

TagsDict = dict[str, Any]


def default_processes() -> int:
    """Worker processes for large batches: ``IPRWATCH_TAGGER_PROCESSES`` when set, else up to
    two (one per core); 1 inside a daemonic process (a Celery prefork child may not start
    children of its own)."""
    configured = os.environ.get(PROCESSES_ENV, "").strip()
    if configured.isdigit():
        return int(configured)
    if multiprocessing.current_process().daemon:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def pool_allowed(tagger: object) -> bool:
    """Whether workers (which load the default tagger) would tag like ``tagger``: only when
    it is the process-wide default one (or none was given)."""
    from tagger.pipeline import get_tagger

    if tagger is None:
        return True
    return get_tagger.cache_info().currsize > 0 and tagger is get_tagger()


def _start_worker() -> None:
    from tagger.pipeline import get_tagger

    get_tagger()


def _tag_chunk(texts: list[str], languages: list[str | None]) -> list[TagsDict]:
    from tagger.pipeline import get_tagger

    return get_tagger().tag_many_json(texts, languages, processes=1)


class TaggerPool:
    """``processes`` worker processes, started once, each with its own tagger.

    Use as a context manager (or call ``close()``) so that the workers are shut down::

        with TaggerPool(2) as pool:
            dicts = pool.tag_many(texts, languages)
    """

    def __init__(self, processes: int = 2, chunk_size: int = POOL_CHUNK) -> None:
        if processes < 1:
            raise ValueError(f"processes must be at least 1, got {processes}")
        self.processes = processes
        self.chunk_size = chunk_size
        self._executor: ProcessPoolExecutor | None = ProcessPoolExecutor(
            max_workers=processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
        )

    def __enter__(self) -> TaggerPool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers (waits for them to exit); the pool cannot be used afterwards."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def worker_pids(self) -> list[int]:
        """The process ids of the running workers (for measuring their CPU time)."""
        processes = getattr(self._executor, "_processes", None) or {}
        return sorted(processes)

    def iter_tags(
        self, texts: Sequence[str], languages: Sequence[str | None] | None = None
    ) -> Iterator[TagsDict]:
        """Tags of each text as a JSON-ready dict, in order, as the chunks come back.

        Raises:
            ValueError: ``languages`` is not as long as ``texts``.
            RuntimeError: the pool is closed.
        """
        if self._executor is None:
            raise RuntimeError("the tagger pool is closed")
        hints = list(languages) if languages is not None else [None] * len(texts)
        if len(hints) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(hints)} languages")
        # Small calls are split evenly, so that every worker gets a share.
        size = max(1, min(self.chunk_size, -(-len(texts) // self.processes)))
        starts = range(0, len(texts), size)
        results = self._executor.map(
            _tag_chunk,
            [list(texts[i : i + size]) for i in starts],
            [hints[i : i + size] for i in starts],
        )
        for chunk in results:
            yield from chunk

    def tag_many(
        self, texts: Sequence[str], languages: Sequence[str | None] | None = None
    ) -> list[TagsDict]:
        """Tags of each text as a JSON-ready dict, in order (see ``iter_tags``)."""
        return list(self.iter_tags(texts, languages))
