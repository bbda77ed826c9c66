"""Report use cases shared by the CLI, the HTTP API, the web UI and the scheduled task:
generate and store a briefing, run and store a health check, rebuild a stored report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import BriefingRow, Enterprise, HealthCheckRow
from core.types import AdvisorNote, EnterpriseProfile, HealthCheckResult
from reports._model import Briefing, HealthReport
from reports.briefing import build_briefing
from reports.health import build_health_report
from reports.store import load_health_check, save_briefing, save_health_check
from warning.health import load_window_items, run_health_check


class UnknownEnterpriseError(LookupError):
    """No stored enterprise profile has this id."""


def compute_health_check(
    session: Session,
    profile: EnterpriseProfile,
    as_of: date,
    notes: Sequence[AdvisorNote] = (),
) -> HealthCheckResult:
    """Run the health-check computation (``warning.health``) on the stored items of its
    12-month window."""
    return run_health_check(profile, load_window_items(session, as_of), as_of, notes)


def generate_briefing(
    session: Session,
    country: str,
    chain: str | None,
    period: str | None,
    as_of: date,
    lang: str = "zh",
) -> tuple[BriefingRow, Briefing]:
    """Assemble and store a briefing (raises the validation errors of ``build_briefing``)."""
    briefing = build_briefing(session, country, chain, period, as_of)
    return save_briefing(session, briefing, lang), briefing


def stored_profile(session: Session, enterprise_id: str) -> EnterpriseProfile:
    """The stored profile, or :class:`UnknownEnterpriseError` naming the known ids."""
    row = session.get(Enterprise, enterprise_id)
    if row is None:
        known = ", ".join(sorted(session.scalars(select(Enterprise.id)))) or "none"
        raise UnknownEnterpriseError(f"unknown enterprise {enterprise_id!r}; known: {known}")
    return EnterpriseProfile.stored(row.profile)


def run_stored_health_check(
    session: Session, enterprise_id: str, as_of: date
) -> tuple[HealthCheckRow, HealthCheckResult]:
    """Run the health check for a stored enterprise on stored items, and store it."""
    profile = stored_profile(session, enterprise_id)
    result = compute_health_check(session, profile, as_of)
    return save_health_check(session, result), result


def health_report_for(session: Session, row: HealthCheckRow) -> HealthReport:
    """The report of a stored health check, with its notes and the current profile."""
    result = load_health_check(row)
    return build_health_report(session, result, stored_profile(session, row.enterprise_id))
