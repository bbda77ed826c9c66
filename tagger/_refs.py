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

from tagger._text import mentions

_ITC = re.compile(r"337-TA-([0-9]{3,4})(?![0-9])")
_DOCKET = re.compile(
    r"(?:(?P<office>[0-9]{1,2}):)?(?P<year>[0-9]{2})[-\s]?(?P<type>cv|CV|Cv|mc|MC|cr|CR)"
    r"[-\s]?(?P<num>[0-9]{2,6})(?![0-9])"
)
_DOCKET_MARKERS = ("-cv-", "-CV-", "-Cv-", "-mc-", "-MC-", "-cr-", "-CR-", " cv ", "-cv", "cv-")
_DOCKET_BEFORE = 6
_PTAB = re.compile(r"\b(?P<type>IPR|PGR|CBM|DER)(?P<year>\d{4})-(?P<num>\d{5})\b")
_UPC = re.compile(
    r"\b(?:UPC[_ ](?P<court>CFI|CoA|COA|coa)[_ ](?P<num>\d{1,6})/(?P<year>\d{4})"
    r"|(?P<kind>ACT|APL|ORD|DEC|App|APP|CC|EMS|ACR)_(?P<reg>\d{1,7})/(?P<ryear>\d{4}))\b"
)
_CAFC_NUMBER = re.compile(r"(?<![0-9-])(?P<number>(?:20)?[0-9]{2}-[0-9]{4})(?![0-9-])")
_CAFC_BEFORE = re.compile(r"(?:\bNos?\.|\bAppeal\s+No\.|\bCase\s+No\.|appeal\s+number:?)\s*$", re.I)
_ITC_DOCKET = re.compile(r"\b(?:DN|Docket\s+No\.)\s*(?P<num>[0-9]{4})(?![0-9:/-])")
_ITC_DOCKET_CONTEXT = ("337", "Trade Commission", "ITC", "omplaint")
_TRADE_REMEDY = re.compile(
    r"[7AC](?<![\w-][7AC])(?:(?<=7)(?:0[13]|31)-TA-[0-9]{1,4}(?:-[0-9]{1,4})?"
    r"|(?<=[AC])-[0-9]{3}-[0-9]{3})(?![\w-])"
)
"""US antidumping and countervailing duty investigations: ITC "731-TA-1291-1297", Commerce
"A-570-123" (570 is China). The pattern opens with a character class and checks the
character before it afterwards (as ``_codes._HS_NUMBER``): the engine then skips ahead to
candidates instead of trying the check at every position."""
_CAFC_AFTER = re.compile(r"\s*\(Fed\.\s*Cir\.")
_CAFC_CONTEXT = ("Federal Circuit", "Fed. Cir", "Fed.Cir", "CAFC", "联邦巡回")
_DOCKET_KINDS = ("cv", "CV", "Cv", "mc", "MC", "cr", "CR")
_PTAB_KINDS = ("IPR", "PGR", "CBM", "DER")
_CN_CASE = re.compile(r"[（(]\d{4}[）)][\u4e00-\u9fff]{1,6}\d{0,4}[\u4e00-\u9fff]{1,8}\d{1,6}号")


@dataclass(frozen=True, slots=True)
class CaseRef:
    """A case number as the tagger reports it, and the jurisdiction it implies."""

    ref: str
    jurisdiction: str
    start: int


def _dockets(text: str) -> list[CaseRef]:
    """District-court docket numbers ("1:24-cv-01234", "6:15-cv-961-JRG", "24-cv-1234"),
    read around each "-cv-" (or mc/cr), zero-padded to five digits."""
    refs: dict[int, CaseRef] = {}
    for marker in _positions(text, _DOCKET_MARKERS):
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


def _cafc(text: str) -> list[CaseRef]:
    """Federal Circuit appeal numbers ("No. 2023-1234", "2023-1234 (Fed. Cir. 2024)",
    "Appeal Number: 21-1552"), in texts that mention the court or say "Appeal Number"."""
    if "-" not in text:
        return []
    labelled = "ppeal Number" in text or "PPEAL NUMBER" in text
    if not labelled and not mentions(text, _CAFC_CONTEXT):
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


def _itc_dockets(text: str) -> list[CaseRef]:
    """USITC docket numbers of complaints not yet instituted ("DN 3712")."""
    if not mentions(text, _ITC_DOCKET_CONTEXT):
        return []
    return [CaseRef(f"DN {m.group('num')}", "US", m.start()) for m in _ITC_DOCKET.finditer(text)]


def _trade_remedies(text: str) -> list[CaseRef]:
    return [CaseRef(m.group(0), "US", m.start()) for m in _TRADE_REMEDY.finditer(text)]


def _positions(text: str, words: tuple[str, ...]) -> list[int]:
    found: set[int] = set()
    for word in words:
        position = text.find(word)
        while position >= 0:
            found.add(position)
            position = text.find(word, position + 1)
    return sorted(found)


def find_case_refs(text: str) -> list[CaseRef]:
    """Every case number in the text, in order of first appearance, each once."""
    refs: list[CaseRef] = []
    if "337" in text:
        refs += [CaseRef(f"337-TA-{m.group(1)}", "US", m.start()) for m in _ITC.finditer(text)]
    if mentions(text, _DOCKET_KINDS):
        refs += _dockets(text)
    if mentions(text, _PTAB_KINDS):
        refs += [CaseRef(m.group(0), "US", m.start()) for m in _PTAB.finditer(text)]
    if "_" in text:
        refs += _upc(text)
    if "DN" in text or "Docket No." in text:
        refs += _itc_dockets(text)
    if "-TA-" in text or "A-" in text or "C-" in text:
        refs += _trade_remedies(text)
    refs += _cafc(text)
    if "号" in text:
        refs += [CaseRef(m.group(0), "CN", m.start()) for m in _CN_CASE.finditer(text)]
    refs.sort(key=lambda ref: ref.start)
    seen: dict[str, CaseRef] = {}
    for ref in refs:
        seen.setdefault(ref.ref, ref)
    return list(seen.values())
