"""The ``iprwatch`` command line. Data goes to stdout as JSON lines; messages go to stderr."""

from __future__ import annotations

import contextlib
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from api.auth._cli import add_account_commands
from api.cli_profiles import profiles_app
from api.cli_reports import report_app
from core.logging_ import configure_logging, one_line_library_errors

if TYPE_CHECKING:
    from api.services import WarnRun
    from core.types import Alert
    from crawlers.errors import SiteBusy

app = typer.Typer(
    help="IPRWatch 海外知识产权风险预警",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
sources_app = typer.Typer(help="Crawled sources and their health.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(sources_app, name="sources")
app.add_typer(profiles_app, name="profiles")
app.add_typer(report_app, name="report")
add_account_commands(app)  # orgs, users, keys

err = Console(stderr=True)


def _emit(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")


def _ensure_database() -> None:
    """Create or upgrade the schema, so that no command meets an empty database."""
    from core.migrate import upgrade

    upgrade()


def _error(message: str) -> None:
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)


def _fail(message: str, code: int = 2) -> None:
    """Say what was wrong and exit; 2 is the exit code of every bad input."""
    _error(message)
    raise typer.Exit(code)


def _unavailable(exc: Exception) -> str:
    """The one line a search outage gets (exit 1: nothing was wrong with the input)."""
    return f"search is unavailable ({exc}); try again shortly"


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    configure_logging("INFO" if verbose else "WARNING")
    if not verbose:  # --verbose keeps the client libraries' tracebacks, for a bug report
        one_line_library_errors()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database schema (Alembic)."""
    from core.migrate import upgrade

    upgrade()
    err.print("database is up to date")


@sources_app.command("list")
def sources_list(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Each source with its last success, item count and health."""
    from api.services import source_statuses

    _ensure_database()
    rows = source_statuses()
    if as_json:
        for row in rows:
            _emit(row)
        return
    table = Table("id", "title", "jurisdictions", "last success", "items", "health")
    for row in rows:
        health = {True: "[green]healthy[/green]", False: "[red]unhealthy[/red]"}.get(
            row["healthy"], "never run"
        )
        if row["healthy"] is False and row.get("reason"):
            health += f" ({row['reason']})"
        table.add_row(
            row["id"],
            row["title"],
            ",".join(row["jurisdictions"]),
            row["last_success"] or "-",
            str(row["items"]),
            health,
        )
    Console().print(table)


@app.command()
def crawl(
    source: Annotated[str, typer.Argument(help="Source id (see `iprwatch sources list`).")],
    replay: Annotated[
        Path | None, typer.Option(help="A saved response (file or folder) instead of fetching.")
    ] = None,
) -> None:
    """Crawl one source, print the items it extracted as JSON lines, and store them.

    A live crawl first takes its site's lock, as scheduled crawls do; while another crawl of
    the site runs, nothing is crawled or stored and the exit code is 75 (try again later).
    """
    from api.pipeline import process_items
    from core.db import session_scope
    from core.migrate import upgrade
    from crawlers.errors import ReplayError, SiteBusy, UnknownSourceError
    from crawlers.pipeline import run_and_store
    from crawlers.site_lock import holding_site

    upgrade()
    try:
        with contextlib.nullcontext() if replay else holding_site(source, "hand"):
            outcome, stored = run_and_store(source, replay=replay)
    except UnknownSourceError as exc:
        _fail(str(exc), 2)
        return
    except ReplayError as exc:
        _fail(str(exc))
        return
    except SiteBusy as exc:
        _fail(_site_busy(exc), SITE_BUSY_EXIT)
        return
    for item in outcome.items:
        _emit(item.model_dump(mode="json", exclude={"tags"}))
    ids = [item_id for item_id, _ in stored.written]
    with session_scope() as session:
        summary = process_items(session, ids)
    err.print(
        f"{source}: {len(outcome.items)} items, {stored.new} new, {stored.changed} changed, "
        f"{summary.tagged} tagged, {len(summary.alerts)} new alerts"
    )
    if outcome.errors:
        err.print(
            f"[yellow]{len(outcome.errors)} problem(s):[/yellow] " + "; ".join(outcome.errors[:5])
        )


SITE_BUSY_EXIT = 75
"""``crawl``'s exit code when another crawl holds the site (``EX_TEMPFAIL``: try again later)."""


HOW_STARTED = {
    "schedule": ("a scheduled crawl", "定时抓取"),
    "hand": ("a crawl started by hand", "手动抓取"),
    "cycle": ("a crawl cycle's crawl", "批量抓取"),
}
"""How the crawl holding a site was started (``LockHolder.started_by``), in English and Chinese."""


def _site_busy(exc: SiteBusy) -> str:
    """Who holds the site, since when, and what to do, in English and Chinese."""
    holder = exc.holder
    if holder is None:
        return (
            f"{exc.site} is being crawled by another crawl; {exc.source_id} was not crawled and"
            " nothing was stored. Try again later.\n"
            f"站点 {exc.site} 正由另一次抓取占用，未抓取 {exc.source_id}，未存储任何内容，请稍后重试。"
        )
    since = f"{holder.since:%Y-%m-%d %H:%M:%S} UTC"
    how_en, how_zh = HOW_STARTED[holder.started_by]
    where = f"{holder.host}, pid {holder.pid}"
    return (
        f"{exc.site} is being crawled: {how_en} of {holder.source} ({where}) since {since};"
        f" {exc.source_id} was not crawled and nothing was stored. Try again later.\n"
        f"站点 {exc.site} 正在抓取：{holder.source} 的{how_zh}（{where}），开始于 {since}；"
        f"未抓取 {exc.source_id}，未存储任何内容，请稍后重试。"
    )


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Free text, Chinese or English.")] = "",
    country: Annotated[list[str] | None, typer.Option(help="Jurisdiction (repeatable).")] = None,
    chain: Annotated[list[str] | None, typer.Option(help="Industry-chain id (repeatable).")] = None,
    kind: Annotated[list[str] | None, typer.Option(help="Item kind (repeatable).")] = None,
    ip_type: Annotated[list[str] | None, typer.Option(help="IP type (repeatable).")] = None,
    source: Annotated[list[str] | None, typer.Option(help="Source id (repeatable).")] = None,
    party: Annotated[str | None, typer.Option(help="Part of a party's name.")] = None,
    case_ref: Annotated[str | None, typer.Option(help="Part of a case reference.")] = None,
    since: Annotated[str | None, typer.Option(help="Published on or after (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Published on or before (YYYY-MM-DD).")] = None,
    chinese_party: Annotated[
        bool | None,
        typer.Option("--chinese-party/--no-chinese-party", help="Names a Chinese party."),
    ] = None,
    province: Annotated[str | None, typer.Option(help="Chinese province of a party.")] = None,
    city: Annotated[str | None, typer.Option(help="Chinese city of a party.")] = None,
    sort: Annotated[str, typer.Option(help="relevance or date")] = "relevance",
    translate: Annotated[
        bool,
        typer.Option(
            "--translate",
            help="Also find the glossary's Chinese/English terms for terms of the query"
            " (锂电池 also finds lithium-ion battery).",
        ),
    ] = False,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 20,
    cursor: Annotated[str | None, typer.Option(help="Cursor from a previous page.")] = None,
    facets: Annotated[bool, typer.Option("--facets", help="Print facet counts to stderr.")] = False,
    save: Annotated[str | None, typer.Option(help="Also save this query under NAME.")] = None,
    owner: Annotated[str | None, typer.Option(help="Enterprise id owning the saved query.")] = None,
) -> None:
    """Search items; prints one JSON object per hit (with its highlighted snippet)."""
    from api.services import run_search
    from search.errors import SearchUnavailable

    params: dict[str, Any] = dict(
        q=query, jurisdictions=country, chains=chain, kinds=kind, ip_types=ip_type,
        sources=source, party=party, case_ref=case_ref, since=since, until=until,
        chinese_party=chinese_party, province=province, city=city, sort=sort,
        translate=translate,
    )  # fmt: skip
    try:
        results = run_search(**params, limit=limit, cursor=cursor)
        if save is not None:  # an empty name is refused, not ignored
            _save_search(save, owner, params)
    except ValueError as exc:
        _fail(str(exc), 2)
        return
    except SearchUnavailable as exc:
        _fail(_unavailable(exc), 1)
        return
    for hit in results["hits"]:
        _emit(hit)
    more = f"; next page: --cursor {results['next_cursor']}" if results.get("next_cursor") else ""
    err.print(f"{results['total']} result(s){more}", soft_wrap=True)
    if results.get("ignored"):
        err.print(f"ignored: {', '.join(results['ignored'])}", soft_wrap=True)
    if facets:
        err.print_json(data=results["facets"])


@app.command()
def warn(
    profiles: Annotated[
        Path | None, typer.Option(help="Profiles file (YAML/JSON); nothing is stored.")
    ] = None,
    items: Annotated[
        Path | None, typer.Option(help="Items as JSON lines (with --profiles).")
    ] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Evaluate as of this date.")] = None,
    lang: Annotated[str, typer.Option(help="Language of `explanation`: en or zh.")] = "en",
) -> None:
    """Evaluate the rules and print new alerts as JSON lines.

    Without options: stored items against stored profiles; new alerts are stored.
    With --profiles and --items: the given files only, nothing stored.

    Each bad item line is reported (file, line, field), the good lines are
    evaluated all the same, and the exit code is then 2. A repeated item (same id
    and version) is evaluated once; with --as-of, items published after that
    date are skipped. Stderr says how many were skipped.
    """
    from api.services import parse_as_of, warn_files, warn_stored

    try:
        day = parse_as_of(as_of)
    except ValueError as exc:
        _fail(str(exc))
        return
    if lang not in ("en", "zh"):
        _fail("--lang must be en or zh")
    if (profiles is None) != (items is None):
        _fail("--profiles and --items go together")
    if not (profiles and items):
        _ensure_database()
        stored = warn_stored(day)
        _print_alerts(stored.alerts, lang)
        _report_skipped(stored, day)
        return
    try:
        run = warn_files(profiles, items, day)
    except ValueError as exc:
        _fail(str(exc))
        return
    for problem in run.problems:
        _error(problem)
    _print_alerts(run.alerts, lang)
    _report_skipped(run, day)
    if run.problems:
        _fail(f"{items}: {len(run.problems)} bad line(s) skipped")


def _report_skipped(run: WarnRun, day: date | None) -> None:
    """Say on stderr which items a ``warn`` run left out, and why."""
    if run.duplicates:
        err.print(f"skipped {run.duplicates} repeated item line(s) (same id and version)")
    if run.after_as_of:
        err.print(f"skipped {run.after_as_of} item(s) published after the --as-of date {day}")


def _print_alerts(alerts: list[Alert], lang: str) -> None:
    from api.services import alert_line

    for alert in alerts:
        _emit(alert_line(alert, lang))
    err.print(f"{len(alerts)} new alert(s)")


@app.command()
def tag(
    evaluate: Annotated[
        bool, typer.Option("--eval", help="Score the tagger on its labelled set.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="With --eval: the report as JSON.")
    ] = False,
) -> None:
    """Read items (or {"text": ...}) as JSON lines on stdin; write them with their tags."""
    if evaluate:
        from tagger.eval import evaluate as run_evaluation
        from tagger.eval import print_evaluation

        if as_json:
            _emit(run_evaluation().to_dict())
        else:
            print_evaluation()
        return
    from tagger.cli import tag_json_lines

    for line in tag_json_lines(sys.stdin):
        sys.stdout.write(line + "\n")


@app.command()
def retag() -> None:
    """Re-tag items tagged with an older taxonomy version, re-index, and re-evaluate them."""
    from core.db import session_scope
    from search.backend import get_backend
    from search.outbox import reindex_from_db
    from tagger.store import retag_all
    from warning.store import evaluate_stored_items

    _ensure_database()
    with session_scope() as session:

        def evaluate(ids: list[str]) -> None:
            evaluate_stored_items(session, ids)

        count = retag_all(session, on_batch=evaluate)
        indexed = reindex_from_db(session, get_backend()) if count else 0
    err.print(f"{count} item(s) re-tagged, {indexed} re-indexed")


@app.command()
def reindex() -> None:
    """Rebuild the search index from the database."""
    from core.db import session_scope
    from search.backend import get_backend
    from search.outbox import reindex_from_db

    _ensure_database()
    with session_scope() as session:
        count = reindex_from_db(session, get_backend())
    err.print(f"{count} item(s) indexed")


@app.command("health-check")
def health_check(
    profile: Annotated[
        str, typer.Argument(help="A profile file (YAML/JSON) or a stored enterprise id.")
    ],
    enterprise: Annotated[
        str | None,
        typer.Option("--enterprise", help="The profile to check, when the file holds several."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="As of this date (default today, or IPRWATCH_DATA_AS_OF when set)."
        ),
    ] = None,
) -> None:
    """Enterprise IP health check (企业知识产权体检) as JSON, from the stored items of 12 months."""
    from api.services import parse_as_of
    from core.db import session_scope
    from core.settings import default_as_of
    from warning.health import health_check_of
    from warning.profiles import ProfileError
    from warning.store import ProfileNotFound

    try:
        day = parse_as_of(as_of) or default_as_of()
    except ValueError as exc:
        _fail(str(exc))
        return
    _ensure_database()
    try:
        with session_scope() as session:
            result = health_check_of(profile, day, session, enterprise)
    except (ProfileError, ProfileNotFound) as exc:
        _fail(str(exc.args[0] if exc.args else exc))
        return
    _emit(result.model_dump(mode="json"))


@app.command()
def demo(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    serve: Annotated[bool, typer.Option(help="Serve the UI after loading.")] = True,
) -> None:
    """Load the bundled sample data through the Celery pipeline, then serve the UI and API."""
    from api.runtime import run_demo

    run_demo(host=host, port=port, serve_after=serve)


@app.command()
def up(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Web server processes (default: one per core with Redis, else 1).",
        ),
    ] = None,
) -> None:
    """Run the service on live sources: a Celery worker with beat, and the web UI and API."""
    from api.runtime import run_up

    run_up(host=host, port=port, workers=workers)


searches_app = typer.Typer(help="Saved searches (stored queries).", no_args_is_help=True)
app.add_typer(searches_app, name="searches")
OwnerOption = Annotated[
    str | None, typer.Option("--owner", help="Enterprise id (default: shared searches).")
]


def _save_search(name: str, owner: str | None, params: dict[str, Any]) -> None:
    """Store the query of ``iprwatch search … --save NAME`` (replacing one of that name)."""
    from core.db import session_scope
    from core.models import Enterprise
    from search.query import SearchQuery
    from search.saved import save_search

    given = {k: v for k, v in params.items() if v not in (None, "", [], ())}
    query = SearchQuery(**given)
    _ensure_database()
    with session_scope() as session:
        if owner is not None and session.get(Enterprise, owner) is None:
            raise ValueError(f"--owner: no enterprise {owner!r}")  # not a database error
        saved = save_search(session, name, query, owner, replace=True)
        err.print(f"saved search {saved.id}: {escape(saved.name)}", highlight=False)


@searches_app.command("list")
def searches_list(owner: OwnerOption = None) -> None:
    """Print saved searches as JSON lines (id, name, owner, query)."""
    from core.db import session_scope
    from core.records import utc_iso
    from search.saved import ANY_OWNER, list_saved_searches

    _ensure_database()
    with session_scope() as session:
        for saved in list_saved_searches(session, owner if owner is not None else ANY_OWNER):
            _emit(
                {"id": saved.id, "name": saved.name, "enterprise_id": saved.enterprise_id,
                 "query": saved.query, "created_at": utc_iso(saved.created_at)}
            )  # fmt: skip


@searches_app.command("run")
def searches_run(
    name: Annotated[str, typer.Argument(help="The saved search's name (or id).")],
    owner: OwnerOption = None,
    limit: Annotated[int | None, typer.Option(min=1, max=100)] = None,
    cursor: Annotated[str | None, typer.Option(help="Cursor from a previous page.")] = None,
) -> None:
    """Run a saved search; prints one JSON object per hit, like ``iprwatch search``."""
    from core.db import session_scope
    from search.errors import SearchUnavailable
    from search.saved import run_saved_search

    _ensure_database()
    try:
        with session_scope() as session:
            results = run_saved_search(_saved(session, name, owner), limit=limit, cursor=cursor)
    except (LookupError, ValueError) as exc:
        _fail(str(exc), 2)
        return
    except SearchUnavailable as exc:
        _fail(_unavailable(exc), 1)
        return
    for hit in results.model_dump(mode="json")["hits"]:
        _emit(hit)
    more = f"; next page: --cursor {results.next_cursor}" if results.next_cursor else ""
    err.print(f"{results.total} result(s){more}", soft_wrap=True)


@searches_app.command("delete")
def searches_delete(
    name: Annotated[str, typer.Argument(help="The saved search's name (or id).")],
    owner: OwnerOption = None,
) -> None:
    """Delete a saved search."""
    from core.db import session_scope
    from search.saved import delete_saved_search

    _ensure_database()
    try:
        with session_scope() as session:
            saved = _saved(session, name, owner)
            delete_saved_search(session, saved)
            err.print(f"deleted saved search {saved.id}: {escape(saved.name)}", highlight=False)
    except (LookupError, ValueError) as exc:  # not found; followed by subscriptions
        _fail(str(exc), 2)


def _saved(session: Any, name: str, owner: str | None) -> Any:
    """A saved search by name for ``owner``, else by id when ``name`` is a number."""
    from search.saved import find_saved_search, get_saved_search

    try:
        return find_saved_search(session, name, owner)
    except LookupError:
        if not name.strip().isdigit():
            raise
    return get_saved_search(session, int(name))


subscriptions_app = typer.Typer(help="Alert subscriptions and delivery.", no_args_is_help=True)
app.add_typer(subscriptions_app, name="subscriptions")


@subscriptions_app.command("add")
def subscriptions_add(
    name: Annotated[str, typer.Option(help="A name for the subscription.")],
    owner: Annotated[str, typer.Option(help="Owner contact URL (told when delivery fails).")],
    enterprise: Annotated[str | None, typer.Option(help="Enterprise id (profile).")] = None,
    saved_search: Annotated[int | None, typer.Option(help="Saved search id.")] = None,
    frequency: Annotated[str, typer.Option(help="instant, daily or weekly")] = "instant",
    channel: Annotated[list[str] | None, typer.Option(help="Channel URL (repeatable).")] = None,
    min_severity: Annotated[str, typer.Option(help="info, low, medium, high, critical")] = "info",
    lang: Annotated[str, typer.Option(help="zh or en")] = "zh",
) -> None:
    """Add a subscription; prints it with its feed token (shown once) and volume estimate."""
    from pydantic import ValidationError

    from api.routers.subscriptions import feed_urls
    from core.db import session_scope
    from warning.subscriptions import (
        SubscriptionError,
        SubscriptionSpec,
        create_subscription,
        subscription_to_dict,
    )

    _ensure_database()
    try:
        spec = SubscriptionSpec(
            name=name, owner_contact=owner, enterprise_id=enterprise,
            saved_search_id=saved_search, frequency=frequency, channels=channel or [],
            min_severity=min_severity, language=lang,
        )  # fmt: skip
        with session_scope() as session:
            created = create_subscription(session, spec)
            out = subscription_to_dict(created.row)
            secret = created.row.signing_secret
    except ValidationError as exc:
        _fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()), 2)
        return
    except SubscriptionError as exc:
        _fail(str(exc), 2)
        return
    volume = created.estimate.to_dict(lang)
    _emit(dict(out, feed_token=created.feed_token, feeds=feed_urls(out["id"], created.feed_token),
               signing_secret=secret, volume=volume))  # fmt: skip
    if volume["warning"]:
        err.print(f"[yellow]warning:[/yellow] {escape(volume['warning'])}", soft_wrap=True)


@subscriptions_app.command("list")
def subscriptions_list() -> None:
    """Every subscription as JSON lines (channel secrets redacted)."""
    from core.db import session_scope
    from warning.subscriptions import list_subscriptions, subscription_to_dict

    _ensure_database()
    with session_scope() as session:
        for row in list_subscriptions(session):
            _emit(subscription_to_dict(row))


@subscriptions_app.command("remove")
def subscriptions_remove(subscription_id: Annotated[int, typer.Argument()]) -> None:
    """Delete a subscription and its delivery records."""
    from core.db import session_scope
    from warning.subscription_removal import remove_subscription

    _ensure_database()
    with session_scope() as session:
        removed = remove_subscription(session, subscription_id)
    if not removed:
        _fail(f"no subscription {subscription_id}", 2)
    err.print(f"removed subscription {subscription_id}")


@app.command()
def deliver(
    digests: Annotated[
        bool, typer.Option("--digests", help="Also send the daily and weekly digests now.")
    ] = False,
) -> None:
    """Queue deliveries for new alerts and send what is due (in this process)."""
    from warning.delivery_store import deliver_pending, send_digests

    _ensure_database()
    outcomes = deliver_pending()
    if digests:
        outcomes += send_digests("daily") + send_digests("weekly")
    for outcome in outcomes:
        _emit({"status": outcome.status, "deliveries": outcome.deliveries,
               "retry_in": outcome.retry_in, "reason": outcome.reason})  # fmt: skip
    sent = sum(o.deliveries for o in outcomes if o.status == "sent")
    failed = sum(o.deliveries for o in outcomes if o.status in ("retry", "failed"))
    withdrawn = sum(o.deliveries for o in outcomes if o.status == "withdrawn")
    gone = f", {withdrawn} withdrawn (alert dismissed or resolved)" if withdrawn else ""
    err.print(f"{sent} delivery(ies) sent, {failed} failed or waiting to retry{gone}")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
