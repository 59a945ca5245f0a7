"""The survey rules: send each survey when it falls due for a relationship, and remind once.

`survey_sent` works out, over every published programme at once, which (survey, relationship,
person, occasion) is due now — after the first meeting held (the meetings app's "held"), N
days after the match and every M days after that, half-way between the start and the planned
end, or when the relationship ended — writes the invitations that are new
(`surveys.services.invitations_ensure`: unique on exactly that, so evaluating twice invites
once) and yields one message per invitation, keyed by the invitation. It also gives each
published programme with no survey yet Tandem's shipped ones (`surveys_add_defaults`), so a
programme starts with sensible defaults. A fixed number of queries, whatever the number of
relationships.

`survey_reminder` reminds, once, each person who has not answered `timing` days after being
invited. Both go through the outbox like every nudge: preferences and quiet hours apply.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext_noop

from tandem.core.paths import PathOf
from tandem.meetings.selectors import held_meetings
from tandem.nudges.rules.base import CATCH_UP, Context, Nudge, RuleSettings
from tandem.nudges.rules.words import Words
from tandem.programs.models import Program, ProgramStatus
from tandem.relationships.models import Relationship, RelationshipStatus
from tandem.surveys.models import Survey, SurveyAudience, SurveyInvitation, SurveyResponse, Trigger
from tandem.surveys.services import DueInvitation, invitations_ensure, surveys_add_defaults

CLOSED = (RelationshipStatus.COMPLETED, RelationshipStatus.ENDED)


# Where each message links to, reversed once from the surveys app's URL name.
invitation_path = PathOf("surveys:invitation")


def _occasion(
    survey: dict[str, Any], row: dict[str, Any], now: datetime.datetime, window: datetime.timedelta
) -> str | None:
    """The occasion `survey` is due for in the relationship `row` at `now` (within `window`
    of falling due), or None."""
    offset = datetime.timedelta(days=survey["offset_days"])
    trigger = survey["trigger"]
    active = row["status"] == RelationshipStatus.ACTIVE
    if trigger == Trigger.FIRST_MEETING and active and row["first_held_at"] is not None:
        due = row["first_held_at"] + offset
        return "first-meeting" if due <= now < due + window else None
    if trigger == Trigger.AFTER_MATCH and active and row["activated_at"] is not None:
        elapsed = (now - row["activated_at"]).days
        if elapsed < survey["offset_days"]:
            return None
        repeat = survey["repeat_days"]
        day = survey["offset_days"]
        if repeat:
            day += (elapsed - survey["offset_days"]) // repeat * repeat
        due = row["activated_at"] + datetime.timedelta(days=day)
        return f"day-{day}" if now < due + window else None
    if trigger == Trigger.HALFWAY and active and row["started_on"] and row["planned_end_on"]:
        start, end = row["started_on"], row["planned_end_on"]
        due_on = start + (end - start) / 2 + offset
        today = now.date()
        return "halfway" if due_on <= today < due_on + window else None
    if trigger == Trigger.END and row["status"] in CLOSED and row["closed_at"] is not None:
        due = row["closed_at"] + offset
        return "end" if due <= now < due + window else None
    return None


def _recipients(audience: str, row: dict[str, Any]) -> list[int]:
    people = []
    if audience in (SurveyAudience.MENTOR, SurveyAudience.BOTH) and row["mentor__user__is_active"]:
        people.append(row["mentor__user_id"])
    if audience in (SurveyAudience.MENTEE, SurveyAudience.BOTH) and row["mentee__user__is_active"]:
        people.append(row["mentee__user_id"])
    return people


def survey_sent(context: Context, settings: RuleSettings) -> Iterator[Nudge]:
    """Surveys due for each relationship now (still sent up to `timing` days late)."""
    rule = settings.rule
    programs = Program.objects.filter(status=ProgramStatus.PUBLISHED).exclude(
        pk__in=settings.disabled
    )
    surveys_add_defaults(
        program_ids=programs.filter(
            ~Exists(Survey.objects.filter(program=OuterRef("pk")))
        ).values_list("pk", flat=True)
    )
    by_program: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for found in Survey.objects.filter(is_active=True, program__in=programs).values(
        "pk",
        "program_id",
        "program__name",
        "title",
        "audience",
        "trigger",
        "offset_days",
        "repeat_days",
    ):
        by_program[found["program_id"]].append(dict(found))
    if not by_program:
        return
    longest = max(settings.timing_for(pid) for pid in by_program)
    end_offset = max(
        [
            s["offset_days"]
            for surveys in by_program.values()
            for s in surveys
            if s["trigger"] == Trigger.END
        ],
        default=0,
    )
    first_held = held_meetings().filter(relationship_id=OuterRef("pk")).order_by("held_at")
    rows = (
        Relationship.objects.filter(program_id__in=list(by_program))
        .filter(
            Q(status=RelationshipStatus.ACTIVE)
            | Q(
                status__in=CLOSED,
                closed_at__gte=context.now - datetime.timedelta(days=end_offset + longest),
            )
        )
        .annotate(first_held_at=Subquery(first_held.values("held_at")[:1]))
        .values(
            "pk",
            "program_id",
            "status",
            "activated_at",
            "started_on",
            "planned_end_on",
            "closed_at",
            "first_held_at",
            "mentor__user_id",
            "mentor__user__is_active",
            "mentee__user_id",
            "mentee__user__is_active",
        )
    )
    due: list[DueInvitation] = []
    titles: dict[int, tuple[str, str]] = {}
    for row in rows:
        window = datetime.timedelta(days=settings.timing_for(row["program_id"]))
        for survey in by_program[row["program_id"]]:
            occasion = _occasion(survey, row, context.now, window)
            if occasion is None:
                continue
            titles[survey["pk"]] = (survey["title"], survey["program__name"])
            for user_id in _recipients(survey["audience"], row):
                due.append(DueInvitation(survey["pk"], row["pk"], user_id, occasion))
    program_of = {s["pk"]: s["program_id"] for surveys in by_program.values() for s in surveys}
    for item, invitation_id in invitations_ensure(due=due).items():
        title, program_name = titles[item.survey_id]
        yield Nudge(
            rule=rule.name,
            subject=str(invitation_id),
            recipient_id=item.user_id,
            period=item.occasion,
            program_id=program_of[item.survey_id],
            category=rule.category,
            title=Words(gettext_noop("A short survey: %(survey)s"), {"survey": title}),
            text=Words(
                gettext_noop(
                    "%(programme)s would like to hear how your mentoring is going. It takes a "
                    "minute or two; your partner never sees your answers, and the programme team "
                    "sees only totals across several people."
                ),
                {"programme": program_name},
            ),
            url=invitation_path(invitation_id),
        )


def survey_reminder(context: Context, settings: RuleSettings) -> Iterator[Nudge]:
    """Invitations not answered `timing` days after they were sent: one reminder each."""
    rule = settings.rule
    rows = (
        SurveyInvitation.objects.filter(
            survey__is_active=True,
            survey__program__status=ProgramStatus.PUBLISHED,
            user__is_active=True,
            created_at__gt=context.now - datetime.timedelta(days=rule.maximum) - CATCH_UP,
        )
        .exclude(survey__program_id__in=settings.disabled)
        .filter(~Exists(SurveyResponse.objects.filter(invitation=OuterRef("pk"))))
        .values_list("pk", "user_id", "created_at", "survey__program_id", "survey__title")
    )
    for pk, user_id, created_at, program_id, title in rows:
        due = created_at + datetime.timedelta(days=settings.timing_for(program_id))
        if not due <= context.now < due + CATCH_UP:
            continue
        yield Nudge(
            rule=rule.name,
            subject=str(pk),
            recipient_id=user_id,
            period="reminder",
            program_id=program_id,
            category=rule.category,
            title=Words(gettext_noop("Still a minute? %(survey)s"), {"survey": title}),
            text=Words(
                gettext_noop(
                    "You have not answered this short survey yet. Your answers help the programme "
                    "team make mentoring work better for everyone."
                )
            ),
            url=invitation_path(pk),
        )
