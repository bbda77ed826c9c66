"""Rules as data: YAML files with CEL conditions, checked when they are loaded."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import cel
import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from core.types import Severity

RULES_DIR = Path(__file__).resolve().parent / "rules"

RISK_CODES = frozenset(
    [
        "ITC337",
        "PAT_LIT",
        "SCHED_A",
        "TM_LIT",
        "TM_SQUAT",
        "DESIGN",
        "COPYRIGHT",
        "TRADE_SECRET",
        "SEP",
        "UPC",
        "CUSTOMS",
        "FAIR",
        "PLATFORM",
        "RULE",
        "ADJ_EXPORT",
        "ADJ_TRADE",
    ]
)


class RuleError(ValueError):
    """A rule file that cannot be used; the message names the file and the problem."""


class Bilingual(BaseModel):
    """A text in Chinese and English."""

    model_config = ConfigDict(extra="forbid")

    zh: str
    en: str


class DeadlineRule(BaseModel):
    """How to compute the deadline: N days after a signal's date or the publication date."""

    model_config = ConfigDict(extra="forbid")

    days: int = Field(ge=0, le=3650)
    after: str = "published"
    why: Bilingual


class Rule(BaseModel):
    """One warning rule."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9_]{3,64}$")
    title: Bilingual
    severity: Severity
    risk_code: str
    when: str
    explanation: Bilingual
    action: Bilingual
    deadline: DeadlineRule | None = None
    kind: Literal["item"] = "item"
    _program: Any = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _check(self) -> Rule:
        if self.risk_code not in RISK_CODES:
            raise ValueError(f"unknown risk_code {self.risk_code!r}; valid: {sorted(RISK_CODES)}")
        try:
            self._program = cel.compile(self.when)
        except ValueError as exc:
            raise ValueError(f"condition does not compile: {exc}") from exc
        return self

    def matches(self, context: dict[str, Any]) -> bool:
        """Whether the rule's condition holds for this context."""
        return bool(self._program.execute(context))


def _load_file(path: Path) -> list[Rule]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = data.get("rules", []) if isinstance(data, dict) else data
    rules = []
    for index, entry in enumerate(entries or []):
        try:
            rules.append(Rule.model_validate(entry))
        except ValidationError as exc:
            rule_id = entry.get("id", f"#{index}") if isinstance(entry, dict) else f"#{index}"
            detail = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'rule'}: {e['msg']}" for e in exc.errors()
            )
            raise RuleError(f"{path.name}: rule {rule_id}: {detail}") from exc
    return rules


@lru_cache(maxsize=4)
def load_rules(directory: Path = RULES_DIR) -> tuple[Rule, ...]:
    """All rules in ``directory`` (``*.yaml``/``*.yml``), ids unique."""
    rules: list[Rule] = []
    for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
        rules.extend(_load_file(path))
    ids = [r.id for r in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RuleError(f"duplicate rule id(s): {', '.join(duplicates)}")
    return tuple(rules)
