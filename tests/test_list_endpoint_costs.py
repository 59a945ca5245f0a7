"""Every list endpoint of the API costs the same number of queries for 2 rows as for 20
(issue 15). The endpoints are discovered from the one NinjaAPI's OpenAPI document, never listed
by hand: a new list endpoint fails here until it has a seeder (how to give the caller N rows)
or is named in PENDING with the reason it has none yet. An endpoint counts as a list when its
200 answer is a JSON array or a page (`items` and `count`)."""

import datetime
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.api import api
from conftest import Pair
from tandem.accounts.models import Invitation
from tandem.accounts.services import api_token_create
from tandem.accounts.tests.factories import UserFactory
from tandem.actions.tests.factories import ActionItemFactory
from tandem.agreements.models import Agreement, AgreementVersion
from tandem.assessments.models import Competency
from tandem.audit.models import AuditEntry
from tandem.conversations.models import Circle, Message
from tandem.conversations.tests.factories import make_circle
from tandem.feedback.tests.factories import MentorFeedbackFactory
from tandem.goals.models import Goal, GoalChange, GoalComment
from tandem.goals.tests.factories import GoalFactory
from tandem.health.models import RelationshipHealth
from tandem.journals.tests.factories import JournalEntryFactory
from tandem.matching.models import MatchProposal, MatchRequest, MatchRun, MatchUnmatched
from tandem.matching.tests.factories import MatchRunFactory
from tandem.meetings.tests.factories import schedule
from tandem.notifications.models import Notification, NotificationCategory
from tandem.participants.models import ParticipantRole
from tandem.participants.tests.factories import ParticipantFactory
from tandem.people.tests.factories import ProfileFactory, SkillFactory
from tandem.privacy.models import DataExport, DataExportStatus, ErasureRequest
from tandem.programs.tests.factories import EnrollmentQuestionFactory, ProgramFactory
from tandem.provisioning.models import HrSyncRun
from tandem.relationships.services import relationship_propose
from tandem.resources.models import Resource, ResourceProgress
from tandem.surveys.models import Survey, SurveyInvitation, SurveyVersion
from tandem.webhooks.models import WebhookDelivery, WebhookEndpoint
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


# A fresh number for each row a seeder makes (slugs, keys, e-mails must not repeat).
_serial = itertools.count(1)


def _audit(pair: Pair, n: int) -> None:
    AuditEntry.objects.bulk_create(
        AuditEntry(
            organization_id=pair.cast.org.pk,
            event="programme.updated",
            actor=pair.cast.admin,
            action=AuditEntry.Action.UPDATE,
            object_repr=f"Programme {next(_serial)}",
        )
        for _ in range(n)
    )


def _invitations(pair: Pair, n: int) -> None:
    Invitation.objects.bulk_create(
        Invitation(
            organization=pair.cast.org,
            email=f"invited{next(_serial)}@northwind.test",
            invited_by=pair.cast.admin,
        )
        for _ in range(n)
    )


def _run(pair: Pair) -> dict[str, int]:
    return {"run_id": MatchRunFactory(program=pair.cast.program).pk}


def _proposals(pair: Pair, n: int) -> None:
    run = MatchRun.objects.filter(program=pair.cast.program).latest("pk")
    MatchProposal.objects.bulk_create(
        MatchProposal(
            run=run,
            mentor=ParticipantFactory(program=run.program, role=ParticipantRole.MENTOR),
            mentee=ParticipantFactory(program=run.program),
            score=5.0,
        )
        for _ in range(n)
    )


def _unmatched(pair: Pair, n: int) -> None:
    run = MatchRun.objects.filter(program=pair.cast.program).latest("pk")
    MatchUnmatched.objects.bulk_create(
        MatchUnmatched(run=run, mentee=ParticipantFactory(program=run.program), reason="capacity")
        for _ in range(n)
    )


def _match_requests(pair: Pair, n: int) -> None:
    # the pair's mentee asks n more mentors of the programme
    MatchRequest.objects.bulk_create(
        MatchRequest(
            program=pair.cast.program,
            mentee=pair.cast.mentee_participant,
            mentor=ParticipantFactory(program=pair.cast.program, role=ParticipantRole.MENTOR),
            expires_at=timezone.now() + datetime.timedelta(days=7),
        )
        for _ in range(n)
    )


def _health(pair: Pair, n: int) -> None:
    _programme_pairs(pair, n)
    RelationshipHealth.objects.bulk_create(
        RelationshipHealth(
            relationship=relationship,
            program=pair.cast.program,
            score=50,
            bucket=RelationshipHealth._meta.get_field("bucket").choices[0][0],
            sentence="Quiet lately.",
            computed_at=timezone.now(),
        )
        for relationship in pair.cast.program.relationships.filter(health__isnull=True)
    )


def _runs(pair: Pair, n: int) -> None:
    MatchRunFactory.create_batch(n, program=pair.cast.program)


def _resources(pair: Pair, n: int, program: object = None) -> None:
    Resource.objects.bulk_create(
        Resource(
            organization=pair.cast.org,
            program=program,
            slug=f"piece-{next(_serial)}",
            kind=Resource._meta.get_field("kind").choices[0][0],
            title=f"Piece {next(_serial)}",
        )
        for _ in range(n)
    )


def _programme_resources(pair: Pair, n: int) -> None:
    _resources(pair, n, program=pair.cast.program)
    # and the people have done some of them
    ResourceProgress.objects.bulk_create(
        ResourceProgress(user=pair.mentee, resource=resource, done_at=timezone.now())
        for resource in Resource.objects.filter(program=pair.cast.program).exclude(
            progress__user=pair.mentee
        )
    )


def _agreement_versions(pair: Pair, n: int) -> None:
    agreement, _ = Agreement.objects.get_or_create(
        relationship=pair.relationship,
        defaults={"cadence": "monthly", "duration_months": 6, "confidentiality": "Ours."},
    )
    start = agreement.versions.count()
    now = timezone.now()
    AgreementVersion.objects.bulk_create(
        AgreementVersion(
            agreement=agreement,
            version=start + index + 1,
            content={},
            mentor_signed_at=now,
            mentee_signed_at=now,
            created_at=now,
        )
        for index in range(n)
    )


def _goal(pair: Pair) -> dict[str, int]:
    goal = GoalFactory(relationship=pair.relationship, created_by=pair.mentee)
    return {"goal_id": goal.pk}


def _goal_comments(pair: Pair, n: int) -> None:
    goal = Goal.objects.filter(relationship=pair.relationship).latest("pk")
    GoalComment.objects.bulk_create(
        GoalComment(goal=goal, author=pair.mentor, body=f"Comment {index}") for index in range(n)
    )


def _goal_changes(pair: Pair, n: int) -> None:
    goal = Goal.objects.filter(relationship=pair.relationship).latest("pk")
    GoalChange.objects.bulk_create(
        GoalChange(goal=goal, actor=pair.mentee, at=timezone.now(), field="title", after="New")
        for _ in range(n)
    )


def _endpoint(pair: Pair) -> dict[str, int]:
    # once: a hypothesis test asks again in the same database
    found = WebhookEndpoint.objects.filter(url="https://deliveries.example.com/").first()
    if found is None:
        found, _ = endpoint_for(pair.cast.admin, "https://deliveries.example.com/")
    return {"endpoint_id": found.pk}


def _deliveries(pair: Pair, n: int) -> None:
    endpoint = WebhookEndpoint.objects.get(url="https://deliveries.example.com/")
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            event_id=f"event-{next(_serial)}",
            event_type="relationship.started",
            body="{}",
            next_attempt_at=timezone.now(),
        )
        for _ in range(n)
    )


def _open_programmes(pair: Pair, n: int) -> None:
    ProgramFactory.create_batch(n, organization=pair.cast.org)


def _competencies(pair: Pair, n: int) -> None:
    Competency.objects.bulk_create(
        Competency(
            organization=pair.cast.org,
            program=pair.cast.program,
            key=f"skill-{next(_serial)}",
            name="Listening",
            description="Hears what is meant.",
        )
        for _ in range(n)
    )


def _surveys(pair: Pair, n: int) -> None:
    surveys = Survey.objects.bulk_create(
        Survey(
            program=pair.cast.program,
            kind="pulse",
            title=f"Pulse {next(_serial)}",
            trigger="after_match",
        )
        for _ in range(n)
    )
    SurveyVersion.objects.bulk_create(
        SurveyVersion(survey=survey, number=1, definition={"questions": []}) for survey in surveys
    )


def _survey_invitations(pair: Pair, n: int) -> None:
    _surveys(pair, 1)
    survey = Survey.objects.filter(program=pair.cast.program).latest("pk")
    version = survey.versions.get()
    SurveyInvitation.objects.bulk_create(
        SurveyInvitation(
            survey=survey,
            version=version,
            relationship=pair.relationship,
            user=pair.mentee,
            occasion=f"occasion-{next(_serial)}",
        )
        for _ in range(n)
    )


def _tokens(pair: Pair, n: int) -> None:
    for _ in range(n):
        api_token_create(user=pair.mentee, name=f"Token {next(_serial)}")


def _data_exports(pair: Pair, n: int) -> None:
    DataExport.objects.bulk_create(
        DataExport(
            organization=pair.cast.org,
            subject=pair.mentee,
            requester=pair.cast.admin,
            status=DataExportStatus.EXPIRED,
        )
        for _ in range(n)
    )


def _hr_sync_runs(pair: Pair, n: int) -> None:
    HrSyncRun.objects.bulk_create(
        HrSyncRun(
            organization=pair.cast.org,
            source=HrSyncRun._meta.get_field("source").choices[0][0],
            status=HrSyncRun._meta.get_field("status").choices[0][0],
            started_by=pair.cast.admin,
        )
        for _ in range(n)
    )


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


def _member(pair: Pair) -> object:
    return pair.cast.member


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
    "tandem_audit_api_audit_entry_list": Seeder(_admin, _audit),
    "tandem_accounts_api_invitation_list": Seeder(_admin, _invitations),
    "tandem_matching_api_runs_proposal_list": Seeder(_manager, _proposals, _run),
    "tandem_matching_api_runs_unmatched_list": Seeder(_manager, _unmatched, _run),
    "tandem_matching_api_requests_my_requests": Seeder(_mentee, _match_requests),
    "tandem_health_api_program_health_list": Seeder(_manager, _health),
    "tandem_matching_api_requests_program_requests": Seeder(_manager, _match_requests),
    "tandem_matching_api_runs_run_list": Seeder(_manager, _runs),
    "tandem_resources_api_program_resource_list": Seeder(_manager, _programme_resources),
    "tandem_agreements_api_agreement_versions": Seeder(_mentor, _agreement_versions),
    "tandem_goals_api_comment_list": Seeder(_mentor, _goal_comments, _goal),
    "tandem_goals_api_change_list": Seeder(_mentor, _goal_changes, _goal),
    "tandem_resources_api_resource_list": Seeder(_mentee, _resources),
    "tandem_webhooks_api_delivery_list": Seeder(_admin, _deliveries, _endpoint),
    "tandem_participants_api_my_available_programs": Seeder(_member, _open_programmes),
    "tandem_assessments_api_competency_list": Seeder(_manager, _competencies),
    "tandem_resources_api_program_resource_completion": Seeder(_manager, _programme_resources),
    "tandem_surveys_api_survey_list": Seeder(_manager, _surveys),
    "tandem_surveys_api_invitation_list": Seeder(_mentee, _survey_invitations),
    "tandem_accounts_api_token_list": Seeder(_mentee, _tokens),
    "tandem_privacy_api_data_export_list": Seeder(_admin, _data_exports),
    "tandem_provisioning_api_hr_sync_run_list": Seeder(_admin, _hr_sync_runs),
}

# Lists whose length the code fixes, not the data (one row per category, event type or rule):
# there is no N to grow.
FIXED_BY_CODE = {
    "tandem_notifications_api_preference_list",
    "tandem_webhooks_api_event_type_list",
    "tandem_nudges_api_nudge_settings_get",
}

# Lists bounded by a constraint, not by the code's catalogue: a meeting's check-ins are one per
# person of the pair (`checkin_once_per_person`), two at most; there is no N to grow.
BOUNDED_BY_CONSTRAINT = {
    "tandem_meetings_api_checkin_list",
}

# List endpoints with no seeder yet, each with why: the test keeps this list honest (an entry
# that is not a list endpoint, or that has a seeder, fails), so it can only shrink.
PENDING: dict[str, str] = {}

LIST_OPERATIONS = _list_operations()


def test_every_list_endpoint_is_seeded_or_pending_with_a_reason():
    bounded = FIXED_BY_CODE | BOUNDED_BY_CONSTRAINT
    assert set(SEEDERS) | set(PENDING) | bounded == set(LIST_OPERATIONS)
    assert not set(SEEDERS) & set(PENDING)
    assert not (set(SEEDERS) | set(PENDING)) & bounded
    assert not FIXED_BY_CODE & BOUNDED_BY_CONSTRAINT
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
