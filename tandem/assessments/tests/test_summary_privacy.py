"""The issue's attack on the managers' summary: read it, let one more person answer, read it
again (now, and after the month ends): the two reads never differ by one person's answers."""

import datetime

import pytest

from conftest import start_relationship
from tandem.accounts.tests.factories import UserFactory
from tandem.assessments import selectors
from tandem.assessments.tests.conftest import take
from tandem.assessments.tests.factories import age_answers
from tandem.core.aggregates import current_period
from tandem.participants.models import ParticipantRole
from tandem.participants.tests.factories import ParticipantFactory


def _people(cast, count: int) -> list[tuple[object, object]]:
    """`count` people of the cast's programme, each with their relationship."""
    people = []
    while len(people) < count:
        mentor = ParticipantFactory(
            program=cast.program,
            user=UserFactory(organization=cast.org),
            role=ParticipantRole.MENTOR,
            capacity=1,
        )
        mentee = ParticipantFactory(program=cast.program, user=UserFactory(organization=cast.org))
        relationship = start_relationship(mentor, mentee)
        people += [(relationship, mentor.user), (relationship, mentee.user)]
    return people[:count]


def _read(program, now=None) -> tuple:
    summary = selectors.assessment_program_summary(program=program, now=now)
    return (
        summary.start_count,
        summary.published_through,
        tuple((row.start_people, row.average_start) for row in summary.rows),
    )


def _next_month() -> datetime.datetime:
    day = current_period() + datetime.timedelta(days=40)
    return datetime.datetime(day.year, day.month, 2, 12, tzinfo=datetime.UTC)


@pytest.mark.parametrize("already", [0, 1, 4, 5, 6, 9])
@pytest.mark.parametrize("newcomer_score", [1, 5])
def test_one_more_person_never_changes_a_read_by_one_person(cast, already, newcomer_score):
    # given `already` people answered last month with mixed scores
    people = _people(cast, already + 1)
    for index, (relationship, user) in enumerate(people[:already]):
        take(relationship, user, "start", 1 + index % 5)
    age_answers()
    before = _read(cast.program)
    before_next_month = _read(cast.program, now=_next_month())
    # when one more person answers
    relationship, newcomer = people[already]
    take(relationship, newcomer, "start", newcomer_score)
    # then this month's read is unchanged: the newcomer's month has not ended
    assert _read(cast.program) == before
    # and next month's read differs from any earlier read by nothing or by at least five
    # people, so 5*avg2 - 4*avg1 has no pair of reads to work on
    after = _read(cast.program, now=_next_month())
    for earlier in (before, before_next_month):
        added = after[0] - earlier[0]
        assert added == 0 or added >= 5
        for (people_after, _), (people_before, _) in zip(after[2], earlier[2], strict=True):
            assert people_after - people_before == 0 or people_after - people_before >= 5
    # and what is shown is exactly the closed cohorts of at least five people
    published = already if already >= 5 else (already + 1 if already + 1 >= 5 else 0)
    assert after[0] == published
    assert {people for people, _ in after[2]} == {published}
    assert all((average is None) == (published == 0) for _, average in after[2])
