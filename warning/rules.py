"""Rules as data: YAML files with CEL conditions, checked when they are loaded."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import compress
from pathlib import Path
from typing import Any, Literal

import cel
import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from core.types import Severity
from warning._memo import BoundedMemo

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


_FIELD_REF = re.compile(r"\b(item|profile|match)\.([A-Za-z_]\w*)")
_MEMO_LIMIT = 200_000
_memo: BoundedMemo[tuple[str, str], bool] = BoundedMemo(_MEMO_LIMIT)


def _referenced(expression: str) -> dict[str, tuple[str, ...]]:
    """The fields of ``item``, ``profile`` and ``match`` an expression names.

    The context handed to CEL holds only these: converting a whole context costs several
    microseconds per field, far more than evaluating the condition.
    """
    fields: dict[str, set[str]] = {}
    for variable, name in _FIELD_REF.findall(expression):
        fields.setdefault(variable, set()).add(name)
    return {k: tuple(sorted(v)) for k, v in sorted(fields.items())}


def _execute(program: Any, key: str, context: dict[str, Any], memo: bool) -> bool:
    """Run ``program``; with ``memo``, a context seen before reuses its (pure) result."""
    if not memo:
        return bool(program.execute(context))
    slot = (key, repr(context))  # field order is fixed (sorted), so repr is a stable key
    found = _memo.get(slot)
    if found is None:
        found = _memo.remember(slot, bool(program.execute(context)))
    return found


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A rule's compiled conditions and the fields they read (one attribute, read fast)."""

    program: Any
    key: str
    fields: dict[str, tuple[str, ...]]
    item_program: Any
    item_key: str
    item_fields: tuple[str, ...]
    needs_profile: bool


CANDIDATE_SOURCES = frozenset(
    ["chain", "names", "competitors", "keywords", "watch_terms", "hs", "standards", "rights"]
)


class Rule(BaseModel):
    """One warning rule.

    ``item_when`` looks at the item alone and is evaluated once per item; ``when`` looks at
    the item, one profile and what they share. ``candidates`` names the index lookups that
    find the profiles the rule can fire for: ``when`` must imply one of them (the test that
    compares indexed and naive evaluation holds every rule to it).
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9_]{3,64}$")
    title: Bilingual
    severity: Severity
    risk_code: str
    item_when: str = "true"
    when: str
    candidates: list[str] = Field(min_length=1)
    explanation: Bilingual
    action: Bilingual
    deadline: DeadlineRule | None = None
    kind: Literal["item"] = "item"
    _run: _Compiled | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _check(self) -> Rule:
        if self.risk_code not in RISK_CODES:
            raise ValueError(f"unknown risk_code {self.risk_code!r}; valid: {sorted(RISK_CODES)}")
        unknown = sorted(set(self.candidates) - CANDIDATE_SOURCES)
        if unknown:
            raise ValueError(f"unknown candidates {unknown}; valid: {sorted(CANDIDATE_SOURCES)}")
        try:
            item_program = cel.compile(self.item_when)
            program = cel.compile(self.when)
        except ValueError as exc:
            raise ValueError(f"condition does not compile: {exc}") from exc
        item_refs = _referenced(self.item_when)
        if set(item_refs) - {"item"}:
            raise ValueError("item_when may only look at `item`")
        fields = _referenced(self.when)
        self._run = _Compiled(
            program=program,
            key=f"{self.id}\x00{self.when}",
            fields=fields,
            item_program=item_program,
            item_key=f"{self.id}\x00{self.item_when}",
            item_fields=item_refs.get("item", ()),
            needs_profile="profile" in fields,
        )
        return self

    @cached_property
    def _compiled(self) -> _Compiled:
        # A plain attribute after the first read: pydantic serves private attributes through
        # __getattr__, which costs microseconds on every candidate.
        run = self._run
        assert run is not None  # set by the validator
        return run

    @property
    def needs_profile(self) -> bool:
        """Whether ``when`` looks at ``profile`` (then it cannot be decided once for a group of
        profiles that share what the item concerns)."""
        return self._compiled.needs_profile

    @cached_property
    def names_share(self) -> bool:
        """Whether the explanation names the export share of the first concerned market."""
        return "{share" in self.explanation.zh + self.explanation.en

    def when_key(self, item: dict[str, Any]) -> str:
        """This rule's ``when`` with the item facts it reads: equal keys and equal ``match``
        values give equal outcomes."""
        run = self._compiled
        return f"{run.key}\x00{[item[name] for name in run.fields.get('item', ())]!r}"

    @property
    def match_fields(self) -> tuple[str, ...]:
        """The ``match`` fields that ``when`` reads."""
        return self._compiled.fields.get("match", ())

    def applies_to_item(self, item: dict[str, Any], memo: bool = True) -> bool:
        """Whether ``item_when`` holds for these item facts.

        Raises:
            KeyError: when the condition names a field the facts lack.
        """
        run = self._compiled
        context = {"item": {name: item[name] for name in run.item_fields}}
        return _execute(run.item_program, run.item_key, context, memo)

    def matches(self, context: dict[str, Any], memo: bool = True) -> bool:
        """Whether ``when`` holds for this ``{"item", "profile", "match"}`` context.

        Raises:
            KeyError: when the condition names a field the context lacks.
        """
        run = self._compiled
        narrowed = {
            variable: {name: context[variable][name] for name in names}
            for variable, names in run.fields.items()
        }
        return _execute(run.program, run.key, narrowed, memo)


_rules_memo: BoundedMemo[tuple[tuple[str, ...], str], tuple[bool, ...]] = BoundedMemo(_MEMO_LIMIT)


def clear_memos() -> None:
    """Forget remembered outcomes (benchmarks start each run cold)."""
    _memo.clear()
    _rules_memo.clear()


_Reads = tuple[tuple[Rule, ...], tuple[str, ...], tuple[str, ...]]
"""A rule set, its ``item_when`` keys, and the item fields any of them reads."""
_READS: BoundedMemo[tuple[int, ...] | int, _Reads] = BoundedMemo(64)


def _item_reads(rules: Sequence[Rule]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The rules' ``item_when`` keys and the item fields any of them reads, kept per rule
    set (a worker passes the same rules for every item). Kept by object ids: the entry holds
    the rules, so no other object can take their ids while it is kept; a rule set given as
    the same tuple again is also found by that tuple's id (one lookup instead of a key
    built from 24 ids)."""
    same = _READS.get(id(rules))
    if same is not None and same[0] is rules:
        return same[1], same[2]
    slot = tuple(map(id, rules))
    found = _READS.get(slot)
    if found is None:
        runs = [rule._compiled for rule in rules]
        names = tuple(sorted({name for run in runs for name in run.item_fields}))
        found = _READS.remember(slot, (tuple(rules), tuple(run.item_key for run in runs), names))
    if found[0] is rules:
        _READS.remember(id(rules), found)
    return found[1], found[2]


def rules_for_item(rules: Sequence[Rule], item: dict[str, Any]) -> list[Rule]:
    """The rules whose ``item_when`` holds for these item facts.

    Equal item facts (as far as any ``item_when`` reads them) give equal answers, so the
    answer is kept per distinct facts: one lookup per item instead of one per rule.

    Raises:
        KeyError: when a condition names a field the facts lack.
    """
    keys, names = _item_reads(rules)
    slot = (keys, repr([item[name] for name in names]))
    found = _rules_memo.get(slot)
    if found is None:
        found = _rules_memo.remember(slot, tuple(rule.applies_to_item(item) for rule in rules))
    return list(compress(rules, found))


def _load_file(path: Path) -> list[Rule]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RuleError(f"{path.name}: not valid YAML: {exc}".replace("\n", " ")) from exc
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
