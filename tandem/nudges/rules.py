"""The nudge rules, as one declarative table, and how each one finds what is due.

Every rule is evaluated over every programme at once: one query (or a fixed few) returns the
due (rule, subject, recipient, period) tuples, whatever the number of relationships. A
programme's settings (off, or a different timing) are loaded once and folded into that query
as an exclusion and a CASE over programme ids, never as a query per programme or per pair.

The period makes each occurrence unique (the meeting's start for a reminder, the ISO week for
the digest, the "since" date for inactivity), so the key `<rule>:<subject>:<recipient>:<period>`
names one message for good and evaluating again never enqueues it twice.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Case, Count, Exists, F, OuterRef, Value, When
from django.db.models.functions import Coalesce

from tandem.accounts.models import User
from tandem.agreements.models import AgreementVersion
from tandem.goals.models import Goal, GoalStatus, Milestone
from tandem.journeys.selectors import journey_steps_due
from tandem.meetings.models import CheckIn, Meeting, MeetingStatus
from tandem.meetings.services import meeting_ics, meeting_path
from tandem.meetings.times import local_text
from tandem.notifications.models import NotificationCategory
from tandem.notifications.services import Attachment
from tandem.participants.models import Participant, ParticipantRole, ParticipantStatus
from tandem.programs.models import Program, ProgramStatus
from tandem.relationships.announcements import match_announced_period
from tandem.relationships.models import OPEN_STATUSES, Relationship, RelationshipStatus

# Event-driven rules (welcome, match, check-in, mid-point) look back this far past their due
# time: a scheduler that was down catches up, but turning a rule on never messages about
# events from months ago.
CATCH_UP = datetime.timedelta(days=7)
# The digest's "at risk" pairs: active, and no meeting held for this long.
AT_RISK_AFTER = datetime.timedelta(weeks=6)
DIGEST_WINDOW = datetime.timedelta(days=7)


class Unit(models.TextChoices):
    HOURS = "hours", "hours"
    DAYS = "days", "days"
    WEEKS = "weeks", "weeks"
    WEEKDAY = "weekday", "day of the week (1 = Monday … 7 = Sunday)"


# Not frozen: a run builds hundreds of thousands, and a frozen dataclass sets each field
# through object.__setattr__.
@dataclass(slots=True)
class Nudge:
    """One due message to one person. `key` is its identity in the outbox."""

    rule: str
    subject: str
    recipient_id: int
    period: str
    program_id: int
    category: str
    title: str
    text: str
    url: str = ""
    attachments: tuple[Attachment, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.rule}:{self.subject}:{self.recipient_id}:{self.period}"


class RuleSettings:
    """One rule's settings across every programme: which programmes turned it off, and which
    chose a timing other than the default (grouped by value, to fold into one CASE)."""

    def __init__(self, rule: "Rule", rows: Iterable[tuple[int, bool, int | None]]) -> None:
        self.rule = rule
        self.disabled: set[int] = set()
        self.custom: dict[int, list[int]] = defaultdict(list)
        self._timing: dict[int, int] = {}
        for program_id, is_enabled, timing in rows:
            if not is_enabled:
                self.disabled.add(program_id)
            elif timing is not None and timing != rule.default:
                self.custom[timing].append(program_id)
                self._timing[program_id] = timing

    @property
    def timings(self) -> dict[int, int]:
        """Programme id -> timing, for the programmes that changed it."""
        return dict(self._timing)

    def timing_for(self, program_id: int) -> int:
        return self._timing.get(program_id, self.rule.default)

    def is_enabled_for(self, program_id: int) -> bool:
        return program_id not in self.disabled

    def per_program(
        self,
        value_for: Callable[[int], Any],
        output_field: models.Field,
        program_field: str = "program_id",
    ) -> Case | Value:
        """`value_for(timing)` for each row's programme, as one SQL expression."""
        default = Value(value_for(self.rule.default), output_field=output_field)
        if not self.custom:
            return default
        return Case(
            *[
                When(
                    **{f"{program_field}__in": ids},
                    then=Value(value_for(timing), output_field=output_field),
                )
                for timing, ids in sorted(self.custom.items())
            ],
            default=default,
            output_field=output_field,
        )


@dataclass(slots=True)
class Pair:
    """Who is in one open relationship, read once per evaluation for every rule."""

    program_id: int
    program_name: str
    mentor_name: str
    mentee_name: str
    # (user id, own name, partner's name) of each person whose account is active
    people: list[tuple[int, str, str]]


class Context:
    """One evaluation's moment, and the directory of open pairs the rules share: each rule's
    query then reads only ids and its own columns, not the pair's people and programme again
    (six joins a rule, most of a rule's time at 100,000 pairs)."""

    def __init__(self, now: datetime.datetime) -> None:
        self.now = now
        self.today = now.date()
        self._pairs: dict[int, Pair] | None = None

    @property
    def pairs(self) -> dict[int, Pair]:
        """Every open relationship of a published programme, by id (one query, on first use)."""
        if self._pairs is None:
            self._pairs = {}
            for row in Relationship.objects.filter(
                status__in=OPEN_STATUSES, program__status=ProgramStatus.PUBLISHED
            ).values_list(*PAIR_FIELDS):
                pk, program_id, program_name = row[0], row[1], row[2]
                mentor = _name(row[4], row[5], row[6])
                mentee = _name(row[9], row[10], row[11])
                people = []
                if row[7]:
                    people.append((row[3], mentor, mentee))
                if row[12]:
                    people.append((row[8], mentee, mentor))
                self._pairs[pk] = Pair(program_id, program_name, mentor, mentee, people)
        return self._pairs

    def pair(self, relationship_id: int) -> Pair | None:
        """The pair of an open relationship; None for one that opened after the directory was
        read (a later evaluation sees it)."""
        return self.pairs.get(relationship_id)


Evaluator = Callable[[Context, RuleSettings], Iterable[Nudge]]


@dataclass(frozen=True)
class Rule:
    name: str
    label: str
    category: str
    default: int
    unit: str
    timing_label: str
    description: str
    recipients: str
    evaluate: Evaluator = field(repr=False, compare=False)
    minimum: int = 0
    maximum: int = 365


# --- helpers -----------------------------------------------------------------------------


def _name(first: str, last: str, email: str) -> str:
    return f"{first} {last}".strip() or email


def _each_person(context: Context, relationship_id: int) -> Iterator[tuple[Pair, int, str]]:
    """(pair, user id, partner's name) for each person of an open relationship whose account is
    active; nothing for one opened after the directory was read (a later evaluation has it)."""
    pair = context.pair(relationship_id)
    if pair is None:
        return
    for user_id, _own, partner in pair.people:
        yield pair, user_id, partner


def _day(moment: datetime.datetime | None) -> str:
    """The date of `moment` as a period ("" for none: the queries leave those out)."""
    return moment.date().isoformat() if moment is not None else ""


def _after(unit: str, amount: int) -> datetime.timedelta:
    per_unit: dict[str, datetime.timedelta] = {
        Unit.HOURS: datetime.timedelta(hours=amount),
        Unit.DAYS: datetime.timedelta(days=amount),
        Unit.WEEKS: datetime.timedelta(weeks=amount),
    }
    return per_unit[unit]


PAIR_FIELDS = (
    "pk",
    "program_id",
    "program__name",
    "mentor__user_id",
    "mentor__user__first_name",
    "mentor__user__last_name",
    "mentor__user__email",
    "mentor__user__is_active",
    "mentee__user_id",
    "mentee__user__first_name",
    "mentee__user__last_name",
    "mentee__user__email",
    "mentee__user__is_active",
)


def _active_pairs(settings: RuleSettings) -> models.QuerySet[Relationship]:
    return Relationship.objects.filter(
        status=RelationshipStatus.ACTIVE, program__status=ProgramStatus.PUBLISHED
    ).exclude(program_id__in=settings.disabled)


def _managers_by_program(program_ids: Iterable[int]) -> dict[int, list[int]]:
    """Active managers of each programme: one query."""
    through = Program.managers.through
    managers: dict[int, list[int]] = defaultdict(list)
    for program_id, user_id in through.objects.filter(
        program_id__in=list(program_ids), user__is_active=True
    ).values_list("program_id", "user_id"):
        managers[program_id].append(user_id)
    return managers


def _datetime_field() -> models.DateTimeField:
    return models.DateTimeField()


def _date_field() -> models.DateField:
    return models.DateField()


# --- the rules ---------------------------------------------------------------------------


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
                lambda hours: context.now - _after(Unit.HOURS, hours), _datetime_field()
            ),
            since=settings.per_program(
                lambda hours: context.now - _after(Unit.HOURS, hours) - CATCH_UP,
                _datetime_field(),
            ),
        )
        .filter(enrolled_at__lte=F("due"), enrolled_at__gt=F("since"))
        .values_list("pk", "user_id", "program_id", "program__name", "role", "enrolled_at")
    )
    for pk, user_id, program_id, program_name, role, enrolled_at in rows:
        as_role = "a mentor" if role == ParticipantRole.MENTOR else "a mentee"
        yield Nudge(
            rule=rule.name,
            subject=str(pk),
            recipient_id=user_id,
            period=enrolled_at.date().isoformat() if enrolled_at else "",
            program_id=program_id,
            category=rule.category,
            title=f"Welcome to {program_name}",
            text=(
                f"You are enrolled in {program_name} as {as_role}. Your profile helps us "
                "find you a good match: keep it up to date, and look through the programme's "
                "resources while you wait."
            ),
            url=f"/programs/{program_id}/",
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
                lambda hours: context.now - _after(Unit.HOURS, hours), _datetime_field()
            ),
            since=settings.per_program(
                lambda hours: context.now - _after(Unit.HOURS, hours) - CATCH_UP,
                _datetime_field(),
            ),
        )
        .filter(created_at__lte=F("due"), created_at__gt=F("since"))
        .values_list("pk", "created_at")
    )
    for pk, created_at in rows:
        for pair, user_id, partner in _each_person(context, pk):
            yield Nudge(
                rule=rule.name,
                subject=str(pk),
                recipient_id=user_id,
                # The matching services write their announcement under the same key.
                period=match_announced_period(created_at),
                program_id=pair.program_id,
                category=rule.category,
                title=f"You have been matched with {partner}",
                text=(
                    f"In {pair.program_name} you are now paired with {partner}. Open your "
                    "shared workspace to say hello and book a first conversation."
                ),
                url=f"/relationships/{pk}/",
            )


def _since_activation(
    context: Context, settings: RuleSettings, unit: str
) -> models.QuerySet[Relationship]:
    return (
        _active_pairs(settings)
        .filter(activated_at__isnull=False)
        .alias(
            due=settings.per_program(
                lambda amount: context.now - _after(unit, amount), _datetime_field()
            )
        )
        .filter(activated_at__lte=F("due"))
    )


def agreement_unsigned(context: Context, settings: RuleSettings) -> Iterator[Nudge]:
    """Active pairs with no signed agreement `timing` days after they started."""
    rule = settings.rule
    rows = (
        _since_activation(context, settings, Unit.DAYS)
        .filter(~Exists(AgreementVersion.objects.filter(agreement__relationship=OuterRef("pk"))))
        .values_list("pk", "activated_at")
    )
    for pk, activated_at in rows:
        for pair, user_id, partner in _each_person(context, pk):
            yield Nudge(
                rule=rule.name,
                subject=str(pk),
                recipient_id=user_id,
                period=_day(activated_at),
                program_id=pair.program_id,
                category=rule.category,
                title="Your mentoring agreement is not signed yet",
                text=(
                    f"You and {partner} have not both signed your agreement yet. Agreeing how "
                    "you will work together (how often you meet, what each of you expects, "
                    "what stays confidential) makes the rest easier."
                ),
                url=f"/relationships/{pk}/agreement/",
            )


def no_meeting_scheduled(context: Context, settings: RuleSettings) -> Iterator[Nudge]:
    """Active pairs that have not scheduled any meeting `timing` days after they started."""
    rule = settings.rule
    rows = (
        _since_activation(context, settings, Unit.DAYS)
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
        for pair, user_id, partner in _each_person(context, pk):
            yield Nudge(
                rule=rule.name,
                subject=str(pk),
                recipient_id=user_id,
                period=_day(activated_at),
                program_id=pair.program_id,
                category=rule.category,
                title=f"Book your first meeting with {partner}",
                text=(
                    f"You and {partner} have no meeting in the calendar yet. Pick a time for a "
                    "first conversation: it sets the rhythm for everything after."
                ),
                url=f"/relationships/{pk}/meetings/",
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
                lambda hours: context.now + _after(Unit.HOURS, hours),
                _datetime_field(),
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
                profile.timezone if profile else "UTC",
                minutes=meeting.duration_minutes,
            )
            yield Nudge(
                rule=rule.name,
                subject=str(meeting.pk),
                recipient_id=person.pk,
                period=meeting.starts_at.strftime("%Y%m%dT%H%MZ"),
                program_id=relationship.program_id,
                category=rule.category,
                title=f"Reminder: {meeting.title}",
                text=(
                    f"Your meeting with {partner.get_full_name() or partner.email} is on "
                    f"{when}. Add to the agenda what you want to talk about."
                ),
                url=meeting_path(meeting),
                attachments=(invitation,),
            )


def checkin_request(context: Context, settings: RuleSettings) -> Iterator[Nudge]:
    """Held meetings, `timing` hours after they were marked held: each person who has not
    checked in is asked to."""
    rule = settings.rule
    rows = (
        Meeting.objects.filter(
            status=MeetingStatus.HELD,
            relationship__status=RelationshipStatus.ACTIVE,
            relationship__program__status=ProgramStatus.PUBLISHED,
        )
        .exclude(relationship__program_id__in=settings.disabled)
        .alias(
            due=settings.per_program(
                lambda hours: context.now - _after(Unit.HOURS, hours),
                _datetime_field(),
                program_field="relationship__program_id",
            ),
            since=settings.per_program(
                lambda hours: context.now - _after(Unit.HOURS, hours) - CATCH_UP,
                _datetime_field(),
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
        for pair, user_id, partner in _each_person(context, relationship_id):
            if mentor_done if user_id == mentor_id else mentee_done:
                continue
            yield Nudge(
                rule=rule.name,
                subject=str(pk),
                recipient_id=user_id,
                period="held",
                program_id=pair.program_id,
                category=rule.category,
                title=f"How was “{title}”?",
                text=(
                    f"Take a minute to check in on your meeting with {partner}: how useful "
                    "was it, and what will you practise before the next one?"
                ),
                url=f"/relationships/{relationship_id}/meetings/{pk}/",
            )


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
                title=f"Next in your mentoring journey: {step.step_title}",
                text=(
                    f"“{step.step_title}” is due on {step.due_on:%d %b %Y}. Your journey page "
                    "has what you need for it."
                ),
                url=f"/relationships/{step.relationship_id}/journey/",
            )


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
                    _date_field(),
                    program_field=program_field,
                )
            )
            .filter(**{f"{date_field}__gt": context.today, f"{date_field}__lte": F("until")})
        )

    goals = window(
        Goal.objects.filter(
            status=GoalStatus.ACTIVE,
            relationship__status=RelationshipStatus.ACTIVE,
            relationship__program__status=ProgramStatus.PUBLISHED,
        ),
        "relationship__program_id",
        "target_on",
    ).values_list("pk", "title", "target_on", "relationship_id")
    for pk, title, target_on, relationship_id in goals:
        for pair, user_id, _partner in _each_person(context, relationship_id):
            yield Nudge(
                rule=rule.name,
                subject=f"goal-{pk}",
                recipient_id=user_id,
                period=target_on.isoformat(),
                program_id=pair.program_id,
                category=rule.category,
                title=f"Goal due soon: {title}",
                text=(
                    f"The goal “{title}” is due on {target_on:%d %b %Y}. "
                    "Talk it through at your next meeting: finish, adjust or move the date."
                ),
                url=f"/relationships/{relationship_id}/goals/",
            )
    milestones = window(
        Milestone.objects.filter(
            done_at__isnull=True,
            goal__status=GoalStatus.ACTIVE,
            goal__relationship__status=RelationshipStatus.ACTIVE,
            goal__relationship__program__status=ProgramStatus.PUBLISHED,
        ),
        "goal__relationship__program_id",
        "due_on",
    ).values_list("pk", "title", "due_on", "goal__relationship_id")
    for pk, title, due_on, relationship_id in milestones:
        for pair, user_id, _partner in _each_person(context, relationship_id):
            yield Nudge(
                rule=rule.name,
                subject=f"milestone-{pk}",
                recipient_id=user_id,
                period=due_on.isoformat(),
                program_id=pair.program_id,
                category=rule.category,
                title=f"Milestone due soon: {title}",
                text=f"The milestone “{title}” is due on {due_on:%d %b %Y}.",
                url=f"/relationships/{relationship_id}/goals/",
            )


def _inactive_pairs(
    context: Context, settings: RuleSettings
) -> list[tuple[int, Pair, datetime.datetime]]:
    """Active pairs with nothing on their timeline for `timing` weeks, and since when."""
    rows = (
        _active_pairs(settings)
        .annotate(since=Coalesce("last_activity_at", "activated_at"))
        .filter(since__isnull=False)
        .alias(
            due=settings.per_program(
                lambda weeks: context.now - _after(Unit.WEEKS, weeks), _datetime_field()
            )
        )
        .filter(since__lte=F("due"))
        .values_list("pk", "since")
    )
    return [(pk, pair, since) for pk, since in rows if (pair := context.pair(pk)) is not None]


def inactivity(context: Context, settings: RuleSettings) -> Iterator[Nudge]:
    """Both people of an active pair with no activity for `timing` weeks; the period is the
    date of their last activity, so a pair that goes quiet again is nudged again."""
    rule = settings.rule
    for pk, pair, since in _inactive_pairs(context, settings):
        for user_id, _own, partner in pair.people:
            yield Nudge(
                rule=rule.name,
                subject=str(pk),
                recipient_id=user_id,
                period=since.date().isoformat(),
                program_id=pair.program_id,
                category=rule.category,
                title=f"It has been a while since you and {partner} were in touch",
                text=(
                    f"Nothing has happened in your mentoring with {partner} since "
                    f"{since:%d %b %Y}. A short message or a 20-minute call is enough to pick "
                    "up the thread."
                ),
                url=f"/relationships/{pk}/",
            )


def inactivity_escalation(context: Context, settings: RuleSettings) -> Iterator[Nudge]:
    """The programme's managers, when a pair has had no activity for `timing` weeks (later
    than the pair's own nudge). Says who and since when, never what the pair wrote."""
    rule = settings.rule
    pairs = _inactive_pairs(context, settings)
    managers = _managers_by_program({pair.program_id for _, pair, _ in pairs})
    for pk, pair, since in pairs:
        for manager_id in managers.get(pair.program_id, []):
            yield Nudge(
                rule=rule.name,
                subject=str(pk),
                recipient_id=manager_id,
                period=since.date().isoformat(),
                program_id=pair.program_id,
                category=rule.category,
                title=f"A pair in {pair.program_name} has gone quiet",
                text=(
                    f"{pair.mentor_name} and {pair.mentee_name} have had no activity since "
                    f"{since:%d %b %Y}. They were nudged already; a word from you may help."
                ),
                url=f"/programs/{pair.program_id}/relationships/",
            )


def midpoint(context: Context, settings: RuleSettings) -> Iterator[Nudge]:
    """Half-way between the start and the planned end (plus `timing` days): a prompt to
    review goals together. One query over the running pairs; the date is worked out here."""
    rule = settings.rule
    rows = (
        _active_pairs(settings)
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
        for _pair, user_id, partner in _each_person(context, pk):
            yield Nudge(
                rule=rule.name,
                subject=str(pk),
                recipient_id=user_id,
                period=due.isoformat(),
                program_id=program_id,
                category=rule.category,
                title="Half-way: time for a mid-point review",
                text=(
                    f"You and {partner} are half-way through (planned end {end:%d %b %Y}). "
                    "Look back at your goals together: what has changed, what to keep, what "
                    "to drop."
                ),
                url=f"/relationships/{pk}/goals/",
            )


def closing(context: Context, settings: RuleSettings) -> Iterator[Nudge]:
    """Pairs whose planned end is within `timing` days: a prompt to close well."""
    rule = settings.rule
    rows = (
        _active_pairs(settings)
        .filter(planned_end_on__isnull=False, planned_end_on__gte=context.today)
        .alias(
            until=settings.per_program(
                lambda days: context.today + datetime.timedelta(days=days), _date_field()
            )
        )
        .filter(planned_end_on__lte=F("until"))
        .values_list("pk", "planned_end_on")
    )
    for pk, planned_end_on in rows:
        if planned_end_on is None:  # excluded by the query; for the type checker
            continue
        for pair, user_id, partner in _each_person(context, pk):
            yield Nudge(
                rule=rule.name,
                subject=str(pk),
                recipient_id=user_id,
                period=planned_end_on.isoformat(),
                program_id=pair.program_id,
                category=rule.category,
                title="Your mentoring relationship is coming to a close",
                text=(
                    f"Your time with {partner} is planned to end on "
                    f"{planned_end_on:%d %b %Y}. Plan a closing conversation: what you "
                    "achieved, what you learnt, and what comes next."
                ),
                url=f"/relationships/{pk}/",
            )


def manager_digest(context: Context, settings: RuleSettings) -> Iterator[Nudge]:
    """Each programme's managers, once per ISO week from the chosen weekday: new enrolments in
    the last 7 days, people not matched yet, and pairs at risk (active, no meeting held for 6
    weeks). Four grouped queries, whatever the number of programmes."""
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
    at_risk = dict(
        Relationship.objects.filter(
            program_id__in=program_ids,
            status=RelationshipStatus.ACTIVE,
            activated_at__lte=context.now - AT_RISK_AFTER,
        )
        .filter(
            ~Exists(
                Meeting.objects.filter(
                    relationship=OuterRef("pk"),
                    status=MeetingStatus.HELD,
                    held_at__gt=context.now - AT_RISK_AFTER,
                )
            )
        )
        .values("program_id")
        .annotate(n=Count("pk"))
        .values_list("program_id", "n")
    )
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
            title=f"{name}: your weekly digest",
            text=(
                f"This week in {name}:\n"
                f"- new enrolments in the last 7 days: {enrolled.get(program_id, 0)}\n"
                f"- not matched yet: {mentees} mentees, {mentors} mentors\n"
                f"- pairs at risk (no meeting held for 6 weeks): {at_risk.get(program_id, 0)}"
            ),
            url=f"/programs/{program_id}/relationships/",
        )


# --- the table ---------------------------------------------------------------------------

PAIR = "the mentor and the mentee"

RULES: tuple[Rule, ...] = (
    Rule(
        "welcome",
        "Welcome on enrolment",
        NotificationCategory.WELCOME,
        0,
        Unit.HOURS,
        "Hours after enrolling",
        "Welcomes each person who enrols and points them to their profile and the resources.",
        "the person who enrolled",
        welcome,
        maximum=168,
    ),
    Rule(
        "match_announced",
        "Match announced",
        NotificationCategory.WELCOME,
        0,
        Unit.HOURS,
        "Hours after the match",
        "Tells both people who they are paired with and how to start.",
        PAIR,
        match_announced,
        maximum=168,
    ),
    Rule(
        "agreement_unsigned",
        "Agreement still unsigned",
        NotificationCategory.REMINDERS,
        7,
        Unit.DAYS,
        "Days after the start",
        "Reminds a pair that has not signed its agreement.",
        PAIR,
        agreement_unsigned,
        minimum=1,
    ),
    Rule(
        "no_meeting_scheduled",
        "No meeting scheduled",
        NotificationCategory.REMINDERS,
        14,
        Unit.DAYS,
        "Days after the start",
        "Prompts a pair with no meeting in the calendar to book one.",
        PAIR,
        no_meeting_scheduled,
        minimum=1,
    ),
    Rule(
        "meeting_reminder",
        "Meeting reminder",
        NotificationCategory.REMINDERS,
        24,
        Unit.HOURS,
        "Hours before the meeting",
        "Reminds both people of a coming meeting, with the calendar invitation attached.",
        PAIR,
        meeting_reminder,
        minimum=1,
        maximum=168,
    ),
    Rule(
        "checkin_request",
        "Check-in after a meeting",
        NotificationCategory.REMINDERS,
        2,
        Unit.HOURS,
        "Hours after the meeting was held",
        "Asks each person who has not checked in how useful the meeting was.",
        PAIR,
        checkin_request,
        maximum=168,
    ),
    Rule(
        "journey_step_due",
        "Journey step due",
        NotificationCategory.JOURNEY,
        3,
        Unit.DAYS,
        "Days before the step is due",
        "Reminds a pair of the next step of the programme's journey.",
        PAIR,
        journey_step_due,
        maximum=60,
    ),
    Rule(
        "goal_due_soon",
        "Goal or milestone due soon",
        NotificationCategory.REMINDERS,
        7,
        Unit.DAYS,
        "Days before the due date",
        "Reminds a pair of a goal's target date or a milestone's due date.",
        PAIR,
        goal_due_soon,
        minimum=1,
        maximum=60,
    ),
    Rule(
        "inactivity",
        "No activity",
        NotificationCategory.NUDGES,
        3,
        Unit.WEEKS,
        "Weeks without activity",
        "Nudges both people of a pair that has gone quiet.",
        PAIR,
        inactivity,
        minimum=1,
        maximum=52,
    ),
    Rule(
        "inactivity_escalation",
        "No activity: tell the managers",
        NotificationCategory.NUDGES,
        6,
        Unit.WEEKS,
        "Weeks without activity",
        "Tells the programme's managers when a pair stays quiet after its own nudge.",
        "the programme's managers",
        inactivity_escalation,
        minimum=1,
        maximum=52,
    ),
    Rule(
        "midpoint",
        "Mid-point review",
        NotificationCategory.JOURNEY,
        0,
        Unit.DAYS,
        "Days after the half-way date",
        "Prompts a pair to review its goals half-way through.",
        PAIR,
        midpoint,
        maximum=60,
    ),
    Rule(
        "closing",
        "Closing prompt",
        NotificationCategory.JOURNEY,
        14,
        Unit.DAYS,
        "Days before the planned end",
        "Prompts a pair to plan a closing conversation.",
        PAIR,
        closing,
        minimum=1,
        maximum=90,
    ),
    Rule(
        "manager_digest",
        "Weekly digest for managers",
        NotificationCategory.DIGEST,
        1,
        Unit.WEEKDAY,
        "Day of the week (1 = Monday)",
        "New enrolments, people not matched yet and pairs at risk, once a week.",
        "the programme's managers",
        manager_digest,
        minimum=1,
        maximum=7,
    ),
)

RULES_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES}

# "Milestone celebrated" is not a rule here: `goals.services.milestone_complete` already tells
# both people the moment a milestone is ticked (and goal_achieve when a goal is), so a
# scheduled rule would tell them twice.
