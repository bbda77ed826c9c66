"""The labelled set: loading and validating ``items.jsonl``."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.types import ItemKind
from tagger.taxonomy import chain_ids, load_taxonomy

__all__ = ["ITEMS_PATH", "CrawlerFields", "EvalItem", "GoldLabels", "GoldParty", "load_items"]

ITEMS_PATH = Path(__file__).with_name("items.jsonl")


class GoldParty(BaseModel):
    """A party as the labeller read it (role as the tagger names roles, or None)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    role: str | None = None


class GoldLabels(BaseModel):
    """What a domain expert says an item is about; every field is scored."""

    model_config = ConfigDict(extra="forbid")

    chains: list[str] = Field(default_factory=list)
    kind: ItemKind | None = None
    ip_types: list[str] = Field(default_factory=list)
    jurisdictions: list[str] = Field(default_factory=list)
    parties: list[GoldParty] = Field(default_factory=list)
    case_refs: list[str] = Field(default_factory=list)

    @field_validator("chains")
    @classmethod
    def _known_chains(cls, value: list[str]) -> list[str]:
        unknown = set(value) - set(chain_ids())
        if unknown:
            raise ValueError(f"unknown chain ids: {sorted(unknown)}")
        return value

    @field_validator("ip_types")
    @classmethod
    def _known_ip_types(cls, value: list[str]) -> list[str]:
        known = {ip_type.id for ip_type in load_taxonomy().ip_types}
        unknown = set(value) - known
        if unknown:
            raise ValueError(f"unknown IP types: {sorted(unknown)}")
        return value

    @field_validator("jurisdictions")
    @classmethod
    def _known_jurisdictions(cls, value: list[str]) -> list[str]:
        unknown = set(value) - set(load_taxonomy().jurisdictions)
        if unknown:
            raise ValueError(f"unknown jurisdictions: {sorted(unknown)}")
        return value


class CrawlerFields(BaseModel):
    """What the crawler set on a fixture item (its real output, not a label): the tagger
    reconciles its own reading with these, as it does for stored items."""

    model_config = ConfigDict(extra="forbid")

    kind: ItemKind | None = None
    jurisdictions: list[str] = Field(default_factory=list)


class EvalItem(BaseModel):
    """One labelled item: a text as a source publishes it, its gold labels and, for items
    taken from crawler fixtures, the crawler's own fields."""

    model_config = ConfigDict(extra="forbid")

    id: str
    source_style: str
    text: str
    language: Literal["en", "zh"]
    origin: Literal["fixture", "written"]
    labels: GoldLabels
    crawler: CrawlerFields | None = None


def load_items(path: Path | None = None) -> list[EvalItem]:
    """The labelled set (``items.jsonl`` beside this module unless ``path`` is given).

    Raises:
        ValueError: a line is not a valid item, or two items share an id.
    """
    lines = (path or ITEMS_PATH).read_text(encoding="utf-8").splitlines()
    items = [_parse(number, line) for number, line in _numbered(lines)]
    ids = [item.id for item in items]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate item ids: {duplicates}")
    return items


def _numbered(lines: Iterable[str]) -> Iterable[tuple[int, str]]:
    return ((number, line) for number, line in enumerate(lines, 1) if line.strip())


def _parse(number: int, line: str) -> EvalItem:
    try:
        return EvalItem.model_validate(json.loads(line))
    except ValueError as error:
        raise ValueError(f"items.jsonl line {number}: {error}") from error
