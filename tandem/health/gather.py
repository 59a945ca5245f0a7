"""The set-based gatherer: the scoring inputs of every open relationship (or of some
programmes') in a fixed number of queries, read from the apps that own each concept.

Eight queries whatever the number of relationships: the relationships with their agreed
cadence and held meetings (`agreements.selectors.agreed_cadence`, `meetings.selectors.
held_meeting_count` / `last_held_at`), check-ins (`meetings.selectors.
checkin_summary_by_relationship`), goals (`goals.selectors.goal_progress_by_relationship`),
journey steps due (`journeys.selectors.journey_steps_due`, three queries), survey concerns
(`surveys.selectors.survey_concerns_by_relationship`) and the nudges sent to each pair
(`notifications.selectors.outbox_keys_since`). Relationships reach the other apps as a
subquery, never as a list of ids, so 100,000 of them cost the same queries.

Journal, messages, feedback and notes never feed the score.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from tandem.agreements.selectors import agreed_cadence
from tandem.core.aggregates import coarse_week, week_of
from tandem.goals.selectors import goal_progress_by_relationship
from tandem.health.scoring import HealthInputs
from tandem.journeys.selectors import journey_steps_due
from tandem.meetings.selectors import (
    checkin_summary_by_relationship,
    held_meeting_count,
    last_held_at,
)
from tandem.notifications.selectors import outbox_keys_since
from tandem.relationships.models import OPEN_STATUSES, Relationship
from tandem.surveys.selectors import survey_concerns_by_relationship

# Check-ins after meetings of this recent window say how the pair feels now.
CHECKIN_WINDOW = datetime.timedelta(days=90)
# A journey step is overdue a week after its date.
STEP_GRACE = datetime.timedelta(days=7)
# The nudges a pair answers by doing something: their subject is the relationship's id (the
# rule names of `nudges.rules.RULES`, which sits above health; a nudges test checks them), and
# the health list's own "nudge the pair".
PAIR_NUDGE_RULES = ["no_meeting_scheduled", "inactivity", "health_nudge"]
NUDGE_WINDOW = datetime.timedelta(days=90)


@dataclass(frozen=True)
class Gathered:
    relationship_id: int
    program_id: int
    inputs: HealthInputs


def open_relationships(*, program_ids: list[int] | None = None) -> QuerySet[Relationship]:
    """The relationships that get a health score: the open ones (proposed, active, paused)."""
    queryset = Relationship.objects.filter(status__in=OPEN_STATUSES)
    if program_ids is not None:
        queryset = queryset.filter(program_id__in=program_ids)
    return queryset.order_by()


def _days(now: datetime.datetime, moment: datetime.datetime | None) -> int | None:
    if moment is None:
        return None
    return max(0, (now - moment).days)


def _weeks_in_days(now: datetime.datetime, moment: datetime.datetime | None) -> int | None:
    """How long ago `moment` was, as the days between its week's Monday and this week's: what a
    manager may know of an activity time (`core.aggregates.coarse_week`), never the day."""
    week = coarse_week(moment)
    if week is None:
        return None
    return max(0, (week_of(now) - week).days)


def _unanswered_nudges(
    now: datetime.datetime, quiet_since: dict[int, datetime.datetime | None]
) -> dict[int, int]:
    """Per relationship: the nudges (one per rule and period, whoever of the two got it) written
    after the pair's last activity."""
    seen: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for key, created_at in outbox_keys_since(rules=PAIR_NUDGE_RULES, since=now - NUDGE_WINDOW):
        parts = key.split(":")
        if len(parts) < 4 or not parts[1].isdigit():
            continue
        relationship_id = int(parts[1])
        if relationship_id not in quiet_since:
            continue
        since = quiet_since[relationship_id]
        if since is not None and created_at <= since:
            continue
        seen[relationship_id].add((parts[0], parts[-1]))
    return {pk: len(periods) for pk, periods in seen.items()}


def health_inputs(
    *, now: datetime.datetime | None = None, program_ids: list[int] | None = None
) -> list[Gathered]:
    """The scoring inputs of every open relationship (of `program_ids`, or all), ordered by id.
    Eight queries whatever the number of relationships. No caller check: the scheduler and the
    services call it after their own."""
    now = now or timezone.now()
    relationships = open_relationships(program_ids=program_ids)
    rows = list(
        relationships.annotate(
            cadence=agreed_cadence(),
            held=held_meeting_count(),
            last_held=last_held_at(),
        )
        .values_list(
            "pk",
            "program_id",
            "status",
            "activated_at",
            "last_activity_at",
            "cadence",
            "held",
            "last_held",
        )
        .order_by("pk")
    )
    checkins = checkin_summary_by_relationship(
        relationships=relationships, since=now - CHECKIN_WINDOW
    )
    goals = goal_progress_by_relationship(relationship_ids=relationships.values("pk"))
    overdue_before = timezone.localdate(now) - STEP_GRACE
    ids = None if program_ids is None else [row[0] for row in rows]
    overdue: dict[int, int] = defaultdict(int)
    for step in journey_steps_due(now=now, relationship_ids=ids):
        if step.due_on <= overdue_before:
            overdue[step.relationship_id] += 1
    concerns = survey_concerns_by_relationship(relationships=relationships)
    quiet_since = {
        pk: last_activity or activated
        for pk, _program, _status, activated, last_activity, *_rest in rows
    }
    nudges = _unanswered_nudges(now, quiet_since)
    gathered = []
    for pk, program_id, status, activated, last_activity, cadence, held, last_held in rows:
        count, mean = checkins.get(pk, (0, None))
        fit, pulse = concerns.get(pk, (False, False))
        progress = goals.get(pk)
        gathered.append(
            Gathered(
                relationship_id=pk,
                program_id=program_id,
                inputs=HealthInputs(
                    status=status,
                    cadence=cadence,
                    days_active=_days(now, activated),
                    meetings_held=held,
                    days_since_meeting=_weeks_in_days(now, last_held),
                    days_since_activity=_weeks_in_days(now, last_activity),
                    checkin_count=count,
                    checkin_mean=mean,
                    goals_set=0 if progress is None else 1,
                    goal_progress=progress,
                    steps_overdue=overdue.get(pk, 0),
                    fit_concern=fit,
                    pulse_low=pulse,
                    nudges_unanswered=nudges.get(pk, 0),
                ),
            )
        )
    return gathered
