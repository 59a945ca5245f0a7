"""When each self-assessment may be taken, and when Tandem asks for it. Pure functions of the
relationship's dates and status (no query), shared by the services, selectors and pages.

Start ("starting self-assessment"):
- open while the relationship is proposed or active;
- prompted (on the workspace's "what's next") while proposed, and during the first
  START_PROMPT_DAYS days after it started.

End ("closing self-assessment"):
- open while the relationship is active or paused from the day the last END_SHARE of its
  planned duration begins (e.g. a 12-month relationship: from about month 10), and
- open once it is completed or ended early, for END_AFTER_CLOSE_DAYS days after it closed;
- prompted whenever it is open.
A relationship without a planned end date (never started) has no closing window until it closes.
"""

import datetime
import math

from tandem.relationships.models import Relationship, RelationshipStatus

START_STATUSES = (RelationshipStatus.PROPOSED, RelationshipStatus.ACTIVE)
START_PROMPT_DAYS = 30
END_SHARE = 0.2
END_RUNNING_STATUSES = (RelationshipStatus.ACTIVE, RelationshipStatus.PAUSED)
END_CLOSED_STATUSES = (RelationshipStatus.COMPLETED, RelationshipStatus.ENDED)
END_AFTER_CLOSE_DAYS = 30


def end_opens_on(
    started_on: datetime.date | None, planned_end_on: datetime.date | None
) -> datetime.date | None:
    """The first day of the last END_SHARE of the planned duration (None without both dates)."""
    if started_on is None or planned_end_on is None:
        return None
    days = max((planned_end_on - started_on).days, 0)
    return started_on + datetime.timedelta(days=math.ceil(days * (1 - END_SHARE)))


def start_is_open(relationship: Relationship) -> bool:
    return relationship.status in START_STATUSES


def start_prompt_until(relationship: Relationship) -> datetime.date | None:
    """The last day Tandem asks for the starting self-assessment (None while proposed)."""
    if relationship.started_on is None:
        return None
    return relationship.started_on + datetime.timedelta(days=START_PROMPT_DAYS)


def start_is_prompted(relationship: Relationship, *, today: datetime.date) -> bool:
    if relationship.status == RelationshipStatus.PROPOSED:
        return True
    if relationship.status != RelationshipStatus.ACTIVE:
        return False
    until = start_prompt_until(relationship)
    return until is None or today <= until


def end_closes_at(relationship: Relationship) -> datetime.datetime | None:
    """When the closing window shuts for a closed relationship (None while it runs)."""
    if relationship.status not in END_CLOSED_STATUSES or relationship.closed_at is None:
        return None
    return relationship.closed_at + datetime.timedelta(days=END_AFTER_CLOSE_DAYS)


def end_is_open(relationship: Relationship, *, now: datetime.datetime) -> bool:
    if relationship.status in END_RUNNING_STATUSES:
        opens = end_opens_on(relationship.started_on, relationship.planned_end_on)
        return opens is not None and now.date() >= opens
    closes = end_closes_at(relationship)
    return closes is not None and now <= closes


def is_open(relationship: Relationship, *, moment: str, now: datetime.datetime) -> bool:
    if moment == "start":
        return start_is_open(relationship)
    return end_is_open(relationship, now=now)


def window_text(relationship: Relationship, *, moment: str) -> str:
    """When the moment can be taken, in words, for the page and for refusals."""
    if moment == "start":
        return (
            "The starting self-assessment can be taken while the relationship is proposed or "
            "active."
        )
    opens = end_opens_on(relationship.started_on, relationship.planned_end_on)
    when = f" (from {opens.day} {opens:%b %Y})" if opens else ""
    return (
        "The closing self-assessment opens for the last fifth of the planned duration"
        f"{when}, and stays open for {END_AFTER_CLOSE_DAYS} days after the relationship is "
        "completed or ended."
    )
