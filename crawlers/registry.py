"""Finding sources: every ``crawlers/sources/<id>/source.yml`` is a source; nothing registers one.

The YAML is validated at load (``crawlers.config.SourceConfig``), so a typo in any source
fails the load with the file and the field named. ``IPRWATCH_SOURCES_DIR`` points at another
folder of source folders instead (a deployment's own sources, or a test's); a custom
``spider.py`` there is loaded from its file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from core.settings import get_settings
from crawlers.config import SourceConfig
from crawlers.errors import SourceConfigError, UnknownSourceError, one_line

__all__ = [
    "SOURCES_DIR",
    "SourceConfigError",
    "UnknownSourceError",
    "get_source",
    "load_sources",
    "read_source_file",
    "sources_root",
]

SOURCES_DIR = Path(__file__).resolve().parent / "sources"
SOURCE_FILE = "source.yml"


def sources_root() -> Path:
    """The folder of source folders: ``IPRWATCH_SOURCES_DIR``, else ``crawlers/sources``."""
    return get_settings().sources_dir or SOURCES_DIR


def load_sources(root: Path | None = None) -> dict[str, SourceConfig]:
    """Every source under ``root`` (default: ``sources_root()``), by id, sorted by id.

    Raises:
        SourceConfigError: When any ``source.yml`` is unreadable or invalid.
    """
    return dict(_load_sources_cached((root or sources_root()).resolve()))


def get_source(source_id: str, root: Path | None = None) -> SourceConfig:
    """The source with this id.

    Raises:
        UnknownSourceError: When no source has this id; its message lists the known ids.
    """
    sources = load_sources(root)
    try:
        return sources[source_id]
    except KeyError:
        raise UnknownSourceError(source_id, list(sources)) from None


def source_dir(source_id: str, root: Path | None = None) -> Path:
    """The folder of a source (which may hold a ``spider.py``)."""
    return (root or sources_root()) / source_id


def read_source_file(path: Path) -> SourceConfig:
    """Read and validate one ``source.yml``; its folder name must equal its id.

    Raises:
        SourceConfigError: Naming the file and each invalid field.
    """
    data = _read_yaml(path)
    try:
        return SourceConfig.model_validate(data, context={"folder": path.parent.name})
    except ValidationError as exc:
        raise SourceConfigError(f"{path}: {describe_validation_error(exc)}") from None


def describe_validation_error(exc: ValidationError) -> str:
    """A one-line account of a pydantic error: ``field.path: message; ...``."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "(top level)"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


@lru_cache(maxsize=8)
def _load_sources_cached(root: Path) -> tuple[tuple[str, SourceConfig], ...]:
    configs = [read_source_file(path) for path in sorted(root.glob(f"*/{SOURCE_FILE}"))]
    return tuple((config.id, config) for config in sorted(configs, key=lambda c: c.id))


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SourceConfigError(f"{path}: cannot read YAML: {one_line(str(exc))}") from None
    if not isinstance(data, dict):
        raise SourceConfigError(f"{path}: expected a mapping at the top level")
    return data
