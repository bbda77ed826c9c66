"""Reading and checking the taxonomy files."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from tagger.taxonomy._model import Taxonomy

TAXONOMY_DIR = Path(__file__).resolve().parent

_FILES = (
    "chains_465.yml",
    "chains_binhu.yml",
    "ip_types.yml",
    "item_kinds.yml",
    "signals.yml",
    "jurisdictions.yml",
    "places_cn.yml",
)


class TaxonomyError(ValueError):
    """The taxonomy files are inconsistent (versions, ids or the crosswalk)."""


def _read(directory: Path, name: str) -> dict[str, Any]:
    data = yaml.load((directory / name).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    if not isinstance(data, dict) or "version" not in data:
        raise TaxonomyError(f"{name}: a mapping with a 'version' field is required")
    return data


def _one_version(files: dict[str, dict[str, Any]]) -> str:
    versions = {name: str(data.pop("version")) for name, data in files.items()}
    if len(set(versions.values())) != 1:
        raise TaxonomyError(f"taxonomy files disagree on the version: {versions}")
    return next(iter(versions.values()))


def _pop(files: dict[str, dict[str, Any]], name: str, key: str) -> Any:
    try:
        return files[name].pop(key)
    except KeyError:
        raise TaxonomyError(f"{name}: the '{key}' field is missing") from None


def _assemble(directory: Path) -> Taxonomy:
    files = {name: _read(directory, name) for name in _FILES}
    version = _one_version(files)
    taxonomy = Taxonomy(
        version=version,
        chains=[
            *_pop(files, "chains_465.yml", "chains"),
            *_pop(files, "chains_binhu.yml", "chains"),
        ],
        binhu_to_465=_pop(files, "chains_binhu.yml", "binhu_to_465"),
        ip_types=_pop(files, "ip_types.yml", "ip_types"),
        ip_blockers=_pop(files, "ip_types.yml", "blockers"),
        kinds=_pop(files, "item_kinds.yml", "kinds"),
        signals=_pop(files, "signals.yml", "signals"),
        jurisdictions=_pop(files, "jurisdictions.yml", "jurisdictions"),
        weak_codes=_pop(files, "jurisdictions.yml", "weak_codes"),
        pycountry_exclude=_pop(files, "jurisdictions.yml", "pycountry_exclude"),
        blockers=_pop(files, "jurisdictions.yml", "blockers"),
        places=files.pop("places_cn.yml"),
    )
    leftovers = {name: sorted(data) for name, data in files.items() if data}
    if leftovers:
        raise TaxonomyError(f"unknown top-level fields: {leftovers}")
    return taxonomy


def _check_crosswalk(taxonomy: Taxonomy) -> None:
    ids = Counter(taxonomy.chain_ids())
    duplicates = [chain_id for chain_id, count in ids.items() if count > 1]
    if duplicates:
        raise TaxonomyError(f"duplicate chain ids: {duplicates}")
    for binhu, walk in taxonomy.binhu_to_465.items():
        if binhu not in ids or not binhu.startswith("B"):
            raise TaxonomyError(f"crosswalk source {binhu!r} is not a Binhu chain")
        unknown = [t for t in walk.targets if t not in ids or t.startswith("B")]
        if unknown:
            raise TaxonomyError(f"crosswalk {binhu}: targets {unknown} are not 465 chains")
    equivalent = [(b, w.targets) for b, w in taxonomy.binhu_to_465.items() if w.equivalent]
    all_targets = Counter(t for w in taxonomy.binhu_to_465.values() for t in w.targets)
    for binhu, targets in equivalent:
        if len(targets) != 1 or all_targets[targets[0]] != 1:
            raise TaxonomyError(f"crosswalk {binhu}: 'equivalent' needs a one-to-one mapping")


def load_taxonomy_from(directory: Path) -> Taxonomy:
    """Load and check the taxonomy in ``directory`` (tests use this with edited copies)."""
    taxonomy = _assemble(directory)
    _check_crosswalk(taxonomy)
    return taxonomy


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    """The packaged taxonomy, loaded once per process."""
    return load_taxonomy_from(TAXONOMY_DIR)
