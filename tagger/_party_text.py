"""Shared pieces of party extraction: the raw find, name clean-up, company suffixes."""

from __future__ import annotations

import re
from collections.abc import Iterable
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


SUFFIX_WORDS = (
    "Inc",
    "Incorporated",
    "Ltd",
    "Limited",
    "LLC",
    "L.L.C",
    "Co",
    "Corp",
    "Corporation",
    "Company",
    "GmbH",
    "AG",
    "SE",
    "S.A",
    "S.p.A",
    "B.V",
    "BV",
    "N.V",
    "NV",
    "L.P",
    "LP",
    "LLP",
    "PLC",
    "Pte",
    "Oy",
    "AB",
    "KG",
    "SAS",
    "SARL",
    "S.r.l",
    "Srl",
    "Kft",
    "Bhd",
    "Ltda",
    "K.K",
    "KK",
)
"""Company-form suffixes (``SUFFIX_PATTERN``); the phrase scan also looks for them, so that
only texts that have one are searched for suffixed names."""


def _trie(words: Iterable[str]) -> str:
    """A regex matching exactly ``words`` (lower case), written as a trie: "co(?:mpany|rp)?"
    rather than "co|company|corp", so that the engine compares each letter once.

    Only for words of which at most one can match at a position, as the suffixes: with
    ``\\.?(?![\\w&])`` after them, a suffix followed by a longer one's next letter fails.
    """
    branches: dict[str, list[str]] = {}
    ends_here = False
    for word in words:
        if not word:
            ends_here = True
        else:
            branches.setdefault(word[0], []).append(word[1:])
    alternatives = [re.escape(first) + _trie(rests) for first, rests in sorted(branches.items())]
    if not alternatives:
        return ""
    if len(alternatives) == 1 and not ends_here:
        return alternatives[0]
    group = "(?:" + "|".join(alternatives) + ")"
    return group + "?" if ends_here else group


SUFFIX_PATTERN = r"(?i:" + _trie(word.lower() for word in SUFFIX_WORDS) + r")\.?(?![\w&])"
"""A company-form suffix in any case ("Inc.", "INC.", "Co., Ltd." is two of them)."""
SUFFIXED_NAME = (
    r"[A-Z0-9][\w&'’.\-]*+(?:[ \t]++(?:[A-Z0-9][\w&'’.\-]*+|\([A-Z][\w ]{1,30}\)|&|of|and|de|"
    r"the|for|du|von|van|a|et|aux)){0,10}?(?:,?[ \t]++" + SUFFIX_PATTERN + r")+"
)
"""A capitalised name that ends in one or more company suffixes ("Demo Motion Technology
(Suzhou) Co., Ltd.", "SPIREON, INC.").

Words and blanks are matched possessively (``*+``, ``++``): a word is always followed by a
blank or a comma, neither of which it can contain, so giving back characters could never
help, and not trying spares the backtracking (about half the cost of the name scan)."""


_COURT_BEFORE_NAME = re.compile(
    r"(?:\b(?:(?:Higher\s+)?Regional|District|Federal|Supreme|High|Patent|Commercial|"
    r"Appeals?|Circuit|Intellectual\s+Property|IP|Business)\s+Court"
    r"|\bCourt\s+of\s+(?:Appeals?|Justice|First\s+Instance|Cassation)"
    r"|\b(?:Landgericht|Oberlandesgericht|Bundesgerichtshof|Bundespatentgericht)"
    r"(?:\s+[A-Z][\w\-]+)?"
    r"|\b(?:Local|Central|Regional)\s+Division|\b[A-Z][\w\-]+\s+(?:LD|CD|RD))"
    r"\s+(?=[A-Z0-9])"
)
"""A court named right before a firm: "Munich Regional Court Huawei ...", "the Düsseldorf
LD ZTE ..." (headline English drops the verb or comma between them)."""
_COURT_MARKS = ("Court", "gericht", "Division", " LD ", " CD ", " RD ")
"""One of these is in every court ``_COURT_BEFORE_NAME`` finds: most names hold none."""


def court_prefix_end(name: str) -> int:
    """Where a firm's name starts when a court is named right before it ("Munich Regional
    Court Huawei Technologies Co., Ltd." -> after "Court "), else 0: the court is the forum,
    not part of the party's name."""
    if not any(mark in name for mark in _COURT_MARKS):
        return 0
    end = 0
    for match in _COURT_BEFORE_NAME.finditer(name):
        end = match.end()
    return end


@dataclass(frozen=True, slots=True)
class RawParty:
    """A party as read, before de-duplication; ``span`` is where it was read from."""

    name: str
    role: str | None
    location: str | None
    span: tuple[int, int]


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
    value = " ".join(strip_parentheticals(value).split()).strip(" ,;:")
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
