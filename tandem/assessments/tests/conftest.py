from dataclasses import dataclass

import pytest

from conftest import start_relationship
from tandem.accounts.tests.factories import UserFactory
from tandem.assessments.models import Competency
from tandem.assessments.services import assessment_submit, competency_create
from tandem.assessments.tests.factories import age_answers, all_scores, set_dates
from tandem.participants.models import ParticipantRole
from tandem.participants.tests.factories import ParticipantFactory
from tandem.relationships.models import Relationship


@dataclass
class Cohort:
    """Four pairs in the cast's programme (the `pair` fixture's two and two more), every
    person's start taken, both people of the first two pairs' end taken too, all of it in
    the calendar month before this one (so the aggregate rule may publish it)."""

    relationships: list[Relationship]
    own: Competency  # the programme's own competency


def take(relationship: Relationship, user, moment: str, score: int) -> None:
    assessment_submit(
        actor=user,
        relationship_id=relationship.pk,
        moment=moment,
        ratings=all_scores(relationship, score),
    )


@pytest.fixture
def cohort(pair) -> Cohort:
    cast = pair.cast
    own = competency_create(
        actor=cast.manager,
        program_id=cast.program.pk,
        name="Networking",
        description="I build relationships across teams.",
    )
    relationships = [pair.relationship, pair.other_relationship]
    for _ in range(2):
        mentor = ParticipantFactory(
            program=cast.program,
            user=UserFactory(organization=cast.org),
            role=ParticipantRole.MENTOR,
            capacity=1,
        )
        mentee = ParticipantFactory(program=cast.program, user=UserFactory(organization=cast.org))
        relationships.append(start_relationship(mentor, mentee))
    for relationship in relationships:
        relationship.refresh_from_db()
        take(relationship, relationship.mentor.user, "start", 2)
        take(relationship, relationship.mentee.user, "start", 3)
    for relationship in relationships[:2]:
        set_dates(relationship, started_days_ago=300, duration_days=365)
        relationship.refresh_from_db()
        take(relationship, relationship.mentor.user, "end", 4)
        take(relationship, relationship.mentee.user, "end", 5)
    age_answers()
    return Cohort(relationships=relationships, own=own)
