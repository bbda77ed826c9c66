"""Federal Circuit opinions and orders: the generic feed spider plus appeal facts.

Each entry title reads ``20-1046: KYOCERA SENCO INDUS. TOOLS INC v. ITC [OPINION],
Precedential`` and its content carries ``Appeal Number: 20-1046`` and ``Origin: ITC``.

Case references are written ``CAFC <appeal number>`` with the number exactly as the court's
feed writes it (``CAFC 20-1046``): the court prefix keeps them apart from other courts'
numbers of the same shape. Parties come from the ``X v. Y`` caption (``In re X``: one party);
the feed does not say who appealed, so roles stay ``None``. The origin maps to IP types by
lookup: the feed writes ``PTO`` for both PTAB (patent) and TTAB (trademark) appeals, so
``PTO`` gives both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from core.types import ItemKind, ItemRecord, Party
from crawlers.context import Lookup, ParseContext
from crawlers.spiders.feed import FeedSpider

TITLE = re.compile(
    r"^(?P<number>\d{2}-\d{1,5}):\s*(?P<caption>.+?)\s*\[(?P<doctype>[^\]]+)\]"
    r"(?:,\s*(?P<status>[A-Za-z]+))?\s*$"
)
APPEAL_NUMBER = re.compile(r"Appeal Number:\s*(?P<number>\d{2}-\d{1,5})\b")
ORIGIN = re.compile(r"Origin:\s*(?P<origin>[A-Z]{2,6})\b")
IN_RE = re.compile(r"^in\s+re:?\s+(?P<name>.+)$", re.IGNORECASE)
VERSUS = re.compile(r"\s+v\.\s+")


@dataclass(frozen=True)
class Origin:
    """Where an appeal comes from, and the IP types that implies."""

    label: str
    ip_types: tuple[str, ...] = ()


ORIGINS: Lookup[Origin] = Lookup(
    "cafc_origin",
    {
        "ITC": Origin("U.S. International Trade Commission (Section 337)", ("patent",)),
        "PTO": Origin("U.S. Patent and Trademark Office (PTAB or TTAB)", ("patent", "trademark")),
        "PTAB": Origin("Patent Trial and Appeal Board", ("patent",)),
        "TTAB": Origin("Trademark Trial and Appeal Board", ("trademark",)),
        "DCT": Origin("U.S. district court", ("patent",)),
        "CIT": Origin("U.S. Court of International Trade"),
        "CFC": Origin("U.S. Court of Federal Claims"),
        "CAVC": Origin("U.S. Court of Appeals for Veterans Claims"),
        "MSPB": Origin("Merit Systems Protection Board"),
        "BCA": Origin("Board of Contract Appeals"),
        "DVA": Origin("Department of Veterans Affairs"),
        "RIT": Origin("petition for a writ (original proceeding)"),
    },
)
DOCUMENT_KINDS: Lookup[ItemKind] = Lookup(
    "cafc_document_type",
    {
        "OPINION": ItemKind.DECISION,
        "ORDER": ItemKind.DECISION,
        "RULE 36 JUDGMENT": ItemKind.DECISION,
        "ERRATA": ItemKind.DECISION,
    },
)
PRECEDENTIAL_STATUSES: Lookup[bool] = Lookup(
    "cafc_precedential_status", {"Precedential": True, "Nonprecedential": False}
)


class CafcOpinionsSpider(FeedSpider):
    """The Federal Circuit's opinion/order feed, with appeal number, origin and parties."""

    def refine_item(self, item: ItemRecord, entry: Any, ctx: ParseContext) -> ItemRecord | None:
        """Add the case reference, parties, IP types and kind read from the entry."""
        return refine_cafc_item(item, ctx)


def refine_cafc_item(item: ItemRecord, ctx: ParseContext) -> ItemRecord:
    """The item with what its title and content say about the appeal."""
    title = TITLE.match(item.title)
    if title is None:
        ctx.problem("item", f"title {item.title!r} is not 'NN-NNNN: caption [TYPE], status'")
        return item
    PRECEDENTIAL_STATUSES.get(title["status"], ctx)
    origin = _origin(item.body or item.summary, ctx)
    number = _appeal_number(item.body or item.summary) or title["number"]
    return item.model_copy(
        update={
            "case_refs": [f"CAFC {number}"],
            "parties": parties_from_caption(title["caption"]),
            "ip_types": list(origin.ip_types) if origin else [],
            "kind": DOCUMENT_KINDS.get(title["doctype"], ctx) or ctx.source.kind,
        }
    )


def parties_from_caption(caption: str) -> list[Party]:
    """The parties of ``X v. Y`` (or ``In re X``), roles unknown."""
    in_re = IN_RE.match(caption.strip())
    if in_re:
        return [Party(name=in_re["name"].strip())]
    names = VERSUS.split(caption.strip(), maxsplit=1)
    return [Party(name=name.strip()) for name in names if name.strip()]


def _origin(text: str, ctx: ParseContext) -> Origin | None:
    match = ORIGIN.search(text)
    if match is None:
        ctx.problem("item", "entry names no origin")
        return None
    return ORIGINS.get(match["origin"], ctx)


def _appeal_number(text: str) -> str | None:
    match = APPEAL_NUMBER.search(text)
    return match["number"] if match else None
