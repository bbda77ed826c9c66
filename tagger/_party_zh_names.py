"""Chinese company names anywhere in a text ("认定常州风行车业有限公司侵犯…",
"无锡示例药业有限公司、浙江某医药股份有限公司为列名被申请人"), with the role the words around
them give.

Chinese news rarely labels every party ("申请人：X"); it names firms in running text. A name
is read back from its company suffix (有限公司, 公司, 集团) to the nearest punctuation, then
cut after the last verb or particle that cannot be part of it (认定, 针对, 由, 应 …) and, when
a place name follows that cut, started at the place ("…扣留一批由江苏某储能科技有限公司…").
Unnamed or generic firms (该公司, 某公司, 中国公司, 一家企业) are not parties; "企业" alone is
no company suffix ("中国原料药企业" is a description, not a name).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from tagger._party_text import RawParty
from tagger.taxonomy import load_taxonomy

_SUFFIX = re.compile(r"股份有限公司|有限责任公司|集团有限公司|有限公司|集团公司|集团|公司")
_NAME_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z0-9·&（）()\-]")
_MAX_NAME = 30
_MAX_SUFFIXES = 400
"""Company suffixes read per text (a news item names a few dozen firms at most)."""
_BOUNDARIES = (
    "被申请人",
    "申请人",
    "被告",
    "原告",
    "上诉人",
    "请求人",
    "专利权人",
    "撤销",
    "包括",
    "认定",
    "裁定",
    "判决",
    "判定",
    "禁止",
    "针对",
    "撤回",
    "起诉",
    "指控",
    "要求",
    "宣布",
    "收到",
    "聘请",
    "一批由",
    "由",
    "对",
    "向",
    "与",
    "和",
    "及",
    "应",
    "称",
    "将",
    "据",
    "使",
    "让",
    "令",
    "企业",
    "卖家",
    "厂商",
    "品牌",
    "商标",
    "其中",
    "以及",
    "并",
)
"""Words that end what comes before a name: the name starts after the last of them."""
_GENERIC_WORDS = ("一家", "多家", "两家", "数家", "当地", "本地", "该")
"""A name holding one of these is a description ("滨湖区一家动画电影制作公司")."""
_GENERIC_STARTS = (
    "某",
    "该",
    "其",
    "本",
    "此",
    "这",
    "那",
    "每",
    "各",
    "多家",
    "一家",
    "两家",
    "数家",
    "几家",
    "部分",
    "子",
    "分",
    "母",
    "上市",
    "跨国",
    "外国",
    "外资",
    "国内",
    "国外",
    "境外",
    "海外",
    "相关",
    "涉案",
    "当地",
    "科技",
    "有限",
    "贸易",
    "物流",
    "电商",
    "律师",
    "会计",
    "保险",
    "咨询",
    "控股",
)
_ROLE_BEFORE = re.compile(
    r"(?P<role>被申请人|申请人|被申诉人|申诉人|原告|被告|被上诉人|上诉人|请求人|被请求人|专利权人)"
    r"(?:包括|为|是|系)?\s*[:：]?\s*$"
)
_ROLE_AFTER = re.compile(
    r"^(?:、[^，。；、\n]{2,40}?(?:公司|集团))*(?:等)?(?:\d+家)?(?:中国)?(?:企业)?"
    r"(?:被列为|列为|为|系|作为|成为)?(?:列名|涉案)?"
    r"(?P<role>被申请人|被申诉人|被告|被上诉人|申请人|原告|涉案)"
)
_APPLIED = re.compile(r"应$")
"""应X申请: X applied (the complainant)."""
_ACCUSES = re.compile(r"^(?:向[^，。；]{2,20}?)?(?:指控|指称|状告|起诉|提起|提出|申请对)")
"""X指控… / X向…提出…: X brings the case (the complainant)."""
_LIST_JOINS = frozenset(["、", "和", "及", "以及", "与"])
_TARGETED = re.compile(r"(?:针对|起诉)$")
"""针对X / 起诉X: the case is against X (respondent in a 337 case, else defendant)."""
_WITHDRAWS = re.compile(r"^撤回")
_SUED = re.compile(r"^(?:在[^，。；、]{1,8}?)?(?:被诉|被起诉|遭起诉|被告上)")
"""X(在美)被诉…: the case is against X."""
_ENJOINED = re.compile(r"(?:禁止|责令)$")
_ENJOINED_BY = re.compile(r"^(?:颁发|发布|发出|签发|作出)(?:临时)?禁令")
"""禁止X… / 对X颁发临时禁令: the measures are against X."""
_UPC_WORDS = ("统一专利法院", "UPC")
_PROVISIONAL = ("禁令", "行为保全", "诉前保全", "证据保全", "财产保全")
"""A court's provisional measures: whoever asks for one is its applicant."""
ROLE_NAMES = {
    "申请人": "complainant",
    "申诉人": "complainant",
    "被申请人": "respondent",
    "被申诉人": "respondent",
    "原告": "plaintiff",
    "被告": "defendant",
    "上诉人": "appellant",
    "被上诉人": "appellee",
    "请求人": "petitioner",
    "被请求人": "patent_owner",
    "专利权人": "patent_owner",
}
"""Chinese role words and the role each names."""
_ROLE_NAMES = {**ROLE_NAMES, "涉案": "respondent"}


@dataclass(frozen=True, slots=True)
class _Places:
    pattern: re.Pattern[str]
    foreign: re.Pattern[str]
    names: frozenset[str]


@lru_cache(maxsize=1)
def _places() -> _Places:
    taxonomy = load_taxonomy()
    chinese = [
        *taxonomy.places.country_names.zh,
        *(p.zh for p in taxonomy.places.provinces),
        *(c.zh for c in taxonomy.places.cities),
    ]
    foreign = [
        name
        for code, cues in taxonomy.jurisdictions.items()
        if code not in {"CN", "HK", "MO", "UPC", "EPO", "EUIPO", "WIPO"}
        for name in cues.zh
        if name.endswith("国") or len(name) <= 4
        if not name.isascii()
    ]
    names = sorted({n for n in [*chinese, *foreign] if not n.isascii()}, key=len, reverse=True)
    countries = sorted({n for n in foreign if n.endswith("国")}, key=len, reverse=True)
    return _Places(
        re.compile("|".join(map(re.escape, names))),
        re.compile("^(?:" + "|".join(map(re.escape, countries)) + ")(?=[A-Za-z])"),
        frozenset(names),
    )


def _window_start(text: str, end: int) -> int:
    start = end
    while start > 0 and end - start < _MAX_NAME and _NAME_CHAR.match(text, start - 1):
        start -= 1
    return start


def _after_boundaries(text: str, start: int, end: int) -> int:
    """Where the name starts: after the last boundary word in text[start:end], then at the
    first place name after it, if any."""
    window = text[start:end]
    cut = 0
    for word in _BOUNDARIES:
        index = window.rfind(word)
        if index >= 0:
            cut = max(cut, index + len(word))
    place = _places().pattern.search(window, cut)
    skipped = window[cut : place.start()] if place is not None else ""
    if place is not None and not skipped.startswith("某") and not set(skipped) & set("(（"):
        cut = place.start()
    return start + cut


def _is_generic(core: str) -> bool:
    """An unnamed or generic firm: nothing but a place, "某", or a pronoun before the
    suffix."""
    if len(core) < 2 or core.endswith("某") or core.startswith(_GENERIC_STARTS):
        return True
    if any(word in core for word in _GENERIC_WORDS):
        return True
    rest = _places().pattern.sub("", core)
    return not rest or rest in {"某", "一", "的", "省", "市"}


def role_of(word: str, text: str) -> str:
    """The role a Chinese role word names in this text: 申请人 asks a court for provisional
    measures (an injunction, 行为保全) outside 337 cases, else it brings a 337 complaint."""
    role = _ROLE_NAMES[word]
    if role == "complainant" and word == "申请人" and _applies_for_measures(text):
        return "applicant"
    return role


def _before_a_court(text: str) -> bool:
    """A case in a court (not a 337 investigation): whoever brings it is the plaintiff."""
    return "法院" in text and "337" not in text and "国际贸易委员会" not in text


def _applies_for_measures(text: str) -> bool:
    return "337" not in text and any(word in text for word in _PROVISIONAL)


def _role(text: str, start: int, end: int) -> str | None:
    before = _ROLE_BEFORE.search(text, max(0, start - 10), start)
    if before is not None:
        return role_of(before.group("role"), text)
    if _APPLIED.search(text, max(0, start - 1), start) and text.startswith("申请", end):
        return "applicant" if _applies_for_measures(text) else "complainant"
    after = _ROLE_AFTER.match(text[end : end + 200])
    if after is not None:
        return role_of(after.group("role"), text)
    if _ACCUSES.match(text[end : end + 24]) or _WITHDRAWS.match(text[end : end + 2]):
        return "plaintiff" if _before_a_court(text) else "complainant"
    if _TARGETED.search(text, max(0, start - 2), start) or _SUED.match(text[end : end + 12]):
        return "respondent" if "337" in text else "defendant"
    if _is_enjoined(text, start, end) and any(word in text for word in _UPC_WORDS):
        return "defendant"  # the UPC's Rules of Procedure (R.206, R.209) say so
    return None


def _is_enjoined(text: str, start: int, end: int) -> bool:
    """Whether an injunction is against the firm at text[start:end] ("禁止X在德国销售",
    "对X颁发临时禁令"). Only in a UPC item is that its role word: the UPC calls the firm the
    defendant, a Chinese court's 行为保全 the 被申请人 (which the text then says), and other
    courts' words are not known here."""
    if _ENJOINED.search(text, max(0, start - 2), start):
        return True
    return text[start - 1 : start] == "对" and _ENJOINED_BY.match(text[end : end + 8]) is not None


def from_company_names(text: str) -> Iterator[RawParty]:
    """Firms named with a Chinese company suffix, in order, with their role where the text
    states one; a country before a Latin name is its location ("德国Brenner机械公司")."""
    previous: RawParty | None = None
    for count, match in enumerate(_SUFFIX.finditer(text)):
        if count >= _MAX_SUFFIXES:
            return
        low = _window_start(text, match.start())
        start = _after_boundaries(text, low, match.start())
        core = text[start : match.start()]
        if _is_generic(core):
            continue
        role = _role(text, start, match.end())
        location = None
        country = _places().foreign.match(core)
        if country is not None:
            location, start = country.group(0), start + country.end()
        joined = previous is not None and text[previous.span[1] : start] in _LIST_JOINS
        if role is None and previous is not None and joined:
            role = previous.role  # "被申请人包括A、B": B is listed with A
        previous = RawParty(text[start : match.end()], role, location, (start, match.end()))
        yield previous
