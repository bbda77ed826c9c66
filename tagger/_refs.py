"""Case numbers: USITC 337 investigations, US district dockets, PTAB trials, UPC actions,
Federal Circuit appeals and Chinese court case numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ITC = re.compile(r"337-TA-([0-9]{3,4})(?![0-9])")
_DOCKET = re.compile(
    r"(?:(?P<office>[0-9]{1,2}):)?(?P<year>[0-9]{2})[-\s]?(?P<type>cv|CV|Cv|mc|MC|cr|CR)"
    r"[-\s]?(?P<num>[0-9]{2,6})(?![0-9])"
)
_DOCKET_MARKERS = ("-cv-", "-CV-", "-Cv-", "-mc-", "-MC-", "-cr-", "-CR-", " cv ", "-cv", "cv-")
_DOCKET_BEFORE = 6
_PTAB = re.compile(r"\b(?P<type>IPR|PGR|CBM|DER)(?P<year>\d{4})-(?P<num>\d{5})\b")
_UPC = re.compile(r"\b(?:UPC_(?:CFI|CoA|COA)_\d{1,6}/\d{4}|(?:ACT|APL|ORD|App|CC)_\d{1,7}/\d{4})\b")
_CAFC_NUMBER = re.compile(r"(?<![0-9-])(?P<number>20[0-9]{2}-[0-9]{4})(?![0-9-])")
_CAFC_BEFORE = re.compile(r"(?:\bNos?\.|\bAppeal\s+No\.|\bCase\s+No\.|appeal\s+number)\s*$")
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
    """Federal Circuit appeal numbers ("No. 2023-1234", "2023-1234 (Fed. Cir. 2024)"), only in
    texts that mention the court."""
    if not any(context in text for context in _CAFC_CONTEXT) or "-" not in text:
        return []
    refs = []
    for match in _CAFC_NUMBER.finditer(text):
        start = match.start()
        if _CAFC_BEFORE.search(text, max(0, start - 16), start) or _CAFC_AFTER.match(
            text, match.end()
        ):
            refs.append(CaseRef(match.group("number"), "US", start))
    return refs


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
    if any(kind in text for kind in _DOCKET_KINDS):
        refs += _dockets(text)
    if any(kind in text for kind in _PTAB_KINDS):
        refs += [CaseRef(m.group(0), "US", m.start()) for m in _PTAB.finditer(text)]
    if "_" in text:
        refs += [CaseRef(m.group(0), "UPC", m.start()) for m in _UPC.finditer(text)]
    refs += _cafc(text)
    if "号" in text:
        refs += [CaseRef(m.group(0), "CN", m.start()) for m in _CN_CASE.finditer(text)]
    refs.sort(key=lambda ref: ref.start)
    seen: dict[str, CaseRef] = {}
    for ref in refs:
        seen.setdefault(ref.ref, ref)
    return list(seen.values())
