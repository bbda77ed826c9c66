"""HS/HTS tariff codes and IPC symbols in the text, mapped to chains as strong evidence."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from tagger._cues import Cues, cue_words, scan_cues
from tagger._text import mentions
from tagger.taxonomy import Taxonomy
from tagger.taxonomy._model import IPC_SYMBOL

_HS_NUMBER = re.compile(
    r"(?P<code>[0-9](?<![A-Za-z0-9.,$€£¥/:_-][0-9])[0-9]{3}"
    r"(?:\.[0-9]{2}(?:\.[0-9]{2,4}){0,2}|(?:[0-9]{2}){1,3})?)"
    r"(?![A-Za-z0-9/_-]|[.,][0-9])"
)
"""Four digits or more not glued to a word, an amount or a longer number. Here, and in
``_IPC_SYMBOL``, the check of the character before comes after the first character (the same
test): a pattern that opens with a character class lets the regex engine skip ahead to
candidates instead of trying the check at every position (2.3 times faster)."""
_HS_CONTEXT_BEFORE = re.compile(
    r"(?:\b(?:HS|HTS|HTSUS|HTSA|tariff|heading|headings|subheading|subheadings|CN|commodity)"
    r"(?:\s+(?:code|codes|item|items|number|numbers|heading|subheading))?|税号|税则号列|税则号|"
    r"HS编码|商品编码|海关编码)\s*(?:No\.|Nos\.|number)?\s*[:：]?\s*$",
    re.I,
)
_HS_CHAPTER = re.compile(
    r"\b(?:HS|HTS|HTSUS|tariff)\s+chapters?\s+(?P<a>\d{1,2})\b"
    r"|\bchapters?\s+(?P<b>\d{1,2})\s+of\s+the\s+(?:HTS|HTSUS|Harmonized)"
    r"|(?:税则|HS|海关税则)\s*第\s*(?P<c>\d{1,2})\s*章",
    re.I,
)
_IPC_SYMBOL = re.compile(
    r"(?P<sub>[A-H](?<![A-Za-z0-9][A-H])[0-9]{2}[A-Z])(?:\s?(?P<group>[0-9]{1,4})(?:\s?/\s?(?P<subgroup>[0-9]{2,6}))?)?"
    r"(?![A-Za-z0-9])"
)
_IPC_CONTEXT = re.compile(r"IPC|CPC|[Cc]lassification|分类")
_CONTEXT_CHARS = 40
_HS_HINTS = ("hs", "hts", "heading", "tariff", "cn", "commodity", "税", "编码")
"""Cheap look for a context word before a number, before the context regex runs."""

_CONTEXT_ENDINGS = (
    "hs",
    "hts",
    "htsus",
    "htsa",
    "tariff",
    "heading",
    "headings",
    "subheading",
    "subheadings",
    "cn",
    "commodity",
    "code",
    "codes",
    "item",
    "items",
    "number",
    "numbers",
    "no.",
    "nos.",
    ":",
)
"""How an ASCII text that ``_HS_CONTEXT_BEFORE`` matches ends, in lower case and without
trailing whitespace: its words, "No." and "Nos.", or a colon."""

HS_WEIGHTS = {2: 0.3, 4: 0.5, 6: 0.6}
"""Evidence weight of an HS match by the length of the taxonomy code it matched."""

IPC_WEIGHTS = {"class": 0.3, "subclass": 0.45, "group": 0.55, "subgroup": 0.6}
"""Evidence weight of an IPC match by the depth of the taxonomy symbol it matched."""


@dataclass(frozen=True, slots=True)
class CodeHit:
    """A classification code in the text and the chain it is evidence of."""

    chain: str
    weight: float
    evidence: str
    start: int


@dataclass(frozen=True, slots=True)
class _IpcEntry:
    chain: str
    group: str | None
    subgroup: str | None
    depth: str


def _hs_digits(code: str) -> str:
    return code.replace(".", "")


def hs_display(digits: str) -> str:
    """An HS code as people write it: 8507.60 (codes longer than six digits are cut to six)."""
    if len(digits) <= 4:
        return digits
    return f"{digits[:4]}.{digits[4:6]}"


class CodeIndex:
    """The taxonomy's HS codes and IPC symbols, indexed for lookup by what the text contains."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self._hs: dict[str, list[str]] = defaultdict(list)
        self._ipc: dict[str, list[_IpcEntry]] = defaultdict(list)
        for chain in taxonomy.chains:
            for code in chain.hs:
                self._hs[_hs_digits(code)].append(chain.id)
            for symbol in chain.ipc:
                self._add_ipc(chain.id, symbol)

    def _add_ipc(self, chain: str, symbol: str) -> None:
        match = IPC_SYMBOL.match(symbol)
        if match is None:  # the taxonomy model has checked this already
            return
        cls, sub, group, subgroup = match.group("cls", "sub", "group", "subgroup")
        if sub is None:
            self._ipc[cls].append(_IpcEntry(chain, None, None, "class"))
            return
        depth = "subgroup" if subgroup else "group" if group else "subclass"
        self._ipc[cls + sub].append(_IpcEntry(chain, group, subgroup, depth))

    def hs_chains(self, digits: str) -> list[tuple[str, float]]:
        """Chains whose HS chapters, headings or subheadings the code falls under."""
        found: list[tuple[str, float]] = []
        for length, weight in HS_WEIGHTS.items():
            if len(digits) >= length:
                found.extend((chain, weight) for chain in self._hs.get(digits[:length], ()))
        return found

    def ipc_chains(
        self, sub: str, group: str | None, subgroup: str | None
    ) -> list[tuple[str, float]]:
        """Chains whose IPC classes, subclasses, groups or subgroups the symbol falls under."""
        found = [(e.chain, IPC_WEIGHTS["class"]) for e in self._ipc.get(sub[:3], ())]
        for entry in self._ipc.get(sub, ()):
            if entry.group is None:
                found.append((entry.chain, IPC_WEIGHTS["subclass"]))
            elif entry.group == group and (
                entry.subgroup is None or (subgroup or "").startswith(entry.subgroup)
            ):
                found.append((entry.chain, IPC_WEIGHTS[entry.depth]))
        return found

    def knows_heading(self, digits: str) -> bool:
        """Whether a bare dotted number like 8507.60 falls under a code the taxonomy lists."""
        return any(digits[:n] in self._hs for n in (4, 6))


@dataclass(frozen=True, slots=True)
class FoundCodes:
    """What the code scan found: chain evidence, and HS codes to report as products."""

    hits: list[CodeHit]
    hs_codes: list[str]


def _may_end_in_context(before: str, lowered: str) -> bool:
    """Whether ``before`` (``lowered`` in lower case) may end as ``_HS_CONTEXT_BEFORE``
    needs: in one of its words or marks, then only whitespace. Most numbers near a hint word
    ("Tariff Act of 1930") fail this, and skip the regex's search from every position."""
    return not before.isascii() or lowered.rstrip().endswith(_CONTEXT_ENDINGS)


def _hs_matches(text: str, index: CodeIndex) -> list[tuple[str, int, str]]:
    found: list[tuple[str, int, str]] = []
    for match in _HS_NUMBER.finditer(text):
        code, start = match.group("code"), match.start()
        digits = _hs_digits(code)
        before = text[max(0, start - _CONTEXT_CHARS) : start]
        lowered = before.lower()
        context = (
            _HS_CONTEXT_BEFORE.search(before)
            if mentions(lowered, _HS_HINTS) and _may_end_in_context(before, lowered)
            else None
        )
        if context:
            found.append((digits, start, (before[context.start() :] + code).strip()))
        elif "." in code and (len(digits) >= 8 or index.knows_heading(digits)):
            found.append((digits, start, code))
    if "hapter" in text or "章" in text:
        for match in _HS_CHAPTER.finditer(text):
            chapter = (match.group("a") or match.group("b") or match.group("c")).zfill(2)
            found.append((chapter, match.start(), match.group(0)))
    return sorted(found, key=lambda item: item[1])


def _ipc_matches(text: str) -> list[tuple[str, str | None, str | None, int, str]]:
    found = []
    for match in _IPC_SYMBOL.finditer(text):
        sub, group, subgroup = match.group("sub", "group", "subgroup")
        if subgroup:
            found.append((sub, group, subgroup, match.start(), f"{sub} {group}/{subgroup}"))
        elif _IPC_CONTEXT.search(text, max(0, match.start() - _CONTEXT_CHARS), match.start()):
            label = f"{sub} {group}" if group else sub
            found.append((sub, group, None, match.start(), label))
    return found


_HS_WORDS = cue_words(
    "HS",
    "HTS",
    "heading",
    "Heading",
    "HEADING",
    "tariff",
    "Tariff",
    "TARIFF",
    "CN code",
    "ommodity",
    "税号",
    "税则",
    "编码",
    "章",
)
_IPC_WORDS = cue_words("IPC", "CPC", "lassification", "分类")


def find_codes(text: str, index: CodeIndex, cues: Cues | None = None) -> FoundCodes:
    """HS/HTS codes ("HTS 8507.60.0020", "heading 8541", "税号85076000") and IPC symbols
    ("H01M 10/0525", "IPC H01L") in the text.

    Only texts that speak of tariff codes (HS, HTS, heading, tariff, 税号 ...) are searched.
    There, a number counts when such a word stands right before it, or when it is dotted and
    has HTS length (8-10 digits) or falls under a heading the taxonomy lists, so that prices
    and section numbers stay out. ``cues``: the text's cue scan, when the caller has it.
    """
    cues = scan_cues(text) if cues is None else cues
    hits: list[CodeHit] = []
    hs_codes: list[str] = []
    hs_found = _hs_matches(text, index) if cues.mentions(_HS_WORDS) else []
    ipc_found = _ipc_matches(text) if "/" in text or cues.mentions(_IPC_WORDS) else []
    for digits, start, evidence in hs_found:
        if len(digits) >= 4:
            hs_codes.append(f"HS {hs_display(digits)}")
        hits.extend(CodeHit(c, w, evidence, start) for c, w in index.hs_chains(digits))
    for sub, group, subgroup, start, label in ipc_found:
        hits.extend(
            CodeHit(c, w, f"IPC {label}", start) for c, w in index.ipc_chains(sub, group, subgroup)
        )
    return FoundCodes(hits, list(dict.fromkeys(hs_codes)))
