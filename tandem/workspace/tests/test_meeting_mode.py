"""Meeting mode: the agenda, the stage's questions, the checklist, notes and one-tap actions."""

import datetime

import pytest
from django.utils import timezone

from conftest import PAIR_ACTOR_NAMES
from tandem.actions.models import ActionItem
from tandem.agreements.tests.factories import sign_by_both
from tandem.journeys.models import StepCompletion
from tandem.journeys.selectors import journey_for_relationship
from tandem.journeys.services import journey_ensure
from tandem.journeys.tests.factories import started_days_ago
from tandem.meetings.models import AgendaItem, Meeting
from tandem.meetings.services import meeting_record_held, meeting_schedule
from tandem.meetings.tests.factories import schedule, started
from tandem.relationships.permissions import relationship_access
from tandem.resources.services import starter_content_load


@pytest.fixture
def session(pair):
    """The pair's next meeting, with the organisation's starter guidance loaded."""
    starter_content_load(organization=pair.cast.org)
    meeting = meeting_schedule(
        actor=pair.mentor,
        relationship_id=pair.relationship.pk,
        title="Second session",
        date=timezone.localdate() + datetime.timedelta(days=2),
        time=datetime.time(15, 0),
        timezone_name="UTC",
        agenda=["How did the planning session go?"],
    )
    return pair, meeting


def _url(pair, meeting, tail=""):
    return f"/relationships/{pair.relationship.pk}/meetings/{meeting.pk}/mode/{tail}"


def _state(meeting):
    return (
        list(AgendaItem.objects.filter(meeting=meeting).values_list("text", flat=True)),
        Meeting.objects.get(pk=meeting.pk).notes,
        list(ActionItem.objects.values_list("title", flat=True)),
        StepCompletion.objects.count(),
    )


@pytest.mark.parametrize("name", PAIR_ACTOR_NAMES)
def test_meeting_mode_is_the_pairs_alone(session, client, name):
    pair, meeting = session
    user = pair.by_name(name)
    if user is not None:
        client.force_login(user)
    before = _state(meeting)
    page = client.get(_url(pair, meeting))
    posted = client.post(_url(pair, meeting, "agenda/"), {"text": "Sneaky question"})
    if name in ("mentor", "mentee"):
        assert page.status_code == 200
        assert posted.status_code == 302
        assert _state(meeting)[0] == ["How did the planning session go?", "Sneaky question"]
    else:
        expected = 302 if name == "anonymous" else 404
        assert (page.status_code, posted.status_code) == (expected, expected)
        assert _state(meeting) == before


def test_the_screen_shows_agenda_stage_questions_and_checklist(session, client):
    pair, meeting = session
    client.force_login(pair.mentor)
    page = client.get(_url(pair, meeting)).content.decode()
    access = relationship_access(actor=pair.mentor, relationship_id=pair.relationship.pk)
    stage = journey_for_relationship(access=access).current
    assert "How did the planning session go?" in page
    assert f"stage: <strong>{stage.stage.title}</strong>" in page
    # the current stage's conversation guide, with its open questions
    assert 'data-testid="mode-guide"' in page
    assert "No conversation guide for this stage yet" not in page
    for step in stage.steps:
        assert step.step.title in page


def test_one_tap_captures_an_action_for_the_partner(session, client):
    pair, meeting = session
    client.force_login(pair.mentor)
    response = client.post(
        _url(pair, meeting, "actions/"),
        {"title": "Ask one open question in the team meeting", "owner": "partner"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    item = ActionItem.objects.get()
    assert (item.title, item.owner, item.created_by, item.due_on) == (
        "Ask one open question in the team meeting",
        pair.mentee,
        pair.mentor,
        timezone.localdate() + datetime.timedelta(days=14),
    )
    assert "Ask one open question in the team meeting" in response.content.decode()


def test_a_refused_action_keeps_what_was_typed_and_saves_nothing(session, client):
    pair, meeting = session
    client.force_login(pair.mentee)
    response = client.post(
        _url(pair, meeting, "actions/"),
        {"title": "Practise saying no", "due_on": "not-a-date"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The due date is not a date." in page
    assert 'value="Practise saying no"' in page
    assert ActionItem.objects.count() == 0


def test_notes_save_from_the_screen(session, client):
    pair, meeting = session
    client.force_login(pair.mentee)
    response = client.post(
        _url(pair, meeting, "notes/"),
        {"notes": "Decided: I lead Q3 planning."},
        HTTP_HX_REQUEST="true",
    )
    assert "Saved." in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).notes == "Decided: I lead Q3 planning."


def test_a_manual_step_ticks_and_an_auto_step_refuses(session, client):
    pair, meeting = session
    # the programme's journey is stored (reads no longer store it; the scheduler does)
    journey_ensure(program=pair.cast.program)
    client.force_login(pair.mentee)
    access = relationship_access(actor=pair.mentee, relationship_id=pair.relationship.pk)
    steps = journey_for_relationship(access=access).current.steps
    manual = next((s for s in steps if not s.is_auto), None)
    auto = next(s for s in steps if s.is_auto)
    if manual is not None:
        client.post(_url(pair, meeting, f"steps/{manual.step.pk}/"), {"done": "1"})
        assert StepCompletion.objects.filter(step=manual.step).count() == 1
    response = client.post(
        _url(pair, meeting, f"steps/{auto.step.pk}/"), {"done": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert StepCompletion.objects.filter(step=auto.step).count() == 0


def test_the_screen_has_a_query_budget(session, client, django_assert_max_num_queries):
    pair, meeting = session
    client.force_login(pair.mentor)
    client.get(_url(pair, meeting))
    with django_assert_max_num_queries(22):
        assert client.get(_url(pair, meeting)).status_code == 200


def _foreign_org_meeting(pair):
    """A meeting of a pair in another organisation."""
    from conftest import start_relationship
    from tandem.accounts.tests.factories import UserFactory
    from tandem.participants.models import ParticipantRole
    from tandem.participants.tests.factories import ParticipantFactory
    from tandem.people.tests.factories import ProfileFactory
    from tandem.programs.tests.factories import ProgramFactory

    org = pair.cast.other_org
    program = ProgramFactory(organization=org)
    people = [UserFactory(organization=org) for _ in range(2)]
    for person in people:
        ProfileFactory(user=person)
    relationship = start_relationship(
        ParticipantFactory(program=program, user=people[0], role=ParticipantRole.MENTOR),
        ParticipantFactory(program=program, user=people[1]),
    )
    return schedule_for(relationship, people[0])


def schedule_for(relationship, actor):
    return meeting_schedule(
        actor=actor,
        relationship_id=relationship.pk,
        title="Theirs",
        date=timezone.localdate() + datetime.timedelta(days=3),
        time=datetime.time(10, 0),
        timezone_name="UTC",
        agenda=[],
    )


BAD_MEETINGS = ["other_pair", "other_org", "missing", "huge"]
WRITES = ["agenda", "notes", "action", "step"]


@pytest.mark.parametrize("bad", BAD_MEETINGS)
@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("htmx", [False, True])
def test_a_write_under_a_meeting_that_is_not_the_pairs_is_404_and_saves_nothing(
    session, client, bad, write, htmx
):
    # given the pair's own meeting, and a meeting id that is not theirs
    pair, meeting = session
    meeting_id = {
        "other_pair": lambda: schedule_for(pair.other_relationship, pair.other_mentor).pk,
        "other_org": lambda: _foreign_org_meeting(pair).pk,
        "missing": lambda: Meeting.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000,
        "huge": lambda: 2**63 + 7,
    }[bad]()
    access = relationship_access(actor=pair.mentee, relationship_id=pair.relationship.pk)
    manual_steps = [
        s for s in journey_for_relationship(access=access).current.steps if not s.is_auto
    ]
    step_id = manual_steps[0].step.pk if manual_steps else 1
    url, data = {
        "agenda": ("agenda/", {"text": "Sneaky question"}),
        "notes": ("notes/", {"notes": "Sneaky notes"}),
        "action": ("actions/", {"title": "Sneaky action", "owner": "partner"}),
        "step": (f"steps/{step_id}/", {"done": "1"}),
    }[write]
    client.force_login(pair.mentee)
    before = (_state(meeting), AgendaItem.objects.count(), Meeting.objects.count())
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    # when
    response = client.post(
        f"/relationships/{pair.relationship.pk}/meetings/{meeting_id}/mode/{url}", data, **extra
    )
    # then
    assert response.status_code == 404
    assert (_state(meeting), AgendaItem.objects.count(), Meeting.objects.count()) == before
    assert ActionItem.objects.count() == 0
    assert StepCompletion.objects.count() == before[0][3]


def test_six_meetings_in_meeting_mode_shows_working_together_not_getting_started(session, client):
    # given a pair 20 days in with six meetings held and the agreement signed, who never
    # ticked the manual step "Share what you hope to get out of the mentoring"
    pair, meeting = session
    started_days_ago(pair.relationship, 20)
    sign_by_both(pair.relationship, mentor=pair.mentor, mentee=pair.mentee)
    for _ in range(6):
        held = started(schedule(pair.relationship, pair.mentor))
        meeting_record_held(
            actor=pair.mentor, relationship_id=pair.relationship.pk, meeting_id=held.pk
        )
    client.force_login(pair.mentee)
    # when
    page = client.get(_url(pair, meeting)).content.decode()
    # then meeting mode is on the stage they have reached
    assert "stage: <strong>Working together</strong>" in page
    assert "Getting started: checklist" not in page
