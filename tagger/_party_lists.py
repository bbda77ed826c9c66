"""Respondent and complainant lists in USITC notices, news releases and the Federal Register.

"The USITC has identified the following as respondents: X of Wuxi, China; Y of ...",
"(b) The respondents are the following entities ...: X Co., Ltd., No. 1 Road, Wuxi ...",
"The respondents named are: ...", "complaint filed by X of Y, on <date>",
"on behalf of X of Y; and Z, all of W", "The proposed respondents are X, City, China and Y",
"The complainant is X of City", "as to respondent X Co., Ltd.", "a limited exclusion order
against goods imported by X of City".

Lists without a colon, and the names after a single role word or an exclusion order, count
only when each name ends in a company suffix or states where the party is: otherwise
"The respondents are Chinese makers" would be read as a party.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tagger._cues import Cues, cue_words
from tagger._dates import is_abbreviation
from tagger._party_text import SUFFIXED_NAME as _SUFFIXED_NAME
from tagger._party_text import (
    RawParty,
    clean_name,
    ends_with_suffix,
    is_company_suffix,
    looks_like_name,
    normalise_role,
    strip_parentheticals,
)

_337_CONTEXT = cue_words("337", "International Trade Commission", "USITC", "ITC", "国际贸易委员会")
_LIST_WORDS = cue_words("espondent", "omplainant", "complaint", "RESPONDENT", "COMPLAINANT")
_KEYWORDS = cue_words(
    "respondent",
    "Respondent",
    "RESPONDENT",
    "complainant",
    "Complainant",
    "COMPLAINANT",
    "complaint",
    "Complaint",
)
_ROLE_LIST = re.compile(
    r"(?P<explicit>respondents?|complainants?)\s+(?:named\s+)?(?:is|are)\s*"
    r"(?:the\s+following(?:\s+entities)?[^:\n]{0,200})?:"
    r"|(?P<bare>respondents?|complainants?)\s*:"
    r"|(?P<plain>respondents?|complainants?)\s+(?:named\s+(?:in\s+the\s+complaint\s+)?)?"
    r"(?:is|are|include|includes|were|was)\s+(?=[A-Z0-9])",
    re.I,
)
_ROLE_BEFORE_NAME = re.compile(
    r"(?P<role>[Rr]espondents?|[Cc]omplainants?)\s+(?P<name>" + _SUFFIXED_NAME + r")"
)
"""One name after a role word: "as to respondent X Co., Ltd. based on ..."."""
_ORDER_AGAINST = re.compile(
    r"(?:exclusion\s+orders?|cease[\s-]+and[\s-]+desist\s+orders?)\s+"
    r"(?:(?:was|were|is|are)\s+issued\s+)?(?:against|directed\s+to|covering)\s+"
    r"(?:(?:[a-z][\w\-]*\s+){1,8}?(?:imported|made|sold|manufactured)\s+by\s+)?(?=[A-Z])",
    re.I,
)
_ORDER_WORDS = cue_words("xclusion order", "esist order", "XCLUSION ORDER")
_ROLE_WORDS = cue_words("respondent", "complainant", "Respondent", "Complainant")
_COMPLAINT_FILED = re.compile(r"complaint\s+(?:was\s+)?filed\s+(?:by|on\s+behalf\s+of)\s+", re.I)
_ON_BEHALF = re.compile(r"on\s+behalf\s+of\s+")
_BEFORE_KEYWORD = re.compile(r"(?:identified\s+the\s+following\s+as|names?\s+as)\s+$", re.I)
_AFTER_IDENTIFIED = re.compile(r"(?P<role>respondents?|complainants?)[^:\n]{0,80}:", re.I)
_AFTER_NAMES = re.compile(r"(?P<role>respondents?)\s+", re.I)
_ENUMERATED = re.compile(r"\n\s*\(\w{1,3}\)\s")
_DATE_AFTER_ON = re.compile(r"on\s+(?:[A-Z][a-z]{2,8}\.?\s+\d|\d)")
_ENTRY = re.compile(r"[^;\n]+")
_ENTRY_WITHOUT_SEMICOLONS = re.compile(r"(?:(?!,?\s+and\s+[A-Z])[^\n])+")
"""A list written "A of X, and B of Y" (no semicolons) splits at "and"."""
_LEADING_JUNK = re.compile(r"^(?:\s|and\s+|\(\w{1,3}\)\s*|[-•*·]\s*)+", re.I)
_OF_SPLIT = re.compile(r",?\s+(?:all\s+)?of\s+(?=(?:the\s+)?[A-Z])")
_ALL_OF = re.compile(r",?\s+all\s+of\s+(?P<loc>[A-Z].*)$")
_STOPS = (
    ". ",
    "\n\n",
    "\n \n",
    "By instituting",
    "。",
    "；",
    ".\n",
    " on ",
    " alleging ",
    " which ",
    " that ",
    " who ",
    "\n(",
)
_SEGMENT_CHARS = 4000
_MAX_LISTS = 40
"""Lists read per text: a notice has a handful; a text with thousands is not a notice."""
_CLAUSE_AFTER = re.compile(r",\s+(?=[a-z])")
"""A location ends where a clause starts ("Shenzhen, China, finding infringement ...")."""


@dataclass(frozen=True, slots=True)
class _Intro:
    end: int
    role: str
    explicit: bool
    strict: bool = False
    """Keep only entries that end in a company suffix or state a location."""


def _intro_before(text: str, position: int) -> _Intro | None:
    window = text[max(0, position - 40) : position]
    if "as " not in window:
        return None
    before = _BEFORE_KEYWORD.search(window)
    if before is None:
        return None
    after = _AFTER_IDENTIFIED if before.group(0).lower().startswith("identified") else _AFTER_NAMES
    match = after.match(text, position)
    return _Intro(match.end(), normalise_role(match.group("role")), True) if match else None


def _intro_complaint(text: str, position: int) -> _Intro | None:
    match = _COMPLAINT_FILED.match(text, position)
    if match:
        return _Intro(match.end(), "complainant", False)
    line_end = text.find("\n", position, position + 270)
    on_behalf = _ON_BEHALF.search(text, position, line_end if line_end >= 0 else position + 270)
    return _Intro(on_behalf.end(), "complainant", False) if on_behalf else None


def _intro_at(text: str, position: int) -> _Intro | None:
    """The list introduction at a keyword: "respondents are:", "identified the following
    as respondents:", "names as respondents", "respondents:", "complaint filed by"."""
    intro = _intro_before(text, position)
    if intro is not None:
        return intro
    if text.startswith(("complaint", "Complaint"), position):
        return _intro_complaint(text, position)
    match = _ROLE_LIST.match(text, position)
    if match is None:
        return None
    if match.group("plain"):
        return _Intro(match.end(), normalise_role(match.group("plain")), True, strict=True)
    word = match.group("explicit") or match.group("bare")
    return _Intro(match.end(), normalise_role(word), bool(match.group("explicit")))


_LIST_GOES_ON = (";", "; and", ";and", ":", ", and")
"""A paragraph that ends like this continues the list after the blank line (USITC releases
put each respondent on its own paragraph)."""


def _ends_with_state_code(window: str, period: int) -> bool:
    """ "... of Ontario, CA. The complainant ...": a US state code ends the sentence (the
    abbreviation table would read "CA." as "circa")."""
    word = window[max(0, period - 3) : period]
    return (
        len(word) == 3
        and word[0] in " ,"
        and word[1:].isupper()
        and word[1:].isalpha()
        and not is_company_suffix(word[1:])
    )


def _is_stop(window: str, index: int, stop: str) -> bool:
    if stop.startswith("\n") and stop != "\n(":
        return not window[:index].rstrip().endswith(_LIST_GOES_ON)
    if stop.startswith("."):
        following = window[index + 2 : index + 3]
        starts_sentence = following[:1].isupper() or following[:1].isdigit()
        return starts_sentence and (
            _ends_with_state_code(window, index) or not is_abbreviation(window, index)
        )
    if stop == " on ":
        return bool(_DATE_AFTER_ON.match(window, index + 1))
    if stop == "\n(":
        return bool(_ENUMERATED.match(window, index))
    return True


def _segment_end(window: str) -> int:
    """Where a list ends: a blank line, the next enumerated item "(c)", "By instituting",
    a sentence end, ", on <date>", or a clause (", alleging", ", which" ...)."""
    end = len(window)
    # ". " comes first: it is the usual end, and every later search then stops there. The
    # order does not change the end found: no other stop can straddle a ". " (none has a
    # "." after its first character) and ". " cannot straddle another (none starts with
    # a space).
    for stop in _STOPS:
        index = window.find(stop, 0, end)
        while 0 <= index < end and not _is_stop(window, index, stop):
            index = window.find(stop, index + 1, end)
        if 0 <= index < end:
            end = index
    return end


def _segment(text: str, start: int) -> tuple[int, str]:
    window = text[start : start + _SEGMENT_CHARS]
    offset = len(window) - len(window.lstrip())
    window = window[offset:]
    return start + offset, window[: _segment_end(window)].rstrip(" ,")


def _address_split(entry: str) -> tuple[str, str | None]:
    """ "X Co., Ltd., No. 1 Baiyun Road, Huizhou, China" -> name up to the company suffixes,
    then the address."""
    parts = [p.strip() for p in entry.split(",")]
    for index, part in enumerate(parts):
        if part and is_company_suffix(part.rsplit(None, 1)[-1]):
            last = index
            while last + 1 < len(parts) and is_company_suffix(parts[last + 1] or "-"):
                last += 1
            location = ", ".join(parts[last + 1 :]).strip()
            return clean_name(", ".join(parts[: last + 1])), clean_name(location) or None
    return clean_name(entry), None


def split_entry(entry: str) -> tuple[str, str | None]:
    """(name, location) of one list entry: "X Co., Ltd. of Wuxi, Jiangsu, China", or
    "X, Inc., 5453 Great America Parkway, Santa Clara, CA"."""
    if " of " in entry:
        splits = list(_OF_SPLIT.finditer(entry))
        if splits:
            after_suffix = [m for m in splits if ends_with_suffix(entry[: m.start() + 1])]
            chosen = after_suffix[0] if after_suffix else splits[-1]
            return clean_name(entry[: chosen.start()]), clean_name(entry[chosen.end() :]) or None
    if "," in entry:
        return _address_split(entry)
    return clean_name(entry), None


def _entries(text: str, intro: _Intro) -> Iterator[RawParty]:
    base, segment = _segment(text, intro.end)
    shared = _ALL_OF.search(segment) if "all of" in segment else None
    shared_location = clean_name(shared.group("loc")) if shared else None
    pattern = _ENTRY if ";" in segment else _ENTRY_WITHOUT_SEMICOLONS
    for entry in pattern.finditer(segment):
        name, location = split_entry(strip_parentheticals(_LEADING_JUNK.sub("", entry.group(0))))
        if not looks_like_name(name):
            continue
        if intro.strict and not (location or shared_location or ends_with_suffix(name)):
            continue
        if location and ", " in location:
            location = _CLAUSE_AFTER.split(location, 1)[0]
        span = (base + entry.start(), base + entry.end())
        yield RawParty(name, intro.role, location or shared_location, span)


def _named_after_role(cues: Cues) -> Iterator[RawParty]:
    """ "respondent X Co., Ltd.", "complainant Y Corp." (the name must end in a suffix)."""
    text = cues.text
    found = cues.positions(_ROLE_WORDS)
    for position in found[: _MAX_LISTS * 5]:
        match = _ROLE_BEFORE_NAME.match(text, position)
        if match:
            name = clean_name(match.group("name"))
            span = (match.start("name"), match.end())
            yield RawParty(name, normalise_role(match.group("role")), None, span)


def _order_targets(cues: Cues) -> Iterator[RawParty]:
    """Firms an exclusion or cease-and-desist order is issued against (respondents)."""
    if not cues.mentions(_ORDER_WORDS):
        return
    text = cues.text
    for match in _ORDER_AGAINST.finditer(text):
        yield from _entries(text, _Intro(match.end(), "respondent", True, strict=True))


def from_lists(cues: Cues) -> Iterator[RawParty]:
    """Parties from respondent/complainant lists and exclusion orders."""
    in_337 = cues.mentions(_337_CONTEXT)
    if in_337:
        yield from _order_targets(cues)
    if not cues.mentions(_LIST_WORDS):
        return
    text = cues.text
    done = lists = 0
    for position in cues.positions(_KEYWORDS):
        if lists >= _MAX_LISTS:
            break
        intro = _intro_at(text, position) if position >= done else None
        # "Respondents:" and "complaint filed by" also occur in paperwork notices and court
        # news; only 337 wording makes them a party list.
        if intro is not None and (intro.explicit or in_337):
            done, lists = intro.end, lists + 1
            yield from _entries(text, intro)
    yield from _named_after_role(cues)
