"""WIPO press releases: the generic feed spider, its categories read as kind and IP cues.

Statistics, the Global Innovation Index and World IP Indicators are reports; treaties and
Madrid/Hague notices (fee and procedure changes) are rule changes; the rest is news. The
registration systems name their rights: PCT patents, Madrid trade marks, Hague designs,
Lisbon geographical indications.
"""

from __future__ import annotations

from core.types import ItemKind
from crawlers.context import Lookup
from crawlers.spiders.feed import Cue, FeedSpider

CATEGORIES: Lookup[Cue] = Lookup(
    "wipo_news_category",
    {
        "Patents": Cue(ip_types=("patent",)),
        "PCT": Cue(ip_types=("patent",)),
        "Trademarks": Cue(ip_types=("trademark",)),
        "Madrid System": Cue(ip_types=("trademark",)),
        "Madrid Notices": Cue(ItemKind.RULE_CHANGE, ("trademark",)),
        "Industrial Designs": Cue(ip_types=("design",)),
        "Hague System": Cue(ip_types=("design",)),
        "Hague Notices": Cue(ItemKind.RULE_CHANGE, ("design",)),
        "Copyright": Cue(ip_types=("copyright",)),
        "Geographical Indications": Cue(ip_types=("geographical_indication",)),
        "Lisbon System": Cue(ip_types=("geographical_indication",)),
        "Treaties": Cue(ItemKind.RULE_CHANGE),
        "Statistics": Cue(ItemKind.REPORT),
        "Global Innovation Index": Cue(ItemKind.REPORT),
        "World IP Indicators": Cue(ItemKind.REPORT),
        "Arbitration and Mediation": Cue(),
        "Director General": Cue(),
        "Assemblies": Cue(),
        "General Information": Cue(),
        "Media Advisory": Cue(),
    },
)


class WipoNewsSpider(FeedSpider):
    """The WIPO press room feed."""

    category_cues = CATEGORIES
