"""Parties named in notices, dockets and news: who, in what role, stated where, and whether
they are Chinese.

Rule-based readers: USITC and Federal Register respondent/complainant lists
(``_party_lists``), court captions and case names (``_party_captions``), company names in
running English text (``_party_names``) with the roles its prose states (``_party_prose``),
and Chinese role labels and MOFCOM-style reports (``_party_zh``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pydantic import TypeAdapter

from core.types import Party
from tagger._cues import Cues, cue_words, scan_cues
from tagger._party_captions import from_captions, from_versus
from tagger._party_lists import from_lists
from tagger._party_names import from_suffixed_names, suffix_cues_usable
from tagger._party_prose import with_prose_roles
from tagger._party_text import RawParty, has_cjk, looks_like_name
from tagger._party_zh import from_chinese
from tagger.places import Place, is_chinese_place, resolve_place
from tagger.taxonomy import load_taxonomy

MAX_PARTIES = 100

_TRIGGERS = cue_words(
    "respondent",
    "complainant",
    "complaint",
    "plaintiff",
    "defendant",
    "petitioner",
    "exclusion order",
    "desist order",
    " v. ",
    " v ",
    " vs. ",
    " vs ",
    any_case=True,
)
_CJK = re.compile(r"[\u4e00-\u9fff]")


PartyFields = dict[str, str | bool | None]
"""A ``Party``'s fields (name, role, location, chinese, province, city)."""


@dataclass(frozen=True, slots=True)
class FoundParties:
    """Parties, and the text spans they were read from (place names there are not
    jurisdictions)."""

    parties: list[Party]
    spans: list[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class FoundPartyFields:
    """``FoundParties`` with each party as its fields (plain dicts, JSON-ready): what the
    tagger puts in the tags it makes in one validation, or hands out as JSON without one."""

    parties: list[PartyFields]
    spans: list[tuple[int, int]]


@lru_cache(maxsize=1)
def _foreign_zh_names() -> re.Pattern[str]:
    home = {"CN", "HK", "MO"}
    names = [
        name
        for code, cues in load_taxonomy().jurisdictions.items()
        if code not in home
        for name in cues.zh
        if _CJK.search(name)
    ]
    return re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))


def is_chinese_party(name: str, location: str | None) -> bool:
    """Chinese when the location or name names China, a Chinese province or city, or when
    the name is in Chinese script and names no foreign country ("美国某公司" is not).

    A Chinese-script name of a foreign firm written without its country ("苹果公司") counts
    as Chinese: the rule cannot know better.
    """
    if is_chinese_place(location) or is_chinese_place(name):
        return True
    if location and (not has_cjk(location) or _foreign_zh_names().search(location)):
        return False
    return has_cjk(name) and not _foreign_zh_names().search(name)


def _blank_cjk(text: str) -> str:
    """The text with CJK ideographs as spaces (offsets kept): English names in a Chinese
    text are read by the Chinese reader, with their Chinese suffix."""
    return _CJK.sub(" ", text)


def _raw_parties(cues: Cues, suffix_starts: Sequence[int] | None) -> list[RawParty]:
    text = cues.text
    raws: list[RawParty] = []
    if cues.mentions(_TRIGGERS):
        raws += [*from_lists(cues), *from_captions(cues), *from_versus(cues)]
    cjk = has_cjk(text)
    if suffix_starts is not None and not suffix_cues_usable(cues):
        suffix_starts = None
    if suffix_starts is None or suffix_starts:
        read = [raw.span for raw in raws]
        named = _blank_cjk(text) if cjk else text
        suffixed = list(from_suffixed_names(named, cues, suffix_starts, read))
        raws += _prose_roles(named, suffixed, cues, raws) if suffixed else suffixed
    if cjk:
        raws += from_chinese(text)
    return raws


def _prose_roles(
    text: str, suffixed: list[RawParty], cues: Cues, structured: list[RawParty]
) -> list[RawParty]:
    """``suffixed`` with the roles English prose states (``with_prose_roles``), but for the
    firms a list or caption gave a role: the structured readers' role words stand (a Federal
    Circuit caption's appellant is not made the plaintiff its suit once named it)."""
    stated = {raw.name.casefold() for raw in structured if raw.role is not None}
    read = with_prose_roles(text, suffixed, cues)
    return [
        old if old.name.casefold() in stated else new
        for old, new in zip(suffixed, read, strict=True)
    ]


def find_parties(
    text: str, suffix_starts: Sequence[int] | None = None, cues: Cues | None = None
) -> FoundParties:
    """The parties the text names, each once (by name and role), in order of appearance.

    ``suffix_starts``: where the phrase scan found company-form suffixes (cue hits), so that
    the text is searched for suffixed names only when it has one, and only there; None: the
    text is searched for suffixes here. ``cues``: the text's cue scan, when the caller has it.
    """
    found = find_party_fields(text, suffix_starts, cues)
    return FoundParties(_PARTIES.validate_python(found.parties), found.spans)


def find_party_fields(
    text: str, suffix_starts: Sequence[int] | None = None, cues: Cues | None = None
) -> FoundPartyFields:
    """``find_parties``, each party as its fields."""
    cues = scan_cues(text) if cues is None else cues
    parties: dict[str, _Found] = {}
    spans: list[tuple[int, int]] = []
    for raw in sorted(_raw_parties(cues, suffix_starts), key=lambda r: r.span[0]):
        spans.append(raw.span)
        key = raw.name.casefold()
        known = parties.get(key)
        if known is not None:
            _complete(known, raw)
            continue
        if not looks_like_name(raw.name) or len(parties) >= MAX_PARTIES:
            continue
        parties[key] = _party(raw)
    found: list[PartyFields] = [
        {
            "name": party.name,
            "role": party.role,
            "location": party.location,
            "chinese": party.chinese,
            "province": party.province,
            "city": party.city,
        }
        for party in parties.values()
    ]
    return FoundPartyFields(found, spans)


@dataclass(slots=True)
class _Found:
    """A party as it is being read (``Party``'s fields): the ``Party`` models are made at the
    end, all in one validation (a third cheaper than one model at a time), or none at all
    (``find_party_fields``)."""

    name: str
    role: str | None
    location: str | None
    chinese: bool
    province: str | None
    city: str | None


_PARTIES = TypeAdapter(list[Party])


def _complete(known: _Found, raw: RawParty) -> None:
    """A party read twice keeps its first role and location, filling what the first read
    lacked."""
    if known.role is None and raw.role is not None:
        known.role = raw.role
    if known.location is None and raw.location is not None:
        _locate(known, raw.location)


def _party(raw: RawParty) -> _Found:
    chinese, place = _placed(raw.name, raw.location)
    return _Found(
        raw.name,
        raw.role,
        raw.location,
        chinese,
        place.province_zh if place else None,
        place.city_zh if place else None,
    )


def _locate(party: _Found, location: str | None) -> None:
    """Give ``party`` its stated location and what ``_placed`` reads from it."""
    party.location = location
    party.chinese, place = _placed(party.name, location)
    if place is not None:
        party.province = place.province_zh
        party.city = place.city_zh


def _placed(name: str, location: str | None) -> tuple[bool, Place | None]:
    """Whether a party is Chinese, and the Chinese place its province and city come from
    (normalised, in Chinese: "江苏", "无锡"): the location's, or else the name's."""
    chinese = is_chinese_party(name, location)
    place = resolve_place(location)  # is_chinese_place(location) is this place's ``chinese``
    if place is not None and not place.chinese:
        place = None
    if place is None and chinese:
        place = resolve_place(name)
    return chinese, place if place is not None and place.chinese else None
