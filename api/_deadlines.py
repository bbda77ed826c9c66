"""Where an alert's deadline stands, the same for the web pages and the JSON API.

The dashboard flags and counts overdue alerts; the API says ``deadline_state``. Both come from
:func:`deadline_state`, so an API client and a reader of the page never disagree on what is
overdue (a 2015 deadline reported in 2016 is neither).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

__all__ = ["OPEN_STATUSES", "DeadlineState", "deadline_state", "lapsed_at_publication"]

OPEN_STATUSES = ("new", "acknowledged")
"""The statuses of an alert someone still has to act on."""

DeadlineState = Literal["running", "overdue", "lapsed_at_publication", "closed"]
"""``running``: open, the deadline is today or later; ``overdue``: open, the deadline has
passed since the item was published; ``lapsed_at_publication``: the deadline had passed before
the item was published (whatever the status); ``closed``: dismissed or resolved, so nothing is
running late."""


def lapsed_at_publication(deadline: date | None, published: datetime | None) -> bool:
    """Whether a deadline had already passed on the day its item was published.

    The deadline is counted from a date the item states (a 337 case instituted in 2015,
    reported in a notice of 2016; news of an investigation three weeks after it began). Such
    a deadline is a fact of the case, not a task the reader missed: calling it "overdue by
    3,600 days" buries the alerts that are really running late, so it is shown as passed
    before publication and not counted as overdue.
    """
    return deadline is not None and published is not None and deadline < published.date()


def deadline_state(
    deadline: date | None, published: datetime | None, status: str, today: date
) -> DeadlineState | None:
    """Where an alert's deadline stands on ``today`` (``None``: the alert has no deadline).

    A lapsed deadline is told whatever the alert's status, as the alert page tells it; only an
    open alert can be overdue, as only open ones are flagged and counted on the dashboard.
    """
    if deadline is None:
        return None
    if lapsed_at_publication(deadline, published):
        return "lapsed_at_publication"
    if status not in OPEN_STATUSES:
        return "closed"
    return "overdue" if deadline < today else "running"
