"""Every webhook event, caused through the product's own services with private words written
everywhere the pair can write: each one is owed to the subscribed endpoint in the service's
transaction, its body matches the published schema of its type, and no body holds any private
word (journal, messages, notes, agenda, survey answers, goal titles, a reason for ending)."""

import pytest
from pydantic import TypeAdapter

from tandem.goals.services import goal_achieve
from tandem.goals.tests.factories import GoalFactory
from tandem.matching.runs import services as runs
from tandem.matching.tests.factories import enrol_person
from tandem.meetings.services import meeting_notes_update, meeting_record_held
from tandem.meetings.tests.factories import schedule, started
from tandem.participants.models import ParticipantRole
from tandem.participants.services import participant_add
from tandem.people.tests.factories import SkillFactory
from tandem.programs.tests.factories import ProgramFactory
from tandem.provisioning.lifecycle import person_deactivate
from tandem.relationships.services import relationship_transition
from tandem.webhooks.events import EVENT_TYPES, WebhookEvent
from tandem.webhooks.models import WebhookDelivery
from tandem.webhooks.tests.factories import endpoint_for
from tests.test_admin_privacy import PRIVATE, private_everywhere  # noqa: F401 - a fixture

REASON = "zqreasonprivate"
EVENTS = TypeAdapter(WebhookEvent)


@pytest.fixture
def subscribed(cast):
    """An endpoint of the organisation subscribed to every event, made before anything."""
    endpoint, _ = endpoint_for(cast.admin, "https://hooks.northwind.example/all")
    return endpoint


def _cause_every_event(pair, django_capture_on_commit_callbacks) -> None:
    cast, relationship = pair.cast, pair.relationship
    rid = relationship.pk
    # meeting.held (with private notes recorded as it is held)
    meeting = started(schedule(relationship, title=PRIVATE["meetingtitle"]))
    meeting_record_held(
        actor=pair.mentee, relationship_id=rid, meeting_id=meeting.pk, notes=PRIVATE["meetingnotes"]
    )
    meeting_notes_update(
        actor=pair.mentor, relationship_id=rid, meeting_id=meeting.pk, notes=PRIVATE["meetingnotes"]
    )
    # goal.completed
    goal = GoalFactory(relationship=relationship, title=PRIVATE["goal"] + "2")
    goal_achieve(actor=pair.mentee, relationship_id=rid, goal_id=goal.pk)
    # relationship.paused, then relationship.ended with a private reason
    relationship_transition(actor=pair.mentor, relationship_id=rid, action="pause")
    relationship_transition(actor=pair.mentor, relationship_id=rid, action="end", reason=REASON)
    # person.enrolled
    participant_add(
        actor=cast.manager, program_id=cast.program.pk, role="mentee", email=cast.member.email
    )
    # match.published, in a programme of its own
    program = ProgramFactory(organization=cast.org, name="Spring cohort", managers=[cast.manager])
    python = SkillFactory(organization=cast.org, name="Python")
    enrol_person(program, first_name="Ada", wants=[python])
    enrol_person(program, role=ParticipantRole.MENTOR, first_name="Grace", offers=[python])
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.match_run_start(actor=cast.manager, program_id=program.pk, objective="total")
    runs.match_run_publish(actor=cast.manager, run_id=run.pk)
    # person.deactivated: by provisioning's lifecycle, with a reason that must not travel
    person_deactivate(actor=cast.admin, user=cast.member, reason=f"Left the company {REASON}")


def test_every_event_is_owed_in_its_schema_and_none_carries_private_content(
    subscribed,
    private_everywhere,  # noqa: F811 - the fixture imported above
    django_capture_on_commit_callbacks,
):
    # given: an endpoint subscribed to everything, and private words everywhere
    pair = private_everywhere
    # when: every event happens through the services
    _cause_every_event(pair, django_capture_on_commit_callbacks)
    # then: every type was owed, each body in its type's schema
    rows = list(WebhookDelivery.objects.filter(endpoint=subscribed).order_by("id"))
    assert {row.event_type for row in rows} == set(EVENT_TYPES)
    for row in rows:
        event = EVENTS.validate_json(row.body)
        assert event.type == row.event_type
        assert event.id == row.event_id
        assert event.organization_id == pair.cast.org.pk
    # and no body holds a private word, whatever the event
    leaks = {
        row.event_type: kind
        for row in rows
        for kind, word in {**PRIVATE, "reason": REASON}.items()
        if word in row.body.lower()
    }
    assert leaks == {}


def test_the_events_say_who_and_what_by_id(subscribed, pair, django_capture_on_commit_callbacks):
    # when
    _cause_every_event(pair, django_capture_on_commit_callbacks)
    # then
    bodies = {
        row.event_type: EVENTS.validate_json(row.body).data
        for row in WebhookDelivery.objects.filter(endpoint=subscribed).order_by("id")
    }
    ended = bodies["relationship.ended"]
    assert (ended.relationship_id, ended.status, ended.outcome) == (
        pair.relationship.pk,
        "ended",
        "ended_early",
    )
    assert ended.mentor_person_id == pair.mentor.pk
    assert ended.mentee_person_id == pair.mentee.pk
    assert bodies["relationship.paused"].status == "paused"
    enrolled = bodies["person.enrolled"]
    assert (enrolled.person.id, enrolled.role, enrolled.program.id) == (
        pair.cast.member.pk,
        "mentee",
        pair.cast.program.pk,
    )
    assert len(bodies["match.published"].pairs) == 1


def test_an_organisation_with_endpoints_elsewhere_is_owed_nothing(cast, pair):
    # given: only another organisation subscribes
    endpoint_for(cast.outsider, "https://hooks.globex.example/all")
    # when
    relationship_transition(actor=pair.mentor, relationship_id=pair.relationship.pk, action="pause")
    # then
    assert WebhookDelivery.objects.count() == 0
