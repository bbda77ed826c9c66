"""Roles stated in English prose around company names: "Acme Inc. sued Beta Ltd.", "Acme Inc.
filed a patent infringement suit against Beta Ltd.", "Beta Ltd. was sued by Acme Inc.",
"Acme Inc. accuses Beta Ltd. of infringing", "a complaint against Beta Ltd. with the USITC".

News reports say who sued whom in a sentence, not in a caption or a list, and the firms there
were read without a role. Only what the words state is read: two firms named side by side
("Acme Inc. and Beta Ltd. settle") keep no role, nor does a headline "Beta Ltd. sued" (in
headline English that says Beta *was* sued, by someone unnamed; the active reading needs the
firm sued to follow). The role words are the forum's: complainant and respondent at the USITC,
the Unified Patent Court's own words there, plaintiff and defendant in any other court.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from tagger._cues import Cues, CueWords, cue_words
from tagger._party_captions import upc_roles
from tagger._party_text import RawParty

__all__ = ["with_prose_roles"]

_PROSE_WORDS = cue_words(
    "sue", "suit", "against", "accuse", "complaint", "proceeding", "litigation", any_case=True
)
"""Every phrase below holds one of these: without them a text is not read again."""
_CASE = (
    r"(?:(?:suit|lawsuit|complaint|proceeding|litigation)s?|(?:infringement|legal|court|"
    r"revocation|nullity)\s+(?:action|case|claim)s?)"
)
"""A case brought; a bare "action" or "case" is not one ("took action against")."""
_KIND = (
    r"(?:(?:patent|infringement|trademark|trade[\s-]mark|trade|secrets?|copyright|design|"
    r"SEP|FRAND|antitrust|civil|federal|new|separate|second|further|formal|[Ss]ection|337|"
    r"unfair|competition|false|advertising|breach|of|contract|damages|misappropriation)\s+)"
)
"""Words that may say what kind of case it is ("a patent infringement suit"); no others, so
that "filed a motion to dismiss the case against" is not read as bringing the case. The
phrases match in any case: headlines are often in title case ("Acme Sues Beta Over ...")."""
_FORUM = r"(?:(?:with|at|in|before)\s+(?:the\s+)?[\w.&\-]+(?:\s+[\w.&\-]+){0,6}?\s+)?"
"""Where a case was brought, between the case and "against": "a complaint with the U.S.
International Trade Commission against"."""
_FILES = (
    r"(?:(?:has|have|had|also|now|today|again|recently|reportedly|separately|jointly)\s+)*"
    r"(?:filed|files|filing|brought|brings|lodged|lodges|launched|launches|initiated|"
    r"commenced|instituted)\s+(?:an?\s+|its\s+|their\s+|another\s+|new\s+|two\s+|three\s+|"
    r"several\s+)?" + _KIND + r"{0,5}" + _CASE + r"\s+" + _FORUM + r"against\s+"
)
"""... "filed a patent infringement suit against ", said of the firm that brings the case."""
_RIVAL = r"(?:(?:its\s+|a\s+)?(?:rival|competitor|former\s+partner|former\s+licensee)s?\s+)?"
_ACTIVE_BETWEEN = re.compile(
    r"(?:\s+(?:(?:(?:has|have|had|also|now|today|again|reportedly|separately|jointly)\s+)*"
    r"(?:sued|sues|is\s+suing|are\s+suing|accuses|accused|has\s+accused)\s+|"
    + _FILES
    + r")|['’]s\s+"
    + _KIND
    + r"{0,5}"
    + _CASE
    + r"\s+"
    + _FORUM
    + r"against\s+)"
    + _RIVAL,
    re.I,
)
"""Between a firm bringing a case and the firm it is against: "A sued B", "A accuses B",
"A has filed a complaint against B", "A's patent suit against B"."""
_ACCUSES = re.compile(r"\s+(?:(?:\w+\s+){0,5})?accus", re.I)
_OF_WRONG = re.compile(r",?\s+of\s", re.I)
"""After the accused firm: "accuses B of infringing"; "accuses B" alone states no case."""
_PASSIVE_BETWEEN = re.compile(
    r",?\s+(?:(?:was|were|has\s+been|have\s+been|had\s+been|is\s+being|gets|got)\s+)?sued\s+"
    r"(?:(?:in|at|before)\s+(?:the\s+)?[\w.&\-]+(?:\s+[\w.&\-]+){0,6}?\s+)?by\s+",
    re.I,
)
"""Between the firm sued and the one suing: "B was sued by A", "B sued in Delaware by A"."""
_SUED_AFTER = re.compile(
    r",?\s+(?:was|were|has\s+been|have\s+been|had\s+been|is\s+being|gets|got)\s+sued\b"
    r"|\s+sued\s+(?:(?:in|at|before)\s+(?:the\s+)?[\w.&\-]+(?:\s+[\w.&\-]+){0,6}?\s+)?by\b",
    re.I,
)
"""After a firm that was sued ("B was sued in Texas", "B sued by a rival")."""
_FILES_AFTER = re.compile(
    r",?\s+(?:" + _FILES + r"|(?:sues|is\s+suing|are\s+suing|has\s+sued|have\s+sued|"
    r"had\s+sued)\b|sued\s+(?:the|a|an|its|their|two|three|several|rival|competitor)\s)",
    re.I,
)
"""After a firm that brings a case against someone ("A files suit against a rival", "A sues
over patents", "A sued the Wuxi exporter"). A bare "A sued" is left alone: in a headline it
says A *was* sued."""
_AGAINST_BEFORE = re.compile(
    r"(?:\b" + _CASE + r"\s+(?:(?:was|were|has\s+been)\s+)?(?:filed\s+|brought\s+)?"
    r"(?:" + _FORUM + r")?against|\b(?:sued|sues|suing))\s+" + _RIVAL + r"$",
    re.I,
)
"""Before a firm a case is against: "patent suit against B", "a complaint against B",
"sued B" (whoever sued)."""
_BY_BEFORE = re.compile(
    r"\b(?:sued|" + _CASE + r"\s+(?:(?:was|were|has\s+been)\s+)?(?:filed|brought))\s+by\s+$",
    re.I,
)
"""Before a firm that brought the case: "sued by A", "a lawsuit filed by A"."""
_LAST_WORDS_BEFORE = (
    "against",
    "sued",
    "sues",
    "suing",
    "by",
    "rival",
    "rivals",
    "competitor",
    "competitors",
    "partner",
    "partners",
    "licensee",
    "licensees",
)
"""How the text before a firm ends when ``_AGAINST_BEFORE`` or ``_BY_BEFORE`` can match."""
_JOINED = re.compile(r",\s*(?:(?:and|&)\s+)?|\s+(?:and|&)\s+")
"""Between firms named together ("against B and C", "A, B and C sued D"): they share a role.
A blank alone does not join ("sued B Ltd. C Inc. said" is two sentences)."""
_ITC = cue_words("USITC", " ITC", "(ITC)", "International Trade Commission", "337-TA")
_ITC_ANY_CASE = cue_words("section 337", any_case=True)
_UPC = cue_words(
    "UPC",
    "Unified Patent Court",
    "Local Division",
    "Central Division",
    "Regional Division",
    "local division",
    "central division",
)
_COURT = cue_words("court", "district", "judge", "tribunal", any_case=True)
"""Words naming the forum, looked up in the phrase scan's cues (a regex search of the text
for each firm cost more than the rest of this module)."""
_LOOK_BEFORE = 80

_BRINGS, _AGAINST = 0, 1
"""A firm's side: it brings the case, or the case is against it (``_roles`` words it)."""


def with_prose_roles(text: str, names: Sequence[RawParty], cues: Cues) -> list[RawParty]:
    """``names`` (company names read from running ``text``, in order, each span the name
    alone) with the roles the prose around them states; a name whose role was read already,
    or is not stated, is kept as it is."""
    if not names or not cues.mentions(_PROSE_WORDS):
        return list(names)
    sides: list[int | None] = [_own_side(text, raw) for raw in names]
    for index in range(len(names) - 1):
        pair = _pair_sides(text, names[index], names[index + 1])
        if pair is not None:
            sides[index] = sides[index] if sides[index] is not None else pair[0]
            sides[index + 1] = sides[index + 1] if sides[index + 1] is not None else pair[1]
    _share_joined(text, names, sides)
    return [
        raw if raw.role is not None or side is None else replace(raw, role=_role(cues, raw, side))
        for raw, side in zip(names, sides, strict=True)
    ]


def _own_side(text: str, raw: RawParty) -> int | None:
    """The side the words right around one name give it, whoever the other firm is."""
    start, end = raw.span
    before = text[max(0, start - _LOOK_BEFORE) : start]
    if before.rstrip().lower().endswith(_LAST_WORDS_BEFORE):  # the searches are slow
        if _AGAINST_BEFORE.search(before):
            return _AGAINST
        if _BY_BEFORE.search(before):
            return _BRINGS
    if _SUED_AFTER.match(text, end):
        return _AGAINST
    if _FILES_AFTER.match(text, end):
        return _BRINGS
    return None


def _pair_sides(text: str, first: RawParty, second: RawParty) -> tuple[int, int] | None:
    """The sides the words between two names give them: "A sued B", "B was sued by A"."""
    low, high = first.span[1], second.span[0]
    if low > high:
        return None
    if _PASSIVE_BETWEEN.fullmatch(text, low, high):
        return _AGAINST, _BRINGS
    active = _ACTIVE_BETWEEN.fullmatch(text, low, high)
    if active is None:
        return None
    if _ACCUSES.match(text, low, high) and not _OF_WRONG.match(text, second.span[1]):
        return None
    return _BRINGS, _AGAINST


def _share_joined(text: str, names: Sequence[RawParty], sides: list[int | None]) -> None:
    """Firms named together with one that has a side get the same side (forwards, then
    backwards): "sued B and C", "A and D sued B"."""
    order = list(range(len(names) - 1))
    for index in [*order, *reversed(order)]:
        low, high = names[index].span[1], names[index + 1].span[0]
        if low > high or not _JOINED.fullmatch(text, low, high):
            continue
        if sides[index + 1] is None:
            sides[index + 1] = sides[index]
        elif sides[index] is None:
            sides[index] = sides[index + 1]


def _role(cues: Cues, raw: RawParty, side: int) -> str:
    """The forum's word for a side: the line the name is on says where the case is (a
    complaint "with the USITC", "in the Eastern District of Texas"); else the whole text."""
    text = cues.text
    line_start = text.rfind("\n", 0, raw.span[0]) + 1
    line_end = text.find("\n", raw.span[1])
    line = (line_start, line_end if line_end >= 0 else len(text))
    roles = _forum_roles(cues, *line) or _forum_roles(cues, 0, len(text))
    return (roles or ("plaintiff", "defendant"))[side]


def _forum_roles(cues: Cues, low: int, high: int) -> tuple[str, str] | None:
    """Complainant and respondent at the USITC, the UPC's own words there, plaintiff and
    defendant in a court, as the text from ``low`` to ``high`` names it; None when it names
    no forum."""
    if _names(cues, _UPC, low, high):
        return upc_roles(cues.text[low:high])
    if _names(cues, _ITC, low, high) or _names(cues, _ITC_ANY_CASE, low, high):
        return "complainant", "respondent"
    if _names(cues, _COURT, low, high):
        return "plaintiff", "defendant"
    return None


def _names(cues: Cues, words: CueWords, low: int, high: int) -> bool:
    """Whether one of ``words`` starts between ``low`` and ``high``."""
    return any(low <= position < high for position in cues.positions(words))
