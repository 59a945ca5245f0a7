from dataclasses import dataclass

from tandem.accounts.models import User
from tandem.accounts.tests.factories import UserFactory
from tandem.participants.models import ParticipantRole
from tandem.participants.tests.factories import ParticipantFactory
from tandem.people.tests.factories import ProfileFactory
from tandem.programs.models import Program
from tandem.relationships.models import Circle, Relationship
from tandem.relationships.services import (
    circle_create,
    relationship_propose,
    relationship_transition,
)


@dataclass
class CircleCast:
    circle: Circle
    mentor: User
    mentees: list[User]
    relationships: list[Relationship]


def make_circle(*, program: Program, mentees: int = 2, prefix: str = "circle") -> CircleCast:
    """A circle with its own mentor and `mentees` active relationships, built via services."""
    mentor = UserFactory(organization=program.organization, email=f"{prefix}-mentor@northwind.test")
    ProfileFactory(user=mentor)
    mentor_participant = ParticipantFactory(
        program=program, user=mentor, role=ParticipantRole.MENTOR, capacity=mentees + 1
    )
    circle = circle_create(program_id=program.pk, mentor=mentor_participant, topic="Speaking up")
    people, relationships = [], []
    for index in range(mentees):
        user = UserFactory(
            organization=program.organization, email=f"{prefix}-mentee-{index}@northwind.test"
        )
        ProfileFactory(user=user)
        mentee = ParticipantFactory(program=program, user=user)
        relationship = relationship_propose(
            mentor=mentor_participant, mentee=mentee, source="manual", circle=circle
        )
        relationships.append(
            relationship_transition(actor=mentor, relationship_id=relationship.pk, action="start")
        )
        people.append(user)
    return CircleCast(circle=circle, mentor=mentor, mentees=people, relationships=relationships)
