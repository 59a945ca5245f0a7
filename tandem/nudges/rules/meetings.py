"""The meeting rules: no meeting booked yet, a reminder before a meeting, a check-in after it."""

from collections.abc import Iterator

from django.db.models import Exists, F, OuterRef
from django.utils.translation import gettext_noop

from tandem.accounts.names import display_name
from tandem.core.paths import PathOf
from tandem.meetings.models import CheckIn, Meeting, MeetingStatus
from tandem.meetings.selectors import held_meetings
from tandem.meetings.services import meeting_ics, meeting_path
from tandem.meetings.times import local_text
from tandem.notifications.services import Attachment
from tandem.nudges.rules.base import (
    CATCH_UP,
    Context,
    Nudge,
    RuleSettings,
    Unit,
    after,
    datetime_output_field,
    each_person,
    period_day,
    since_activation,
)
from tandem.nudges.rules.words import Words
from tandem.people.zones import zone_name_or_utc
from tandem.programs.models import ProgramStatus
from tandem.relationships.models import RelationshipStatus

# Where each message links to, reversed once from the owning app's URL name.
MEETINGS_PAGE = PathOf("meetings:list")
MEETING_PAGE = PathOf("meetings:detail", arity=2)


def no_meeting_scheduled(context: Context, settings: RuleSettings) -> Iterator[Nudge]:
    """Active pairs that have not scheduled any meeting `timing` days after they started."""
    rule = settings.rule
    rows = (
        since_activation(context, settings, Unit.DAYS)
        .filter(
            ~Exists(
                Meeting.objects.filter(relationship=OuterRef("pk")).exclude(
                    status=MeetingStatus.CANCELLED
                )
            )
        )
        .values_list("pk", "activated_at")
    )
    for pk, activated_at in rows:
        for pair, user_id, partner in each_person(context, pk):
            yield Nudge(
                rule=rule.name,
                subject=str(pk),
                recipient_id=user_id,
                period=period_day(activated_at),
                program_id=pair.program_id,
                category=rule.category,
                title=Words(
                    gettext_noop("Book your first meeting with %(partner)s"), {"partner": partner}
                ),
                text=Words(
                    gettext_noop(
                        "You and %(partner)s have no meeting in the calendar yet. Pick a time for "
                        "a first conversation: it sets the rhythm for everything after."
                    ),
                    {"partner": partner},
                ),
                url=MEETINGS_PAGE(pk),
            )


def meeting_reminder(context: Context, settings: RuleSettings) -> Iterator[Nudge]:
    """Scheduled meetings starting within `timing` hours, with the invitation attached. A
    rescheduled meeting is a new period (its new start), so it is reminded again."""
    rule = settings.rule
    meetings = (
        Meeting.objects.filter(
            status=MeetingStatus.SCHEDULED,
            relationship__status=RelationshipStatus.ACTIVE,
            relationship__program__status=ProgramStatus.PUBLISHED,
            starts_at__gt=context.now,
        )
        .exclude(relationship__program_id__in=settings.disabled)
        .alias(
            until=settings.per_program(
                lambda hours: context.now + after(Unit.HOURS, hours),
                datetime_output_field(),
                program_field="relationship__program_id",
            )
        )
        .filter(starts_at__lte=F("until"))
        .select_related(
            "relationship__program",
            "relationship__mentor__user__profile",
            "relationship__mentee__user__profile",
            "created_by",
        )
        .prefetch_related("agenda_items")
    )
    for meeting in meetings:
        relationship = meeting.relationship
        invitation = Attachment("invite.ics", meeting_ics(meeting=meeting), "text/calendar")
        mentor, mentee = relationship.mentor.user, relationship.mentee.user
        for person, partner in ((mentor, mentee), (mentee, mentor)):
            if not person.is_active:
                continue
            profile = getattr(person, "profile", None)
            when = local_text(
                meeting.starts_at,
                zone_name_or_utc(profile.timezone if profile else None),
                minutes=meeting.duration_minutes,
            )
            yield Nudge(
                rule=rule.name,
                subject=str(meeting.pk),
                recipient_id=person.pk,
                period=meeting.starts_at.strftime("%Y%m%dT%H%MZ"),
                program_id=relationship.program_id,
                category=rule.category,
                title=Words(gettext_noop("Reminder: %(meeting)s"), {"meeting": meeting.title}),
                text=Words(
                    gettext_noop(
                        "Your meeting with %(partner)s is on %(when)s. Add to the agenda what you "
                        "want to talk about."
                    ),
                    {"partner": display_name(partner), "when": when},
                ),
                url=meeting_path(meeting),
                attachments=(invitation,),
            )


def checkin_request(context: Context, settings: RuleSettings) -> Iterator[Nudge]:
    """Held meetings, `timing` hours after they were marked held: each person who has not
    checked in is asked to."""
    rule = settings.rule
    rows = (
        held_meetings()
        .filter(
            relationship__status=RelationshipStatus.ACTIVE,
            relationship__program__status=ProgramStatus.PUBLISHED,
        )
        .exclude(relationship__program_id__in=settings.disabled)
        .alias(
            due=settings.per_program(
                lambda hours: context.now - after(Unit.HOURS, hours),
                datetime_output_field(),
                program_field="relationship__program_id",
            ),
            since=settings.per_program(
                lambda hours: context.now - after(Unit.HOURS, hours) - CATCH_UP,
                datetime_output_field(),
                program_field="relationship__program_id",
            ),
        )
        .filter(held_at__lte=F("due"), held_at__gt=F("since"))
        .annotate(
            mentor_done=Exists(
                CheckIn.objects.filter(
                    meeting=OuterRef("pk"), user=OuterRef("relationship__mentor__user")
                )
            ),
            mentee_done=Exists(
                CheckIn.objects.filter(
                    meeting=OuterRef("pk"), user=OuterRef("relationship__mentee__user")
                )
            ),
        )
        .values_list(
            "pk",
            "title",
            "relationship_id",
            "relationship__mentor__user_id",
            "mentor_done",
            "mentee_done",
        )
    )
    for pk, title, relationship_id, mentor_id, mentor_done, mentee_done in rows:
        for pair, user_id, partner in each_person(context, relationship_id):
            if mentor_done if user_id == mentor_id else mentee_done:
                continue
            yield Nudge(
                rule=rule.name,
                subject=str(pk),
                recipient_id=user_id,
                period="held",
                program_id=pair.program_id,
                category=rule.category,
                title=Words(gettext_noop("How was “%(meeting)s”?"), {"meeting": title}),
                text=Words(
                    gettext_noop(
                        "Take a minute to check in on your meeting with %(partner)s: how useful "
                        "was it, and what will you practise before the next one?"
                    ),
                    {"partner": partner},
                ),
                url=MEETING_PAGE(relationship_id, pk),
            )
