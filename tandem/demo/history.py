"""A year of history in one programme: a cohort matched every couple of months, each pair
played through the product's services on a moved clock (see `relationships.py`).

Managers see aggregates only in closed calendar months and cohorts of at least five people
(`tandem.core.aggregates`), so a demo with a handful of pairs shows nothing but "withheld".
Here each cohort has eight pairs (sixteen people) matched in the same month, which is enough
for the surveys' results and the self-assessment summary to be published month after month:

- the funnel from end to end: pairs completed (with closing surveys and closing
  self-assessments), ended early with a reason, paused, stalled (no meeting for six to ten
  weeks: at risk), healthy pairs meeting fortnightly, every three weeks or monthly, and the
  newest cohort only matched, with a signed agreement, or after a first meeting;
- surveys sent when the nudge rule would send them (the occasion names are the rule's:
  `first-meeting`, `day-N`, `halfway`, `end`), written by `invitations_ensure` and answered
  through `response_submit` by most people a few days later: pairing fit (a few "not a good
  fit"), the pulse every two months, the NPS at day 90, the mid-point review and the closing
  surveys;
- self-assessments at the start and, for pairs that completed, at the end.

Each pair is played once: a cohort's mentee who already has a relationship in the programme
is skipped, so running the seed again creates nothing.
"""

import datetime
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tandem.accounts.models import User
from tandem.assessments.selectors import competency_list_for_program
from tandem.assessments.services import assessment_submit
from tandem.conversations import services as conversations
from tandem.demo.relationships import (
    _at,
    _goals,
    _hold_meeting,
    _sign_agreement,
    _today,
)
from tandem.feedback import services as feedback
from tandem.goals import services as goals
from tandem.goals.models import Goal, Milestone
from tandem.journals import services as journals
from tandem.meetings import services as meetings
from tandem.participants import services as participants
from tandem.participants.models import Participant, ParticipantRole, ParticipantStatus
from tandem.people.selectors import profile_timezone_get
from tandem.programs.models import Program
from tandem.relationships.models import Relationship
from tandem.relationships.services import relationship_propose, relationship_transition
from tandem.surveys.definition import GOOD_FIT, NOT_A_GOOD_FIT, STILL_DECIDING
from tandem.surveys.selectors import survey_list_for_program
from tandem.surveys.services import (
    DueInvitation,
    invitations_ensure,
    response_submit,
    survey_defaults_add,
)

# The shipped surveys' timing (`surveys/templates_data.py`): pulse at day 30 and every 60
# days after, the NPS at day 90, the mid-point half-way through the planned duration.
PULSE_FIRST, PULSE_EVERY, NPS_DAY = 30, 60, 90
MOST_MEETINGS = 10


@dataclass(frozen=True)
class Arc:
    """How one pair of a cohort goes.

    outcome: proposed (matched, not started), signed (agreement signed, no meeting yet),
    first_meeting, active (meeting at `cadence` until a few days ago), stalled (last meeting
    `until` days ago, nothing since), paused, completed or ended (`until` days ago, with
    `reason`)."""

    outcome: str
    cadence: int = 28
    until: int = 0
    reason: str = ""
    fit: str = GOOD_FIT
    find_new_match: bool = False


@dataclass(frozen=True)
class Cohort:
    started_days_ago: int
    arcs: tuple[Arc, ...]


NOT_A_FIT_REASON = (
    "Not a good fit: we wanted different things from the mentoring, and agreed to stop."
)
COHORTS = (
    Cohort(
        350,
        (
            # Some complete early, so even closing surveys' response rates (final 30 days
            # after the invitation) have enough people in months that have ended.
            Arc("completed", 28, 95, "Goals achieved early: moved into a team-lead role."),
            Arc("completed", 35, 80, "We achieved what we set out to do."),
            Arc("completed", 30, 70, "Goals achieved; we will keep in touch."),
            Arc("completed", 21, 62, "We reached the planned end."),
            Arc("completed", 28, 48, "Goals achieved a little early."),
            Arc("completed", 30, 38, "A great year."),
            Arc("ended", 28, 230, NOT_A_FIT_REASON, fit=NOT_A_GOOD_FIT),
            Arc("active", 28),
        ),
    ),
    Cohort(
        290,
        (
            Arc("completed", 28, 45, "Goals achieved early: promoted to team lead."),
            Arc("completed", 35, 38, "We achieved what we set out to do."),
            Arc(
                "ended",
                30,
                160,
                "Moved to the Singapore office; the time difference made it impossible.",
                find_new_match=True,
            ),
            Arc("paused", 28, 20, "Secondment to a client project until the new year."),
            Arc("stalled", 28, 60),
            Arc("active", 21),
            Arc("active", 28),
            Arc("active", 35),
        ),
    ),
    Cohort(
        225,
        (
            Arc("ended", 28, 185, NOT_A_FIT_REASON, fit=NOT_A_GOOD_FIT, find_new_match=True),
            Arc("stalled", 21, 50),
            Arc("active", 14),
            Arc("active", 28),
            Arc("active", 21),
            Arc("active", 30, fit=STILL_DECIDING),
            Arc("active", 28),
            Arc("active", 35),
        ),
    ),
    Cohort(
        160,
        (
            Arc("stalled", 28, 68),
            Arc("ended", 21, 100, "We could not find enough time alongside the reorganisation."),
            Arc("active", 14),
            Arc("active", 21),
            Arc("active", 28),
            Arc("active", 28, fit=STILL_DECIDING),
            Arc("active", 30),
            Arc("active", 21),
        ),
    ),
    Cohort(
        80,
        (
            Arc("stalled", 14, 58),
            Arc("active", 14),
            Arc("active", 14),
            Arc("active", 14, fit=STILL_DECIDING),
            Arc("active", 21),
            Arc("active", 21),
            Arc("active", 28),
            Arc("active", 28),
        ),
    ),
    Cohort(
        20,
        (
            Arc("proposed"),
            Arc("proposed"),
            Arc("signed"),
            Arc("signed"),
            Arc("first_meeting"),
            Arc("first_meeting"),
        ),
    ),
)

HELP_TEXTS = [
    "A shared agenda before each meeting would help.",
    "Knowing what other pairs talk about in their first months.",
    "More time: my diary is full until the quarter ends.",
]
PULSE_NOTES = [
    "The monthly rhythm works well for us.",
    "It would help to have a few more conversation guides.",
    "Hard to find time during the quarter close.",
    "My mentor's stories are the most useful part.",
    "Meeting in person once made a big difference.",
    "I'd like a short guide on setting goals that are measurable.",
    "Our sessions keep getting moved; a fixed slot would help.",
    "The check-in questions after each meeting are a good prompt.",
    "More chances to meet the other pairs would be nice.",
]
NPS_REASONS = [
    "It made me see my own work differently.",
    "Great pairing, well organised.",
    "Useful, but it takes more time than I expected.",
    "The matching was spot on.",
    "Not sure it was worth the time.",
    "I got honest advice I could not get from my own manager.",
    "Good idea, but our meetings kept slipping.",
    "It helped me get ready for my first team-lead role.",
    "A safe space to try things out loud.",
    "I would recommend it to anyone new to leading people.",
]
SECOND_HALF = [
    "Focus on one goal rather than three.",
    "Meet in person at least once.",
    "Spend more time on real situations from my week.",
]
KEEP_DOING = [
    "Asking an open question before giving my view.",
    "Planning my week on Friday afternoon.",
    "Writing down decisions and owners after each meeting.",
]
MENTOR_LEARNED = [
    "Listening longer before answering.",
    "How differently the next generation of leaders thinks about feedback.",
    "That my own habits are worth explaining, not just doing.",
]
OBSTACLES = ["Finding time", "Knowing what to talk about", "Different expectations"]
# A realistic spread of "would you recommend" scores: mostly promoters, some passives, a few
# detractors.
NPS_SCORES = [10, 10, 10, 9, 9, 9, 9, 8, 8, 8, 7, 7, 6, 5, 3]


def meeting_days(started: int, arc: Arc, rng: random.Random) -> list[int]:
    """Days ago on which the pair met: a week after starting, then every `cadence` days
    (give or take a few), until the arc's last meeting; at most MOST_MEETINGS."""
    first = started - 7
    if arc.outcome == "first_meeting":
        return [min(first, 5)]
    last = {
        "stalled": arc.until,
        "completed": arc.until + 4,
        "ended": arc.until + 14,
        "paused": arc.until + 7,
    }.get(arc.outcome, rng.randint(3, 9))
    if last >= first:
        return [first]
    count = min(MOST_MEETINGS, (first - last) // arc.cadence + 1)
    gap = (first - last) / max(count - 1, 1)
    days = [first] + [
        round(first - gap * index) + rng.randint(-2, 2) for index in range(1, count - 1)
    ]
    if count > 1:
        days.append(last)
    return days


@dataclass
class Pair:
    relationship: Relationship
    mentor: User
    mentee: User
    started: int  # days ago
    arc: Arc


class History:
    """Plays the cohorts of one programme; `rng` makes every answer the same on every run."""

    def __init__(self, *, program: Program, manager: User) -> None:
        self.program = program
        self.manager = manager
        self.rng = random.Random(11)
        self.surveys = {
            survey.template_key: survey.pk
            for survey, _ in survey_list_for_program(program=program)
            if survey.template_key and survey.is_active
        }
        self.competency_ids = [c.pk for c in competency_list_for_program(program=program)]

    # --- who --------------------------------------------------------------------------

    def _mentor(self) -> Participant:
        """The programme's mentor (not the named one) with a free place who has had the fewest
        mentees in it, so the year's mentees spread over many mentors; a manager gives one
        more place when nobody has one left."""
        mentors = list(
            Participant.objects.filter(
                program=self.program,
                role=ParticipantRole.MENTOR,
                status=ParticipantStatus.ACTIVE,
            )
            .exclude(user__email="mentor@northwind.example")
            .select_related("user")
            .order_by("pk")
        )
        mentored = Counter(
            Relationship.objects.filter(program=self.program).values_list("mentor_id", flat=True)
        )
        best = min(
            mentors,
            key=lambda m: ((m.capacity or 0) <= m.matched_count, mentored[m.pk], m.pk),
        )
        if (best.capacity or 0) <= best.matched_count:
            participants.participant_set_capacity(
                actor=self.manager, participant_id=best.pk, capacity=(best.capacity or 0) + 1
            )
            best.refresh_from_db()
        return best

    # --- surveys ----------------------------------------------------------------------

    def _survey(
        self, pair: Pair, key: str, occasion: str, days_ago: int, answers: dict[int, Any]
    ) -> None:
        """Invite the people `answers` names (by user id) as the survey rule would on
        `days_ago`, and answer a few days later for those whose answers are not None."""
        survey_id = self.surveys.get(key)
        if survey_id is None or days_ago < 1:
            return
        with _at(days_ago, 8):
            ids = invitations_ensure(
                due=[
                    DueInvitation(survey_id, pair.relationship.pk, user_id, occasion)
                    for user_id in answers
                ]
            )
        for item, invitation_id in ids.items():
            given = answers[item.user_id]
            answered = days_ago - self.rng.randint(0, 4)
            if given is None or answered < 1:
                continue
            user = pair.mentor if item.user_id == pair.mentor.pk else pair.mentee
            with _at(answered, 12 + self.rng.randint(0, 6)):
                response_submit(actor=user, invitation_id=invitation_id, answers=given)

    def _answers_if(
        self, pair: Pair, make: Callable[[User], dict[str, Any]], rate: float = 0.85
    ) -> dict[int, Any]:
        """Both people's answers, each given (not None) with probability `rate`."""
        return {
            user.pk: (make(user) if self.rng.random() < rate else None)
            for user in (pair.mentee, pair.mentor)
        }

    def _pairing_fit(self, pair: Pair, first_held: int) -> None:
        fit = pair.arc.fit

        def make(user: User) -> dict[str, Any]:
            answer: dict[str, Any] = {
                "fit": fit if fit != GOOD_FIT or self.rng.random() < 0.85 else STILL_DECIDING,
                "first_meeting": 2 if fit == NOT_A_GOOD_FIT else self.rng.choice([3, 4, 4, 5, 5]),
            }
            if self.rng.random() < 0.3:
                answer["help"] = self.rng.choice(HELP_TEXTS)
            return answer

        rate = 1.0 if pair.arc.fit == NOT_A_GOOD_FIT else 0.9
        self._survey(
            pair, "pairing_fit", "first-meeting", first_held - 1, self._answers_if(pair, make, rate)
        )

    def _pulse(self, pair: Pair, day: int, quiet: bool) -> None:
        def make(user: User) -> dict[str, Any]:
            answer: dict[str, Any] = {
                "progress": self.rng.choice([2, 3]) if quiet else self.rng.choice([3, 4, 4, 5]),
                "rhythm": "Not at all"
                if quiet
                else self.rng.choice(["Once", "Once", "Two or three times"]),
            }
            if quiet or self.rng.random() < 0.25:
                answer["obstacles"] = ["Finding time"] if quiet else [self.rng.choice(OBSTACLES)]
            if self.rng.random() < 0.2:
                answer["note"] = self.rng.choice(PULSE_NOTES)
            return answer

        self._survey(
            pair,
            "pulse",
            f"day-{day}",
            pair.started - day,
            self._answers_if(pair, make, 0.5 if quiet else 0.85),
        )

    def _nps(self, pair: Pair) -> None:
        def make(user: User) -> dict[str, Any]:
            score = self.rng.choice(NPS_SCORES)
            if pair.arc.outcome == "stalled":
                score = min(score, 7)
            answer: dict[str, Any] = {"recommend": score}
            if self.rng.random() < 0.4:
                answer["reason"] = self.rng.choice(NPS_REASONS)
            return answer

        self._survey(
            pair, "nps", f"day-{NPS_DAY}", pair.started - NPS_DAY, self._answers_if(pair, make)
        )

    def _midpoint(self, pair: Pair) -> None:
        relationship = pair.relationship
        if relationship.started_on is None or relationship.planned_end_on is None:
            return
        halfway = (
            relationship.started_on + (relationship.planned_end_on - relationship.started_on) / 2
        )
        days_ago = (_today() - halfway).days

        def make(user: User) -> dict[str, Any]:
            answer: dict[str, Any] = {
                "working": self.rng.choice([3, 4, 4, 5]),
                "goals": self.rng.choice(["On track", "On track", "Partly on track"]),
                "fit": GOOD_FIT if pair.arc.fit == GOOD_FIT else STILL_DECIDING,
            }
            if self.rng.random() < 0.4:
                answer["second_half"] = self.rng.choice(SECOND_HALF)
            return answer

        self._survey(pair, "midpoint", "halfway", days_ago, self._answers_if(pair, make))

    def _closing(self, pair: Pair) -> None:
        completed = pair.arc.outcome == "completed"
        why = (
            self.rng.choice(["We reached the planned end", "We achieved what we set out to do"])
            if completed
            else "The pairing was not a good fit"
            if pair.arc.fit == NOT_A_GOOD_FIT
            else self.rng.choice(
                ["We could not find enough time", "Work or personal circumstances changed"]
            )
        )
        value = self.rng.choice([4, 5, 5]) if completed else self.rng.choice([2, 3])
        mentee_answer: dict[str, Any] = {"why_ended": why, "value": value}
        if completed:
            mentee_answer["keep"] = self.rng.choice(KEEP_DOING)
        self._survey(pair, "closing_mentee", "end", pair.arc.until, {pair.mentee.pk: mentee_answer})
        mentor_answer: dict[str, Any] = {
            "why_ended": why,
            "value": self.rng.choice([4, 4, 5]) if completed else 3,
            "again": "Yes" if completed else self.rng.choice(["Yes", "Maybe"]),
        }
        if completed and self.rng.random() < 0.6:
            mentor_answer["learned"] = self.rng.choice(MENTOR_LEARNED)
        self._survey(pair, "closing_mentor", "end", pair.arc.until, {pair.mentor.pk: mentor_answer})

    # --- self-assessments -------------------------------------------------------------

    def _assess(self, pair: Pair, moment: str, days_ago: int, start: dict[int, list[int]]) -> None:
        for user in (pair.mentee, pair.mentor):
            if moment == "start":
                scores = [self.rng.choice([2, 2, 3, 3, 4]) for _ in self.competency_ids]
                start[user.pk] = scores
            else:
                scores = [min(5, s + self.rng.choice([0, 1, 1, 2])) for s in start[user.pk]]
            with _at(days_ago - self.rng.randint(0, 2), 19):
                assessment_submit(
                    actor=user,
                    relationship_id=pair.relationship.pk,
                    moment=moment,
                    ratings=dict(zip(self.competency_ids, scores, strict=True)),
                )

    # --- one pair ---------------------------------------------------------------------

    def play(self, mentor: Participant, mentee: Participant, started: int, arc: Arc) -> None:
        with _at(started + 4):
            relationship = relationship_propose(
                mentor=mentor, mentee=mentee, source="bulk", score=None
            )
        if arc.outcome == "proposed":
            return
        pair = Pair(relationship, mentor.user, mentee.user, started, arc)
        with _at(started):
            relationship = relationship_transition(
                actor=pair.mentee, relationship_id=relationship.pk, action="start"
            )
            pair.relationship = relationship
            conversations.message_post(
                actor=pair.mentor,
                relationship_id=relationship.pk,
                body=(
                    f"Hi {pair.mentee.first_name}, welcome! What would you like to get from "
                    "this year?"
                ),
            )
        start_scores: dict[int, list[int]] = {}
        assessed = arc.outcome == "completed" or self.rng.random() < 0.8
        if assessed:
            self._assess(pair, "start", started - 2, start_scores)
        with _at(started - 3):
            conversations.message_post(
                actor=pair.mentee,
                relationship_id=relationship.pk,
                body=(
                    "Thank you! Mostly confidence with senior stakeholders. Could we meet "
                    "next week?"
                ),
            )
            _sign_agreement(relationship, pair.mentor, pair.mentee)
        if arc.outcome == "signed":
            return
        days = meeting_days(started, arc, self.rng)
        quiet_since = days[-1] if arc.outcome == "stalled" else (arc.until or 2)
        if arc.outcome != "first_meeting":
            _goals(
                relationship,
                pair.mentor,
                pair.mentee,
                started,
                done=min(len(days) * 2, 5),
                latest=quiet_since,
                count=2,
            )
        for number, day in enumerate(days, start=1):
            poor = arc.fit != GOOD_FIT and self.rng.random() < 0.5
            usefulness = (
                (3, 3) if poor else (self.rng.choice([4, 5, 5]), self.rng.choice([4, 4, 5]))
            )
            _hold_meeting(
                relationship,
                pair.mentor,
                pair.mentee,
                day,
                number,
                usefulness,
                add_to_agenda=number % 3 == 1,
            )
            if number == 1:
                self._pairing_fit(pair, day - 1)
            if number % 4 == 2:
                with _at(day - 3, 17):
                    conversations.message_post(
                        actor=pair.mentee,
                        relationship_id=relationship.pk,
                        body=(
                            "I tried the opening we rehearsed today. It worked: they asked "
                            "me to lead the next one."
                        ),
                    )
            if number in (1, 6):
                with _at(day - 1, 21):
                    journals.journal_entry_create(
                        actor=pair.mentee,
                        relationship_id=relationship.pk,
                        text="Noticed I wait for permission before I speak. Next time: go first.",
                        mood="good" if number == 1 else "great",
                        tags=["confidence"],
                    )
        if arc.outcome == "first_meeting":
            return
        # Surveys that fell due while the pair was active (and, for a stalled pair, while it
        # was quiet: fewer of those are answered).
        last_day = arc.until if arc.outcome in ("completed", "ended", "paused") else 0
        for day in range(PULSE_FIRST, started - last_day, PULSE_EVERY):
            self._pulse(pair, day, quiet=arc.outcome == "stalled" and started - day < quiet_since)
        if started - NPS_DAY > last_day:
            self._nps(pair)
        if arc.outcome in ("active", "stalled", "completed", "paused"):
            self._midpoint(pair)
        if len(days) >= 4:
            with _at(days[3] - 2):
                feedback.feedback_give(
                    actor=pair.mentor,
                    relationship_id=relationship.pk,
                    strengths="You come prepared and you try things between sessions.",
                    to_develop="Saying what you recommend before the background.",
                    suggestion="Open your next proposal with the decision you want.",
                )
        if arc.outcome == "completed":
            self._achieve_goals(pair, arc.until + 5)
            with _at(arc.until):
                relationship_transition(
                    actor=pair.mentor,
                    relationship_id=relationship.pk,
                    action="complete",
                    reason=arc.reason,
                )
            self._closing(pair)
            self._assess(pair, "end", arc.until - 3, start_scores)
        elif arc.outcome == "ended":
            with _at(arc.until):
                relationship_transition(
                    actor=pair.mentee,
                    relationship_id=relationship.pk,
                    action="end",
                    reason=arc.reason,
                    find_new_match=arc.find_new_match,
                )
            self._closing(pair)
        elif arc.outcome == "paused":
            with _at(arc.until):
                relationship_transition(
                    actor=pair.mentee,
                    relationship_id=relationship.pk,
                    action="pause",
                    reason=arc.reason,
                )
        elif arc.outcome == "active" and len(days) >= 3 and self.rng.random() < 0.5:
            # The next meeting is in the diary.
            with _at(2, 9):
                meetings.meeting_schedule(
                    actor=pair.mentee,
                    relationship_id=relationship.pk,
                    title=f"Mentoring session {len(days) + 1}",
                    date=_today() + datetime.timedelta(days=self.rng.randint(3, 12)),
                    time=datetime.time(14, 0),
                    timezone_name=profile_timezone_get(user=pair.mentee),
                    duration_minutes=45,
                    video_url="https://meet.example.com/northwind-mentoring",
                    agenda=["What I tried since last time"],
                )

    def _achieve_goals(self, pair: Pair, days_ago: int) -> None:
        """A completed pair ticks the rest of its first goal's milestones and achieves it."""
        goal = Goal.objects.filter(relationship=pair.relationship).order_by("pk").first()
        if goal is None:
            return
        with _at(days_ago):
            for milestone in Milestone.objects.filter(goal=goal, done_at__isnull=True):
                goals.milestone_complete(
                    actor=pair.mentee,
                    relationship_id=pair.relationship.pk,
                    goal_id=goal.pk,
                    milestone_id=milestone.pk,
                )
            goals.goal_achieve(
                actor=pair.mentee, relationship_id=pair.relationship.pk, goal_id=goal.pk
            )


def history_size() -> int:
    """How many mentees COHORTS pairs (one each)."""
    return sum(len(cohort.arcs) for cohort in COHORTS)


def seed_history(*, program: Program, manager: User, mentee_emails: list[str]) -> int:
    """Play COHORTS in `program` with the approved mentees of `mentee_emails` (in this order,
    one each), each pair once: a mentee who already has a relationship in the programme is
    skipped. Returns how many relationships were created."""
    # The shipped surveys, as the survey rule would add them (their manager may too).
    survey_defaults_add(actor=manager, program_id=program.pk)
    history = History(program=program, manager=manager)
    paired = set(Relationship.objects.filter(program=program).values_list("mentee_id", flat=True))
    found = {
        p.user.email: p
        for p in Participant.objects.filter(
            program=program,
            role=ParticipantRole.MENTEE,
            status=ParticipantStatus.ACTIVE,
            user__email__in=mentee_emails,
        ).select_related("user")
    }
    created = 0
    queue = iter(found[email] for email in mentee_emails if email in found)
    for cohort in COHORTS:
        for arc in cohort.arcs:
            mentee = next(queue, None)
            if mentee is None:
                return created
            if mentee.pk in paired:
                continue
            history.play(history._mentor(), mentee, cohort.started_days_ago, arc)
            created += 1
    return created
