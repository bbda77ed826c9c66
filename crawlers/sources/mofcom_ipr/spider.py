"""中国保护知识产权网 (ipr.mofcom.gov.cn, MOFCOM) 国际新闻: list pages, then article pages.

The list endpoint ``POST /ipr/front/www/listN`` takes the form fields ``pageNumber`` and
``cid`` (the category, ``gjxw`` for 国际新闻) and answers JSON ``{"pageInfo": {"rows":
[{"publishTimeStr", "title", "url"}, ...]}}``, as a public scraper uses it (not verified
against the live site). A list page is addressed as the endpoint with its form as the query
(``.../listN?cid=gjxw&pageNumber=1``): the start URL, the next page and a replay manifest
all name it so, and ``request`` POSTs the form. Pages are followed (``pageNumber`` + 1)
until an empty page or ``max_pages``.

Each row's article page (HTML) gives the body, the text of ``<section class="artCon">``,
and the original publisher (``var source = '...'``). When an article cannot be fetched or
read, the row's item is kept without a body and a problem recorded.

Jurisdictions come from the country and organisation names in the title (美国 → US,
欧盟 → EU ...) through a lookup; a title naming none is counted. The kind comes from cues
in the title (337调查 or 诉讼: dispute; 禁令 or 查扣: enforcement; 条例 or 修订: rule
change ...), news when none is found.

Replay: a saved list page alone gives its items without bodies; a replay folder with
``manifest.json`` (``crawlers.spiders.manifest``) runs from the start URL through the list
pages and article pages it maps, as a live crawl would.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from scrapy.http import FormRequest, Request, Response
from twisted.python.failure import Failure

from core.types import ItemKind, ItemRecord
from crawlers.checks import is_web_url
from crawlers.context import Lookup, ParseContext
from crawlers.errors import PayloadError, ReplayError, one_line
from crawlers.outcome import Problem
from crawlers.payloads import check_size
from crawlers.spiders.fields import html_selector, text_at
from crawlers.spiders.json_api import JsonApiSpider
from crawlers.spiders.listing import stored_refs
from crawlers.spiders.manifest import MANIFEST_NAME, ReplayManifest, load_manifest
from crawlers.text import html_to_text, single_line

SITE = "https://ipr.mofcom.gov.cn"
LIST_PATH = "/ipr/front/www/listN"
LIST_FORM_FIELDS = ("cid", "pageNumber")
ARTICLE_BODY = "section.artCon"
ARTICLE_SOURCE = re.compile(r"""var\s+source\s*=\s*['"](?P<source>[^'"]*)['"]""")
AJAX_HEADERS = {
    "Accept": "application/json, text/javascript, */*; q=0.01",
    "X-Requested-With": "XMLHttpRequest",
}
SOURCE_PREFIX = "来源："
PAGE_URL = "page_url"
ROW_ITEM = "mofcom_row_item"

COUNTRIES: Lookup[str] = Lookup(
    "mofcom_country",
    {
        "美国": "US", "欧盟": "EU", "德国": "DE", "英国": "GB", "法国": "FR", "意大利": "IT",
        "西班牙": "ES", "荷兰": "NL", "比利时": "BE", "瑞士": "CH", "瑞典": "SE", "波兰": "PL",
        "奥地利": "AT", "爱尔兰": "IE", "日本": "JP", "韩国": "KR", "印度": "IN",
        "印度尼西亚": "ID", "印尼": "ID", "越南": "VN", "泰国": "TH", "马来西亚": "MY",
        "新加坡": "SG", "菲律宾": "PH", "柬埔寨": "KH", "缅甸": "MM", "巴基斯坦": "PK",
        "哈萨克斯坦": "KZ", "俄罗斯": "RU", "土耳其": "TR", "以色列": "IL", "沙特": "SA",
        "阿联酋": "AE", "埃及": "EG", "南非": "ZA", "加拿大": "CA", "墨西哥": "MX",
        "巴西": "BR", "阿根廷": "AR", "智利": "CL", "哥伦比亚": "CO", "澳大利亚": "AU",
        "新西兰": "NZ", "欧洲专利局": "EPO", "统一专利法院": "UPC", "欧盟知识产权局": "EUIPO",
        "世界知识产权组织": "WIPO",
    },
)  # fmt: skip
"""Country and organisation names as MOFCOM titles write them → jurisdiction codes."""

COUNTRY_NAMES = re.compile("|".join(map(re.escape, sorted(COUNTRIES.table, key=len, reverse=True))))
"""Longest names first, so 印度尼西亚 is not read as 印度 and 欧盟知识产权局 not as 欧盟."""

KIND_CUES: tuple[tuple[ItemKind, re.Pattern[str]], ...] = (
    (ItemKind.DISPUTE, re.compile("337调查|诉讼|起诉|纠纷|侵权|侵犯|不公平贸易调查")),
    (ItemKind.ENFORCEMENT, re.compile("禁令|查扣|扣押|查获|没收|执法|打击")),
    (ItemKind.DECISION, re.compile("判决|裁决|裁定")),
    (
        ItemKind.RULE_CHANGE,
        re.compile("条例|法案|法规|规则|新规|指南|细则|修订|修正|草案|征求意见|生效"),
    ),
    (ItemKind.REPORT, re.compile("报告|白皮书|统计")),
)
"""Title cues, first match wins (a 337 investigation report is a dispute)."""


class MofcomIprSpider(JsonApiSpider):
    """MOFCOM's international IP news: JSON list pages (POST) and their article pages."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.manifest: ReplayManifest | None = None
        self.articles_requested = 0
        self.known: frozenset[str] = frozenset()

    def initial_requests(self) -> list[Request]:
        """The start URL (live: after learning which articles are stored already); a replay
        folder with ``manifest.json`` replays from it too."""
        if self.replay_path is None:
            self.known = stored_refs(self.source.id)
            return super().initial_requests()
        if not (self.replay_path / MANIFEST_NAME).is_file():
            return super().initial_requests()
        try:
            self.manifest = load_manifest(self.replay_path)
        except ReplayError as exc:
            self._fail(exc.location, exc.reason)
            return []
        missing = [url for url in self.start_urls if not self.replay_has(url)]
        if missing:
            self._fail(str(self.manifest.folder), f"manifest.json maps no file to {missing[0]}")
            return []
        return [self.request(url) for url in self.start_urls]

    def request(self, url: str, meta: dict[str, Any] | None = None) -> Request:
        """A list page's request: its form POSTed, or its saved file during a replay."""
        meta = {**(meta or {}), PAGE_URL: url}
        if self.manifest is not None:
            return self.replayed_request(self.manifest, url, meta, self.parse)
        form = list_form(url)
        if form is None:  # a saved list page replayed alone, or another page crawled live
            return super().request(url, meta)
        return FormRequest(
            list_endpoint(url),
            formdata=form,
            headers=AJAX_HEADERS,
            callback=self.parse,
            errback=self.on_request_error,
            meta=meta,
            dont_filter=True,
        )

    def replayed_request(
        self,
        manifest: ReplayManifest,
        url: str,
        meta: dict[str, Any],
        callback: Callable[..., Any],
        priority: int = 0,
    ) -> Request:
        """A request for the file the replay manifest maps ``url`` to.

        Raises:
            ReplayError: When the manifest maps no file to ``url`` (callers ask
                ``replay_has`` first: a replay never reaches the network).
        """
        path = manifest.path_for(url)
        if path is None:
            raise ReplayError(str(manifest.folder), f"manifest.json maps no file to {url}")
        return Request(
            path.as_uri(),
            callback=callback,
            errback=self.on_request_error,
            meta={**meta, "replay_file": str(path)},
            priority=priority,
            dont_filter=True,
        )

    def replay_has(self, url: str) -> bool:
        """Whether the replay's manifest maps ``url`` to a saved page."""
        return self.manifest is not None and self.manifest.path_for(url) is not None

    def context_for(self, response: Response) -> ParseContext:
        """The base context, its URL the page the response answers (a POST or a replay)."""
        ctx = super().context_for(response)
        page = response.meta.get(PAGE_URL)
        if not page:
            return ctx
        return replace(ctx, url=page, location=response.meta.get("replay_file") or page)

    def make_item(self, entry: Any, ctx: ParseContext) -> ItemRecord | None:
        """A list row as an item, still without its body (see ``row_to_item``)."""
        return row_to_item(entry, ctx)

    def entry_results(self, entry: Any, ctx: ParseContext) -> Iterator[Any]:
        """A request for the row's article page, carrying the row's item."""
        item = self.build_item(entry, ctx)
        if item is None:
            return
        url = item.url or ""
        if url in self.known or (item.raw_ref and item.raw_ref in self.known):
            return  # stored already: incremental crawls do not fetch an article twice
        if self.replay_path is not None and self.manifest is None:
            yield item.model_dump(mode="json")  # a list page replayed alone: no articles
        elif self.manifest is not None and not self.replay_has(url):
            ctx.problem("item", f"article {url} is not in the replay's manifest.json; no body")
            yield item.model_dump(mode="json")
        else:
            yield self.article_request(url, item)

    def article_request(self, url: str, item: ItemRecord) -> Request:
        """The article page's request; earlier rows first, so a replay keeps the list order."""
        self.articles_requested += 1
        meta = {ROW_ITEM: item.model_dump(mode="json")}
        if self.manifest is not None:
            return self.replayed_request(
                self.manifest, url, meta, self.parse_article, priority=-self.articles_requested
            )
        return Request(
            url,
            callback=self.parse_article,
            errback=self.on_article_error,
            meta=meta,
            priority=-self.articles_requested,
            dont_filter=True,
        )

    def parse_article(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """The row's item with the article's text as its body."""
        ctx = self.context_for(response)
        item = ItemRecord.model_validate(response.meta[ROW_ITEM])
        try:
            check_size(response.body, self.max_body_bytes(), ctx.location)
            body = article_body(response, ctx.location, ctx.source.language)
        except PayloadError as exc:  # a saved page that is not one fails the replay
            ctx.problem("payload", exc.reason, fatal=self.replay_path is not None)
            yield item.model_dump(mode="json")
            return
        if not body:
            ctx.problem("item", f"article {item.url} has no {ARTICLE_BODY} text; no body")
        summary = first_paragraph(body)
        yield item.model_copy(update={"summary": summary, "body": body}).model_dump(mode="json")

    def on_article_error(self, failure: Failure) -> Iterator[Any]:
        """Keep the row's item without a body when its article page cannot be fetched."""
        request: Request = getattr(failure, "request")  # noqa: B009 (set by Scrapy, not typed)
        error = failure.value
        self.problems.append(
            Problem(
                kind="item",
                message=f"article not fetched ({type(error).__name__}: {one_line(str(error))})"
                "; kept without a body",
                location=request.url,
            )
        )
        yield request.meta[ROW_ITEM]

    def next_page_url(self, payload: Any, ctx: ParseContext) -> str | None:
        """The next list page (``pageNumber`` + 1) after a page that held rows."""
        form = list_form(ctx.url)
        if form is None or not iter_rows(payload):
            return None
        number = form["pageNumber"]
        if not number.isdigit():
            return None
        return list_page_url(ctx.url, {**form, "pageNumber": str(int(number) + 1)})

    def _fail(self, location: str, reason: str) -> None:
        self.problems.append(Problem(kind="payload", message=reason, location=location, fatal=True))


def iter_rows(payload: Any) -> list[Any]:
    """The rows of a list page (``[]`` when it has none)."""
    page_info = payload.get("pageInfo") if isinstance(payload, dict) else None
    rows = page_info.get("rows") if isinstance(page_info, dict) else None
    return rows if isinstance(rows, list) else []


def list_form(url: str) -> dict[str, str] | None:
    """The form of a list-page address (``.../listN?cid=gjxw&pageNumber=1``), else ``None``."""
    parts = urlsplit(url)
    if not parts.path.endswith(LIST_PATH):
        return None
    form = dict(parse_qsl(parts.query))
    if not all(form.get(name) for name in LIST_FORM_FIELDS):
        return None
    return {name: form[name] for name in LIST_FORM_FIELDS}


def list_endpoint(url: str) -> str:
    """The endpoint a list-page address POSTs to (the address without its query)."""
    return urlunsplit(urlsplit(url)._replace(query="", fragment=""))


def list_page_url(url: str, form: dict[str, str]) -> str:
    """The address of the list page with this form."""
    return urlunsplit(urlsplit(url)._replace(query=urlencode(form), fragment=""))


def row_to_item(row: Any, ctx: ParseContext) -> ItemRecord:
    """A list row as an item: title, article URL, date, jurisdictions and kind from the title.

    Raises:
        ValueError: When the row is not an object or lacks its title or URL.
    """
    if not isinstance(row, dict):
        raise ValueError(f"row is a {type(row).__name__}, not an object")
    title = single_line(html_to_text(row.get("title") or ""))  # the portal marks some up
    link = (row.get("url") or "").strip()
    if not title or not link:
        raise ValueError("row lacks title or url")
    url = urljoin(ctx.url if is_web_url(ctx.url) else SITE, link)
    return ctx.new_item(
        urlsplit(url).path,
        title,
        url=url,
        published_at=ctx.date(row.get("publishTimeStr"), "publishTimeStr"),
        jurisdictions=title_jurisdictions(title, ctx),
        kind=title_kind(title) or ctx.source.kind,
    )


def title_jurisdictions(title: str, ctx: ParseContext) -> list[str]:
    """The jurisdictions a title names, in order; a title naming none is counted."""
    codes = [COUNTRIES.get(match.group(), ctx) for match in COUNTRY_NAMES.finditer(title)]
    found = list(dict.fromkeys(code for code in codes if code))
    if not found:
        ctx.count_unmapped(COUNTRIES.name, f"no known country in title: {title}")
    return found


def title_kind(title: str) -> ItemKind | None:
    """The kind the title's first cue says, if any."""
    return next((kind for kind, cue in KIND_CUES if cue.search(title)), None)


def first_paragraph(body: str) -> str:
    """The article's first paragraph (after the source line), as the item's summary."""
    paragraphs = [p for p in body.split("\n\n") if p and not p.startswith(SOURCE_PREFIX)]
    return paragraphs[0] if paragraphs else ""


def article_body(response: Response, location: str, language: str | None = None) -> str:
    """The article's text, with its original publisher first when the page names one.

    Raises:
        PayloadError: When the response is not an HTML page.
    """
    page = html_selector(response, location, language)
    text = text_at(page, ARTICLE_BODY)
    if not text:
        return ""
    source = ARTICLE_SOURCE.search(" ".join(page.css("script::text").getall()))
    return f"{SOURCE_PREFIX}{source['source']}\n\n{text}" if source and source["source"] else text
