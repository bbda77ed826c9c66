"""Text cues and name normalisation for matching: regexes compiled once.

The tagger's tags come first; these cues are the fall-back when an item was tagged before a
tag existed (Schedule A flags, party provinces) or names a thing only in words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

import ahocorasick
import yaml
from pydantic import BaseModel, ConfigDict

from core.types import LocalizedName

ITC_337 = re.compile(r"\b337-TA-\d+", re.I)
MENTIONS_337 = re.compile(
    r"\bsection\s+337\b|\b337\s+investigation|337调查|337-TA-\d+|USITC DN \d+", re.I
)
SCHEDULE_A = re.compile(
    r"\bschedule\s+[\"“]?a[\"”]?\b|partnerships\s+and\s+unincorporated\s+associations|"
    r"附表\s*A|[“\"]?A表[”\"]?\s*(?:诉讼|案件|被告)|批量诉讼",
    re.I,
)
UPC = re.compile(r"unified\s+patent\s+court|\bUPC\b|统一专利法院", re.I)
INJUNCTION = re.compile(
    r"injunction|provisional\s+measures|einstweilige\s+verfügung|禁令|临时措施", re.I
)
GERMAN_COURT = re.compile(
    r"landgericht|\bLG\s+(?:münchen|munich|düsseldorf|mannheim|hamburg)|"
    r"regional\s+court\s+(?:of\s+)?(?:munich|düsseldorf|mannheim|hamburg)|"
    r"(?:munich|düsseldorf|mannheim)\s+regional\s+court|"
    r"german\s+court|德国.{0,8}法院|慕尼黑地区法院|杜塞尔多夫地区法院|曼海姆地区法院",
    re.I,
)
TRADE_FAIR = re.compile(
    r"trade\s+(?:fair|show)|\bmesse\b|exhibitor|展会|展览会|参展|"
    r"IFA\s+Berlin|Hannover\s+Messe|MEDICA|Automechanika|Intersolar",
    re.I,
)
CUSTOMS = re.compile(
    r"\bcustoms\b|\bCBP\b|border\s+(?:seizure|measures|detention)|detained|seiz(?:ed|ure)|"
    r"\bZoll|海关|扣押|扣留|查扣",
    re.I,
)
SQUATTING = re.compile(
    r"bad[- ]faith\s+(?:trade\s*mark\s+)?(?:registration|filing|application)s?|squatt|"
    r"pre-?emptive\s+registration|抢注|恶意注册|恶意抢注",
    re.I,
)
SEP = re.compile(r"standard[- ]essential|\bSEPs?\b|\bFRAND\b|标准必要专利|许可费率", re.I)
ITEM_CUES: dict[str, re.Pattern[str]] = {
    "is_337": MENTIONS_337,
    "is_schedule_a": SCHEDULE_A,
    "is_upc": UPC,
    "is_injunction": INJUNCTION,
    "is_german_court": GERMAN_COURT,
    "is_trade_fair": TRADE_FAIR,
    "is_customs": CUSTOMS,
    "is_squatting": SQUATTING,
    "is_sep": SEP,
}
"""The text cues an item's facts name (each case-insensitive, none with a capturing group)."""

CUE_LITERALS: dict[str, tuple[str, ...]] = {
    "is_337": ("337", "usitc"),
    "is_schedule_a": ("schedule", "partnerships", "附表", "a表", "批量诉讼"),
    "is_upc": ("unified", "upc", "统一专利法院"),
    "is_injunction": ("injunction", "provisional", "einstweilige", "禁令", "临时措施"),
    "is_german_court": ("landgericht", "lg", "regional", "german", "德国", "地区法院"),
    "is_trade_fair": (
        *("trade", "messe", "exhibitor", "ifa", "medica", "automechanika", "intersolar"),
        *("展会", "展览会", "参展"),
    ),
    "is_customs": (
        *("customs", "cbp", "border", "detained", "seiz", "zoll"),
        *("海关", "扣押", "扣留", "查扣"),
    ),
    "is_squatting": ("bad", "squatt", "emptive", "抢注", "恶意注册"),
    "is_sep": ("standard", "sep", "frand", "标准必要专利", "许可费率"),
}
"""Per cue, lower-case literals of which every match of its pattern holds one (one per
alternative of the pattern): a text holding none of them cannot match, and the scan skips the
cue. Python's regex engine has no literal shortcut for case-insensitive patterns, so one
Aho-Corasick pass over the lower-cased text (``Literals``) is much cheaper than a search."""

_UNFOLDED = re.compile("[\u0130\u0131\u017f]")
"""The characters that a case-insensitive pattern matches with an ASCII letter but that
``str.lower`` does not turn into it (İ, dotless ı, long ſ): a text holding one is scanned for
everything."""


def may_unfold(text: str) -> bool:
    """Whether ``text`` holds a character of ``_UNFOLDED`` (never when it is ASCII)."""
    return not text.isascii() and _UNFOLDED.search(text) is not None


class Literals:
    """Names (of cues, of standards) with the lower-case literals one of which each match of
    theirs holds; ``possible`` tells, in one Aho-Corasick pass, which names may match a text
    (the others cannot)."""

    def __init__(self, literals: Mapping[str, Iterable[str]]) -> None:
        self.names = tuple(literals)
        owners: dict[str, int] = {}  # literal -> a bit per name holding it (bit n: names[n])
        for n, name in enumerate(self.names):
            for literal in literals[name]:
                owners[literal.lower()] = owners.get(literal.lower(), 0) | 1 << n
        self._automaton = ahocorasick.Automaton()
        for literal, bits in owners.items():
            self._automaton.add_word(literal, bits)
        if owners:
            self._automaton.make_automaton()

    def possible(self, text: str) -> tuple[str, ...]:
        """The names one of whose literals occurs in ``text`` ignoring case, in their order
        (all of them when a character of ``_UNFOLDED`` keeps the test from telling)."""
        if may_unfold(text):
            return self.names
        return self.named(self.found(text.lower()))

    def found(self, lower: str, limited: int = 0, limit: int = 0) -> int:
        """A bit per name one of whose literals occurs in ``lower`` (lower case; bit n:
        ``names[n]``); the names of the ``limited`` bits count only literals ending before
        ``limit``."""
        found = 0
        if not len(self._automaton):  # no literals at all (an empty automaton cannot scan)
            return found
        for end, bits in self._automaton.iter(lower):
            if end >= limit:
                bits &= ~limited
            found |= bits
        return found

    def named(self, bits: int) -> tuple[str, ...]:
        """The names of these bits, in their order (one step per bit set: few are; bits
        past the names are left out)."""
        bits &= (1 << len(self.names)) - 1
        names = []
        while bits:
            low = bits & -bits
            names.append(self.names[low.bit_length() - 1])
            bits ^= low
        return tuple(names)


_CUE_LITERALS = Literals(CUE_LITERALS)


@lru_cache(maxsize=512)
def _cue_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation of the named cues, each a group named after it."""
    return re.compile("|".join(f"(?P<{n}>{ITEM_CUES[n].pattern})" for n in names), re.I)


def cues_in(text: str, possible: tuple[str, ...] | None = None) -> frozenset[str]:
    """The ``ITEM_CUES`` that occur in ``text``: the same answer as searching each pattern.

    One scan of an alternation instead of nine: the first match is the earliest position any
    cue matches at, and its group names the first cue (in order) that matches there; the scan
    then goes on from that position with that cue left out, so cues matching at the same or
    overlapping places are found too. Cues none of whose literals occur are not scanned for
    (``CUE_LITERALS``; ``possible``: those that may occur, when already known, in
    ``ITEM_CUES`` order, as ``item_literals`` tells).
    """
    left = _CUE_LITERALS.possible(text) if possible is None else possible
    found: list[str] = []
    start = 0
    while left:
        hit = _cue_pattern(left).search(text, start)
        if hit is None or hit.lastgroup is None:
            break
        found.append(hit.lastgroup)
        left = tuple(n for n in left if n != hit.lastgroup)
        start = hit.start()
    return frozenset(found)


JIANGSU = re.compile(
    r"jiangsu|江苏|wuxi|无锡|suzhou|苏州|nanjing|南京|changzhou|常州|nantong|南通|kunshan|昆山|"
    r"jiangyin|江阴|yixing|宜兴|zhangjiagang|张家港|changshu|常熟|yangzhou|扬州|zhenjiang|镇江|"
    r"xuzhou|徐州|yancheng|盐城|lianyungang|连云港|huai'?an|淮安|suqian|宿迁|taizhou,?\s+jiangsu|泰州",
    re.I,
)
WUXI = re.compile(r"wuxi|无锡|jiangyin|江阴|yixing|宜兴", re.I)
PLACE_LITERALS = (
    *("jiangsu", "江苏", "wuxi", "无锡", "suzhou", "苏州", "nanjing", "南京", "changzhou"),
    *("常州", "nantong", "南通", "kunshan", "昆山", "jiangyin", "江阴", "yixing", "宜兴"),
    *("zhangjiagang", "张家港", "changshu", "常熟", "yangzhou", "扬州", "zhenjiang", "镇江"),
    *("xuzhou", "徐州", "yancheng", "盐城", "lianyungang", "连云港", "huai", "淮安", "suqian"),
    *("宿迁", "taizhou", "泰州"),
)
"""Lower-case literals of which every match of ``JIANGSU`` holds one (one per alternative);
every alternative of ``WUXI`` is one of ``JIANGSU``'s, so a place holding none of them
matches neither."""
_PLACE_LITERALS = Literals({"place": PLACE_LITERALS})


def place_cues(place: str) -> tuple[bool, bool]:
    """Whether ``place`` matches ``JIANGSU``, and whether it matches ``WUXI``: the same
    answers as searching each pattern, which runs only when one of ``PLACE_LITERALS``
    occurs (the search for a long case-insensitive alternation costs several microseconds
    per party, and few places are in Jiangsu)."""
    if not _PLACE_LITERALS.possible(place):
        return False, False
    return JIANGSU.search(place) is not None, WUXI.search(place) is not None


HS_CODE = re.compile(
    r"(?:\b(?:HS|HTS|HTSUS|HTS\s*US|CN\s+code|heading|subheading|tariff\s+(?:item|number))\s*"
    r"(?:code|no\.?|number)?\s*:?\s*|税则号列?\s*|税号\s*|海关编码\s*|商品编码\s*)"
    r"(\d{4}(?:\.\d{2}){0,3})\b|\b(\d{4}\.\d{2}\.\d{2,4})\b",
    re.I,
)

_LEGAL_SUFFIXES = re.compile(
    r"\b(?:co|company|corp|corporation|inc|incorporated|ltd|limited|llc|l\.l\.c|gmbh|ag|sa|"
    r"s\.a|bv|b\.v|plc|kk|k\.k|oy|ab|spa|srl|pte|pty|lp|llp|the)\b\.?"
)
_ZH_SUFFIXES = re.compile(r"(?:股份有限公司|有限责任公司|有限公司|集团|公司)$")
_NON_WORD = re.compile(r"[^\w\u4e00-\u9fff]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Tokens too common among company names to block candidates on.
STOP_TOKENS = frozenset(
    [
        "wuxi",
        "jiangsu",
        "china",
        "chinese",
        "shenzhen",
        "shanghai",
        "beijing",
        "suzhou",
        "technology",
        "technologies",
        "tech",
        "group",
        "holding",
        "holdings",
        "international",
        "industrial",
        "industry",
        "industries",
        "electronic",
        "electronics",
        "trading",
        "import",
        "export",
        "new",
        "energy",
        "science",
        "systems",
        "system",
        "network",
        "networks",
        "global",
        "us",
        "usa",
        "america",
        "american",
        "de",
        "hong",
        "kong",
        "and",
        "of",
    ]
)
ZH_STOP_BIGRAMS = frozenset(
    [
        "无锡",
        "江苏",
        "中国",
        "科技",
        "技术",
        "电子",
        "网络",
        "设备",
        "能源",
        "新能",
        "医疗",
        "智能",
        "有限",
        "股份",
        "深圳",
        "上海",
        "北京",
        "苏州",
        "工业",
        "实业",
        "贸易",
    ]
)


def normalise_name(name: str) -> str:
    """A company name reduced for comparison: lower case, no legal form, no punctuation."""
    text = unicodedata.normalize("NFKC", name).lower().strip()
    text = _ZH_SUFFIXES.sub("", text)
    text = _LEGAL_SUFFIXES.sub(" ", text)
    return " ".join(_NON_WORD.sub(" ", text).split())


def sorted_words(normalised: str) -> str:
    """A normalised name with its words in sorted order: what ``fuzz.token_sort_ratio``
    compares, so that names kept this way are compared with the plain ``fuzz.ratio`` (the
    same scores, without sorting every name again on every comparison)."""
    return " ".join(sorted(normalised.split()))


_LAST_WORD = re.compile(r"(?<![a-z0-9])[a-z]{3,}$")
_UNCOUNTED = frozenset(
    [
        "software",
        "hardware",
        "firmware",
        "equipment",
        "machinery",
        "data",
        "information",
        "news",
        "series",
        "species",
    ]
)


def number_forms(lower: str) -> tuple[str, ...]:
    """The other grammatical number of a lower-case English term, by its last word
    ("network switch" -> "network switches", "lithium batteries" -> "lithium battery"), or
    nothing (Chinese, a last word of digits or under three letters, an uncountable noun).
    Regular English only, which is how product names inflect; a wrong form for an irregular
    word costs a lookup that never matches. (``inflect`` was measured: 8.6 s to import here,
    0.3-4.6 ms a word, and "bus" -> "bu".)"""
    found = _LAST_WORD.search(lower)
    if found is None or has_cjk(lower):
        return ()
    word, head = found.group(), lower[: found.start()]
    if word in _UNCOUNTED:
        return ()
    if word.endswith(("ss", "us", "sh", "ch", "x", "z")):
        other = word + "es"
    elif word.endswith("is"):
        other = word[:-2] + "es"  # analysis -> analyses
    elif word.endswith("ies") and len(word) > 4:
        other = word[:-3] + "y"
    elif word.endswith(("sses", "ches", "shes", "xes", "zes")):
        other = word[:-2]
    elif word.endswith("s"):
        other = word[:-1]
    elif word.endswith("y") and word[-2] not in "aeiou":
        other = word[:-1] + "ies"
    else:
        other = word + "s"
    return (head + other,)


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a Chinese character (U+4E00 to U+9FFF)."""
    return not text.isascii() and _CJK.search(text) is not None


def block_keys(normalised: str) -> set[str]:
    """Keys that a party name and a profile name must share to be compared at all."""
    keys = {t for t in normalised.split() if len(t) >= 3 and t not in STOP_TOKENS}
    for token in normalised.split():
        if _CJK.search(token):
            keys |= {
                token[i : i + 2]
                for i in range(len(token) - 1)
                if token[i : i + 2] not in ZH_STOP_BIGRAMS
            }
    return keys


_FOUR_DIGITS = re.compile(r"\d\d\d\d")
"""What every ``HS_CODE`` match holds; most texts have none and skip the slower pattern."""


def hs_codes_in(text: str) -> list[str]:
    """HS / HTS codes named in the text, digits only (``8507.60`` -> ``850760``)."""
    if not _FOUR_DIGITS.search(text):
        return []
    codes = {(m.group(1) or m.group(2)).replace(".", "") for m in HS_CODE.finditer(text)}
    return sorted(codes)


def hs_digits(code: str) -> str:
    """An HS code with its dots removed."""
    return code.replace(".", "").replace(" ", "")


class Standard(BaseModel):
    """A standard with declared essential patents, and the terms that name it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: LocalizedName
    terms: list[str]


@lru_cache(maxsize=1)
def standards() -> dict[str, Standard]:
    """The standards in ``standards.yml`` by id."""
    path = Path(__file__).resolve().parent / "standards.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {k: Standard.model_validate(v) for k, v in data["standards"].items()}


@lru_cache(maxsize=64)
def _standards_pattern(ids: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation of the terms of the standards ``ids`` (in ``standards.yml`` order),
    each group named after its standard."""
    groups = []
    for n, (sid, standard) in enumerate(standards().items()):
        if sid not in ids:
            continue
        alternatives = "|".join(
            re.escape(t) if _CJK.search(t) else rf"(?<![\w-]){re.escape(t)}(?![\w-])"
            for t in sorted(standard.terms, key=len, reverse=True)
        )
        groups.append(f"(?P<s{n}_{sid}>{alternatives})")
    return re.compile("|".join(groups), re.I)


def _shortest(terms: Iterable[str]) -> tuple[str, ...]:
    """The terms in lower case, leaving out those that hold a shorter one."""
    kept: list[str] = []
    for term in sorted({t.lower() for t in terms}, key=len):
        if not any(shorter in term for shorter in kept):
            kept.append(term)
    return tuple(kept)


@lru_cache(maxsize=1)
def _standard_literals() -> Literals:
    """Per standard, the literals of which every match of its terms holds one."""
    return Literals({sid: _shortest(s.terms) for sid, s in standards().items()})


def standards_in(text: str, possible: tuple[str, ...] | None = None) -> list[str]:
    """Ids of the standards the text names, in the order of ``standards.yml``.

    Only the standards whose terms occur at all are searched for (``possible``: those that
    may occur, when already known): one that cannot match anywhere changes no match of the
    alternation, so the answer is the same as with all.
    """
    if possible is None:
        possible = _standard_literals().possible(text)
    if not possible:
        return []
    found = {
        m.lastgroup.split("_", 1)[1]
        for m in _standards_pattern(possible).finditer(text)
        if m.lastgroup
    }
    return [sid for sid in standards() if sid in found]


CUE_SPAN = 4000
"""The cues of an item are looked for in this many characters from the start of its text."""


@lru_cache(maxsize=1)
def _item_literals() -> Literals:
    """The literals of the cues and of the standards in one automaton: cues first (as
    ``"cue <name>"``, in ``ITEM_CUES`` order), then standards in ``standards.yml`` order."""
    cues = {f"cue {name}": CUE_LITERALS[name] for name in ITEM_CUES}
    return Literals({**cues, **{sid: _shortest(s.terms) for sid, s in standards().items()}})


def item_literals(original: str, lower: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The cues (in the first ``CUE_SPAN`` characters) and the standards that may occur in
    an item's text, as ``cues_in`` and ``standards_in`` would find out on their own, in one
    Aho-Corasick pass over ``lower`` (``original`` lower-cased letter by letter)."""
    if may_unfold(original):
        return tuple(ITEM_CUES), tuple(standards())
    cues = (1 << len(ITEM_CUES)) - 1  # the bits of the cues, numbered first
    literals = _item_literals()
    found = literals.found(lower, cues, CUE_SPAN)
    return (
        tuple(name[4:] for name in literals.named(found & cues)),
        literals.named(found & ~cues),
    )
