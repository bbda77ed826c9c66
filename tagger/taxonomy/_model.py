"""The taxonomy's shape, validated at load: a typo in a YAML file fails loudly."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.types import ItemKind

IPC_SYMBOL = re.compile(
    r"^(?P<cls>[A-H]\d{2})(?P<sub>[A-Z])?(?:\s+(?P<group>\d{1,4})(?:/(?P<subgroup>\d{2,6}))?)?$"
)
HS_CODE = re.compile(r"^\d{2}(?:\d{2})?(?:\.\d{2})?$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Name(_Strict):
    """A name in Chinese and English."""

    zh: str
    en: str


class Terms(_Strict):
    """Terms in English and Chinese."""

    en: list[str] = Field(default_factory=list)
    zh: list[str] = Field(default_factory=list)


class Chain(_Strict):
    """An industry chain: its names and the evidence that tags an item with it."""

    id: str = Field(pattern=r"^(?:[LAF]\d|B[345]-\d)$")
    framework: Literal["wuxi_465", "binhu_543"]
    group: str
    name: Name
    products: Terms = Field(default_factory=Terms)
    keywords: Terms = Field(default_factory=Terms)
    weak: Terms = Field(default_factory=Terms)
    context: Terms = Field(default_factory=Terms)
    anchors: list[str] = Field(default_factory=list)
    ipc: list[str] = Field(default_factory=list)
    hs: list[str] = Field(default_factory=list)
    noise: str | None = None

    @field_validator("ipc")
    @classmethod
    def _ipc_symbols(cls, value: list[str]) -> list[str]:
        bad = [symbol for symbol in value if not IPC_SYMBOL.match(symbol)]
        if bad:
            raise ValueError(f"not IPC symbols: {bad}")
        return value

    @field_validator("hs")
    @classmethod
    def _hs_codes(cls, value: list[str]) -> list[str]:
        bad = [code for code in value if not HS_CODE.match(code)]
        if bad:
            raise ValueError(f"not HS chapters, headings or subheadings: {bad}")
        return value


class Crosswalk(_Strict):
    """Where a Binhu chain lands in the 465 system."""

    targets: list[str]
    equivalent: bool = False


class IPType(_Strict):
    """An IP type and its cues."""

    id: str
    name: Name
    cues: Terms


class KindCues(_Strict):
    """Cues for one item kind."""

    id: ItemKind
    strong: Terms = Field(default_factory=Terms)
    weak: Terms = Field(default_factory=Terms)


class SignalCues(_Strict):
    """Cues for one procedural signal."""

    id: str = Field(pattern=r"^[a-z_]+$")
    en: list[str] = Field(default_factory=list)
    zh: list[str] = Field(default_factory=list)


class JurisdictionCues(_Strict):
    """Names (weak for weak codes) and institutions (always strong) of one jurisdiction."""

    en: list[str] = Field(default_factory=list)
    zh: list[str] = Field(default_factory=list)
    strong_en: list[str] = Field(default_factory=list)
    strong_zh: list[str] = Field(default_factory=list)


class Province(_Strict):
    """A Chinese province-level division."""

    code: str
    zh: str
    en: list[str]


class City(_Strict):
    """A Chinese city and its province code."""

    zh: str
    en: list[str]
    province: str


class Places(_Strict):
    """Chinese places, for recognising Chinese parties."""

    country_names: Terms
    chinese_exclude: list[str] = Field(default_factory=list)
    provinces: list[Province]
    cities: list[City]


class Taxonomy(_Strict):
    """Everything the tagger knows, from ``tagger/taxonomy/*.yml``."""

    version: str
    chains: list[Chain]
    binhu_to_465: dict[str, Crosswalk]
    ip_types: list[IPType]
    ip_blockers: Terms
    kinds: list[KindCues]
    signals: list[SignalCues]
    jurisdictions: dict[str, JurisdictionCues]
    weak_codes: list[str]
    pycountry_exclude: list[str]
    blockers: Terms
    places: Places

    def chain_ids(self) -> list[str]:
        """Every valid chain id, 465 chains first, in taxonomy order."""
        return [chain.id for chain in self.chains]

    def chain(self, chain_id: str) -> Chain:
        """The chain with this id (KeyError when there is none)."""
        for chain in self.chains:
            if chain.id == chain_id:
                return chain
        raise KeyError(chain_id)

    def binhu_equivalents(self) -> dict[str, str]:
        """465 chain id -> Binhu chain id, for the crosswalk pairs marked equivalent."""
        return {
            walk.targets[0]: binhu for binhu, walk in self.binhu_to_465.items() if walk.equivalent
        }
