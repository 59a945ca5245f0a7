"""Demo relationships in every stage, built through the workspace services on a moved clock.

A workspace only looks real with history: an agreement signed months ago, meetings held and
checked in on, milestones ticked, a pair that stopped meeting six weeks ago. The services
stamp everything with `timezone.now()`, so `_clock_at` moves Django's clock to the moment a
step happened and the same services a person would use write it — timestamps, the timeline,
last activity and "due" dates all agree, with no back-dating UPDATE to keep in step. The
emails they enqueue are never sent: `seed` marks the outbox rows it wrote as skipped (the in-app
notifications are kept).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from unittest import mock

from django.utils import timezone

from tandem.accounts.models import User
from tandem.actions import services as actions
from tandem.actions.selectors import action_item_list_open
from tandem.agreements import services as agreements
from tandem.agreements.models import AgreementChannel
from tandem.conversations import services as conversations
from tandem.feedback import services as feedback
from tandem.goals import services as goals
from tandem.goals.models import Goal, Milestone
from tandem.journals import services as journals
from tandem.meetings import services as meetings
from tandem.notifications.models import Notification
from tandem.notifications.services import notification_mark_read
from tandem.participants import services as participants
from tandem.participants.models import Participant, ParticipantRole, ParticipantStatus
from tandem.people.selectors import profile_timezone_get
from tandem.programs.models import Program
from tandem.relationships.models import Relationship
from tandem.relationships.services import relationship_propose, relationship_transition


@contextmanager
def _clock_at(moment: datetime.datetime) -> Iterator[None]:
    # timezone.localdate() and auto_now fields call timezone.now() too, so they follow.
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@dataclass
class Story:
    """One demo pair: who, how long ago they started, and how far they got."""

    mentor: Participant
    mentee: Participant
    started_days_ago: int
    meetings_held: int
    stage: str  # new, midway, at_risk, completed, paused, proposed, ended


GOALS = [
    (
        "Lead my team's quarterly planning on my own",
        "I run the Q3 planning session end to end and my manager signs off the plan unchanged",
        ["Shadow the Q2 planning session", "Draft the Q3 agenda", "Run the session"],
    ),
    (
        "Give feedback that lands",
        "Each of my three reports says in our 1:1s that my feedback was specific and useful",
        ["Read the feedback guide", "Practise one piece of feedback a week"],
    ),
    (
        "Speak up in the leadership forum",
        "I present one proposal at the monthly forum and it is taken forward",
        ["Pick the proposal", "Rehearse with my mentor", "Present it"],
    ),
]
PRACTISE = [
    "Ask one open question before offering my view in team meetings",
    "Write down the decision and the owner at the end of every meeting I run",
    "Give one piece of specific feedback to a colleague this week",
    "Block 30 minutes on Friday to plan next week",
    "Summarise what I heard before answering in my 1:1s",
]


def _today() -> datetime.date:
    # The real date, not the moved clock (this is called while the clock is moved).
    return datetime.datetime.now(datetime.UTC).date()


def _moment(days_ago: float, hour: int = 10) -> datetime.datetime:
    day = _today() - datetime.timedelta(days=int(days_ago))
    moment = datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=datetime.UTC)
    # "Today at 10:00" may not have come yet when the seed runs early in the day.
    latest = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    return min(moment, latest)


def _at(days_ago: float, hour: int = 10) -> AbstractContextManager[None]:
    return _clock_at(_moment(days_ago, hour))


def _sign_agreement(relationship: Relationship, mentor: User, mentee: User) -> None:
    agreement = agreements.agreement_update(
        actor=mentee,
        relationship_id=relationship.pk,
        version=1,
        goals_summary=(
            "Grow into leading my team's planning, give better feedback, and get more "
            "comfortable speaking up with senior leaders."
        ),
        cadence="fortnightly",
        channels=[AgreementChannel.VIDEO, AgreementChannel.CHAT],
        duration_months=12,
        mentor_expectations=(
            "Ask questions before giving answers; share real stories, failures too."
        ),
        mentee_expectations=(
            "Come with an agenda; try one thing between sessions and report back."
        ),
        boundaries="No calls after 6 pm; either of us can move a session with a day's notice.",
    )
    agreements.agreement_sign(
        actor=mentee, relationship_id=relationship.pk, version=agreement.version
    )
    agreements.agreement_sign(
        actor=mentor, relationship_id=relationship.pk, version=agreement.version
    )


def _hold_meeting(
    relationship: Relationship,
    mentor: User,
    mentee: User,
    days_ago: int,
    number: int,
    usefulness: tuple[int, int] | None = None,
    add_to_agenda: bool = True,
) -> None:
    """Schedule a meeting a week ahead, let the mentee add to its agenda, close the mentee's
    open action items, record it held the day after and check in; `usefulness` is (mentee's,
    mentor's)."""
    mentee_rating, mentor_rating = usefulness or (5 if number % 2 else 4, 4)
    with _at(days_ago + 7, 9):
        meeting = meetings.meeting_schedule(
            actor=mentor,
            relationship_id=relationship.pk,
            title=f"Mentoring session {number}",
            date=_moment(days_ago).date(),
            time=datetime.time(15, 0),
            timezone_name=profile_timezone_get(user=mentor),
            duration_minutes=45,
            video_url="https://meet.example.com/northwind-mentoring",
            agenda=["What went well since last time?", "What got in the way?"],
        )
    if add_to_agenda:
        with _at(days_ago + 2, 18):
            meetings.agenda_item_add(
                actor=mentee,
                relationship_id=relationship.pk,
                meeting_id=meeting.pk,
                text="How do I say no to a senior stakeholder without burning the bridge?",
            )
    with _at(days_ago - 1, 9):
        for item in action_item_list_open(relationship=relationship):
            if item.owner_id == mentee.pk:
                actions.action_item_close(
                    actor=mentee,
                    relationship_id=relationship.pk,
                    action_item_id=item.pk,
                    outcome="done" if number % 3 else "not_done",
                    reflection=(
                        "Harder than it sounds: people waited for me to fill the silence, "
                        "and then answered their own question."
                    ),
                )
        meetings.meeting_record_held(
            actor=mentor,
            relationship_id=relationship.pk,
            meeting_id=meeting.pk,
            notes="We talked through the planning session and rehearsed the opening.",
        )
        meetings.checkin_submit(
            actor=mentee,
            relationship_id=relationship.pk,
            meeting_id=meeting.pk,
            usefulness=mentee_rating,
            practise_next=PRACTISE[number % len(PRACTISE)],
        )
        meetings.checkin_submit(
            actor=mentor,
            relationship_id=relationship.pk,
            meeting_id=meeting.pk,
            usefulness=mentor_rating,
            practise_next="",
        )


def _goals(
    relationship: Relationship,
    mentor: User,
    mentee: User,
    started: int,
    done: int,
    latest: int,
    count: int = len(GOALS),
) -> None:
    """`count` goals with milestones; `done` milestones ticked, none later than `latest` days
    ago."""
    with _at(started - 10):
        for index, (title, measure, steps) in enumerate(GOALS[:count]):
            goal = goals.goal_create(
                actor=mentee,
                relationship_id=relationship.pk,
                title=title,
                measure=measure,
                target_on=_moment(started - 300 - 30 * index).date(),
            )
            for offset, step in enumerate(steps):
                goals.milestone_create(
                    actor=mentee,
                    relationship_id=relationship.pk,
                    goal_id=goal.pk,
                    title=step,
                    due_on=_moment(started - 60 - 45 * offset - 20 * index).date(),
                )
        goals.goal_comment_create(
            actor=mentor,
            relationship_id=relationship.pk,
            goal_id=goal.pk,
            body="Good one. What would make the forum say yes on the day?",
        )
    ticked = 0
    for goal in Goal.objects.filter(relationship=relationship).order_by("pk"):
        for milestone in Milestone.objects.filter(goal=goal).order_by("pk"):
            days_ago = started - 40 - 25 * ticked
            if ticked >= done or days_ago < latest:
                return
            with _at(days_ago):
                goals.milestone_complete(
                    actor=mentee,
                    relationship_id=relationship.pk,
                    goal_id=goal.pk,
                    milestone_id=milestone.pk,
                )
            ticked += 1


def _play(program: Program, story: Story) -> Relationship:
    mentor, mentee = story.mentor.user, story.mentee.user
    started = story.started_days_ago
    with _at(started + 3):
        relationship = relationship_propose(
            mentor=story.mentor, mentee=story.mentee, source="bulk", score=None
        )
    if story.stage == "proposed":
        return relationship
    with _at(started):
        relationship_transition(actor=mentee, relationship_id=relationship.pk, action="start")
        conversations.message_post(
            actor=mentor,
            relationship_id=relationship.pk,
            body=f"Hi {mentee.first_name}, great to be matched! When suits you for a first chat?",
        )
    if story.stage == "new":
        return relationship
    with _at(started - 2):
        conversations.message_post(
            actor=mentee,
            relationship_id=relationship.pk,
            body="Hello! Thursday afternoons work well for me. Looking forward to it.",
        )
        _sign_agreement(relationship, mentor, mentee)
    gap = max((started - 10) // max(story.meetings_held, 1), 14)
    last_meeting = started - 7 - gap * (story.meetings_held - 1)
    # A pair at risk went quiet after its last meeting: nothing happens after it.
    quiet_since = last_meeting if story.stage == "at_risk" else 2
    _goals(
        relationship,
        mentor,
        mentee,
        started,
        done=min(story.meetings_held * 2, 7),
        latest=quiet_since,
    )
    for number in range(1, story.meetings_held + 1):
        _hold_meeting(relationship, mentor, mentee, started - 7 - gap * (number - 1), number)
    with _at(max(started - 20, quiet_since)):
        journals.journal_entry_create(
            actor=mentee,
            relationship_id=relationship.pk,
            text=(
                "First real session. I noticed I apologise before every question. "
                "Try asking without the preamble."
            ),
            mood="good",
            tags=["confidence", "first-session"],
        )
    if story.meetings_held >= 3:
        with _at(started - 90):
            feedback.feedback_give(
                actor=mentor,
                relationship_id=relationship.pk,
                strengths="You prepare well and you act on what we discuss.",
                to_develop="Holding your position when a senior person pushes back.",
                suggestion="In the next forum, state your recommendation first, then the data.",
            )
            feedback.feedback_give(
                actor=mentee,
                relationship_id=relationship.pk,
                what_helped="The rehearsals, and hearing how you handled the same thing.",
                what_to_change="More time on my questions, less on updates.",
                usefulness=5,
            )
    if story.stage == "midway":
        with _at(1, 9):
            meetings.meeting_schedule(
                actor=mentee,
                relationship_id=relationship.pk,
                title="Mentoring session: mid-point review",
                date=_today() + datetime.timedelta(days=6),
                time=datetime.time(15, 0),
                timezone_name=profile_timezone_get(user=mentee),
                duration_minutes=45,
                video_url="https://meet.example.com/northwind-mentoring",
                agenda=["Mid-point review: which goals still matter?"],
            )
    elif story.stage == "paused":
        with _at(10):
            relationship_transition(
                actor=mentee,
                relationship_id=relationship.pk,
                action="pause",
                reason="Parental leave until the spring",
            )
    elif story.stage == "completed":
        with _at(5):
            relationship_transition(
                actor=mentor,
                relationship_id=relationship.pk,
                action="complete",
                reason="A great year; goals achieved.",
            )
    elif story.stage == "ended":
        with _at(20):
            relationship_transition(
                actor=mentee,
                relationship_id=relationship.pk,
                action="end",
                reason="Our schedules never lined up after my team move.",
                find_new_match=True,
            )
    return relationship


def seed_relationships(*, program: Program, manager: User) -> int:
    """Pairs in every stage in `program` (once: nothing happens if it has relationships).

    The named demo pair (mentor@ and mentee@northwind.example) is new — the walkthrough
    starts there — and the named mentor also has a pair mid-way and one completed, so their
    home page shows the whole arc. Returns how many relationships were created.
    """
    if Relationship.objects.filter(program=program).exists():
        return 0
    mentors = list(
        Participant.objects.filter(
            program=program, role=ParticipantRole.MENTOR, status=ParticipantStatus.ACTIVE
        )
        .select_related("user")
        .order_by("pk")
    )
    mentees = list(
        Participant.objects.filter(
            program=program, role=ParticipantRole.MENTEE, status=ParticipantStatus.ACTIVE
        )
        .select_related("user")
        .order_by("pk")
    )
    named_mentor = next(p for p in mentors if p.user.email == "mentor@northwind.example")
    named_mentee = next(p for p in mentees if p.user.email == "mentee@northwind.example")
    if (named_mentor.capacity or 0) < 3:
        participants.participant_set_capacity(
            actor=manager, participant_id=named_mentor.pk, capacity=3
        )
        named_mentor.refresh_from_db()
    others = [p for p in mentors if p.pk != named_mentor.pk]
    other_mentees = [p for p in mentees if p.pk != named_mentee.pk]
    stories = [
        Story(named_mentor, other_mentees[0], 380, 12, "completed"),
        Story(named_mentor, other_mentees[1], 150, 6, "midway"),
        Story(others[0], other_mentees[2], 120, 4, "midway"),
        Story(others[1], other_mentees[3], 100, 2, "at_risk"),
        Story(others[2], other_mentees[4], 80, 1, "at_risk"),
        Story(others[3], other_mentees[5], 60, 2, "paused"),
        Story(others[4], other_mentees[6], 70, 1, "ended"),
        Story(others[5], other_mentees[7], 5, 0, "proposed"),
        Story(named_mentor, named_mentee, 0, 0, "new"),
    ]
    for story in stories:
        _play(program, story)
    return len(stories)


def read_old_notifications(days: int = 3) -> None:
    """People have read what Tandem told them before this week; only the recent stays unread."""
    cutoff = timezone.now() - datetime.timedelta(days=days)
    unread: dict[int, list[int]] = defaultdict(list)
    for pk, user_id in Notification.objects.filter(
        read_at__isnull=True, created_at__lt=cutoff
    ).values_list("pk", "user_id"):
        unread[user_id].append(pk)
    for user in User.objects.filter(pk__in=list(unread)):
        notification_mark_read(actor=user, notification_ids=unread[user.pk])
