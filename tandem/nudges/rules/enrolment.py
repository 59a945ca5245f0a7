"""The enrolment rules: welcome a person who enrolled, announce a new pair."""

from collections.abc import Iterator

from django.db.models import F
from django.utils.translation import gettext_noop

from tandem.core.paths import PathOf
from tandem.nudges.rules.base import (
    CATCH_UP,
    Context,
    Nudge,
    RuleSettings,
    Unit,
    after,
    datetime_output_field,
    each_person,
)
from tandem.nudges.rules.words import Words
from tandem.participants.models import Participant, ParticipantRole, ParticipantStatus
from tandem.programs.models import ProgramStatus
from tandem.relationships.announcements import match_announced_period
from tandem.relationships.models import OPEN_STATUSES, Relationship

# Where each message links to, reversed once from the owning app's URL name.
PROGRAM_PAGE = PathOf("programs:detail")
PAIR_PAGE = PathOf("workspace:detail")


def welcome(context: Context, settings: RuleSettings) -> Iterator[Nudge]:
    """Enrolled people (active participants), `timing` hours after they enrolled."""
    rule = settings.rule
    rows = (
        Participant.objects.filter(
            status=ParticipantStatus.ACTIVE,
            program__status=ProgramStatus.PUBLISHED,
            enrolled_at__isnull=False,
            user__is_active=True,
        )
        .exclude(program_id__in=settings.disabled)
        .alias(
            due=settings.per_program(
                lambda hours: context.now - after(Unit.HOURS, hours), datetime_output_field()
            ),
            since=settings.per_program(
                lambda hours: context.now - after(Unit.HOURS, hours) - CATCH_UP,
                datetime_output_field(),
            ),
        )
        .filter(enrolled_at__lte=F("due"), enrolled_at__gt=F("since"))
        .values_list("pk", "user_id", "program_id", "program__name", "role", "enrolled_at")
    )
    for pk, user_id, program_id, program_name, role, enrolled_at in rows:
        yield Nudge(
            rule=rule.name,
            subject=str(pk),
            recipient_id=user_id,
            period=enrolled_at.date().isoformat() if enrolled_at else "",
            program_id=program_id,
            category=rule.category,
            title=Words(gettext_noop("Welcome to %(programme)s"), {"programme": program_name}),
            text=Words(
                gettext_noop(
                    "You are enrolled in %(programme)s as a mentor. Your profile helps us find "
                    "you a good match: keep it up to date, and look through the programme's "
                    "resources while you wait."
                )
                if role == ParticipantRole.MENTOR
                else gettext_noop(
                    "You are enrolled in %(programme)s as a mentee. Your profile helps us find "
                    "you a good match: keep it up to date, and look through the programme's "
                    "resources while you wait."
                ),
                {"programme": program_name},
            ),
            url=PROGRAM_PAGE(program_id),
        )


def match_announced(context: Context, settings: RuleSettings) -> Iterator[Nudge]:
    """New pairs (proposed or started), `timing` hours after they were matched."""
    rule = settings.rule
    rows = (
        Relationship.objects.filter(
            status__in=OPEN_STATUSES, program__status=ProgramStatus.PUBLISHED
        )
        .exclude(program_id__in=settings.disabled)
        .alias(
            due=settings.per_program(
                lambda hours: context.now - after(Unit.HOURS, hours), datetime_output_field()
            ),
            since=settings.per_program(
                lambda hours: context.now - after(Unit.HOURS, hours) - CATCH_UP,
                datetime_output_field(),
            ),
        )
        .filter(created_at__lte=F("due"), created_at__gt=F("since"))
        .values_list("pk", "created_at")
    )
    for pk, created_at in rows:
        for pair, user_id, partner in each_person(context, pk):
            yield Nudge(
                rule=rule.name,
                subject=str(pk),
                recipient_id=user_id,
                # The matching services write their announcement under the same key.
                period=match_announced_period(created_at),
                program_id=pair.program_id,
                category=rule.category,
                title=Words(
                    gettext_noop("You have been matched with %(partner)s"), {"partner": partner}
                ),
                text=Words(
                    gettext_noop(
                        "In %(programme)s you are now paired with %(partner)s. Open your shared "
                        "workspace to say hello and book a first conversation."
                    ),
                    {"programme": pair.program_name, "partner": partner},
                ),
                url=PAIR_PAGE(pk),
            )
