"""The demo seed, checked through the product's own selectors.

Seeding is the slow part (a year of history written through the services), so one test seeds
the way `make demo` does (delivery left to a worker) and checks each promise in turn, then
seeds again and checks that nothing new was made. The date arithmetic the history relies on
to land in closed months whatever the day is checked without a database below.
"""

import datetime
import itertools
import random
from collections import Counter

from django.core.management import call_command
from django.db.models import Count, F, Max, Min
from django.test import override_settings
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tandem.accounts.models import Organization, Role, User
from tandem.actions.models import ActionItem, ActionItemStatus
from tandem.assessments.models import SelfAssessment
from tandem.assessments.selectors import assessment_program_summary
from tandem.conversations.models import Message
from tandem.core.aggregates import min_group_size, period_of
from tandem.demo.history import COHORTS, MOST_MEETINGS, Arc, meeting_days
from tandem.demo.seed import DEMO_PASSWORD, LOGINS, SEEDED, seed
from tandem.goals.models import Goal, GoalStatus
from tandem.meetings.models import CheckIn, Meeting
from tandem.meetings.selectors import at_risk_relationship, held_meetings
from tandem.notifications.models import Notification, OutboxMessage, OutboxStatus
from tandem.notifications.services import notification_send
from tandem.nudges.services import nudges_evaluate
from tandem.outcomes.models import EmploymentRecord, Promotion
from tandem.outcomes.selectors import OutcomesQuery, outcomes_report
from tandem.participants.models import Participant, ParticipantRole, ParticipantStatus
from tandem.programs.models import Program, ProgramStatus
from tandem.relationships.models import Relationship, RelationshipStatus
from tandem.surveys.definition import NOT_A_GOOD_FIT
from tandem.surveys.models import SurveyInvitation, SurveyResponse
from tandem.surveys.selectors import survey_list_for_program, survey_results
from tandem.workspace.selectors import relationship_signals

LOGIN_EMAILS = (
    "admin@northwind.example",
    "manager@northwind.example",
    "mentor@northwind.example",
    "mentee@northwind.example",
    "admin@globex.example",
)
# The pairs `relationships.py` tells one by one (the workspace walkthrough's stories).
STORIES = 9


def _snapshot() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Organization,
            User,
            Program,
            Participant,
            Relationship,
            Meeting,
            CheckIn,
            ActionItem,
            Goal,
            Message,
            SurveyInvitation,
            SurveyResponse,
            SelfAssessment,
            EmploymentRecord,
            Promotion,
            Notification,
            OutboxMessage,
        )
    }


def test_seed_builds_the_promised_demo_sends_no_email_and_runs_twice_safely(db, capsys):
    # given delivery left to a worker, as `make demo` does (its tasks wait in the database)
    deferred = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with override_settings(TASKS=deferred):
        # when
        call_command("seed_demo")
        # then
        output = capsys.readouterr().out
        _the_logins_are_printed_and_work(output)
        _a_circle_its_members_can_sign_in_to(output)
        _the_organisations_have_the_promised_shape()
        leadership = Program.objects.get(name="Leadership Accelerator")
        _the_stories_are_in_every_stage(leadership)
        _a_year_of_cohorts_was_matched(leadership)
        _every_funnel_step_has_people(leadership)
        _the_pairs_did_the_work(leadership)
        _stalled_pairs_are_at_risk_and_others_are_healthy(leadership)
        _survey_results_are_published_for_closed_months(leadership)
        _self_assessments_show_growth(leadership)
        _the_outcomes_page_has_both_groups()
        _no_email_about_the_seeded_past_waits()

        # when seeded again
        before = _snapshot()
        again = seed()
        # then nothing new is made
        assert (
            again.users_created,
            again.programs_created,
            again.participants_created,
            again.relationships_created,
            again.emails_skipped,
        ) == (0, 0, 0, 0, 0)
        assert _snapshot() == before

        # and what happens after the seed is emailed as usual
        mentee = User.objects.get(email="mentee@northwind.example")
        notification_send(recipients=[mentee], category="messages", subject="Hello", body="Hi")
        assert list(
            OutboxMessage.objects.filter(status=OutboxStatus.PENDING).values_list(
                "recipient__email", "subject"
            )
        ) == [("mentee@northwind.example", "Hello")]


def _the_logins_are_printed_and_work(output: str) -> None:
    for email in LOGIN_EMAILS:
        assert email in output
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD)


def _a_circle_its_members_can_sign_in_to(output: str) -> None:
    # one started circle in the group programme, its people printed and able to sign in
    from tandem.relationships.models import Circle

    circle = Circle.objects.get(program__name="Women in Technology Circles")
    members = list(
        Relationship.objects.filter(circle=circle, status="active").values_list(
            "mentee__user__email", flat=True
        )
    )
    assert circle.topic == "Speaking up in reviews"
    assert len(members) == 4
    for email in [circle.mentor.user.email, *members]:
        assert email in output
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD)


def _the_organisations_have_the_promised_shape() -> None:
    northwind = Organization.objects.get(slug="northwind")
    assert User.objects.get(email="admin@northwind.example").role == Role.ORG_ADMIN
    assert User.objects.get(email="manager@northwind.example").role == Role.PROGRAM_MANAGER
    programs = Program.objects.filter(organization=northwind).order_by("name")
    assert [(p.name, p.format, p.status, p.colour) for p in programs] == [
        ("Leadership Accelerator", "one_to_one", ProgramStatus.PUBLISHED, "#6f42c1"),
        ("Reverse Mentoring: Digital Fluency", "reverse", ProgramStatus.PUBLISHED, "#198754"),
        ("Women in Technology Circles", "group", ProgramStatus.PUBLISHED, "#d63384"),
    ]
    people = User.objects.filter(organization=northwind, role=Role.MEMBER)
    mentors = people.filter(email__startswith="mentor").count()
    mentees = people.filter(email__startswith="mentee").count()
    assert (mentors, mentees) == (60, 150)
    # every person has a filled profile
    assert people.filter(profile__job_title="").count() == 0
    # the named pair are in the leadership programme
    leadership = programs.get(name="Leadership Accelerator")
    assert (
        Participant.objects.get(program=leadership, user__email="mentor@northwind.example").role
        == ParticipantRole.MENTOR
    )
    # the named mentee has a programme left to join
    circles = programs.get(name="Women in Technology Circles")
    assert not Participant.objects.filter(
        program=circles, user__email="mentee@northwind.example"
    ).exists()
    # Globex is a separate tenant with its own programme, and none of Northwind's history
    globex = Organization.objects.get(slug="globex")
    assert list(Program.objects.filter(organization=globex).values_list("name", flat=True)) == [
        "Graduate Buddies"
    ]
    assert not Relationship.objects.filter(program__organization=globex).exists()


def _the_stories_are_in_every_stage(leadership: Program) -> None:
    # The stories are the programme's first pairs; the year's cohorts follow them.
    stories = list(
        Relationship.objects.filter(program=leadership)
        .select_related("mentor__user", "mentee__user")
        .order_by("pk")[:STORIES]
    )
    assert sorted(r.status for r in stories) == sorted(
        ["completed", "paused", "ended", "proposed", *["active"] * 5]
    )
    signals = {
        row.relationship.mentee.user.email: row
        for row in relationship_signals(relationships=stories)
    }
    # the named pair is new: nothing done yet, so the walkthrough starts from the beginning
    named = signals["mentee@northwind.example"]
    assert named.relationship.mentor.user.email == "mentor@northwind.example"
    assert (named.relationship.status, named.meetings_held, named.agreement_signed) == (
        "active",
        0,
        False,
    )
    # mid-way pairs have a signed agreement, goals in progress and a next meeting
    midway = [row for row in signals.values() if row.next_meeting_at is not None]
    assert len(midway) == 2
    assert all(row.agreement_signed and row.meetings_held >= 4 for row in midway)
    assert all(0 < (row.goal_progress or 0) < 100 for row in midway)
    # two active stories have not met for six weeks
    assert sum(row.is_at_risk for row in signals.values()) == 2
    # the named mentor's home shows a completed pair too
    assert Relationship.objects.filter(
        mentor__user__email="mentor@northwind.example", status="completed"
    ).exists()


def _a_year_of_cohorts_was_matched(leadership: Program) -> None:
    now = timezone.now()
    matched = Counter(
        period_of(created_at)
        for created_at in Relationship.objects.filter(program=leadership).values_list(
            "created_at", flat=True
        )
    )
    year_ago = period_of(now - datetime.timedelta(days=365))
    cohort_months = [
        month for month, pairs in matched.items() if month >= year_ago and 6 <= pairs <= 12
    ]
    # cohorts matched in several months of the last year, at least one of them a year ago
    assert len(cohort_months) >= 5
    assert min(cohort_months) <= period_of(now - datetime.timedelta(days=330))
    # mentees spread over many mentors, none over their places
    mentors = Participant.objects.filter(program=leadership, role=ParticipantRole.MENTOR)
    assert mentors.filter(relationships_as_mentor__isnull=False).distinct().count() >= 15
    assert not mentors.filter(matched_count__gt=F("capacity")).exists()


def _every_funnel_step_has_people(leadership: Program) -> None:
    now = timezone.now()
    relationships = Relationship.objects.filter(program=leadership)
    # applied, waiting for the manager
    assert Participant.objects.filter(program=leadership, status=ParticipantStatus.PENDING).exists()
    # approved, waiting for a match
    assert (
        Participant.objects.filter(
            program=leadership, role=ParticipantRole.MENTEE, status=ParticipantStatus.ACTIVE
        )
        .exclude(
            relationships_as_mentee__status__in=[
                RelationshipStatus.PROPOSED,
                RelationshipStatus.ACTIVE,
                RelationshipStatus.PAUSED,
            ]
        )
        .count()
        >= 3
    )
    # every lifecycle status, the closed ones with a reason
    statuses = Counter(relationships.values_list("status", flat=True))
    assert set(statuses) == set(RelationshipStatus.values)
    assert statuses[RelationshipStatus.COMPLETED] >= 6
    assert statuses[RelationshipStatus.ENDED] >= 3
    assert not relationships.filter(
        status__in=[RelationshipStatus.ENDED, RelationshipStatus.COMPLETED], close_reason=""
    ).exists()
    # matched; agreement signed but no meeting yet; a first meeting held; past 90 days
    active = list(relationships.filter(status=RelationshipStatus.ACTIVE))
    signals = relationship_signals(relationships=active)
    assert statuses[RelationshipStatus.PROPOSED] >= 2
    assert any(row.agreement_signed and row.meetings_held == 0 for row in signals)
    assert any(row.meetings_held == 1 for row in signals)
    assert (
        sum(
            1
            for row in signals
            if row.relationship.activated_at < now - datetime.timedelta(days=90)
            and row.meetings_held >= 3
        )
        >= 15
    )


def _the_pairs_did_the_work(leadership: Program) -> None:
    relationships = Relationship.objects.filter(program=leadership)
    held = held_meetings().filter(relationship__program=leadership)
    assert held.count() > 200
    # both of the pair checked in on the meetings held
    assert CheckIn.objects.filter(meeting__in=held).count() >= 2 * held.count() - 10
    assert (
        ActionItem.objects.filter(
            relationship__program=leadership, status=ActionItemStatus.DONE
        ).count()
        > 100
    )
    goals = Goal.objects.filter(relationship__program=leadership)
    assert goals.filter(status=GoalStatus.ACHIEVED).count() >= 6
    assert goals.filter(status=GoalStatus.ACTIVE).count() > 50
    assert (
        Message.objects.filter(relationship__program=leadership)
        .values("relationship")
        .distinct()
        .count()
        >= 45
    )
    # the pairs meet at different rhythms: fortnightly to every five weeks
    gaps = []
    for row in (
        held.values("relationship")
        .annotate(first=Min("held_at"), last=Max("held_at"), n=Count("pk"))
        .filter(n__gte=4, relationship__status=RelationshipStatus.ACTIVE)
    ):
        gaps.append((row["last"] - row["first"]).days / (row["n"] - 1))
    assert min(gaps) < 18
    assert max(gaps) > 26
    assert relationships.count() == STORIES + sum(len(c.arcs) for c in COHORTS)


def _stalled_pairs_are_at_risk_and_others_are_healthy(leadership: Program) -> None:
    now = timezone.now()
    relationships = Relationship.objects.filter(program=leadership)
    at_risk = list(relationships.filter(at_risk_relationship(now)))
    assert len(at_risk) >= 5
    # each went quiet six to eleven weeks ago
    for relationship in at_risk:
        last = held_meetings().filter(relationship=relationship).aggregate(Max("held_at"))
        quiet = now - last["held_at__max"]
        assert datetime.timedelta(weeks=6) < quiet < datetime.timedelta(weeks=11)
    # and most active pairs met in the last month
    recent = held_meetings().filter(held_at__gte=now - datetime.timedelta(days=30))
    healthy = relationships.filter(status=RelationshipStatus.ACTIVE, meetings__in=recent).distinct()
    assert healthy.count() >= 20


def _survey_results_are_published_for_closed_months(leadership: Program) -> None:
    group = min_group_size()
    this_month = period_of(timezone.now())
    results = {
        survey.template_key: survey_results(survey=survey)
        for survey, _ in survey_list_for_program(program=leadership)
    }
    for key in ("pairing_fit", "pulse", "midpoint", "closing_mentee", "closing_mentor", "nps"):
        result = results[key]
        # published, not withheld: closed months only, and enough people in each cohort
        assert result.published_through is not None, key
        assert result.published_through < this_month, key
        assert result.invited_people >= group, key
        assert 50 <= (result.response_rate or 0) <= 100, key
        for question in result.questions:
            if question.type in ("rating", "nps", "pairing_fit"):
                assert question.people >= group, (key, question.key)
            if question.type in ("rating", "nps"):
                assert question.mean is not None, (key, question.key)
    # a few pairings are not a good fit; most are
    fit = next(q for q in results["pairing_fit"].questions if q.key == "fit")
    assert 1 <= fit.counts[NOT_A_GOOD_FIT] < fit.counts["good_fit"]
    # the NPS has a realistic spread: promoters, passives and detractors
    nps = next(q for q in results["nps"].questions if q.key == "recommend")
    assert nps.nps is not None
    assert -100 < nps.nps < 100
    assert 6 < (nps.mean or 0) < 9.5
    # pulses were published for several months
    pulse = results["pulse"]
    assert pulse.published_through is not None
    assert pulse.published_through > this_month - datetime.timedelta(days=62)


def _self_assessments_show_growth(leadership: Program) -> None:
    summary = assessment_program_summary(program=leadership)
    group = summary.min_group
    assert summary.pairs_with_both >= group
    assert summary.people_with_both >= 2 * group
    assert summary.rows
    for row in summary.rows:
        assert row.start_people >= group
        assert row.end_people >= group
        assert row.change is not None
        assert row.change > 0


def _the_outcomes_page_has_both_groups() -> None:
    # HR data for everyone, leavers and promotions among them; the admin's report compares
    # mentored people with a comparison group big enough to be shown, with people leaving
    # in both, and the demo's logins still employed.
    northwind = Organization.objects.get(slug="northwind")
    records = EmploymentRecord.objects.filter(organization=northwind)
    assert records.count() == User.objects.filter(organization=northwind, is_active=True).count()
    assert records.filter(terminated_on__isnull=False).count() >= 30
    assert Promotion.objects.filter(record__organization=northwind).exists()
    assert not records.filter(
        user__email__in=[email for email, _ in LOGINS], terminated_on__isnull=False
    ).exists()
    admin = User.objects.get(email="admin@northwind.example")
    report = outcomes_report(actor=admin, query=OutcomesQuery())
    assert report.raw is not None
    for group in (report.raw.mentored, report.raw.others):
        assert not group.withheld, group
        assert group.people >= 30, group
        assert group.events >= 1, group
        assert len(group.curve) > 3, group


def _no_email_about_the_seeded_past_waits() -> None:
    # what the seed enqueued is skipped, in-app copies stay
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.SKIPPED).exists()
    skipped = OutboxMessage.objects.filter(last_error=SEEDED)
    assert skipped.count() > 200
    assert skipped.filter(rule="welcome").exists()  # the nudges due at the seed's end
    assert Notification.objects.filter(user__email="mentee@northwind.example").exists()
    # the managers were told about the pairings that are not a good fit
    assert Notification.objects.filter(
        user__email="manager@northwind.example", title__contains="may not be a good fit"
    ).exists()
    # and the scheduler `make demo` starts finds nothing new that is due
    assert nudges_evaluate(now=timezone.now()).total_enqueued == 0


# --- the history's date arithmetic, whatever day the seed runs ------------------------------

# A month has at most 31 days, so anything 31 or more days ago lies in a month that has ended,
# whatever today is: the figures the tests above expect published never depend on the date.
CLOSED = 31


def test_every_completed_pair_closes_in_a_month_that_has_ended():
    completed = [arc for cohort in COHORTS for arc in cohort.arcs if arc.outcome == "completed"]
    assert len(completed) >= 6
    # the closing self-assessment is taken up to five days after completing
    assert all(arc.until - 5 >= CLOSED for arc in completed)
    # a closing survey's response rate counts 30 days after its invitation: enough pairs
    # closed early enough for it to be published too
    closed = [
        arc for cohort in COHORTS for arc in cohort.arcs if arc.outcome in ("completed", "ended")
    ]
    assert sum(arc.until - 30 >= CLOSED for arc in closed) >= min_group_size()


def test_every_cohort_is_matched_in_its_own_month():
    starts = sorted(cohort.started_days_ago for cohort in COHORTS)
    assert all(later - earlier > CLOSED for earlier, later in itertools.pairwise(starts))
    assert max(starts) <= 365
    assert all(6 <= len(cohort.arcs) <= 10 for cohort in COHORTS)


@given(
    outcome=st.sampled_from(["active", "stalled", "paused", "completed", "ended"]),
    started=st.integers(min_value=40, max_value=365),
    cadence=st.sampled_from([14, 21, 28, 30, 35]),
    until=st.integers(min_value=14, max_value=300),
)
def test_meeting_days_are_in_the_past_in_order_and_end_as_the_arc_says(
    outcome, started, cadence, until
):
    # given an arc that ends after it started
    until = min(until, started - 20)
    arc = Arc(outcome, cadence, until)
    # when
    days = meeting_days(started, arc, random.Random(started))
    # then: a week after the start, then later and later, never today or in the future
    assert days[0] == started - 7
    assert days == sorted(days, reverse=True)
    assert len(set(days)) == len(days)
    assert 1 <= len(days) <= MOST_MEETINGS
    assert min(days) >= 2
    if outcome == "stalled" and len(days) > 1:
        assert days[-1] == until
    if outcome in ("completed", "ended", "paused") and len(days) > 1:
        assert days[-1] > until
    if len(days) > 2:
        gaps = [a - b for a, b in itertools.pairwise(days)]
        # as regular as the cadence, give or take two days either side
        assert min(gaps) >= cadence - 5
        assert max(gaps) - min(gaps) <= 9
