"""Case numbers: USITC 337 investigations and docket numbers, US antidumping and
countervailing duty investigations, US district dockets, PTAB trials, UPC actions, Federal
Circuit appeals and Chinese court case numbers.

Each reference is reported once, in one canonical form: dockets without the court's
division prefix written first, zero-padded ("1:24-cv-01234"); Federal Circuit appeals with a
four-digit year ("21-1552" is "2021-1552"); USITC docket numbers as "DN 3712"; UPC numbers as
the court writes them ("UPC_CFI_123/2024", "UPC_CoA_5/2025", "ACT_…", "DEC_…", "ORD_…").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tagger._cues import Cues, cue_words, scan_cues

_ITC = re.compile(r"337-TA-([0-9]{3,4})(?![0-9])")
_DOCKET = re.compile(
    r"(?:(?P<office>[0-9]{1,2}):)?(?P<year>[0-9]{2})[-\s]?(?P<type>cv|CV|Cv|mc|MC|cr|CR)"
    r"[-\s]?(?P<num>[0-9]{2,6})(?![0-9])"
)
_DOCKET_MARKERS = cue_words(
    "-cv-", "-CV-", "-Cv-", "-mc-", "-MC-", "-cr-", "-CR-", " cv ", "-cv", "cv-"
)
_DOCKET_BEFORE = 6
_PTAB = re.compile(r"\b(?P<type>IPR|PGR|CBM|DER)(?P<year>\d{4})-(?P<num>\d{5})\b")
_UPC = re.compile(
    r"\b(?:UPC[_ ](?P<court>CFI|CoA|COA|coa)[_ ](?P<num>\d{1,6})/(?P<year>\d{4})"
    r"|(?P<kind>ACT|APL|ORD|DEC|App|APP|CC|EMS|ACR)_(?P<reg>\d{1,7})/(?P<ryear>\d{4}))\b"
)
_CAFC_NUMBER = re.compile(
    r"(?P<number>[0-9](?<![0-9-][0-9])(?:(?<=2)0[0-9]{2}|[0-9])-[0-9]{4})(?![0-9-])"
)
"""A two-digit or "20"-prefixed four-digit year, a hyphen and four digits, not inside a longer
number. As ``_TRADE_REMEDY``, the character before is checked after the first digit, so that
the engine skips ahead to digits (a sixth of the time on a 1,000-character item)."""
_CAFC_BEFORE = re.compile(r"(?:\bNos?\.|\bAppeal\s+No\.|\bCase\s+No\.|appeal\s+number:?)\s*$", re.I)
_ITC_DOCKET = re.compile(r"\b(?:DN|Docket\s+No\.)\s*(?P<num>[0-9]{4})(?![0-9:/-])")
_ITC_DOCKET_CONTEXT = cue_words("337", "Trade Commission", "ITC", "omplaint")
_TRADE_REMEDY = re.compile(
    r"[7AC](?<![\w-][7AC])(?:(?<=7)(?:0[13]|31)-TA-[0-9]{1,4}(?:-[0-9]{1,4})?"
    r"|(?<=[AC])-[0-9]{3}-[0-9]{3})(?![\w-])"
)
"""US antidumping and countervailing duty investigations: ITC "731-TA-1291-1297", Commerce
"A-570-123" (570 is China). The pattern opens with a character class and checks the
character before it afterwards (as ``_codes._HS_NUMBER``): the engine then skips ahead to
candidates instead of trying the check at every position."""
_CAFC_AFTER = re.compile(r"\s*\(Fed\.\s*Cir\.")
_CAFC_CONTEXT = cue_words(
    "Federal Circuit", "Fed. Cir", "Fed.Cir", "CAFC", "联邦巡回", "ppeal Number", "PPEAL NUMBER"
)
_PTAB_KINDS = cue_words("IPR", "PGR", "CBM", "DER")
_ITC_NUMBER = cue_words("337")
_ITC_DOCKET_WORDS = cue_words("DN", "Docket No.")
_TRADE_REMEDY_WORDS = cue_words("-TA-", "A-", "C-")
_CN_CASE = re.compile(r"[（(]\d{4}[）)][\u4e00-\u9fff]{1,6}\d{0,4}[\u4e00-\u9fff]{1,8}\d{1,6}号")


@dataclass(frozen=True, slots=True)
class CaseRef:
    """A case number as the tagger reports it, and the jurisdiction it implies."""

    ref: str
    jurisdiction: str
    start: int


def _dockets(cues: Cues) -> list[CaseRef]:
    """District-court docket numbers ("1:24-cv-01234", "6:15-cv-961-JRG", "24-cv-1234"),
    read around each "-cv-" (or mc/cr), zero-padded to five digits."""
    text = cues.text
    refs: dict[int, CaseRef] = {}
    for marker in cues.starts(_DOCKET_MARKERS):
        low = max(0, marker - _DOCKET_BEFORE)
        for match in _DOCKET.finditer(text, low, marker + 12):
            before = text[match.start() - 1] if match.start() > 0 else " "
            if match.start() in refs or (before.isascii() and before.isalnum()):
                continue  # part of a longer token; a Chinese character before is a boundary
            office, year, kind, num = match.group("office", "year", "type", "num")
            number = f"{year}-{kind.lower()}-{num.zfill(5)}"
            refs[match.start()] = CaseRef(
                f"{office}:{number}" if office else number, "US", match.start()
            )
    return list(refs.values())


def _cafc(cues: Cues) -> list[CaseRef]:
    """Federal Circuit appeal numbers ("No. 2023-1234", "2023-1234 (Fed. Cir. 2024)",
    "Appeal Number: 21-1552"), in texts that mention the court or say "Appeal Number"."""
    text = cues.text
    if "-" not in text or not cues.mentions(_CAFC_CONTEXT):
        return []
    refs = []
    for match in _CAFC_NUMBER.finditer(text):
        start, number = match.start(), match.group("number")
        if _CAFC_BEFORE.search(text, max(0, start - 16), start) or _CAFC_AFTER.match(
            text, match.end()
        ):
            refs.append(CaseRef(number if len(number) == 9 else f"20{number}", "US", start))
    return refs


def _upc(text: str) -> list[CaseRef]:
    """UPC case and registry numbers, the court part written "CFI" or "CoA"."""
    refs = []
    for match in _UPC.finditer(text):
        if match.group("court"):
            court = "CFI" if match.group("court") == "CFI" else "CoA"
            ref = f"UPC_{court}_{match.group('num')}/{match.group('year')}"
        else:
            kind = "App" if match.group("kind") == "APP" else match.group("kind")
            ref = f"{kind}_{match.group('reg')}/{match.group('ryear')}"
        refs.append(CaseRef(ref, "UPC", match.start()))
    return refs


def _itc_dockets(cues: Cues) -> list[CaseRef]:
    """USITC docket numbers of complaints not yet instituted ("DN 3712")."""
    text = cues.text
    if not cues.mentions(_ITC_DOCKET_CONTEXT):
        return []
    return [CaseRef(f"DN {m.group('num')}", "US", m.start()) for m in _ITC_DOCKET.finditer(text)]


def _trade_remedies(text: str) -> list[CaseRef]:
    return [CaseRef(m.group(0), "US", m.start()) for m in _TRADE_REMEDY.finditer(text)]


def find_case_refs(text: str, cues: Cues | None = None) -> list[CaseRef]:
    """Every case number in the text, in order of first appearance, each once (``cues``: the
    text's cue scan, when the caller has it)."""
    cues = scan_cues(text) if cues is None else cues
    refs: list[CaseRef] = []
    if cues.mentions(_ITC_NUMBER):
        refs += [CaseRef(f"337-TA-{m.group(1)}", "US", m.start()) for m in _ITC.finditer(text)]
    refs += _dockets(cues)
    if cues.mentions(_PTAB_KINDS):
        refs += [CaseRef(m.group(0), "US", m.start()) for m in _PTAB.finditer(text)]
    if "_" in text:
        refs += _upc(text)
    if cues.mentions(_ITC_DOCKET_WORDS):
        refs += _itc_dockets(cues)
    if cues.mentions(_TRADE_REMEDY_WORDS):
        refs += _trade_remedies(text)
    refs += _cafc(cues)
    if "号" in text:
        refs += [CaseRef(m.group(0), "CN", m.start()) for m in _CN_CASE.finditer(text)]
    refs.sort(key=lambda ref: ref.start)
    seen: dict[str, CaseRef] = {}
    for ref in refs:
        seen.setdefault(ref.ref, ref)
    return list(seen.values())
