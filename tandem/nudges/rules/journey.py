"""The journey rules: the next step due, the mid-point review, the closing prompt."""

import datetime
from collections.abc import Iterator

from django.db.models import F
from django.utils.translation import gettext_noop

from tandem.accounts.models import User
from tandem.core.paths import PathOf
from tandem.journeys.selectors import journey_steps_due
from tandem.nudges.rules.base import (
    CATCH_UP,
    Context,
    Nudge,
    RuleSettings,
    active_pairs,
    date_output_field,
    each_person,
)
from tandem.nudges.rules.words import Day, Words

# Where each message links to, reversed once from the owning app's URL name.
JOURNEY_PAGE = PathOf("journeys:relationship")
GOALS_PAGE = PathOf("goals:list")
PAIR_PAGE = PathOf("workspace:detail")


def journey_step_due(context: Context, settings: RuleSettings) -> Iterator[Nudge]:
    """Journey steps not done whose date comes within `timing` days (or came in the last
    week), for both people of the pair. Read through `journeys.selectors.journey_steps_due`
    (three queries, asked once for the furthest horizon any programme chose) plus one query
    for the deactivated accounts to leave out."""
    rule = settings.rule
    horizon = max([rule.default, *settings.timings.values()])
    steps = journey_steps_due(
        now=context.now + datetime.timedelta(days=horizon), due_from=context.today - CATCH_UP
    )
    if not steps:
        return
    inactive = set(User.objects.filter(is_active=False).values_list("pk", flat=True))
    for step in steps:
        if not settings.is_enabled_for(step.program_id):
            continue
        until = context.today + datetime.timedelta(days=settings.timing_for(step.program_id))
        if not (context.today - CATCH_UP <= step.due_on <= until):
            continue
        for user_id in step.recipient_ids:
            if user_id in inactive:
                continue
            yield Nudge(
                rule=rule.name,
                subject=f"{step.relationship_id}-{step.step_id}",
                recipient_id=user_id,
                period=step.due_on.isoformat(),
                program_id=step.program_id,
                category=rule.category,
                title=Words(
                    gettext_noop("Next in your mentoring journey: %(step)s"),
                    {"step": step.step_title},
                ),
                text=Words(
                    gettext_noop(
                        "“%(step)s” is due on %(due)s. Your journey page has what you need for it."
                    ),
                    {"step": step.step_title, "due": Day(step.due_on)},
                ),
                url=JOURNEY_PAGE(step.relationship_id),
            )


def midpoint(context: Context, settings: RuleSettings) -> Iterator[Nudge]:
    """Half-way between the start and the planned end (plus `timing` days): a prompt to
    review goals together. One query over the running pairs; the date is worked out here."""
    rule = settings.rule
    rows = (
        active_pairs(settings)
        .filter(
            started_on__isnull=False,
            started_on__lt=context.today,
            planned_end_on__gt=context.today,
        )
        .values_list("pk", "program_id", "started_on", "planned_end_on")
    )
    for pk, program_id, start, end in rows:
        if start is None or end is None:  # excluded by the query; for the type checker
            continue
        due = start + (end - start) / 2 + datetime.timedelta(days=settings.timing_for(program_id))
        if not (due <= context.today < due + CATCH_UP):
            continue
        for _pair, user_id, partner in each_person(context, pk):
            yield Nudge(
                rule=rule.name,
                subject=str(pk),
                recipient_id=user_id,
                period=due.isoformat(),
                program_id=program_id,
                category=rule.category,
                title=Words(gettext_noop("Half-way: time for a mid-point review")),
                text=Words(
                    gettext_noop(
                        "You and %(partner)s are half-way through (planned end %(end)s). Look "
                        "back at your goals together: what has changed, what to keep, what to "
                        "drop."
                    ),
                    {"partner": partner, "end": Day(end)},
                ),
                url=GOALS_PAGE(pk),
            )


def closing(context: Context, settings: RuleSettings) -> Iterator[Nudge]:
    """Pairs whose planned end is within `timing` days: a prompt to close well."""
    rule = settings.rule
    rows = (
        active_pairs(settings)
        .filter(planned_end_on__isnull=False, planned_end_on__gte=context.today)
        .alias(
            until=settings.per_program(
                lambda days: context.today + datetime.timedelta(days=days), date_output_field()
            )
        )
        .filter(planned_end_on__lte=F("until"))
        .values_list("pk", "planned_end_on")
    )
    for pk, planned_end_on in rows:
        if planned_end_on is None:  # excluded by the query; for the type checker
            continue
        for pair, user_id, partner in each_person(context, pk):
            yield Nudge(
                rule=rule.name,
                subject=str(pk),
                recipient_id=user_id,
                period=planned_end_on.isoformat(),
                program_id=pair.program_id,
                category=rule.category,
                title=Words(gettext_noop("Your mentoring relationship is coming to a close")),
                text=Words(
                    gettext_noop(
                        "Your time with %(partner)s is planned to end on %(end)s. Plan a closing "
                        "conversation: what you achieved, what you learnt, and what comes next."
                    ),
                    {"partner": partner, "end": Day(planned_end_on)},
                ),
                url=PAIR_PAGE(pk),
            )
