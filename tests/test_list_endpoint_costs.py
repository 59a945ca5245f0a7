"""Every list endpoint of the API costs the same number of queries for 2 rows as for 20
(issue 15). The endpoints are discovered from the one NinjaAPI's OpenAPI document, never listed
by hand: a new list endpoint fails here until it has a seeder (how to give the caller N rows)
or is named in PENDING with the reason it has none yet. An endpoint counts as a list when its
200 answer is a JSON array or a page (`items` and `count`)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.api import api
from conftest import Pair
from tandem.accounts.tests.factories import UserFactory
from tandem.actions.tests.factories import ActionItemFactory
from tandem.conversations.models import Circle, Message
from tandem.conversations.tests.factories import make_circle
from tandem.feedback.tests.factories import MentorFeedbackFactory
from tandem.goals.tests.factories import GoalFactory
from tandem.journals.tests.factories import JournalEntryFactory
from tandem.meetings.tests.factories import schedule
from tandem.notifications.models import Notification, NotificationCategory
from tandem.participants.models import ParticipantRole
from tandem.participants.tests.factories import ParticipantFactory
from tandem.people.tests.factories import ProfileFactory, SkillFactory
from tandem.privacy.models import ErasureRequest
from tandem.programs.tests.factories import EnrollmentQuestionFactory, ProgramFactory
from tandem.relationships.services import relationship_propose
from tandem.webhooks.models import WebhookEndpoint
from tandem.webhooks.tests.factories import endpoint_for

API_PREFIX = "/api/v1/"


def _list_operations() -> dict[str, str]:
    """operationId -> path (relative to the API) of every GET whose answer is a list."""
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    found = {}
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        responses = get.get("responses", {})
        answer = responses.get(200) or responses.get("200") or {}
        body = answer.get("content", {}).get("application/json", {}).get("schema", {})
        properties = components.get(body.get("$ref", "").rsplit("/", 1)[-1], {}).get(
            "properties", {}
        )
        if body.get("type") == "array" or {"items", "count"} <= set(properties):
            found[get["operationId"]] = path.removeprefix(API_PREFIX)
    return found


@dataclass(frozen=True)
class Seeder:
    """Who asks, and how to give them `n` more rows of the list; `place` makes what the path
    names beyond the pair and its programme (a circle), once, and answers its ids."""

    actor: Callable[[Pair], object]
    add: Callable[[Pair, int], None]
    place: Callable[[Pair], dict[str, int]] | None = None


def _notifications(pair: Pair, n: int) -> None:
    Notification.objects.bulk_create(
        Notification(user=pair.mentor, category=NotificationCategory.MEETINGS, title=f"N{i}")
        for i in range(n)
    )


def _people(pair: Pair, n: int) -> None:
    for _ in range(n):
        ProfileFactory(user=UserFactory(organization=pair.cast.org))


def _participants(pair: Pair, n: int) -> None:
    for _ in range(n):
        ParticipantFactory(program=pair.cast.program)


def _programme_pairs(pair: Pair, n: int) -> None:
    for _ in range(n):
        mentor = ParticipantFactory(
            program=pair.cast.program, role=ParticipantRole.MENTOR, capacity=1
        )
        relationship_propose(
            mentor=mentor, mentee=ParticipantFactory(program=pair.cast.program), source="manual"
        )


def _programmes(pair: Pair, n: int) -> None:
    ProgramFactory.create_batch(n, organization=pair.cast.org)


def _my_relationships(pair: Pair, n: int) -> None:
    # the mentor takes n more mentees, each in a programme of their own
    for _ in range(n):
        program = ProgramFactory(organization=pair.cast.org)
        mentor = ParticipantFactory(program=program, user=pair.mentor, role=ParticipantRole.MENTOR)
        relationship_propose(
            mentor=mentor, mentee=ParticipantFactory(program=program), source="manual"
        )


def _my_participations(pair: Pair, n: int) -> None:
    for _ in range(n):
        ParticipantFactory(program=ProgramFactory(organization=pair.cast.org), user=pair.mentee)


def _skills(pair: Pair, n: int) -> None:
    SkillFactory.create_batch(n, organization=pair.cast.org)


def _actions(pair: Pair, n: int) -> None:
    ActionItemFactory.create_batch(n, relationship=pair.relationship)


def _feedback(pair: Pair, n: int) -> None:
    MentorFeedbackFactory.create_batch(n, relationship=pair.relationship)


def _goals(pair: Pair, n: int) -> None:
    GoalFactory.create_batch(n, relationship=pair.relationship, created_by=pair.mentee)


def _journal(pair: Pair, n: int) -> None:
    JournalEntryFactory.create_batch(n, relationship=pair.relationship, author=pair.mentor)


def _journal_shared(pair: Pair, n: int) -> None:
    JournalEntryFactory.create_batch(
        n,
        relationship=pair.relationship,
        author=pair.mentee,
        shared_with_partner=True,
        shared_at=timezone.now(),
    )


def _meetings(pair: Pair, n: int) -> None:
    start = pair.relationship.meetings.count()
    for day in range(start, start + n):
        schedule(pair.relationship, days=3 + day)


def _messages(pair: Pair, n: int) -> None:
    Message.objects.bulk_create(
        Message(
            relationship=pair.relationship,
            author=pair.mentee,
            body=f"Message {i}",
            created_at=timezone.now() - datetime.timedelta(minutes=i),
        )
        for i in range(n)
    )


def _questions(pair: Pair, n: int) -> None:
    EnrollmentQuestionFactory.create_batch(n, program=pair.cast.program)


def _webhook_endpoints(pair: Pair, n: int) -> None:
    start = WebhookEndpoint.objects.count()
    for index in range(start, start + n):
        endpoint_for(pair.cast.admin, f"https://h{index}.example.com/")


def _circle(pair: Pair) -> dict[str, int]:
    circle = make_circle(program=pair.cast.program)
    return {"circle_id": circle.circle.pk}


def _circle_messages(pair: Pair, n: int) -> None:
    circle = Circle.objects.get(program=pair.cast.program)
    author = circle.relationships.select_related("mentee__user").first().mentee.user
    Message.objects.bulk_create(
        Message(circle=circle, author=author, body=f"Message {i}") for i in range(n)
    )


def _circle_mentor(pair: Pair) -> object:
    return Circle.objects.select_related("mentor__user").get(program=pair.cast.program).mentor.user


def _mentor(pair: Pair) -> object:
    return pair.mentor


def _mentee(pair: Pair) -> object:
    return pair.mentee


def _manager(pair: Pair) -> object:
    return pair.cast.manager


def _admin(pair: Pair) -> object:
    return pair.cast.admin


def _erasure_requests(pair: Pair, n: int) -> None:
    now = timezone.now()
    for _ in range(n):
        person = UserFactory(organization=pair.cast.org)
        ErasureRequest.objects.create(
            organization=pair.cast.org,
            person=person,
            requested_by=pair.cast.admin,
            requested_at=now,
            due_at=now + datetime.timedelta(days=14),
        )


SEEDERS: dict[str, Seeder] = {
    "tandem_privacy_api_erasure_request_list": Seeder(_admin, _erasure_requests),
    "tandem_notifications_api_notification_list": Seeder(_mentor, _notifications),
    "tandem_people_api_person_list": Seeder(_admin, _people),
    "tandem_accounts_api_member_list": Seeder(_admin, _people),
    "tandem_participants_api_participant_list": Seeder(_manager, _participants),
    "tandem_workspace_api_program_relationship_signals": Seeder(_manager, _programme_pairs),
    "tandem_programs_api_program_list": Seeder(_admin, _programmes),
    "tandem_relationships_api_my_relationships": Seeder(_mentor, _my_relationships),
    "tandem_participants_api_my_participations": Seeder(_mentee, _my_participations),
    "tandem_people_api_skill_list": Seeder(_mentee, _skills),
    "tandem_actions_api_action_list": Seeder(_mentor, _actions),
    "tandem_feedback_api_feedback_list": Seeder(_mentor, _feedback),
    "tandem_goals_api_goal_list": Seeder(_mentor, _goals),
    "tandem_journals_api_journal_list": Seeder(_mentor, _journal),
    "tandem_journals_api_journal_shared_with_me": Seeder(_mentor, _journal_shared),
    "tandem_meetings_api_meeting_list": Seeder(_mentor, _meetings),
    "tandem_conversations_api_relationship_messages": Seeder(_mentor, _messages),
    "tandem_programs_api_question_list": Seeder(_manager, _questions),
    "tandem_webhooks_api_endpoint_list": Seeder(_admin, _webhook_endpoints),
    "tandem_conversations_api_circle_messages": Seeder(_circle_mentor, _circle_messages, _circle),
}

# Lists whose length the code fixes, not the data (one row per category, event type or rule):
# there is no N to grow.
FIXED_BY_CODE = {
    "tandem_notifications_api_preference_list",
    "tandem_webhooks_api_event_type_list",
    "tandem_nudges_api_nudge_settings_get",
}

# List endpoints with no seeder yet, each with why: the test keeps this list honest (an entry
# that is not a list endpoint, or that has a seeder, fails), so it can only shrink.
PENDING: dict[str, str] = dict.fromkeys(
    (
        "tandem_audit_api_audit_entry_list",
        "tandem_accounts_api_invitation_list",
        "tandem_matching_api_runs_proposal_list",
        "tandem_matching_api_runs_unmatched_list",
        "tandem_matching_api_requests_my_requests",
        "tandem_health_api_program_health_list",
        "tandem_matching_api_requests_program_requests",
        "tandem_matching_api_runs_run_list",
        "tandem_resources_api_program_resource_list",
        "tandem_agreements_api_agreement_versions",
        "tandem_goals_api_comment_list",
        "tandem_goals_api_change_list",
        "tandem_resources_api_resource_list",
        "tandem_webhooks_api_delivery_list",
        "tandem_participants_api_my_available_programs",
        "tandem_assessments_api_competency_list",
        "tandem_resources_api_program_resource_completion",
        "tandem_surveys_api_survey_list",
        "tandem_meetings_api_checkin_list",
        "tandem_surveys_api_invitation_list",
        "tandem_accounts_api_token_list",
        "tandem_privacy_api_data_export_list",
        "tandem_provisioning_api_hr_sync_run_list",
    ),
    "seeder not written yet (issue 15, item 2)",
)

LIST_OPERATIONS = _list_operations()


def test_every_list_endpoint_is_seeded_or_pending_with_a_reason():
    assert set(SEEDERS) | set(PENDING) | FIXED_BY_CODE == set(LIST_OPERATIONS)
    assert not set(SEEDERS) & set(PENDING)
    assert not (set(SEEDERS) | set(PENDING)) & FIXED_BY_CODE
    assert all(PENDING.values())


def _path(pair: Pair, template: str, **place: int) -> str:
    return template.format(
        program_id=pair.cast.program.pk, relationship_id=pair.relationship.pk, **place
    )


@pytest.mark.django_db
@pytest.mark.parametrize("operation", sorted(SEEDERS))
def test_a_list_costs_the_same_for_2_and_20_rows(pair, api_as, operation):
    seeder = SEEDERS[operation]
    place = seeder.place(pair) if seeder.place is not None else {}
    client = api_as(seeder.actor(pair))
    path = _path(pair, LIST_OPERATIONS[operation], **place)
    # given 2 rows the caller may see (the first request stamps the token)
    seeder.add(pair, 2)
    assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as few:
        small = client.get(path)
    # when there are 20
    seeder.add(pair, 18)
    with CaptureQueriesContext(connection) as many:
        large = client.get(path)
    # then the answer grew and the number of queries did not
    assert small.status_code == large.status_code == 200

    def rows(response):
        body = response.json()
        return body if isinstance(body, list) else body["items"]

    assert len(rows(large)) >= len(rows(small)) + 18
    assert len(many.captured_queries) == len(few.captured_queries), [
        q["sql"][:160] for q in many.captured_queries
    ]
