"""USITC news releases on Section 337 investigations: the listing spider plus the parties.

An institution release reads (the format the USITC has used for years)::

    The investigation is based on a complaint filed by Examplion Battery Corp., of Austin,
    TX, on May 9, 2025. The complaint alleges violations of section 337 ... that infringe
    patents asserted by the complainant. ...
    The USITC has identified the following as respondents in this investigation:
    Ningbo Sample Power Co., Ltd., of Ningbo, Zhejiang, China;
    Wuxi Example Cell Technology Co., Ltd., of Wuxi, Jiangsu, China; and
    ...
    By instituting this investigation (337-TA-1951), the USITC has not yet made any decision
    on the merits of the case.

Some releases write "The respondents are:" and list them in one paragraph; both are read.
Each party keeps its role and stated location; a party in China, Hong Kong or Macao is
flagged ``chinese``. Case references are the investigation numbers as written
(``337-TA-1951``). IP types come from what the complaint says is infringed.
"""

from __future__ import annotations

import re
from typing import Any

from core.types import ItemKind, ItemRecord, Party
from crawlers.context import Lookup, ParseContext
from crawlers.spiders.countries import CHINESE, country_code, us_state
from crawlers.spiders.listing import ListingSpider

INVESTIGATION = re.compile(r"\b337-TA-\d{3,4}(?:-\d{1,4})?\b")
COMPLAINANTS = re.compile(
    r"based on a complaint filed by (?P<parties>.+?),? on (?:[A-Z][a-z]+\.? \d{1,2}, \d{4})",
    re.DOTALL,
)
RESPONDENTS = re.compile(
    r"(?:identified the following as respondents in this investigation|"
    r"The respondents are)\s*:\s*(?P<parties>.+?)(?:\n\s*By instituting|\Z)",
    re.DOTALL,
)
ALLEGED = re.compile(r"that infringe (?P<rights>.+?) asserted by", re.DOTALL)
TITLE_VERB = re.compile(r"^USITC\s+(?P<verb>[A-Z][a-z]+)")
SEPARATOR = re.compile(r";\s*(?:and\s+)?")

RELEASE_KINDS: Lookup[ItemKind] = Lookup(
    "usitc_release_verb",
    {
        "Institutes": ItemKind.DISPUTE,
        "Issues": ItemKind.DECISION,
        "Finds": ItemKind.DECISION,
        "Determines": ItemKind.DECISION,
        "Terminates": ItemKind.DECISION,
        "Votes": ItemKind.DECISION,
    },
)
IP_CUES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bpatents?\b", re.IGNORECASE), "patent"),
    (re.compile(r"\btrademarks?\b|\btrade dress\b", re.IGNORECASE), "trademark"),
    (re.compile(r"\bcopyrights?\b", re.IGNORECASE), "copyright"),
    (re.compile(r"\btrade secrets?\b", re.IGNORECASE), "trade_secret"),
)


class UsitcNewsSpider(ListingSpider):
    """USITC news releases, with investigation numbers, parties and infringed rights."""

    def refine_item(self, item: ItemRecord, entry: Any, ctx: ParseContext) -> ItemRecord | None:
        """Add what the release says about the investigation."""
        return refine_release(item, ctx)


def refine_release(item: ItemRecord, ctx: ParseContext) -> ItemRecord:
    """The item with its investigation numbers, parties, IP types and kind."""
    text = item.body or item.summary
    verb = TITLE_VERB.match(item.title)
    kind = RELEASE_KINDS.get(verb["verb"] if verb else item.title, ctx) or ctx.source.kind
    parties = [
        *parties_in(COMPLAINANTS, text, "complainant", ctx),
        *parties_in(RESPONDENTS, text, "respondent", ctx),
    ]
    if kind is ItemKind.DISPUTE and not parties:
        ctx.problem("item", f"release {item.raw_ref!r} names no complainant or respondent")
    return item.model_copy(
        update={
            "case_refs": list(dict.fromkeys(INVESTIGATION.findall(f"{item.title}\n{text}"))),
            "parties": parties,
            "ip_types": ip_types_alleged(text) or list(ctx.source.ip_types),
            "kind": kind,
        }
    )


def parties_in(pattern: re.Pattern[str], text: str, role: str, ctx: ParseContext) -> list[Party]:
    """The parties of one role listed where ``pattern`` finds them."""
    match = pattern.search(text)
    if match is None:
        return []
    listed = " ".join(match["parties"].split()).rstrip(".")
    return [party_of(stated, role, ctx) for stated in SEPARATOR.split(listed) if stated.strip(" ,")]


def party_of(stated: str, role: str, ctx: ParseContext) -> Party:
    """``Name, of City, Province, Country`` as a party with its stated location."""
    stated = stated.strip(" ,")
    separator = ", of " if ", of " in stated else " of "
    if separator not in stated:
        return Party(name=stated, role=role)
    name, location = stated.rsplit(separator, 1)
    return Party(
        name=name.strip(" ,"),
        role=role,
        location=location.strip(),
        chinese=location_country(location, ctx) in CHINESE,
    )


def location_country(location: str, ctx: ParseContext) -> str | None:
    """The country of a stated location: its last part (a U.S. state means the U.S.)."""
    last = location.rsplit(",", 1)[-1].strip()
    if us_state(last):
        return "US"
    code = country_code(last)
    if code is None:
        ctx.count_unmapped("country", last)
    return code


def ip_types_alleged(text: str) -> list[str]:
    """The IP types the complaint says are infringed, in a fixed order."""
    match = ALLEGED.search(text)
    if match is None:
        return []
    return [ip_type for cue, ip_type in IP_CUES if cue.search(match["rights"])]
