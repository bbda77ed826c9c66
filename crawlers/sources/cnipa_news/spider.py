"""CNIPA column pages: the listing spider, reading the record list the page embeds.

A CNIPA column page (``/col/colNN/index.html``) does not hold its list as markup: the
records sit in a ``<script type="text/xml">`` data store, each an HTML fragment in CDATA,
and a script renders them in the browser::

    <script type="text/xml"><datastore><recordset>
      <record><![CDATA[<li><a href="/art/2025/6/10/art_75_199001.html">…</a><span>2025-06-10</span></li>]]></record>
    </recordset></datastore></script>

``decode`` lifts the records into a ``<ul class="list">`` so the YAML's selectors read them
as they read the rendered page; a page that already holds the list is read as it is.
"""

from __future__ import annotations

import re
from dataclasses import replace

from parsel import Selector
from scrapy.http import Response

from crawlers.context import ParseContext
from crawlers.spiders.listing import ListingPage, ListingSpider

DATA_STORE = 'script[type="text/xml"]::text'
RECORD = re.compile(r"<record>\s*<!\[CDATA\[(?P<html>.*?)\]\]>\s*</record>", re.DOTALL)


class CnipaNewsSpider(ListingSpider):
    """CNIPA notices, the column's embedded records read as its list."""

    def decode(self, response: Response, ctx: ParseContext) -> ListingPage:
        """The listing page, its embedded records lifted into a ``ul.list``."""
        page = super().decode(response, ctx)
        records = embedded_records(page.selector)
        if not records:
            return page
        return replace(page, selector=Selector(text=f'<ul class="list">{"".join(records)}</ul>'))


def embedded_records(page: Selector) -> list[str]:
    """The HTML fragments of the page's data-store records, in order."""
    return [
        match["html"] for store in page.css(DATA_STORE).getall() for match in RECORD.finditer(store)
    ]
