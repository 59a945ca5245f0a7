"""The managers' weekly digest: new enrolments, people not matched yet, pairs by health."""

import datetime
from collections.abc import Iterator

from django.db.models import Count
from django.utils.translation import gettext_noop

from tandem.core.paths import PathOf
from tandem.health.scoring import Bucket
from tandem.health.selectors import program_health_summary
from tandem.nudges.rules.base import (
    Context,
    Nudge,
    RuleSettings,
)
from tandem.nudges.rules.words import Words
from tandem.participants.models import Participant, ParticipantRole, ParticipantStatus
from tandem.programs.models import Program, ProgramStatus

# New enrolments counted over this window.
DIGEST_WINDOW = datetime.timedelta(days=7)


# Where each message links to, reversed once from the owning app's URL name.
PROGRAM_HEALTH_PAGE = PathOf("health:program")


def manager_digest(context: Context, settings: RuleSettings) -> Iterator[Nudge]:
    """Each programme's managers, once per ISO week from the chosen weekday: new enrolments in
    the last 7 days, people not matched yet, and the pairs at risk or needing a check-in by their
    stored health (`health.selectors.program_health_summary`: the same score as the health
    list). Four grouped queries, whatever the number of programmes."""
    rule = settings.rule
    weekday = context.now.isoweekday()
    year, week, _ = context.now.isocalendar()
    period = f"{year}-W{week:02d}"
    through = Program.managers.through
    recipients = [
        (program_id, name, user_id)
        for program_id, name, user_id in through.objects.filter(
            program__status=ProgramStatus.PUBLISHED, user__is_active=True
        )
        .exclude(program_id__in=settings.disabled)
        .values_list("program_id", "program__name", "user_id")
        if settings.timing_for(program_id) <= weekday
    ]
    if not recipients:
        return
    program_ids = {program_id for program_id, _, _ in recipients}
    enrolled = dict(
        Participant.objects.filter(
            program_id__in=program_ids,
            status=ParticipantStatus.ACTIVE,
            enrolled_at__gt=context.now - DIGEST_WINDOW,
        )
        .values("program_id")
        .annotate(n=Count("pk"))
        .values_list("program_id", "n")
    )
    unmatched: dict[tuple[int, str], int] = {
        (program_id, role): n
        for program_id, role, n in Participant.objects.filter(
            program_id__in=program_ids, status=ParticipantStatus.ACTIVE, matched_count=0
        )
        .values("program_id", "role")
        .annotate(n=Count("pk"))
        .values_list("program_id", "role", "n")
    }
    health = program_health_summary(program_ids=sorted(program_ids))
    for program_id, name, user_id in recipients:
        mentees = unmatched.get((program_id, ParticipantRole.MENTEE), 0)
        mentors = unmatched.get((program_id, ParticipantRole.MENTOR), 0)
        yield Nudge(
            rule=rule.name,
            subject=str(program_id),
            recipient_id=user_id,
            period=period,
            program_id=program_id,
            category=rule.category,
            title=Words(gettext_noop("%(programme)s: your weekly digest"), {"programme": name}),
            text=Words(
                gettext_noop(
                    "This week in %(programme)s:\n"
                    "- new enrolments in the last 7 days: %(enrolled)s\n"
                    "- not matched yet: %(mentees)s mentees, %(mentors)s mentors\n"
                    "- pairs at risk: %(at_risk)s, needing a check-in: %(needs_checkin)s (see "
                    "Pair health)"
                ),
                {
                    "programme": name,
                    "enrolled": enrolled.get(program_id, 0),
                    "mentees": mentees,
                    "mentors": mentors,
                    "at_risk": health[program_id][Bucket.AT_RISK],
                    "needs_checkin": health[program_id][Bucket.NEEDS_CHECKIN],
                },
            ),
            url=PROGRAM_HEALTH_PAGE(program_id),
        )
