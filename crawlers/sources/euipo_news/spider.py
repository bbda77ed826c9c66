"""EUIPO news: the generic feed spider, its categories read as kind and IP-right cues.

Legal reform, guidelines, fees and practice changes are rule changes; Observatory studies
(counterfeiting, detentions at the EU border) are reports; the rest is news. Trade marks,
designs and geographical indications name the IP rights; without one, the source's own
(trade marks and designs) stand.
"""

from __future__ import annotations

from core.types import ItemKind
from crawlers.context import Lookup
from crawlers.spiders.feed import Cue, FeedSpider

CATEGORIES: Lookup[Cue] = Lookup(
    "euipo_news_category",
    {
        "Trade marks": Cue(ip_types=("trademark",)),
        "Designs": Cue(ip_types=("design",)),
        "Geographical indications": Cue(ip_types=("geographical_indication",)),
        "Legal reform": Cue(ItemKind.RULE_CHANGE),
        "Guidelines": Cue(ItemKind.RULE_CHANGE),
        "Fees": Cue(ItemKind.RULE_CHANGE),
        "Practice": Cue(ItemKind.RULE_CHANGE),
        "Observatory": Cue(ItemKind.REPORT),
        "Enforcement": Cue(),
        "Cooperation": Cue(),
        "SMEs": Cue(),
        "Events": Cue(),
        "Online services": Cue(),
        "Corporate": Cue(),
        "News": Cue(),
    },
)


class EuipoNewsSpider(FeedSpider):
    """The EUIPO news feed."""

    category_cues = CATEGORIES
