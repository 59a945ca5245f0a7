"""The goals rule: a goal's target date or a milestone's due date coming soon."""

import datetime
from collections.abc import Iterator
from typing import Any

from django.db import models
from django.db.models import F
from django.utils.translation import gettext_noop

from tandem.core.paths import PathOf
from tandem.goals.models import Goal, Milestone
from tandem.goals.selectors import active_goal
from tandem.nudges.rules.base import (
    Context,
    Nudge,
    RuleSettings,
    date_output_field,
    each_person,
)
from tandem.nudges.rules.words import Day, Words
from tandem.programs.models import ProgramStatus
from tandem.relationships.models import RelationshipStatus

# Where each message links to, reversed once from the owning app's URL name.
GOALS_PAGE = PathOf("goals:list")


def goal_due_soon(context: Context, settings: RuleSettings) -> Iterator[Nudge]:
    """Active goals whose target date, and open milestones whose due date, falls in the next
    `timing` days (two queries)."""
    rule = settings.rule

    def window(queryset: models.QuerySet, program_field: str, date_field: str) -> Any:
        return (
            queryset.exclude(**{f"{program_field}__in": settings.disabled})
            .alias(
                until=settings.per_program(
                    lambda days: context.today + datetime.timedelta(days=days),
                    date_output_field(),
                    program_field=program_field,
                )
            )
            .filter(**{f"{date_field}__gt": context.today, f"{date_field}__lte": F("until")})
        )

    goals = window(
        Goal.objects.filter(
            active_goal(),
            relationship__status=RelationshipStatus.ACTIVE,
            relationship__program__status=ProgramStatus.PUBLISHED,
        ),
        "relationship__program_id",
        "target_on",
    ).values_list("pk", "title", "target_on", "relationship_id")
    for pk, title, target_on, relationship_id in goals:
        for pair, user_id, _partner in each_person(context, relationship_id):
            yield Nudge(
                rule=rule.name,
                subject=f"goal-{pk}",
                recipient_id=user_id,
                period=target_on.isoformat(),
                program_id=pair.program_id,
                category=rule.category,
                title=Words(gettext_noop("Goal due soon: %(goal)s"), {"goal": title}),
                text=Words(
                    gettext_noop(
                        "The goal “%(goal)s” is due on %(due)s. Talk it through at your next "
                        "meeting: finish, adjust or move the date."
                    ),
                    {"goal": title, "due": Day(target_on)},
                ),
                url=GOALS_PAGE(relationship_id),
            )
    milestones = window(
        Milestone.objects.filter(
            active_goal(prefix="goal__"),
            done_at__isnull=True,
            goal__relationship__status=RelationshipStatus.ACTIVE,
            goal__relationship__program__status=ProgramStatus.PUBLISHED,
        ),
        "goal__relationship__program_id",
        "due_on",
    ).values_list("pk", "title", "due_on", "goal__relationship_id")
    for pk, title, due_on, relationship_id in milestones:
        for pair, user_id, _partner in each_person(context, relationship_id):
            yield Nudge(
                rule=rule.name,
                subject=f"milestone-{pk}",
                recipient_id=user_id,
                period=due_on.isoformat(),
                program_id=pair.program_id,
                category=rule.category,
                title=Words(
                    gettext_noop("Milestone due soon: %(milestone)s"), {"milestone": title}
                ),
                text=Words(
                    gettext_noop("The milestone “%(milestone)s” is due on %(due)s."),
                    {"milestone": title, "due": Day(due_on)},
                ),
                url=GOALS_PAGE(relationship_id),
            )
