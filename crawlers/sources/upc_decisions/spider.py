"""UPC decisions and orders: the listing spider plus case numbers, division, action, parties.

Each row of the court's table reads::

    Date | Registry number/Order reference | Court | Type of action | Parties | UPC Document
    16 June, 2025 | UPC_CFI_1931/2025 ACT_99123/2025 ORD_99456/2025 (Full Details)
                  | Local Division Munich | Infringement action
                  | Examplar Medical GmbH v. Sample Devices (Shenzhen) Co., Ltd. | Order

Case references are the court's numbers as written (``UPC_CFI_1931/2025``, ``ACT_99123/2025``,
``ORD_99456/2025``). The division and the type of action map through lookup tables (an
unknown one is counted and shown as written); the action says what the two sides are called
(claimant/defendant, applicant/defendant, appellant/respondent). Parties are listed one per
line, the sides divided by a ``v.`` line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from core.types import ItemRecord, Party
from crawlers.context import Lookup, ParseContext
from crawlers.spiders.fields import text_at
from crawlers.spiders.listing import Entry, ListingSpider
from crawlers.text import single_line

CASE_NUMBER = re.compile(r"\b[A-Z][A-Za-z]{1,3}(?:_[A-Za-z]{2,3})?_\d{1,6}/\d{4}\b")
VERSUS = re.compile(r"^v\.?$", re.IGNORECASE)


@dataclass(frozen=True)
class Action:
    """A type of action: how to name it, and what its two sides are called."""

    label: str
    roles: tuple[str, str] = ("claimant", "defendant")


_APPLICATION = ("applicant", "defendant")
_APPEAL = ("appellant", "respondent")
ACTIONS: Lookup[Action] = Lookup(
    "upc_action",
    {
        "infringement action": Action("infringement action"),
        "revocation action": Action("revocation action"),
        "counterclaim for revocation": Action("counterclaim for revocation"),
        "action for declaration of non-infringement": Action("declaration of non-infringement"),
        "application for provisional measures": Action(
            "provisional measures (preliminary injunction)", _APPLICATION
        ),
        "application to preserve evidence": Action("preservation of evidence", _APPLICATION),
        "application for costs": Action("costs", _APPLICATION),
        "application for determination of damages": Action("damages", _APPLICATION),
        "generic application": Action("procedural application", _APPLICATION),
        "generic order": Action("procedural order"),
        "appeal rop 220.1": Action("appeal", _APPEAL),
        "appeal rop 220.2": Action("appeal", _APPEAL),
        "action against a decision of the european patent office": Action(
            "action against an EPO decision", _APPLICATION
        ),
    },
)
DIVISIONS: Lookup[str] = Lookup(
    "upc_division",
    {
        "Local Division Munich": "Munich LD",
        "Local Division Düsseldorf": "Düsseldorf LD",
        "Local Division Mannheim": "Mannheim LD",
        "Local Division Hamburg": "Hamburg LD",
        "Local Division Paris": "Paris LD",
        "Local Division The Hague": "The Hague LD",
        "Local Division Milan": "Milan LD",
        "Local Division Vienna": "Vienna LD",
        "Local Division Brussels": "Brussels LD",
        "Local Division Copenhagen": "Copenhagen LD",
        "Local Division Helsinki": "Helsinki LD",
        "Local Division Lisbon": "Lisbon LD",
        "Local Division Ljubljana": "Ljubljana LD",
        "Nordic-Baltic Regional Division": "Nordic-Baltic RD",
        "Central Division Paris": "Paris CD",
        "Central Division Munich": "Munich CD",
        "Central Division Milan": "Milan CD",
        "Court of Appeal": "Court of Appeal",
    },
)


class UpcDecisionsSpider(ListingSpider):
    """The UPC's table of decisions and orders, one row per item."""

    def refine_item(self, item: ItemRecord, entry: Any, ctx: ParseContext) -> ItemRecord | None:
        """Title, summary, case numbers and parties from the row's cells."""
        return refine_row(item, entry, ctx)


def refine_row(item: ItemRecord, entry: Entry, ctx: ParseContext) -> ItemRecord:
    """The item with what the table row says about the order."""
    numbers = list(dict.fromkeys(CASE_NUMBER.findall(cell(entry, 2))))
    court = single_line(cell(entry, 3))
    division = DIVISIONS.get(court, ctx) or court
    action_text = single_line(cell(entry, 4))
    action = ACTIONS.get(action_text.casefold(), ctx)
    label = action.label if action else action_text
    document = single_line(cell(entry, 6)) or "Order"
    sides = sides_of(cell(entry, 5))
    caption = " v. ".join(first_and_others(side) for side in sides) or item.title
    return item.model_copy(
        update={
            "title": f"{caption} – {label} ({division})",
            "summary": f"{document} of the {division} ({label}). "
            f"Case and registry numbers: {', '.join(numbers) or 'none given'}.",
            "case_refs": numbers,
            "parties": parties_of(sides, action),
        }
    )


def cell(entry: Entry, column: int) -> str:
    """The plain text of a table cell (1-based), one line per line break."""
    return text_at(entry.row, f"xpath:./td[{column}]")


def sides_of(text: str) -> list[list[str]]:
    """The names on each side of the parties cell: one per line, sides divided by ``v.``."""
    sides: list[list[str]] = [[]]
    for line in (single_line(line) for line in text.splitlines()):
        if VERSUS.match(line):
            sides.append([])
        elif line:
            sides[-1].append(line)
    return [side for side in sides if side]


def parties_of(sides: list[list[str]], action: Action | None) -> list[Party]:
    """The parties, named by the action's roles (no role when the action is unknown)."""
    roles = action.roles if action and len(sides) == 2 else (None, None)
    return [
        Party(name=name, role=roles[min(i, 1)]) for i, side in enumerate(sides) for name in side
    ]


def first_and_others(names: list[str]) -> str:
    """``First name`` or ``First name and N other(s)``."""
    others = len(names) - 1
    if not others:
        return names[0]
    return f"{names[0]} and {others} other{'s' if others > 1 else ''}"
