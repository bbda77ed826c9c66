"""What matching knows about one item and one profile, prepared once: text with offsets,
codes, parties, rights by market. Pure data; ``warning.matching`` builds on it."""

from __future__ import annotations

import string
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple, TypeVar

from core.profile_codes import DEAD_STATUSES
from core.types import EnterpriseProfile, ItemRecord, Tags
from warning import _cues
from warning.jurisdictions import asset_covers, destination_markets, market_scope

PARTY_THRESHOLD = 88.0
"""Minimum rapidfuzz token-sort ratio (0-100) for a party to be taken as a profile's name."""

_LATIN_WORD = frozenset(string.ascii_letters + string.digits)
"""The characters a Latin term must not touch to stand on word boundaries."""
_FIELDS = ("title", "summary", "body")
_T = TypeVar("_T")

RIGHT_CLASSES: dict[str, str] = {
    "patent": "patent",
    "invention": "patent",
    "utility_model": "patent",
    "utility": "patent",
    "sep": "patent",
    "trademark": "trademark",
    "tm": "trademark",
    "design": "design",
    "copyright": "copyright",
    "software_copyright": "copyright",
}
"""Profile asset types (canonical: ``core.profile_codes.ASSET_TYPES``) and item IP types by
the class of right they give."""


class TermHit(NamedTuple):
    """A profile term found in the item text, with where it was found (a named tuple: an
    item makes a few per profile term it names, and a frozen dataclass costs several times
    as much to build)."""

    kind: str  # name | competitor | keyword | watch_term
    term: str  # the term as the profile writes it
    field: str  # title | summary | body
    start: int
    end: int
    text: str  # the text as the item writes it

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for explanations."""
        return {
            "kind": self.kind,
            "term": self.term,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class PartyHit:
    """A party of the item that fuzzily matches one of the profile's names or competitors."""

    kind: str  # name | competitor
    party: str
    role: str | None
    matched: str
    score: float
    key: str  # the normalised party name: what a "not us" dismissal suppresses

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for explanations."""
        return {
            "kind": self.kind,
            "party": self.party,
            "role": self.role,
            "matched": self.matched,
            "score": round(self.score, 1),
            "key": self.key,
        }


@dataclass(frozen=True, slots=True)
class _Party:
    name: str
    role: str | None
    norm: str
    keys: frozenset[str]
    words: str  # ``norm`` with its words sorted (``_cues.sorted_words``)


@dataclass(slots=True)
class ItemView:
    """An item prepared once for matching: its text, offsets, codes and parties."""

    item: ItemRecord
    tags: Tags
    lower: str
    original: str
    offsets: tuple[tuple[str, int, int], ...]
    chains: tuple[str, ...]
    jurisdictions: tuple[str, ...]
    scope: tuple[str, ...]  # the jurisdictions that decide the markets (see market_scope)
    ip_classes: frozenset[str]
    hs: tuple[str, ...]
    standards: frozenset[str]
    parties: tuple[_Party, ...]
    cues: tuple[str, ...]  # the cues that may occur (see _cues.item_literals), for cues_in
    party_spans: tuple[tuple[int, int], ...] = ()  # Chinese party names in ``lower``

    @classmethod
    def of(cls, item: ItemRecord) -> ItemView:
        """Prepare ``item`` (tags default to empty when it was never tagged)."""
        tags = item.tags or Tags()
        parts, offsets, pos = [], [], 0
        for name in _FIELDS:
            value = getattr(item, name) or ""
            if not value:
                continue
            offsets.append((name, pos, pos + len(value)))
            parts.append(value)
            pos += len(value) + 1
        original = "\n".join(parts)
        lower = original.lower()
        if len(lower) != len(original):  # rare Unicode case changes length: keep offsets true
            lower = "".join(ch.lower()[0] for ch in original)
        parties = tuple(
            _Party(
                p.name, p.role, norm, frozenset(_cues.block_keys(norm)), _cues.sorted_words(norm)
            )
            for p in (tags.parties or item.parties)
            if (norm := _cues.normalise_name(p.name))
        )
        ip_types = {*item.ip_types, *tags.ip_types}
        cues, standards = _cues.item_literals(original, lower)
        codes = tuple(sorted({j.upper() for j in (*item.jurisdictions, *tags.jurisdictions)}))
        spans = tuple(
            (at, at + len(name))
            for name in {p.name.lower() for p in parties if _cues.has_cjk(p.name)}
            for at in _occurrences(lower, name)
        )
        return cls(
            item=item,
            tags=tags,
            lower=lower,
            original=original,
            offsets=tuple(offsets),
            chains=tuple(tags.chain_ids()),
            jurisdictions=codes,
            scope=tuple(market_scope(codes)),
            ip_classes=frozenset(RIGHT_CLASSES[t] for t in ip_types if t in RIGHT_CLASSES),
            hs=tuple(_cues.hs_codes_in(original)),
            standards=frozenset(_cues.standards_in(original, standards)),
            parties=parties,
            cues=cues,
            party_spans=spans,
        )

    def span(self, term: str, start: int, end: int) -> tuple[str, int, int, str] | None:
        """(field, start, end, text) of ``lower[start:end]`` if it stands on word boundaries."""
        if not _cues.has_cjk(term):
            before = self.lower[start - 1] if start > 0 else " "
            after = self.lower[end] if end < len(self.lower) else " "
            if before in _LATIN_WORD or after in _LATIN_WORD:
                return None
        for name, begin, finish in self.offsets:
            if begin <= start < finish:
                return name, start - begin, end - begin, self.original[start:end]
        return None

    def hit(self, kind: str, term: str, start: int, end: int) -> TermHit | None:
        """A term hit at ``lower[start:end]`` if it stands on word boundaries (and, for a
        company's name, if it names that company: ``names_company``)."""
        span = self.span(term, start, end)
        if span is None or (kind in _NAME_KINDS and not self.names_company(term, start, end)):
            return None
        return TermHit(kind, term, *span)

    def names_company(self, name: str, start: int, end: int) -> bool:
        """Whether a company name (the enterprise's or a competitor's) found at
        ``lower[start:end]`` stands for that company: a name written in capitals ("XLNET",
        "HUAWEI") not where the text writes it in mixed case ("XLNet" is a language model;
        "Huawei" and "xlnet" still count), and a Chinese name
        not inside a longer party name of the item (湖滨医疗 in 杭州西湖滨医疗器械有限公司:
        Chinese has no word boundaries to tell them apart)."""
        if is_capitals(name):
            written = self.original[start:end]
            return written.isupper() or written.istitle() or written.islower()
        if self.party_spans and _cues.has_cjk(name):
            size = end - start
            return not any(a <= start and end <= b and b - a > size for a, b in self.party_spans)
        return True


_NAME_KINDS = frozenset(["name", "competitor"])


def is_capitals(name: str) -> bool:
    """A short name written in capital letters (and digits): an acronym or a brand such as
    "XLNET", not matched where a text writes it in mixed case ("XLNet")."""
    return len(name) <= 10 and name.isascii() and name.isupper() and name.isalnum()


def _occurrences(text: str, part: str) -> list[int]:
    found, at = [], text.find(part)
    while at >= 0:
        found.append(at)
        at = text.find(part, at + 1)
    return found


def _live(asset_status: str | None, expires: date | None, as_of: date) -> bool:
    if asset_status and asset_status.strip().lower() in DEAD_STATUSES:
        return False
    return expires is None or expires >= as_of


def _rights(
    profile: EnterpriseProfile, markets: tuple[str, ...], as_of: date
) -> dict[str, frozenset[str]]:
    held: dict[str, set[str]] = defaultdict(set)
    for asset in profile.ip_assets:
        right = RIGHT_CLASSES.get(asset.type.strip().lower())
        if right is None or not _live(asset.status, asset.expires, as_of):
            continue
        held[right] |= {m for m in markets if asset_covers(asset.jurisdiction, m)}
    return {k: frozenset(v) for k, v in held.items()}


def _market_groups(
    profile: EnterpriseProfile, expanded: list[tuple[str, float | None, str | None]]
) -> tuple[tuple[str, tuple[str, ...], float | None], ...]:
    """(group, its members among the markets, its share) for each market group given."""
    out = []
    for dest in profile.destinations:
        members = tuple(m for m, _, via in expanded if via == dest.country)
        if members:
            out.append((dest.country, members, dest.export_share))
    return tuple(out)


def _profile_standards(profile: EnterpriseProfile) -> frozenset[str]:
    texts = [*profile.watch_terms]
    for product in profile.products:
        texts += [product.name, *product.keywords]
    return frozenset(_cues.standards_in("\n".join(texts)))


def _terms(profile: EnterpriseProfile) -> tuple[tuple[str, str, str], ...]:
    """(lower-case term, term, kind) for every term the text scan looks for (``term_forms``
    gives the forms it looks for)."""
    seen: set[tuple[str, str]] = set()
    out = []
    groups = [
        ("name", profile.names()),
        ("competitor", profile.competitors),
        ("keyword", [k for p in profile.products for k in p.keywords]),
        ("watch_term", profile.watch_terms),
    ]
    for kind, terms in groups:
        for term in terms:
            lower = term.strip().lower()
            if len(lower) < 2 or (kind, lower) in seen:
                continue
            seen.add((kind, lower))
            out.append((lower, term.strip(), kind))
    return tuple(out)


_PRODUCT_KINDS = frozenset(["keyword", "watch_term"])


def term_forms(lower: str, kind: str) -> tuple[str, ...]:
    """The forms of a term the text scan looks for: the term, and for product terms its other
    grammatical number ("network switch" finds "network switches" and the reverse: notices
    name products in the plural)."""
    return (lower, *_cues.number_forms(lower)) if kind in _PRODUCT_KINDS else (lower,)


class Interner:
    """Shares equal immutable values (strings, tuples, frozensets) between profiles.

    100,000 profiles repeat the same chains, markets, keywords and rights many times over;
    holding one copy of each keeps a worker holding them small.
    """

    def __init__(self) -> None:
        self._seen: dict[Any, Any] = {}

    def __call__(self, value: _T) -> _T:
        """The shared copy of ``value``."""
        return self._seen.setdefault(value, value)  # type: ignore[no-any-return]


def _frozen_rights(
    rights: dict[str, frozenset[str]], intern: Interner
) -> tuple[tuple[str, frozenset[str]], ...]:
    return intern(tuple(sorted((k, intern(v)) for k, v in rights.items())))


@dataclass(slots=True, eq=False)
class ProfileFacts:
    """A profile prepared once for matching: only what matching and explanations use.

    The pydantic profile itself is not kept (it costs several kilobytes per profile); values
    are shared between profiles through an ``Interner``. Treat every field as read-only.
    """

    position: int
    id: str
    chains: frozenset[str]
    markets: tuple[str, ...]
    share_values: tuple[float | None, ...]  # export share per market, in ``markets`` order
    terms: tuple[tuple[str, str, str], ...]
    party_names: tuple[tuple[str, str, str], ...]  # (normalised, words sorted; original; kind)
    hs: tuple[str, ...]
    standards: frozenset[str]
    rights_items: tuple[tuple[str, frozenset[str]], ...]
    province: str
    city: str
    has_products: bool
    # market groups (EU) as the profile gives them: (group, its members among ``markets``,
    # the group's export share); explanations name the group when all of them are concerned
    groups: tuple[tuple[str, tuple[str, ...], float | None], ...] = ()

    @classmethod
    def of(
        cls,
        position: int,
        profile: EnterpriseProfile,
        as_of: date,
        intern: Interner | None = None,
    ) -> ProfileFacts:
        """Prepare ``profile``; rights are those alive on ``as_of``."""
        intern = intern or Interner()
        expanded = destination_markets(profile.destinations)
        markets = intern(tuple(intern(m) for m, _, _ in expanded))
        shares = {m: share for m, share, _ in expanded}
        names = [(n, "name") for n in profile.names()] + [
            (c, "competitor") for c in profile.competitors
        ]
        party_names = tuple(
            intern((_cues.sorted_words(norm), original, kind))
            for original, kind in names
            if (norm := _cues.normalise_name(original))
        )
        hs = tuple(sorted({_cues.hs_digits(h) for p in profile.products for h in p.hs if h}))
        return cls(
            position=position,
            id=profile.id,
            chains=intern(frozenset(profile.chains)),
            markets=markets,
            share_values=intern(tuple(shares.get(m) for m in markets)),
            terms=intern(tuple(intern(t) for t in _terms(profile))),
            party_names=party_names,
            hs=intern(hs),
            standards=intern(_profile_standards(profile)),
            rights_items=_frozen_rights(_rights(profile, markets, as_of), intern),
            province=intern(profile.location.province or ""),
            city=intern(profile.location.city or ""),
            has_products=bool(profile.products),
            groups=intern(_market_groups(profile, expanded)),
        )

    @property
    def rights(self) -> dict[str, frozenset[str]]:
        """Markets where the profile holds a live right, by class of right."""
        return dict(self.rights_items)

    def right_markets(self, right: str) -> frozenset[str]:
        """Markets where the profile holds a live right of this class."""
        for name, markets in self.rights_items:
            if name == right:
                return markets
        return frozenset()

    def share(self, market: str) -> float | None:
        """The export share of ``market`` or of a market group (None when not given or not
        a destination; a member state reached through a group has none of its own)."""
        for code, value in zip(self.markets, self.share_values, strict=True):
            if code == market:
                return value
        for group, _, value in self.groups:
            if group == market:
                return value
        return None

    def shown_markets(self, markets: Sequence[str]) -> tuple[str, ...]:
        """``markets`` as explanations name them: a market group the profile gives (EU)
        stands for its members when the item concerns all of them, instead of 27 codes."""
        shown = tuple(markets)
        for group, members, _ in self.groups:
            if members and set(members) <= set(shown):
                at = shown.index(members[0])
                kept = [m for m in shown if m not in members]
                shown = (*kept[:at], group, *kept[at:])
        return shown

    @property
    def cel(self) -> dict[str, Any]:
        """The profile as rule conditions see it (``profile.*``)."""
        rights = dict(self.rights_items)
        return {
            "id": self.id,
            "chains": sorted(self.chains),
            "destinations": list(self.markets),
            "province": self.province,
            "city": self.city,
            "rights": {k: sorted(v) for k, v in sorted(rights.items())},
            "standards": sorted(self.standards),
            "has_products": self.has_products,
        }
