"""The web forms for an enterprise profile and a subscription: from stored records to the
raw text a form shows, and from a submitted form back to the API's validated models.

A form round-trips as :class:`FormState`: the raw strings per input name (so a form sent
back after a validation error shows exactly what the user typed) and the problems per
input name. Input names are the model's dotted field paths (``products.0.name``), so a
pydantic error location names its input directly. Validation is the API's: the
``EnterpriseProfile`` schema and ``SubscriptionSpec``; messages are shown in the page's
language from the ``form_error_*`` catalogue keys, else pydantic's English text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from core.types import EnterpriseProfile
from warning.delivery import redact_url
from warning.delivery_channels import ChannelError
from warning.subscriptions import SubscriptionSpec

__all__ = [
    "FormState",
    "Problem",
    "profile_form",
    "profile_from_form",
    "subscription_form",
    "subscription_from_form",
]

LIST_SPLIT = re.compile(r"[,，、;；\n]+")
"""Separators of a list typed into one input: commas (ASCII or Chinese), 、, semicolons."""
BLANK_ROWS = 2
"""Empty rows offered under each table of a profile (more rows: save, then edit again)."""
MAX_ROWS = 200
ROW_FIELDS = {
    "products": ("name", "keywords", "hs"),
    "destinations": ("country", "export_share"),
    "ip_assets": ("type", "jurisdiction", "number", "title", "status", "expires"),
}
LINE_FIELDS = ("aliases", "competitors", "watch_terms", "contacts")
IP_TYPES = ("patent", "trademark", "design", "copyright")


@dataclass
class Problem:
    """What is wrong with one input: a catalogue key (``form_error_<type>``), its values,
    and pydantic's English message as the fallback."""

    key: str
    message: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class FormState:
    """A form's raw values by input name, its table rows, and problems by input name."""

    values: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    chains: list[str] = field(default_factory=list)
    errors: dict[str, Problem] = field(default_factory=dict)

    def get(self, name: str) -> str:
        """The raw value of an input ('' when empty)."""
        return self.values.get(name, "")


def split_list(text: str) -> list[str]:
    """Items of a list typed as text, trimmed, empty ones dropped, order and duplicates kept
    once."""
    return list(dict.fromkeys(p.strip() for p in LIST_SPLIT.split(text) if p.strip()))


def _lines(text: str) -> list[str]:
    return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


def _percent(share: float | None) -> str:
    if share is None:
        return ""
    return f"{share * 100:g}"


def profile_form(profile: EnterpriseProfile) -> FormState:
    """A stored profile as the form shows it (export shares in per cent)."""
    state = FormState(chains=list(profile.chains))
    values = state.values
    values["name.zh"], values["name.en"] = profile.name.zh or "", profile.name.en or ""
    values["uscc"] = profile.uscc or ""
    values["location.province"] = profile.location.province or ""
    values["location.city"] = profile.location.city or ""
    for name in LINE_FIELDS:
        values[name] = "\n".join(getattr(profile, name))
    for n, product in enumerate(profile.products):
        values[f"products.{n}.name"] = product.name
        values[f"products.{n}.keywords"] = ", ".join(product.keywords)
        values[f"products.{n}.hs"] = ", ".join(product.hs)
    for n, destination in enumerate(profile.destinations):
        values[f"destinations.{n}.country"] = destination.country
        values[f"destinations.{n}.export_share"] = _percent(destination.export_share)
    for n, asset in enumerate(profile.ip_assets):
        for name in ROW_FIELDS["ip_assets"]:
            value = getattr(asset, name)
            values[f"ip_assets.{n}.{name}"] = "" if value is None else str(value)
    state.rows = {
        "products": len(profile.products) + BLANK_ROWS,
        "destinations": len(profile.destinations) + BLANK_ROWS,
        "ip_assets": len(profile.ip_assets) + BLANK_ROWS,
    }
    return state


def _submitted_rows(form: Mapping[str, str], table: str) -> list[dict[str, str]]:
    """The table's non-empty rows in the order they were sent (blank rows dropped)."""
    rows = []
    for n in range(MAX_ROWS):
        row = {name: form.get(f"{table}.{n}.{name}", "").strip() for name in ROW_FIELDS[table]}
        if any(row.values()):
            rows.append(row)
    return rows


def _share(text: str) -> float | str | None:
    """An export share typed in per cent, as the schema's 0..1 fraction (the text itself
    when it is not a number, so that the schema's error names the input)."""
    if not text:
        return None
    try:
        return round(float(text.replace("%", "").replace("％", "").strip()) / 100, 6)
    except ValueError:
        return text


def _profile_document(
    enterprise_id: str, form: Mapping[str, str], chains: Sequence[str]
) -> tuple[dict[str, Any], FormState]:
    """The profile document a form describes, and the state to show it again (tables
    compacted, so that row numbers in errors match the rows shown)."""
    state = FormState(chains=list(dict.fromkeys(chains)))
    for name in ("name.zh", "name.en", "uscc", "location.province", "location.city", *LINE_FIELDS):
        state.values[name] = form.get(name, "").strip()
    tables = {table: _submitted_rows(form, table) for table in ROW_FIELDS}
    for table, rows in tables.items():
        for n, row in enumerate(rows):
            for name, value in row.items():
                state.values[f"{table}.{n}.{name}"] = value
        state.rows[table] = len(rows) + BLANK_ROWS
    get = state.values.get
    document: dict[str, Any] = {
        "id": enterprise_id,
        "name": {"zh": get("name.zh") or None, "en": get("name.en") or None},
        "uscc": get("uscc") or None,
        "location": {
            "province": get("location.province") or None,
            "city": get("location.city") or None,
        },
        "chains": state.chains,
        **{name: _lines(state.get(name)) for name in LINE_FIELDS},
        "products": [
            {"name": r["name"], "keywords": split_list(r["keywords"]), "hs": split_list(r["hs"])}
            for r in tables["products"]
        ],
        "destinations": [
            {"country": r["country"], "export_share": _share(r["export_share"])}
            for r in tables["destinations"]
        ],
        "ip_assets": [
            {k: (v or None) if k not in ("type", "jurisdiction") else v for k, v in r.items()}
            for r in tables["ip_assets"]
        ],
    }
    return document, state


def _problems(exc: ValidationError, prefix: tuple[str | int, ...] = ()) -> dict[str, Problem]:
    """Pydantic's errors by input name (the first per input)."""
    problems: dict[str, Problem] = {}
    for err in exc.errors():
        loc = [str(p) for p in err["loc"][len(prefix) :]]
        name = ".".join(loc) or "form"
        # an error on a nested model (no name given at all) belongs to its first input
        if name == "name":
            name = "name.zh"
        values = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, int | float)}
        message = str(err["msg"]).removeprefix("Value error, ")
        problem = _channel_problem(err, message)
        problem = problem or Problem(f"form_error_{err['type']}", message, values)
        problems.setdefault(name, problem)
    return problems


def _channel_problem(err: Any, message: str) -> Problem | None:
    """A refused channel URL, said in the page's language (its own catalogue key)."""
    error = (err.get("ctx") or {}).get("error")
    if not isinstance(error, ChannelError) or not error.key:
        return None
    return Problem(f"form_error_channel_{error.key}", message, dict(error.values))


def _name_problem(document: dict[str, Any]) -> dict[str, Problem]:
    if document["name"]["zh"] or document["name"]["en"]:
        return {}
    return {"name.zh": Problem("form_error_name_required", "give a name in Chinese or English")}


def profile_from_form(
    enterprise_id: str,
    form: Mapping[str, str],
    chains: Sequence[str],
    known_chains: Iterable[str],
) -> tuple[EnterpriseProfile | None, FormState]:
    """Validate a submitted profile form; the profile, or ``None`` and the problems."""
    document, state = _profile_document(enterprise_id, form, chains)
    known = set(known_chains)
    unknown = [c for c in state.chains if c not in known]
    if unknown:
        state.errors["chains"] = Problem(
            "form_error_unknown_chain", f"unknown chain(s): {', '.join(unknown)}"
        )
    state.errors.update(_name_problem(document))
    try:
        profile = EnterpriseProfile.model_validate(document)
    except ValidationError as exc:
        state.errors = _problems(exc) | state.errors
        return None, state
    return (None if state.errors else profile), state


SUBSCRIPTION_FIELDS = (
    "name",
    "enterprise_id",
    "saved_search_id",
    "min_severity",
    "frequency",
    "channels",
    "owner_contact",
    "language",
)


def subscription_form(
    spec: Mapping[str, Any] | None = None, default_enterprise: str = "", lang: str = "zh"
) -> FormState:
    """A subscription as the form shows it; channel URLs redacted (their tokens stay
    stored and are kept when the redacted line comes back unchanged)."""
    if spec is None:
        values = {
            "name": "",
            "enterprise_id": default_enterprise,
            "min_severity": "medium",
            "frequency": "daily",
            "channels": "",
            "owner_contact": "",
            "language": lang,
        }
        return FormState(values=values)
    values = {name: str(spec.get(name) or "") for name in SUBSCRIPTION_FIELDS}
    values["channels"] = "\n".join(redact_url(c) for c in spec.get("channels") or [])
    values["owner_contact"] = redact_url(str(spec.get("owner_contact") or ""))
    return FormState(values=values)


def _unredacted(line: str, stored: Iterable[str]) -> str:
    """The stored URL whose redacted form is ``line`` (an unchanged channel), else ``line``."""
    for url in stored:
        if redact_url(url) == line:
            return url
    return line


def subscription_from_form(
    form: Mapping[str, str], stored_channels: Sequence[str] = (), stored_owner: str = ""
) -> tuple[SubscriptionSpec | None, FormState]:
    """Validate a submitted subscription form with the API's ``SubscriptionSpec``."""
    state = FormState(values={name: form.get(name, "").strip() for name in SUBSCRIPTION_FIELDS})
    stored = [*stored_channels, stored_owner] if stored_owner else list(stored_channels)
    channels = [_unredacted(line, stored) for line in _lines(state.get("channels"))]
    document = {
        "name": state.get("name"),
        "enterprise_id": state.get("enterprise_id") or None,
        "saved_search_id": state.get("saved_search_id") or None,
        "min_severity": state.get("min_severity"),
        "frequency": state.get("frequency"),
        "channels": channels,
        "owner_contact": _unredacted(state.get("owner_contact"), stored),
        "language": state.get("language"),
    }
    try:
        spec = SubscriptionSpec.model_validate(document)
    except ValidationError as exc:
        problems = _problems(exc)
        if "form" in problems:  # the model's own check: no enterprise and no saved search
            problems["enterprise_id"] = problems.pop("form")
        state.errors = {_channel_input(k): v for k, v in reversed(problems.items())}
        return None, state
    return spec, state


def _channel_input(name: str) -> str:
    """``channels.2`` (one URL of the list) is shown at the ``channels`` input."""
    return "channels" if name.startswith("channels.") else name


def _problem_key(name: str, problem: Problem) -> str:
    """The catalogue key for a problem; some inputs have their own wording."""
    if name.endswith(".export_share"):
        return "form_error_share"
    if name == "uscc" and problem.key == "form_error_string_pattern_mismatch":
        return "form_error_uscc"
    return problem.key


def error_messages(state: FormState, catalog: Mapping[str, str]) -> dict[str, str]:
    """Each problem in the page's language (pydantic's English when the catalogue has no
    wording for it), by input name."""
    messages = {}
    for name, problem in state.errors.items():
        text = catalog.get(_problem_key(name, problem))
        values = {"message": problem.message, **problem.values}
        messages[name] = text.format(**values) if text else problem.message
    return messages
