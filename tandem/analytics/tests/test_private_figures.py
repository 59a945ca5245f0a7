"""Satisfaction and skill growth: figures from what people answered privately, published only
through the aggregate rule (ended months, groups of at least five), with their intervals."""

import math

import pytest
from scipy import stats

from tandem.analytics import selectors
from tandem.analytics.filters import Filters, Scope
from tandem.analytics.tests import history as h
from tandem.assessments.models import Competency, Moment
from tandem.participants.models import ParticipantRole
from tandem.programs.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

# NOW is 17 June 2026: May is the last month that has ended; 20-40 days ago is in May.
IN_MAY = (20, 25, 30, 35, 40)


def pairs_in(program, count):
    mentor = h.person(program, role=ParticipantRole.MENTOR)
    mentor.capacity = count
    mentor.save(update_fields=["capacity"])
    return [h.pair(mentor, h.person(program)) for _ in range(count)]


def scope_of(program):
    return Scope(program_ids=(program.pk,), filters=Filters(), now=h.NOW)


def test_nps_is_published_for_five_people_with_its_interval():
    # given: 2 promoters, 1 passive, 2 detractors in May; one more answer this month
    program = ProgramFactory()
    pairs = pairs_in(program, 6)
    for relationship, score, days in zip(pairs[:5], (10, 9, 8, 6, 3), IN_MAY, strict=True):
        h.answer(relationship, kind="nps", days=days, number=score)
    h.answer(pairs[5], kind="nps", days=1, number=0)
    # mentors' answers are not the mentees' dashboard
    h.answer(pairs[0], kind="nps", days=20, number=0, side="mentor")
    # when
    section = selectors.satisfaction(scope_of(program))
    # then: NPS 40 - 40 = 0; Var = (0.4 + 0.4 - 0) / 5; margin = z · 100 · √Var
    margin = round(stats.norm.ppf(0.975) * 100 * math.sqrt(0.8 / 5), 1)
    assert section["nps"]["nps"] == 0
    assert section["nps"]["answers"] == 5
    assert section["nps"]["people"] == 5
    assert section["nps"]["low"] == -margin
    assert section["nps"]["high"] == margin
    assert section["nps"]["withheld"] is None
    assert [(c["first_month"].month, c["people"], c["nps"]) for c in section["nps"]["cohorts"]] == [
        (5, 5, 0)
    ]
    assert section["published_through"].isoformat() == "2026-05-31"


def test_nps_of_four_people_is_withheld_with_the_reason():
    # given
    program = ProgramFactory()
    for relationship, days in zip(pairs_in(program, 4), IN_MAY, strict=False):
        h.answer(relationship, kind="nps", days=days, number=10)
    # when
    section = selectors.satisfaction(scope_of(program))
    # then
    assert section["nps"]["nps"] is None
    assert section["nps"]["cohorts"] == []
    assert section["nps"]["people"] == 0
    assert "at least 5 people" in section["nps"]["withheld"]
    assert section["ratings"]["mean"] is None
    assert section["pairing_fit"]["answers"] == []


def test_ratings_and_pairing_fit_are_published_together_with_five_people():
    # given
    program = ProgramFactory()
    pairs = pairs_in(program, 5)
    for relationship, score, days in zip(pairs, (5, 4, 4, 3, 2), IN_MAY, strict=True):
        h.answer(relationship, kind="rating", days=days, number=score)
    for relationship, choice, days in zip(
        pairs,
        ("good_fit", "good_fit", "still_deciding", "good_fit", "not_a_good_fit"),
        IN_MAY,
        strict=True,
    ):
        h.answer(relationship, kind="pairing_fit", days=days, choices=[choice])
    # when
    section = selectors.satisfaction(scope_of(program))
    # then
    assert section["ratings"] == {"people": 5, "mean": 3.6, "answers": 5, "withheld": None}
    assert [(a["key"], a["count"]) for a in section["pairing_fit"]["answers"]] == [
        ("good_fit", 3),
        ("still_deciding", 1),
        ("not_a_good_fit", 1),
    ]


def test_skill_growth_is_a_paired_difference_with_a_t_interval():
    # given: five mentees took both; communication changes +1, +2, 0, +1, +1
    program = ProgramFactory()
    communication = Competency.objects.get(program__isnull=True, key="communication")
    changes = (1, 2, 0, 1, 1)
    for relationship, change, days in zip(pairs_in(program, 5), changes, IN_MAY, strict=True):
        h.assessment(relationship, moment=Moment.START, days=150, scores={communication: 2})
        h.assessment(relationship, moment=Moment.END, days=days, scores={communication: 2 + change})
    # when
    section = selectors.skills(scope_of(program))
    # then
    row = next(r for r in section["competencies"] if r["competency_id"] == communication.pk)
    low, high = stats.t.interval(0.95, 4, loc=1.0, scale=stats.sem([1.0, 2.0, 0.0, 1.0, 1.0]))
    assert row["people"] == 5
    assert row["mean_change"] == 1.0
    assert (row["low"], row["high"]) == (round(low, 2), round(high, 2))
    assert row["withheld"] is None
    others = [r for r in section["competencies"] if r["competency_id"] != communication.pk]
    assert others
    assert all(r["mean_change"] is None and r["withheld"] for r in others)


def test_skill_growth_of_four_people_is_withheld():
    # given
    program = ProgramFactory()
    communication = Competency.objects.get(program__isnull=True, key="communication")
    for relationship, days in zip(pairs_in(program, 4), IN_MAY, strict=False):
        h.assessment(relationship, moment=Moment.START, days=150, scores={communication: 2})
        h.assessment(relationship, moment=Moment.END, days=days, scores={communication: 4})
    # when
    section = selectors.skills(scope_of(program))
    # then
    row = next(r for r in section["competencies"] if r["competency_id"] == communication.pk)
    assert row == {
        "competency_id": communication.pk,
        "competency": communication.name,
        "people": 0,
        "mean_change": None,
        "low": None,
        "high": None,
        "withheld": selectors.WITHHELD.format(min_group=5),
    }
