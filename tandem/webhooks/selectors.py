"""Reads of webhooks, always through the admin's guard and scoped to their organisation."""

import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from tandem.accounts.models import User
from tandem.accounts.selectors import organization_id_of
from tandem.webhooks.events import (
    EVENT_DESCRIPTIONS,
    EVENT_TYPES,
    PAYLOAD_VERSION,
    GoalCompletedData,
    MatchPublishedData,
    MeetingHeldData,
    PersonDeactivatedData,
    PersonEnrolledData,
    PersonRef,
    ProgramRef,
    PublishedPair,
    RelationshipData,
    SurveyAnsweredData,
)
from tandem.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tandem.webhooks.permissions import require_webhook_admin, webhook_endpoint_access


def webhook_endpoint_list_for_admin(*, actor: User) -> QuerySet[WebhookEndpoint]:
    require_webhook_admin(actor)
    return WebhookEndpoint.objects.filter(organization_id=organization_id_of(actor)).order_by("id")


def webhook_delivery_list(*, actor: User, endpoint_id: int) -> QuerySet[WebhookDelivery]:
    """The endpoint's delivery log, newest first, each with its attempts (two queries a page)."""
    endpoint = webhook_endpoint_access(actor=actor, endpoint_id=endpoint_id)
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .defer("body")
        .order_by("-id")
        .prefetch_related(Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("id")))
    )


def _examples(at: datetime.datetime) -> dict[str, object]:
    program = ProgramRef(id=12, name="Leadership cohort")

    def relationship(status: str, outcome: str | None = None) -> RelationshipData:
        return RelationshipData(
            relationship_id=301,
            program=program,
            mentor_person_id=41,
            mentee_person_id=42,
            status=status,
            outcome=outcome,
            changed_at=at,
        )

    return {
        "person.enrolled": PersonEnrolledData(
            participant_id=88,
            person=PersonRef(id=42, email="ada@example.com"),
            program=program,
            role="mentee",
            enrolled_at=at,
        ),
        "match.published": MatchPublishedData(
            match_run_id=7,
            program=program,
            published_at=at,
            pairs=[PublishedPair(relationship_id=301, mentor_person_id=41, mentee_person_id=42)],
        ),
        "relationship.started": relationship("active"),
        "relationship.paused": relationship("paused"),
        "relationship.ended": relationship("completed", "completed"),
        "meeting.held": MeetingHeldData(
            meeting_id=55, relationship_id=301, program_id=12, held_at=at
        ),
        "goal.completed": GoalCompletedData(
            goal_id=19, relationship_id=301, program_id=12, completed_at=at
        ),
        "survey.answered": SurveyAnsweredData(
            survey_id=3,
            response_id=901,
            program_id=12,
            relationship_id=301,
            respondent_person_id=42,
            answered_at=at,
        ),
        "person.deactivated": PersonDeactivatedData(
            person=PersonRef(id=42, email="ada@example.com"), deactivated_at=at
        ),
    }


def webhook_event_catalogue(*, actor: User) -> list[dict[str, object]]:
    """Every event type an endpoint may subscribe to, with its description and an example
    body (the published schemas of the payloads)."""
    require_webhook_admin(actor)
    at = timezone.now().replace(microsecond=0)
    examples = _examples(at)
    return [
        {
            "type": event_type,
            "description": EVENT_DESCRIPTIONS[event_type],
            "example": {
                "id": "msg_2f1c0e9b8d7a4c3f9e0d1b2a3c4d5e6f",
                "type": event_type,
                "version": PAYLOAD_VERSION,
                "timestamp": at,
                "organization_id": organization_id_of(actor),
                "data": examples[event_type],
            },
        }
        for event_type in EVENT_TYPES
    ]
