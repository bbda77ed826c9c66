"""The ``iprwatch`` command line. Data goes to stdout as JSON lines; messages go to stderr."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from core.logging_ import configure_logging

app = typer.Typer(
    help="IPRWatch 海外知识产权风险预警",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
sources_app = typer.Typer(help="Crawled sources and their health.", no_args_is_help=True)
profiles_app = typer.Typer(help="Enterprise profiles.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(sources_app, name="sources")
app.add_typer(profiles_app, name="profiles")

err = Console(stderr=True)


def _emit(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")


def _ensure_database() -> None:
    """Create or upgrade the schema, so that no command meets an empty database."""
    from core.migrate import upgrade

    upgrade()


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    configure_logging("INFO" if verbose else "WARNING")


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
    """Crawl one source, print the items it extracted as JSON lines, and store them."""
    from api.pipeline import process_items
    from core.db import session_scope
    from core.migrate import upgrade
    from crawlers.pipeline import run_and_store
    from crawlers.registry import UnknownSourceError
    from crawlers.runner import ReplayError

    upgrade()
    try:
        outcome, stored = run_and_store(source, replay=replay)
    except UnknownSourceError as exc:
        _fail(str(exc), 2)
        return
    except ReplayError as exc:
        _fail(str(exc), 1)
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
    limit: Annotated[int, typer.Option(min=1, max=100)] = 20,
    cursor: Annotated[str | None, typer.Option(help="Cursor from a previous page.")] = None,
    facets: Annotated[bool, typer.Option("--facets", help="Print facet counts to stderr.")] = False,
) -> None:
    """Search items; prints one JSON object per hit (with its highlighted snippet)."""
    from api.services import run_search

    try:
        results = run_search(
            q=query, jurisdictions=country, chains=chain, kinds=kind, ip_types=ip_type,
            sources=source, party=party, case_ref=case_ref, since=since, until=until,
            chinese_party=chinese_party, province=province, city=city, sort=sort,
            limit=limit, cursor=cursor,
        )  # fmt: skip
    except ValueError as exc:
        _fail(str(exc), 2)
        return
    for hit in results["hits"]:
        _emit(hit)
    more = f"; next page: --cursor {results['next_cursor']}" if results.get("next_cursor") else ""
    err.print(f"{results['total']} result(s){more}", soft_wrap=True)
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

    Without options: stored items against stored profiles; new alerts are stored. With
    --profiles and --items: the given files only, nothing stored.
    """
    from api.services import alert_line, warn_files, warn_stored

    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        _fail(f"--as-of: not an ISO date: {as_of!r}", 2)
        return
    if lang not in ("en", "zh"):
        _fail("--lang must be en or zh", 2)
    if (profiles is None) != (items is None):
        _fail("--profiles and --items go together", 2)
    if not (profiles and items):
        _ensure_database()
    try:
        alerts = warn_files(profiles, items, day) if profiles and items else warn_stored(day)
    except ValueError as exc:
        _fail(str(exc), 2)
        return
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


@profiles_app.command("import")
def profiles_import(
    file: Annotated[Path, typer.Argument(help="YAML or JSON: one profile or many.")],
) -> None:
    """Validate and store enterprise profiles."""
    from core.db import session_scope
    from core.migrate import upgrade
    from warning.profiles import ProfileError, load_profiles
    from warning.store import save_profiles

    try:
        profiles = load_profiles(file)
    except ProfileError as exc:
        _fail(str(exc), 2)
        return
    upgrade()
    with session_scope() as session:
        ids = save_profiles(session, profiles)
    err.print(f"imported {len(ids)} profile(s): {', '.join(ids)}")


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
) -> None:
    """Run the service on live sources: a Celery worker with beat, and the web UI and API."""
    from api.runtime import run_up

    run_up(host=host, port=port)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
