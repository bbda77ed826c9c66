"""Dispute-response resources (guidance centres, rights assistance, information platforms)
as data, from ``reports/resources.yml``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from core.types import LocalizedName

_FILE = Path(__file__).resolve().parent / "resources.yml"


class SourceRef(BaseModel):
    """Where a stated fact comes from (an id of DOMAIN.md Appendix A and its URL)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    url: str | None = None


class Resource(BaseModel):
    """An organisation an exporter can turn to; contacts only where a source states them."""

    model_config = ConfigDict(extra="forbid")

    id: str
    kind: str
    name: LocalizedName
    description: LocalizedName
    url: str | None = None
    sources: list[SourceRef] = Field(default_factory=list)


class PolicyNote(BaseModel):
    """A policy document behind the service."""

    model_config = ConfigDict(extra="forbid")

    name: LocalizedName
    note: LocalizedName
    source: SourceRef


class Resources(BaseModel):
    """The resources file."""

    model_config = ConfigDict(extra="forbid")

    version: int
    resources: list[Resource]
    policy: list[PolicyNote] = Field(default_factory=list)


@lru_cache(maxsize=1)
def load_resources() -> Resources:
    """The validated resources file (a typo fails loudly)."""
    return Resources.model_validate(yaml.safe_load(_FILE.read_text(encoding="utf-8")))
