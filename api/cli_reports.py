"""``iprwatch report``: country briefings and health-check reports as HTML or PDF files."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

report_app = typer.Typer(help="Country briefings and health-check reports.", no_args_is_help=True)
err = Console(stderr=True)

Lang = Annotated[str, typer.Option(help="Language: zh or en.")]
Format = Annotated[str, typer.Option("--format", help="html or pdf.")]
Out = Annotated[
    Path,
    typer.Option(
        help="The file to write; an existing folder gets the report under its default name "
        "(printed)."
    ),
]
AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="Report date (YYYY-MM-DD); today, or IPRWATCH_DATA_AS_OF when set."
    ),
]


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _check_options(lang: str, fmt: str, out: Path, as_of: str | None) -> date:
    from api.services import parse_as_of
    from core.settings import default_as_of

    if lang not in ("zh", "en"):
        _fail(f"--lang must be zh or en, not {lang!r}")
    if fmt not in ("html", "pdf"):
        _fail(f"--format must be html or pdf, not {fmt!r}")
    if not out.is_dir() and not out.parent.is_dir():
        _fail(f"--out: folder {out.parent} does not exist")
    try:
        return parse_as_of(as_of) or default_as_of()
    except ValueError as exc:
        _fail(str(exc))
        raise


def _target(out: Path, default_name: str) -> Path:
    """``out``, or ``default_name`` inside it when ``out`` is a folder."""
    return out / default_name if out.is_dir() else out


def _write(out: Path, content: str | bytes) -> None:
    if isinstance(content, bytes):
        out.write_bytes(content)
    else:
        out.write_text(content, encoding="utf-8")
    err.print(f"wrote {out} ({out.stat().st_size:,} bytes)")


@report_app.command("briefing")
def briefing(
    country: Annotated[str, typer.Option(help="ISO country code (US, DE ...) or EU, UPC ...")],
    out: Out,
    chain: Annotated[str | None, typer.Option(help="Industry-chain id (A5, L1 ...).")] = None,
    period: Annotated[
        str | None, typer.Option(help="2025-Q3, 2025-07 or 2025; default: last full month.")
    ] = None,
    lang: Lang = "zh",
    fmt: Format = "html",
    as_of: AsOf = None,
) -> None:
    """Country-environment briefing (国别知识产权环境简报); it is stored as well.

    When --out is a folder, the file in it is named as the API's download:
    briefing-ID-COUNTRY-PERIOD-LANG.html (or .pdf).
    """
    from core.db import session_scope
    from core.migrate import upgrade
    from reports.briefing import UnknownChainError
    from reports.countries import UnknownCountryError
    from reports.periods import PeriodError
    from reports.render import render_briefing_html, render_briefing_pdf
    from reports.service import generate_briefing

    day = _check_options(lang, fmt, out, as_of)
    upgrade()
    try:
        with session_scope() as session:
            row, assembled = generate_briefing(session, country, chain, period, day, lang)
            row_id = row.id
    except (UnknownCountryError, UnknownChainError, PeriodError) as exc:
        _fail(str(exc))
        return
    render = render_briefing_pdf if fmt == "pdf" else render_briefing_html
    name = f"briefing-{row_id}-{assembled.country}-{assembled.period}-{lang}.{fmt}"
    _write(_target(out, name), render(assembled, lang))
    if not assembled.has_data:
        err.print(f"no data for {assembled.country} in {assembled.period}: the report says so")
    err.print(f"stored as briefing {row_id}")


@report_app.command("health-check")
def health_check(
    profile: Annotated[Path, typer.Option(help="Profile file (YAML or JSON).")],
    out: Out,
    enterprise: Annotated[
        str | None,
        typer.Option("--enterprise", help="The profile to report on, when the file holds several."),
    ] = None,
    lang: Lang = "zh",
    fmt: Format = "html",
    as_of: AsOf = None,
) -> None:
    """Enterprise IP health-check report (企业知识产权体检报告) over the stored items.

    When --out is a folder, the file in it is named health-check-ENTERPRISE-DATE-LANG.html
    (or .pdf).
    """
    from core.db import session_scope
    from core.migrate import upgrade
    from reports.health import build_health_report
    from reports.render import render_health_html, render_health_pdf
    from reports.service import compute_health_check
    from warning.health import pick_profile
    from warning.profiles import ProfileError, load_profiles

    day = _check_options(lang, fmt, out, as_of)
    try:
        chosen = pick_profile(load_profiles(profile), profile, enterprise)
    except ProfileError as exc:
        _fail(str(exc))
        return
    upgrade()
    with session_scope() as session:
        result = compute_health_check(session, chosen, day)
        report = build_health_report(session, result, chosen)
    render = render_health_pdf if fmt == "pdf" else render_health_html
    name = f"health-check-{chosen.id}-{day}-{lang}.{fmt}"
    _write(_target(out, name), render(report, lang))
    err.print(f"{chosen.id}: {result.level.value}, score {result.overall_score}")
