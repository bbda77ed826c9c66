"""Tagging: what an item is about, which industry chains it concerns, who is involved.

Public API::

    from tagger import get_tagger
    tags = get_tagger().tag(text, language="en")          # core.types.Tags
    tags_list = get_tagger().tag_many(texts, languages)

    from tagger.taxonomy import load_taxonomy, chain_ids, TAXONOMY_VERSION
    from tagger.cli import tag_json_lines                   # the ``iprwatch tag`` contract
    from tagger.store import tag_stored_items, retag_all    # stored items (task and CLI)
    from tagger.places import resolve_place                 # "Wuxi, Jiangsu, China" -> Place
    from tagger.reconcile import reconcile_tags             # final tags: the item's own kind
                                                            # and jurisdictions merged, flags

``tagger.segment`` holds the Chinese word segmentation that search uses; tagging itself
finds phrases on characters (one Aho-Corasick scan, ``tagger._matching``). ``Tagger`` and ``get_tagger`` are imported lazily, so that
importing ``tagger.segment`` does not load spaCy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tagger.pipeline import Tagger, get_tagger

__all__ = ["Tagger", "get_tagger"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from tagger import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
