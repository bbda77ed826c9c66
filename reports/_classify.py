"""Classifying stored items for reports: dispute venue, rule-change category, the parties'
sides, and whether Chinese or Jiangsu parties are involved.

Each classification is a lookup over the item's tags (case references, flags, signals), its
source and a few title cues, in a fixed order of precedence, so a reader can tell why an item
was counted where it was.
"""

from __future__ import annotations

import re
from typing import Any

VENUES = ("itc337", "district_court", "schedule_a", "upc", "customs", "other")
"""Dispute venues, in the order reports show them."""

RULE_CATEGORIES = ("law", "office_practice", "customs", "court_practice")
"""Categories of rule changes."""

DISPUTE_KINDS = ("dispute", "decision", "enforcement")
"""Item kinds counted as disputes."""

_ITC_REF = re.compile(r"^337-TA-\d+", re.IGNORECASE)
_UPC_REF = re.compile(r"^(?:UPC_|ACT_|APL_|ORD_|App_|CC_)")
_DOCKET_REF = re.compile(r"\d{2}-(?:cv|mc)-\d+", re.IGNORECASE)
_SCHEDULE_A = re.compile(
    r"schedule\s+a\b|partnerships\s+and\s+unincorporated\s+associations|附表\s*A", re.IGNORECASE
)
_ITC_TEXT = re.compile(r"section\s+337|337\s*调查|337-TA-", re.IGNORECASE)
_CUSTOMS_TEXT = re.compile(
    r"\bcustoms\b|\bCBP\b|border\s+(?:measure|seizure|enforcement)|detention|海关|边境",
    re.IGNORECASE,
)
_COURT_TEXT = re.compile(
    r"\bcourt\b|\bjudg(?:e|ment)\b|\bruling\b|\bCAFC\b|Federal Circuit|法院|判决|判例",
    re.IGNORECASE,
)
_LAW_TEXT = re.compile(
    r"\b(?:act|law|regulation|directive|statute|bill|treaty|decree)\b|法律|条例|法规|规定|修正",
    re.IGNORECASE,
)

_SOURCE_VENUE = {
    "usitc_337_news": "itc337",
    "courtlistener_recap": "district_court",
    "upc_decisions": "upc",
}
_SOURCE_RULE_CATEGORY = {
    "eu_official_journal": "law",
    "wipo_lex": "law",
    "cafc_opinions": "court_practice",
    "upc_decisions": "court_practice",
    "uspto_ptab": "office_practice",
    "ukipo_govuk": "office_practice",
    "jpo_news": "office_practice",
    "kipo_news": "office_practice",
    "india_cgpdtm_notices": "office_practice",
    "euipo_news": "office_practice",
}

# Every role the tagger and the crawlers emit (tagger._party_text, tagger._party_zh_names, the
# UPC's claimant/applicant/appellant against defendant/respondent), by side.
CLAIMANT_ROLES = frozenset(
    {"plaintiff", "complainant", "claimant", "petitioner", "applicant", "appellant"}
)
DEFENDANT_ROLES = frozenset({"defendant", "respondent", "appellee", "patent_owner"})
COUNSEL_ROLES = frozenset({"counsel", "law_firm", "attorney"})
_JIANGSU = ("jiangsu", "江苏")
_WUXI = ("wuxi", "无锡")


def _tags(row: dict[str, Any]) -> dict[str, Any]:
    tags = row.get("tags")
    return tags if isinstance(tags, dict) else {}


def case_refs(row: dict[str, Any]) -> list[str]:
    """The item's case references, from its tags or, untagged, from the crawler."""
    refs = _tags(row).get("case_refs") or row.get("case_refs") or []
    return [str(ref) for ref in refs]


def parties(row: dict[str, Any]) -> list[dict[str, Any]]:
    """The item's parties, from its tags or, untagged, from the crawler."""
    if (known := row.get("_parties")) is not None:
        return list(known)
    found = _tags(row).get("parties") or row.get("parties") or []
    return [p for p in found if isinstance(p, dict) and p.get("name")]


def signals(row: dict[str, Any]) -> list[dict[str, Any]]:
    """The procedural signals the tagger found (type, date)."""
    return [s for s in _tags(row).get("signals") or [] if isinstance(s, dict)]


def chain_ids(row: dict[str, Any]) -> list[str]:
    """The industry chains the item was tagged with, best first."""
    return [str(c["id"]) for c in _tags(row).get("chains") or [] if isinstance(c, dict)]


def classify_venue(row: dict[str, Any]) -> str:
    """The venue of a dispute item: Schedule A first (it is also a district-court case), then
    a 337 investigation, the UPC, customs, a district court, else ``other``."""
    refs = case_refs(row)
    title = str(row.get("title") or "")
    if "schedule_a" in (_tags(row).get("flags") or []) or _SCHEDULE_A.search(title):
        return "schedule_a"
    if any(_ITC_REF.match(ref) for ref in refs) or _ITC_TEXT.search(title):
        return "itc337"
    source_venue = _SOURCE_VENUE.get(str(row.get("source_id")))
    if source_venue == "itc337":
        return source_venue
    if any(_UPC_REF.match(ref) for ref in refs) or source_venue == "upc":
        return "upc"
    if any(s.get("type") == "customs_detention" for s in signals(row)) or (
        row.get("kind") == "enforcement" and _CUSTOMS_TEXT.search(title)
    ):
        return "customs"
    if any(_DOCKET_REF.search(ref) for ref in refs) or source_venue == "district_court":
        return "district_court"
    return "other"


def annotated(row: dict[str, Any]) -> dict[str, Any]:
    """A copy of the row with its parties, venue, chains and the parties' origin worked out
    once (keys ``_parties``, ``_venue``, ``_chains``, ``_chinese``, ``_jiangsu``): a briefing
    counts thousands of rows several ways."""
    found = parties(row)
    return {
        **row,
        "_parties": found,
        "_venue": classify_venue(row),
        "_chains": chain_ids(row),
        "_chinese": any(p.get("chinese") for p in found),
        "_jiangsu": _any_in_jiangsu(found),
    }


def classify_rule_change(row: dict[str, Any]) -> str:
    """The category of a rule change: customs and court cues in the title win, then the
    source's usual category, then law cues; office practice otherwise."""
    title = str(row.get("title") or "")
    if _CUSTOMS_TEXT.search(title):
        return "customs"
    if _COURT_TEXT.search(title):
        return "court_practice"
    by_source = _SOURCE_RULE_CATEGORY.get(str(row.get("source_id")))
    if by_source:
        return by_source
    return "law" if _LAW_TEXT.search(title) else "office_practice"


def involves_chinese(row: dict[str, Any]) -> bool:
    """Whether a party is Chinese (as the tagger decided from names and stated locations)."""
    return any(p.get("chinese") for p in parties(row))


def involves_jiangsu(row: dict[str, Any]) -> bool:
    """Whether a party is stated to be in Jiangsu province."""
    return _any_in_jiangsu(parties(row))


def party_locality(party: dict[str, Any]) -> int:
    """How close a party is to the users (Wuxi exporters): 3 in Wuxi, 2 in Jiangsu, 1
    elsewhere in China, 0 otherwise; a stated place or the name itself may tell."""
    place = " ".join(
        str(party.get(key) or "") for key in ("province", "city", "location", "name")
    ).lower()
    if any(word in place for word in _WUXI):
        return 3
    if any(word in place for word in _JIANGSU):
        return 2
    return 1 if party.get("chinese") else 0


def _any_in_jiangsu(found: list[dict[str, Any]]) -> bool:
    for party in found:
        place = f"{party.get('province') or ''} {party.get('location') or ''}".lower()
        if any(word in place for word in _JIANGSU):
            return True
    return False
