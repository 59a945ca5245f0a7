"""The webhook events: each type's payload as a versioned schema (the published contract).

Every body is an envelope `{"id", "type", "version", "timestamp", "organization_id", "data"}`
(the shape the Standard Webhooks specification recommends, plus `version` and the
organisation); `data` is the event's own schema below. A payload carries ids, statuses, roles
and times, and the names of programmes: never private text (journal, messages, notes, survey
answers, reasons given for ending, goal titles). A change that removes or renames a field is a
new `version`; adding a field is not.
"""

import datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

PAYLOAD_VERSION: Literal[1] = 1


class PersonRef(Schema):
    id: int
    email: str


class ProgramRef(Schema):
    id: int
    name: str


class PersonEnrolledData(Schema):
    """Someone became an active participant of a programme (enrolled, approved or added)."""

    participant_id: int
    person: PersonRef
    program: ProgramRef
    role: Literal["mentor", "mentee"]
    enrolled_at: datetime.datetime


class PublishedPair(Schema):
    relationship_id: int
    mentor_person_id: int
    mentee_person_id: int


class MatchPublishedData(Schema):
    """A matching run was published: its pairs are proposed relationships."""

    match_run_id: int
    program: ProgramRef
    published_at: datetime.datetime
    pairs: list[PublishedPair]


class RelationshipData(Schema):
    """A relationship's lifecycle moved (no reason text: it is the pair's)."""

    relationship_id: int
    program: ProgramRef
    mentor_person_id: int
    mentee_person_id: int
    status: str = Field(description="proposed, active, paused, completed or ended")
    outcome: str | None = Field(
        None,
        description='relationship.ended only: "completed" (ran its course) or "ended_early"',
    )
    changed_at: datetime.datetime


class MeetingHeldData(Schema):
    """A meeting of a pair was recorded as held (no title, agenda or notes)."""

    meeting_id: int
    relationship_id: int
    program_id: int
    held_at: datetime.datetime


class GoalCompletedData(Schema):
    """A mentee's goal was achieved (no title or description: they are the pair's)."""

    goal_id: int
    relationship_id: int
    program_id: int
    completed_at: datetime.datetime


class SurveyAnsweredData(Schema):
    """Someone answered a survey (that they did, never what they answered)."""

    survey_id: int
    response_id: int
    program_id: int
    relationship_id: int | None
    respondent_person_id: int
    answered_at: datetime.datetime


class PersonDeactivatedData(Schema):
    """A person's account was deactivated (by provisioning or an admin)."""

    person: PersonRef
    deactivated_at: datetime.datetime


class WebhookTestData(Schema):
    """Sent by "send test event": proves the endpoint receives and verifies Tandem's calls."""

    endpoint_id: int
    message: str


EventData = (
    PersonEnrolledData
    | MatchPublishedData
    | RelationshipData
    | MeetingHeldData
    | GoalCompletedData
    | SurveyAnsweredData
    | PersonDeactivatedData
    | WebhookTestData
)

# The event types an endpoint may subscribe to, with their data schema and description.
EVENT_TYPES: dict[str, type[Schema]] = {
    "person.enrolled": PersonEnrolledData,
    "match.published": MatchPublishedData,
    "relationship.started": RelationshipData,
    "relationship.paused": RelationshipData,
    "relationship.ended": RelationshipData,
    "meeting.held": MeetingHeldData,
    "goal.completed": GoalCompletedData,
    "survey.answered": SurveyAnsweredData,
    "person.deactivated": PersonDeactivatedData,
}
# Sent only by "send test event", to one endpoint, whatever it subscribed to.
TEST_EVENT_TYPE = "webhook.test"


class _Envelope(Schema):
    id: str = Field(description="The event's id, also the `webhook-id` header")
    version: Literal[1] = PAYLOAD_VERSION
    timestamp: datetime.datetime
    organization_id: int


class PersonEnrolledEvent(_Envelope):
    type: Literal["person.enrolled"]
    data: PersonEnrolledData


class MatchPublishedEvent(_Envelope):
    type: Literal["match.published"]
    data: MatchPublishedData


class RelationshipStartedEvent(_Envelope):
    type: Literal["relationship.started"]
    data: RelationshipData


class RelationshipPausedEvent(_Envelope):
    type: Literal["relationship.paused"]
    data: RelationshipData


class RelationshipEndedEvent(_Envelope):
    type: Literal["relationship.ended"]
    data: RelationshipData


class MeetingHeldEvent(_Envelope):
    type: Literal["meeting.held"]
    data: MeetingHeldData


class GoalCompletedEvent(_Envelope):
    type: Literal["goal.completed"]
    data: GoalCompletedData


class SurveyAnsweredEvent(_Envelope):
    type: Literal["survey.answered"]
    data: SurveyAnsweredData


class PersonDeactivatedEvent(_Envelope):
    type: Literal["person.deactivated"]
    data: PersonDeactivatedData


class WebhookTestEvent(_Envelope):
    type: Literal["webhook.test"]
    data: WebhookTestData


# The body of every webhook Tandem sends, one schema per type (published in the OpenAPI
# document through `GET /webhooks/event-types`).
WebhookEvent = Annotated[
    PersonEnrolledEvent
    | MatchPublishedEvent
    | RelationshipStartedEvent
    | RelationshipPausedEvent
    | RelationshipEndedEvent
    | MeetingHeldEvent
    | GoalCompletedEvent
    | SurveyAnsweredEvent
    | PersonDeactivatedEvent
    | WebhookTestEvent,
    Field(discriminator="type"),
]

EVENT_DESCRIPTIONS: dict[str, str] = {
    "person.enrolled": "Someone became an active participant of a programme.",
    "match.published": "A matching run was published; its pairs are proposed relationships.",
    "relationship.started": "A relationship started.",
    "relationship.paused": "A relationship was paused.",
    "relationship.ended": "A relationship was completed or ended early.",
    "meeting.held": "A meeting was recorded as held.",
    "goal.completed": "A mentee's goal was achieved.",
    "survey.answered": "Someone answered a survey (never what they answered).",
    "person.deactivated": "A person's account was deactivated.",
}
