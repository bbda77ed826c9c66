"""``iprwatch profiles``: import, list, show and check the stored enterprise profiles."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from core.types import EnterpriseProfile
    from warning.profile_check import CheckCounts, Refusal

profiles_app = typer.Typer(help="Enterprise profiles.", no_args_is_help=True)
err = Console(stderr=True)

Lang = Annotated[str, typer.Option(help="Language of names and headings: en or zh.")]
AsJson = Annotated[bool, typer.Option("--json", help="One JSON object per line.")]

_HEADINGS = {
    "list": {
        "en": ("id", "name", "chains", "markets"),
        "zh": ("编号", "名称", "产业链", "出口市场"),
    },
}
_KINDS_ZH = {"profile": "企业档案", "saved_search": "保存的检索"}


def _emit(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _table(headings: tuple[str, ...]) -> Table:
    """A table whose cells fold rather than cut (Chinese names have no spaces to wrap at)."""
    table = Table()
    for heading in headings:
        table.add_column(heading, overflow="fold")
    return table


def _checked_lang(lang: str) -> str:
    if lang not in ("en", "zh"):
        _fail(f"--lang must be en or zh, not {lang!r}")
    return lang


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
    err.print(f"imported {len(ids)} profile(s): {_some_ids(ids)}")


def _some_ids(ids: list[str], shown: int = 10) -> str:
    """The first ids, then how many more: a 3,000-profile import should not flood the terminal."""
    more = f" and {len(ids) - shown:,} more" if len(ids) > shown else ""
    return ", ".join(ids[:shown]) + more


def _market(code: str, share: float | None, lang: str) -> str:
    """A market as a reader of ``lang`` names it, with its code ("美国 (US) 40%")."""
    from warning.jurisdictions import market_label

    name = market_label(code, lang)
    return f"{name} {share:.0%}" if share is not None else name


def _listed(profile: EnterpriseProfile) -> dict[str, Any]:
    return {
        "id": profile.id,
        "name": profile.name.model_dump(),
        "chains": profile.chains,
        "markets": [d.model_dump() for d in profile.destinations],
    }


def _stored_profiles(session: Any) -> Iterator[EnterpriseProfile | str]:
    """Each stored profile, read leniently; the id of one even that cannot read."""
    from pydantic import ValidationError
    from sqlalchemy import select

    from core.models import Enterprise
    from core.types import EnterpriseProfile

    rows = session.execute(
        select(Enterprise.id, Enterprise.profile)
        .order_by(Enterprise.id)
        .execution_options(yield_per=1000)
    )
    for enterprise_id, document in rows:
        try:
            yield EnterpriseProfile.stored(document)
        except ValidationError:
            yield str(enterprise_id)


def _unreadable(enterprise_id: str) -> None:
    err.print(
        f"[yellow]warning:[/yellow] the stored profile {escape(enterprise_id)!r} cannot be "
        "read; `iprwatch profiles check` says why",
        highlight=False,
        soft_wrap=True,
    )


@profiles_app.command("list")
def profiles_list(as_json: AsJson = False, lang: Lang = "en") -> None:
    """Each stored profile: id, name, chains and export markets (with their shares)."""
    from core.db import session_scope

    lang = _checked_lang(lang)
    _ensure_database()
    table = _table(_HEADINGS["list"][lang])
    count = 0
    with session_scope() as session:
        for profile in _stored_profiles(session):
            if isinstance(profile, str):
                _unreadable(profile)
                continue
            count += 1
            if as_json:
                _emit(_listed(profile))
                continue
            markets = [_market(d.country, d.export_share, lang) for d in profile.destinations]
            table.add_row(
                escape(profile.id),
                escape(profile.display_name(lang)),
                ", ".join(profile.chains) or "-",
                ("、" if lang == "zh" else ", ").join(markets) or "-",
            )
    if not as_json:
        Console().print(table)
    err.print(f"{count} profile(s)" if lang == "en" else f"共{count}个企业档案", soft_wrap=True)


@profiles_app.command("show")
def profiles_show(
    enterprise_id: Annotated[str, typer.Argument(metavar="ID", help="The enterprise id.")],
) -> None:
    """The whole stored profile as JSON."""
    from pydantic import ValidationError

    from core.db import session_scope
    from warning.store import ProfileNotFound, get_profile

    _ensure_database()
    try:
        with session_scope() as session:
            profile = get_profile(session, enterprise_id)
    except ProfileNotFound:
        _fail(
            f"no stored profile has the id {enterprise_id!r}; "
            "`iprwatch profiles list` shows the stored ones"
        )
        return
    except ValidationError:
        _fail(
            f"the stored profile {enterprise_id!r} cannot be read; `iprwatch profiles check` says why"
        )
        return
    _emit(profile.model_dump(mode="json"))


def _value_text(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:79] + "…"


def _check_summary(counts: CheckCounts, lang: str) -> str:
    if lang == "zh":
        return (
            f"{counts.profiles}个企业档案中{counts.refused_profiles}个、"
            f"{counts.searches}个保存的检索中{counts.refused_searches}个按现行词表会被拒绝"
        )
    return (
        f"{counts.refused_profiles} of {counts.profiles} profile(s) and "
        f"{counts.refused_searches} of {counts.searches} saved search(es) "
        "would be refused by today's vocabularies"
    )


def _reason_text(refusal: Refusal, lang: str) -> str:
    """The refusal's reason in the output's language: English as the validators wrote it,
    Chinese from the catalogue (``check_<key>``), naming values as they are stored; a reason
    of no known form is framed in Chinese and quoted as written."""
    from reports.jinja import load_catalog
    from warning.jurisdictions import market_name_zh

    if lang == "en":
        return refusal.reason
    catalog = load_catalog(lang)
    template = catalog.get(f"check_{refusal.key}") if refusal.key else None
    if template is None:
        return catalog["check_other"].format(reason=refusal.reason)
    values = dict(refusal.values)
    if "what" in values:
        what = values["what"]
        values["what"] = catalog.get(f"check_what_{what.lower().replace(' ', '_')}", what)
    for listed in ("options", "expected"):
        if listed in values:
            values[listed] = values[listed].replace(" or ", " 或 ")
    code = values.get("suggested", "")
    values["suggestion"] = (
        catalog["check_did_you_mean"].format(code=code, name=market_name_zh(code)) if code else ""
    )
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):  # a value the wording expects is missing
        return catalog["check_other"].format(reason=refusal.reason)


def _check_line(refusal: Refusal, lang: str) -> str:
    """One refusal on one line (reasons are long: a table would fold them beyond reading)."""
    value = _value_text(refusal.value)
    field = refusal.field or "-"
    reason = _reason_text(refusal, lang)
    if lang == "zh":
        name = f"（{refusal.name}）" if refusal.name else ""
        return f"{_KINDS_ZH[refusal.kind]} {refusal.id}{name} {field} = {value}：{reason}"
    name = f" ({refusal.name})" if refusal.name else ""
    return f"{refusal.kind} {refusal.id}{name} {field} = {value}: {reason}"


@profiles_app.command("check")
def profiles_check(as_json: AsJson = False, lang: Lang = "en") -> None:
    """Validate every stored profile and saved search against today's vocabularies.

    Stored documents are read leniently, so values earlier versions accepted keep working;
    this names each one that an import or a new saved search would now refuse (field, value,
    reason). Exit status 1 when there is any, 0 when there is none; nothing is changed.
    With ``--lang zh`` the lines, reasons included, are in Chinese (field names and stored
    values as they are); ``--json`` lines keep the validators' English reason.
    """
    from core.db import session_scope
    from warning.profile_check import CheckCounts, check_stored

    lang = _checked_lang(lang)
    _ensure_database()
    counts = CheckCounts()
    with session_scope() as session:
        for refusal in check_stored(session, counts):
            if as_json:
                _emit(refusal.to_dict())
            else:
                sys.stdout.write(_check_line(refusal, lang) + "\n")
    err.print(_check_summary(counts, lang), soft_wrap=True)
    if counts.refused_profiles or counts.refused_searches:
        raise typer.Exit(1)


def _ensure_database() -> None:
    """Create or upgrade the schema, so that no command meets an empty database."""
    from core.migrate import upgrade

    upgrade()
