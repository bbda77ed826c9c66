"""Parties in court captions and case names.

"NIKE, INC., Plaintiff, v. THE PARTNERSHIPS ... IDENTIFIED ON SCHEDULE "A", Defendants.",
"Plaintiff Nike, Inc. ("Nike") hereby brings ...", and "Apple Inc. v. LoganTree LP".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tagger._cues import Cues, cue_words
from tagger._dates import is_abbreviation
from tagger._party_text import (
    SUFFIX_PATTERN,
    RawParty,
    clean_name,
    court_prefix_end,
    normalise_role,
)
from tagger._text import mentions

_PTAB_CONTEXT = cue_words(
    "IPR20",
    "PGR20",
    "CBM20",
    "inter partes",
    "nter Partes",
    "post-grant review",
    "PTAB",
    "Patent Trial",
)
_CAFC_CONTEXT = cue_words("Appeal Number", "APPEAL NUMBER")
"""Federal Circuit listings: the caption's parties are appellant and appellee."""
_UPC_CONTEXT = cue_words(
    "UPC_",
    "Unified Patent Court",
    " LD)",
    " CD)",
    " LD ",  # "Mannheim LD Demo Telecom Oy v. ...": a division named by its seat, no brackets
    "Local Division",
    "Court of Appeal (",
)
_UPC_APPEAL = ("Court of Appeal", "appeal (", "– appeal", "- appeal")
_UPC_PROVISIONAL = (
    "provisional measures",
    "preliminary injunction",
    "saisie",
    "preserve evidence",
)
"""Applications started on their own (Rules of Procedure Part 3): applicant v. defendant.
Other applications ("Application for security for costs") are made within an action, whose
caption keeps its claimant and defendant."""
_337_CONTEXT = cue_words("337", "International Trade Commission", "USITC", "国际贸易委员会")

_CAPTION_ROLES = cue_words("Plaintiff", "Petitioner", "Appellant", "PLAINTIFF", "PETITIONER")
_CAPTION_AT_ROLE = re.compile(
    r"(?P<role>Plaintiffs?|Petitioners?|Appellants?|PLAINTIFFS?|PETITIONERS?)\s*[,.]?\s*"
    r"(?:v\.?|vs\.?|versus|V\.?)\s+"
)
_CAPTION_LEFT = re.compile(r"[A-Z][^\n]{0,150}?[,\s]+$")
_CAPTION_RIGHT = re.compile(
    r"(?P<name>[A-Z][\s\S]{0,300}?)[,\s]+"
    r"(?P<role>Defendants?|Respondents?|Appellees?|Patent\s+Owners?|DEFENDANTS?|RESPONDENTS?)\b"
)
_LABEL_ROLES = cue_words("Plaintiff", "Defendant", "Petitioner")
_LABELLED = re.compile(
    r"(?P<role>Plaintiffs?|Defendants?|Petitioners?)\s+(?P<name>[A-Z][\w&'’.,\- ]{1,80}?)"
    r"(?=\s*\(|,\s*(?:by|through)\b|\s+(?:hereby|files|filed|brings|brought|alleges|complains|"
    r"sued|sues|seeks|moves|asserts|v\.))"
)

_NOT_NAMES = frozenset(
    [
        "Complaint",
        "Motion",
        "Order",
        "Notice",
        "Answer",
        "Response",
        "Reply",
        "Brief",
        "Memorandum",
        "Exhibit",
        "Declaration",
        "Counsel",
        "Attorney",
        "Attorneys",
        "The",
        "This",
        "That",
        "It",
        "He",
        "She",
        "They",
        "We",
        "Is",
        "Was",
        "Has",
        "Will",
    ]
)
"""Docket entries read "Plaintiff Complaint is filed ...": these first words are no names."""
_NAME = (
    r"[A-Z][\w&'’.\-]*(?:,[ \t]*" + SUFFIX_PATTERN + r"|[ \t]+(?:[A-Z0-9][\w&'’.\-]*|"
    r"\([A-Z][\w ]{1,30}\)|&|of|de|the|for|du|von|van)){0,6}"
)
_VERSUS_WORDS = cue_words(" v. ", " v ", " vs. ", " vs ")
SCHEDULE_A = re.compile(
    r"The\s+(?:Individuals|Partnerships|Entities|Defendants)\b[^\n]{0,200}?\bIdentified\s+"
    r"(?:on|in)\s+(?:the\s+)?Schedule\s+[\"“”']?A\b[\"“”']?(?:\s+(?:Attached\s+)?Hereto)?",
    re.I,
)
"""The defendants of a Schedule A complaint, as the caption names them: one party."""
_NAME_BEFORE = re.compile(r"(?<![\w&'’.\-])" + _NAME + r"$")
_NAME_AFTER = re.compile(_NAME)
_NAME_WINDOW = 120
_MAX_VERSUS = 10
_LEADING_WORDS = re.compile(
    r"^(?:(?:In|On|After|Before|Under|See|Following|Today|Also|But|And|When|While|As|At|By|From|"
    r"For|Since|Per|The\s+court\s+in|Cf\.|E\.g\.,?)\s+)+"
)
_TRAILING_CONNECTORS = re.compile(r"(?:[\s,]+(?:and|of|the|for|&|de|du|von|van))+$")
_PERIOD_BEFORE_CAPITAL = re.compile(r"\.\s+(?=[A-Z])")


def _captions(cues: Cues) -> Iterator[RawParty]:
    text = cues.text
    for position in cues.positions(_CAPTION_ROLES):
        core = _CAPTION_AT_ROLE.match(text, position)
        if core is None:
            continue
        left = _CAPTION_LEFT.search(text, max(0, position - 160), position)
        right = _CAPTION_RIGHT.match(text, core.end())
        if left and right:
            span = (left.start(), right.end())
            yield RawParty(
                clean_name(left.group(0)), normalise_role(core.group("role")), None, span
            )
            yield RawParty(
                clean_name(right.group("name")), normalise_role(right.group("role")), None, span
            )


def _labelled(cues: Cues) -> Iterator[RawParty]:
    text = cues.text
    for position in cues.positions(_LABEL_ROLES):
        match = _LABELLED.match(text, position)
        if match and match.group("name").split(None, 1)[0] not in _NOT_NAMES:
            yield RawParty(
                clean_name(match.group("name")),
                normalise_role(match.group("role")),
                None,
                (match.start(), match.end()),
            )


def from_captions(cues: Cues) -> Iterator[RawParty]:
    """Parties from captions ("X, Plaintiff, v. Y, Defendants") and labels ("Plaintiff X")."""
    yield from _captions(cues)
    yield from _labelled(cues)


def upc_roles(text: str) -> tuple[str, str]:
    """The UPC's own words (Rules of Procedure): claimant/defendant in actions and in the
    applications made within one (security for costs), applicant/defendant in provisional
    measures and saisies (R.206, R.192: "the defendant"), appellant/respondent before the
    Court of Appeal. The head of the item says which."""
    head = text[:400]
    if mentions(head, _UPC_APPEAL):
        return "appellant", "respondent"
    if mentions(head, _UPC_PROVISIONAL):
        return "applicant", "defendant"
    return "claimant", "defendant"


def _context_roles(cues: Cues) -> tuple[str, str]:
    if cues.mentions(_CAFC_CONTEXT):
        return "appellant", "appellee"
    if cues.mentions(_UPC_CONTEXT):
        return upc_roles(cues.text)
    if cues.mentions(_PTAB_CONTEXT):
        return "petitioner", "patent_owner"
    if cues.mentions(_337_CONTEXT):
        return "complainant", "respondent"
    return "plaintiff", "defendant"


def _trim_name(name: str, keep_last: bool) -> str:
    """A name read next to " v. ", cut at a sentence end inside it ("... ZTE. Procter & Gamble
    Co." keeps the part next to the " v. "). A name all in capitals is a caption
    ("KYOCERA SENCO INDUS. TOOLS INC"): its periods end abbreviations, not sentences."""
    upper = name.isupper()
    cuts = [
        m
        for m in _PERIOD_BEFORE_CAPITAL.finditer(name)
        if not is_abbreviation(name, m.start()) and not upper
    ]
    if cuts:
        name = name[cuts[-1].end() :] if keep_last else name[: cuts[0].start() + 1]
    return clean_name(_TRAILING_CONNECTORS.sub("", _LEADING_WORDS.sub("", name.strip())))


def from_versus(cues: Cues) -> Iterator[RawParty]:
    """ "A v. B": names read around each " v. "; the roles follow the forum (Federal Circuit
    listings: appellant/appellee, PTAB: petitioner/patent owner, 337: complainant/respondent,
    else plaintiff/defendant). A court named right before A is the forum, not part of A's
    name."""
    text = cues.text
    separators = cues.positions(_VERSUS_WORDS)[:_MAX_VERSUS]
    if not separators:
        return
    first, second = _context_roles(cues)
    for position in separators:
        after = text.find(" ", position + 2) + 1
        left = _NAME_BEFORE.search(text, max(0, position - _NAME_WINDOW), position)
        right = SCHEDULE_A.match(text, after) or _NAME_AFTER.match(
            text, after, after + _NAME_WINDOW
        )
        if left and right:
            cut = court_prefix_end(left.group(0))  # "Munich Regional Court Huawei v. ZTE"
            span = (left.start() + cut, right.end())
            yield RawParty(_trim_name(left.group(0)[cut:], keep_last=True), first, None, span)
            name = right.group(0)
            if right.re is not SCHEDULE_A:
                name = _trim_name(name, keep_last=False)
            yield RawParty(name, second, None, span)
