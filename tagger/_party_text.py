"""Shared pieces of party extraction: the raw find, name clean-up, company suffixes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tagger._dates import is_abbreviation

_PARENTHETICAL = re.compile(
    r"\s*\([^()]{0,80}\)(?![ \t]*,?[ \t]*(?i:Co|Ltd|Inc|Limited|Corp|Corporation|LLC|GmbH)\b)"
)
"""A short parenthetical, but not the place inside a company name ("X (Shenzhen) Co., Ltd.")."""
_QUOTES = "\"'“”‘’"
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ROLES = (
    "respondent",
    "complainant",
    "plaintiff",
    "defendant",
    "petitioner",
    "appellant",
    "appellee",
    "claimant",
    "applicant",
)

COMPANY_SUFFIXES = frozenset(
    [
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "l.l.c",
        "co",
        "corp",
        "corporation",
        "company",
        "gmbh",
        "ag",
        "se",
        "s.a",
        "sa",
        "s.p.a",
        "spa",
        "b.v",
        "bv",
        "n.v",
        "nv",
        "l.p",
        "lp",
        "llp",
        "plc",
        "pte",
        "oy",
        "ab",
        "kg",
        "sas",
        "sarl",
        "s.r.l",
        "srl",
        "kft",
        "bhd",
        "ltda",
        "k.k",
        "kk",
        "sdn",
    ]
)


SUFFIX_PATTERN = (
    r"(?i:Inc|Incorporated|Ltd|Limited|LLC|L\.L\.C|Co|Corp|Corporation|Company|GmbH|AG|SE|S\.A|"
    r"S\.p\.A|B\.V|BV|N\.V|NV|L\.P|LP|LLP|PLC|Pte|Oy|AB|KG|SAS|SARL|S\.r\.l|Srl|Kft|Bhd|"
    r"Ltda|K\.K|KK)\.?(?![\w&])"
)
"""A company-form suffix in any case ("Inc.", "INC.", "Co., Ltd." is two of them)."""
SUFFIXED_NAME = (
    r"[A-Z0-9][\w&'’.\-]*(?:[ \t]+(?:[A-Z0-9][\w&'’.\-]*|\([A-Z][\w ]{1,30}\)|&|of|and|de|"
    r"the|for|du|von|van|a|et|aux)){0,10}?(?:,?[ \t]+" + SUFFIX_PATTERN + r")+"
)
"""A capitalised name that ends in one or more company suffixes ("Demo Motion Technology
(Suzhou) Co., Ltd.", "SPIREON, INC.")."""


@dataclass(frozen=True, slots=True)
class RawParty:
    """A party as read, before de-duplication; ``span`` is where it was read from."""

    name: str
    role: str | None
    location: str | None
    span: tuple[int, int]


def mentions(text: str, words: tuple[str, ...]) -> bool:
    """Whether any of ``words`` occurs in ``text`` (far cheaper than a regex scan)."""
    return any(word in text for word in words)


def positions(text: str, words: tuple[str, ...]) -> list[int]:
    """Where any of ``words`` occurs, in order."""
    found: list[int] = []
    for word in words:
        position = text.find(word)
        while position >= 0:
            found.append(position)
            position = text.find(word, position + len(word))
    return sorted(found)


def normalise_role(word: str) -> str:
    """ "Respondents" -> "respondent", "Patent Owner" -> "patent_owner"."""
    word = word.lower()
    for role in _ROLES:
        if role in word:
            return role
    return "patent_owner" if "owner" in word else word


def clean_name(value: str) -> str:
    """A name or location without parentheticals, outer quotes, extra spaces and a final
    period (unless the period ends "Inc." or another abbreviation)."""
    value = " ".join(_PARENTHETICAL.sub("", value).split()).strip(" ,;:")
    if value[:1] in _QUOTES and value[-1:] in _QUOTES:
        value = value[1:-1].strip(" ,;:")
    if value.endswith(".") and not is_abbreviation(value, len(value) - 1):
        value = value[:-1]
    return value


def strip_parentheticals(value: str) -> str:
    """The text without short parentheticals like (“Complainant”)."""
    return _PARENTHETICAL.sub("", value) if "(" in value else value


def is_company_suffix(word: str) -> bool:
    """Whether a word is a company-form suffix (Inc., Ltd., GmbH ...)."""
    return word.strip(".,").lower() in COMPANY_SUFFIXES


def ends_with_suffix(text: str) -> bool:
    """Whether ``text`` ends with a company suffix or a comma ("X Co., Ltd.", "X,")."""
    text = text.rstrip()
    if text.endswith(","):
        return True
    words = text.rsplit(None, 1)
    return bool(words) and is_company_suffix(words[-1])


def looks_like_name(name: str) -> bool:
    """A plausible party name: 2-200 characters, starting with a capital, digit or CJK."""
    return 2 <= len(name) <= 200 and (
        name[0].isupper() or name[0].isdigit() or bool(_CJK.match(name))
    )


def has_cjk(text: str) -> bool:
    """Whether the text holds a CJK ideograph."""
    return not text.isascii() and bool(_CJK.search(text))
