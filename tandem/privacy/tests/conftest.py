import pytest

from conftest import Pair
from tandem.privacy.tests.seeding import seed_person
from tandem.surveys.models import Survey, Trigger
from tandem.surveys.services import survey_create
from tandem.surveys.tests.factories import simple_definition


@pytest.fixture
def seeded(pair: Pair) -> Pair:
    """The pair and the other pair, each person having written one of everything."""
    survey: Survey = survey_create(
        actor=pair.cast.manager,
        program_id=pair.cast.program.pk,
        title="How is it going",
        trigger=Trigger.AFTER_MATCH,
        offset_days=10,
        definition=simple_definition(),
    )
    for relationship, people in (
        (pair.relationship, (pair.mentor, pair.mentee)),
        (pair.other_relationship, (pair.other_mentor, pair.other_mentee)),
    ):
        for user in people:
            seed_person(relationship=relationship, user=user, survey=survey)
    return pair
