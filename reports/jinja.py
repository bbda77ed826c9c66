"""The one Jinja2 environment factory: autoescape, StrictUndefined, Babel-formatted dates
and numbers, and message catalogues in zh-CN and en."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from babel.dates import format_date, format_time
from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from warning.jurisdictions import market_label, market_name

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
LANGUAGES = ("zh", "en")
BABEL_LOCALE = {"zh": "zh_CN", "en": "en_GB"}
LIST_SEPARATOR = {"zh": "、", "en": ", "}
DISPLAY_ZONE = {"zh": ZoneInfo("Asia/Shanghai"), "en": UTC}
"""The zone a moment is shown in (``zoned_date``, ``zoned_time``): Beijing time for readers in China
(17:00 UTC on 7 December is already 8 December in Wuxi), UTC in English; the page says which
(catalogue key ``date_zone``)."""


@lru_cache(maxsize=8)
def load_catalog(lang: str) -> dict[str, str]:
    """The message catalogue for a language (``reports/locales/<lang>.yml``)."""
    merged: dict[str, str] = {}
    for path in sorted(LOCALES_DIR.glob(f"*{lang}.yml")):
        merged.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return merged


def translator(lang: str) -> Callable[..., str]:
    """``_("key", **values)`` for a language; an unknown key shows itself, never fails."""
    catalog = load_catalog(lang)
    fallback = load_catalog("en")

    def translate(key: str, **values: Any) -> str:
        text = catalog.get(key) or fallback.get(key) or key
        return text.format(**values) if values else text

    return translate


def _fmt_date(value: date | datetime | None, lang: str, fmt: str = "medium") -> str:
    if value is None:
        return "—"
    return format_date(value, format=fmt, locale=BABEL_LOCALE[lang])


def _in_display_zone(moment: datetime, lang: str) -> datetime:
    """A moment in the language's display zone (times stored naive are UTC, as on SQLite)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(DISPLAY_ZONE[lang])


def _fmt_zoned_date(value: date | datetime | None, lang: str, fmt: str = "medium") -> str:
    """A moment's date in the language's display zone, naming the zone; a plain date is
    shown as it is."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = _in_display_zone(value, lang)
    return _fmt_date(value, lang, fmt) + translator(lang)("date_zone")


def _fmt_zoned_time(value: datetime | None, lang: str, fmt: str = "long") -> str:
    """A moment's date and time (hours and minutes) in the language's display zone, naming
    the zone: when a report was generated (17:00 UTC on 7 December is 01:00 on 8 December
    in Beijing)."""
    if value is None:
        return "—"
    moment = _in_display_zone(value, lang)
    clock = format_time(moment, "HH:mm", locale=BABEL_LOCALE[lang])
    return f"{_fmt_date(moment, lang, fmt)} {clock}" + translator(lang)("date_zone")


def make_environment(template_dirs: Sequence[Path], lang: str = "zh") -> Environment:
    """A Jinja environment for templates in ``template_dirs`` rendering in ``lang``."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; valid: {', '.join(LANGUAGES)}")
    env = Environment(
        loader=FileSystemLoader([str(d) for d in template_dirs]),
        autoescape=select_autoescape(["html", "xml", "jinja"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(_=translator(lang), lang=lang, html_lang="zh-CN" if lang == "zh" else "en")
    env.filters["date"] = lambda v, fmt="medium": _fmt_date(v, lang, fmt)
    env.filters["zoned_date"] = lambda v, fmt="medium": _fmt_zoned_date(v, lang, fmt)
    env.filters["zoned_time"] = lambda v, fmt="long": _fmt_zoned_time(v, lang, fmt)
    env.filters["number"] = lambda v: format_decimal(v, locale=BABEL_LOCALE[lang])
    env.filters["percent"] = lambda v: format_percent(v, locale=BABEL_LOCALE[lang])
    env.filters["pick"] = lambda d: _pick(d, lang)
    env.filters["chain"] = lambda chain_id: _chain_name(chain_id, lang)
    env.filters["market"] = lambda code: market_name(code, lang)
    env.filters["market_coded"] = lambda code: market_label(code, lang)
    env.filters["listing"] = lambda values: LIST_SEPARATOR[lang].join(str(v) for v in values)
    env.filters["label"] = lambda value, prefix: _label(value, prefix, lang)
    return env


def _pick(value: Any, lang: str) -> str:
    """The text in ``lang`` (else English, else Chinese) of a ``{"zh", "en"}`` dict or a
    ``LocalizedName``."""
    if value is None:
        return ""
    for key in (lang, "en", "zh"):
        text = value.get(key) if isinstance(value, dict) else getattr(value, key, None)
        if text:
            return str(text)
    return ""


def _label(value: str | None, prefix: str, lang: str) -> str:
    """The catalogue's label for ``prefix`` + a profile's own value (an asset type or status,
    e.g. ``ip_`` + ``patent``), else the value as the profile wrote it."""
    if not value:
        return ""
    return load_catalog(lang).get(prefix + value.strip().lower()) or value


def _chain_name(chain_id: str, lang: str) -> str:
    from tagger.taxonomy import load_taxonomy

    try:
        name = load_taxonomy().chain(chain_id).name
    except KeyError:
        return chain_id
    return name.zh if lang == "zh" else name.en
