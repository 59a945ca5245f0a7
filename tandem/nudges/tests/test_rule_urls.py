"""Every rule's messages link to a page that exists: the path resolves to the owning app's view,
for the object the message is about. The paths are reversed once per rule from the owner's URL
name (`tandem.core.paths.PathOf`) and must equal a plain `reverse` for any ids."""

import datetime
from collections.abc import Callable

import pytest
from django.urls import resolve, reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tandem.core.paths import PathOf
from tandem.goals.tests.factories import GoalFactory, MilestoneFactory
from tandem.health.services import health_refresh
from tandem.journeys.models import Step
from tandem.journeys.services import journey_ensure
from tandem.meetings.models import Meeting, MeetingStatus
from tandem.meetings.tests.factories import schedule
from tandem.nudges.rules import RULES_BY_NAME
from tandem.nudges.services import nudges_due, nudges_evaluate
from tandem.participants.models import Participant
from tandem.relationships.models import Relationship
from tandem.surveys.models import SurveyInvitation

Scenario = Callable[[object], datetime.datetime]


def _soon(**delta: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(**delta)


def _meeting_soon(pair) -> datetime.datetime:
    meeting = schedule(pair.relationship, days=3)
    return meeting.starts_at - datetime.timedelta(hours=23)


def _meeting_held(pair) -> datetime.datetime:
    meeting = schedule(pair.relationship, days=3)
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD, held_at=timezone.now())
    return _soon(hours=2, seconds=1)


def _goal_due(pair) -> datetime.datetime:
    today = timezone.now().date()
    goal = GoalFactory(relationship=pair.relationship, target_on=today + datetime.timedelta(3))
    MilestoneFactory(goal=goal, due_on=today + datetime.timedelta(2))
    return timezone.now()


def _quiet(pair, weeks: float) -> datetime.datetime:
    since = timezone.now() - datetime.timedelta(weeks=3, days=1)
    Relationship.objects.update(last_activity_at=since)
    return _soon(weeks=weeks)


def _at_risk(pair) -> datetime.datetime:
    # The escalation needs the quiet weeks and an at-risk score, as the scheduler stores it.
    since = timezone.now() - datetime.timedelta(weeks=7)
    Relationship.objects.update(last_activity_at=since, activated_at=since)
    now = _soon(weeks=3)
    health_refresh(now=now)
    return now


def _halfway(pair) -> datetime.datetime:
    today = timezone.now().date()
    Relationship.objects.update(
        started_on=today - datetime.timedelta(30), planned_end_on=today + datetime.timedelta(30)
    )
    return timezone.now()


def _ending(pair) -> datetime.datetime:
    Relationship.objects.update(planned_end_on=timezone.now().date() + datetime.timedelta(10))
    return timezone.now()


def _digest_day(pair) -> datetime.datetime:
    wednesday = datetime.datetime(2030, 1, 9, 9, 0, tzinfo=datetime.UTC)
    Relationship.objects.update(activated_at=wednesday - datetime.timedelta(weeks=7))
    Participant.objects.update(enrolled_at=wednesday - datetime.timedelta(days=2))
    return wednesday


def _step_due(pair) -> datetime.datetime:
    journey_ensure(program=pair.cast.program)
    first = Step.objects.filter(stage__journey__program=pair.cast.program).order_by(
        "stage__order", "order"
    )[0]
    return _soon(days=first.due_offset_days - 3)


def _survey_due(pair) -> datetime.datetime:
    Relationship.objects.update(activated_at=timezone.now() - datetime.timedelta(days=31))
    return timezone.now()


def _survey_unanswered(pair) -> datetime.datetime:
    now = _survey_due(pair)
    nudges_evaluate(now=now, rules=(RULES_BY_NAME["survey_sent"],))
    return now + datetime.timedelta(days=4, minutes=1)


# rule -> (what makes it due, the view its messages open)
CASES: dict[str, tuple[Scenario, str]] = {
    "welcome": (lambda pair: _soon(seconds=1), "programs:detail"),
    "match_announced": (lambda pair: _soon(seconds=1), "workspace:detail"),
    "agreement_unsigned": (lambda pair: _soon(days=7, seconds=1), "agreements:detail"),
    "no_meeting_scheduled": (lambda pair: _soon(days=14, seconds=1), "meetings:list"),
    "meeting_reminder": (_meeting_soon, "meetings:detail"),
    "checkin_request": (_meeting_held, "meetings:detail"),
    "goal_due_soon": (_goal_due, "goals:list"),
    "inactivity": (lambda pair: _quiet(pair, 0), "workspace:detail"),
    "inactivity_escalation": (_at_risk, "health:program"),
    "midpoint": (_halfway, "goals:list"),
    "closing": (_ending, "workspace:detail"),
    "manager_digest": (_digest_day, "health:program"),
    "journey_step_due": (_step_due, "journeys:relationship"),
    "survey_sent": (_survey_due, "surveys:invitation"),
    "survey_reminder": (_survey_unanswered, "surveys:invitation"),
}


def test_every_rule_has_a_case():
    assert sorted(CASES) == sorted(RULES_BY_NAME)


def _objects_of(pair) -> dict[str, set[int]]:
    """The ids a message about the pair's programme may name, per URL keyword."""
    relationships = {pair.relationship.pk, pair.other_relationship.pk}
    return {
        "program_id": {pair.cast.program.pk},
        "relationship_id": relationships,
        "meeting_id": set(
            Meeting.objects.filter(relationship_id__in=relationships).values_list("pk", flat=True)
        ),
        "invitation_id": set(
            SurveyInvitation.objects.filter(relationship_id__in=relationships).values_list(
                "pk", flat=True
            )
        ),
    }


@pytest.mark.parametrize("rule", sorted(CASES))
def test_every_message_links_to_its_owners_page(pair, rule):
    # given
    scenario, view_name = CASES[rule]
    now = scenario(pair)
    # when
    due = nudges_due(now=now, rule=rule)
    # then every message opens the owner's view, about an object of the pair's programme
    assert due, f"{rule} found nothing due in its scenario"
    known = _objects_of(pair)
    for nudge in due:
        path, _, query = nudge.url.partition("?")
        match = resolve(path)
        assert match.view_name == view_name
        assert path == reverse(view_name, kwargs=match.kwargs)
        assert query in ("", "bucket=at_risk"), "a filter the owner's page understands"
        for keyword, value in match.kwargs.items():
            assert value in known[keyword], (rule, keyword, value)


PATHS = [
    ("workspace:detail", 1),
    ("workspace:program_relationships", 1),
    ("health:program", 1),
    ("agreements:detail", 1),
    ("programs:detail", 1),
    ("goals:list", 1),
    ("journeys:relationship", 1),
    ("meetings:list", 1),
    ("meetings:detail", 2),
    ("surveys:invitation", 1),
]
ids = st.integers(min_value=1, max_value=2**63 - 1)


@pytest.mark.parametrize(("view_name", "arity"), PATHS)
@given(values=st.lists(ids, min_size=2, max_size=2))
def test_a_path_template_is_the_reversed_path(view_name, arity, values):
    assert PathOf(view_name, arity=arity)(*values[:arity]) == reverse(
        view_name, args=values[:arity]
    )
