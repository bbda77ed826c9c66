"""The taxonomy: industry chains (Wuxi 465, Binhu 543 and their crosswalk), IP types, item
kinds, signals, jurisdictions and Chinese places, as versioned YAML files in this folder.

Public API::

    load_taxonomy()            # -> Taxonomy (cached); .version, .chains, .chain_ids()
    load_taxonomy().chain("L3").name.zh   # "生物医药"
    chain_ids()                # every valid chain id
    TAXONOMY_VERSION           # the version stated by every file (read lazily)

All files state the same ``version``; bump it in each file when any of them changes, so that
stored items tagged with an older version can be found and re-tagged.
"""

from __future__ import annotations

from tagger.taxonomy._load import TaxonomyError, load_taxonomy, load_taxonomy_from
from tagger.taxonomy._model import Chain, Name, Taxonomy

__all__ = [
    "TAXONOMY_VERSION",
    "Chain",
    "Name",
    "Taxonomy",
    "TaxonomyError",
    "chain_ids",
    "load_taxonomy",
    "load_taxonomy_from",
]


def chain_ids() -> list[str]:
    """Every valid chain id, 465 chains first, in taxonomy order."""
    return load_taxonomy().chain_ids()


def __getattr__(name: str) -> str:
    if name == "TAXONOMY_VERSION":
        return load_taxonomy().version
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
