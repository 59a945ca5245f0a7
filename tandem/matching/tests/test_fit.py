"""The fit label of a score and the reasons said to their reader (tandem.matching.fit)."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.matching.engine import MatchingProblem, Weights, explain
from tandem.matching.engine.tests.factories import DEPARTMENTS, LANGUAGES, SKILLS, pairs, side
from tandem.matching.engine.validation import SENIORITY_LEVELS
from tandem.matching.fit import FIT_SCALE, Reader, fit_of, reason_for, reasons_for

# Words of the engine's sentences and of the lists they name: a person called "Covers" or
# "Sales" would be named by the sentence's own words, not as a person.
_SENTENCE_WORDS = {
    word.casefold()
    for text in [
        "Covers the one skill wants to grow of skills Mentor is level levels more senior asked",
        "for this mentor Similar goals shared words Same Different department departments and",
        "Department not known for both Working hours of shared working time Both speak You you",
        "offer are than Your your mentee",
        *SKILLS,
        *LANGUAGES,
        *DEPARTMENTS,
    ]
    for word in text.split()
}
NAMES = st.from_regex(r"[A-Z][a-z]{1,9}", fullmatch=True).filter(
    lambda name: name.casefold() not in _SENTENCE_WORDS
)


def _names(text: str, name: str) -> bool:
    return re.search(rf"\b{re.escape(name)}\b", text) is not None


@settings(max_examples=100, deadline=None)
@given(
    mentee_name=NAMES,
    mentor_name=NAMES,
    last_names=st.tuples(NAMES, NAMES),
    wanted=st.lists(st.integers(0, len(SKILLS) - 1), min_size=1, max_size=4, unique=True),
    offered=st.lists(st.integers(0, len(SKILLS) - 1), max_size=4, unique=True),
    levels=st.tuples(st.integers(0, SENIORITY_LEVELS), st.integers(0, SENIORITY_LEVELS)),
    departments=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    preferred=st.booleans(),
)
def test_no_reason_names_its_reader_in_the_third_person(
    mentee_name, mentor_name, last_names, wanted, offered, levels, departments, preferred
):
    # given the engine's real sentences about a pair whose names vary
    names = {mentee_name, mentor_name, *last_names}
    if len(names) < 4:  # two people of one name would name each other
        return
    problem = MatchingProblem(
        mentees=side(
            [f"{mentee_name} {last_names[0]}"],
            skills=[wanted],
            seniority=[levels[0]],
            department=[departments[0]],
            text=["feedback on my career growth"],
        ),
        mentors=side(
            [f"{mentor_name} {last_names[1]}"],
            skills=[offered],
            seniority=[levels[1]],
            department=[departments[1]],
            text=["I give feedback on career growth"],
        ),
        capacity=np.array([1]),
        weights=Weights(1, 1, 1, 1, 1, 1, 1, 1),
        skill_names=SKILLS,
        language_names=LANGUAGES,
        department_names=DEPARTMENTS,
        preferred=pairs([(0, 0)]) if preferred else pairs([]),
    )
    stored = explain(problem, 0, 0).reasons
    # when each side reads them
    to_mentee = reasons_for(
        stored, reader=Reader.MENTEE, mentee_name=mentee_name, mentor_name=mentor_name
    )
    to_mentor = reasons_for(
        stored, reader=Reader.MENTOR, mentee_name=mentee_name, mentor_name=mentor_name
    )
    # then nobody reads their own name, nor "Mentor" for themselves
    assert len(to_mentee) == len(to_mentor) == len(stored)
    for reason in to_mentee:
        assert not _names(reason, mentee_name), reason
        assert not _names(reason, last_names[0]), reason
    for reason in to_mentor:
        assert not _names(reason, mentor_name), reason
        assert not reason.startswith("Mentor "), reason
    # and a manager reads them as stored
    assert (
        reasons_for(stored, reader=Reader.MANAGER, mentee_name=mentee_name, mentor_name=mentor_name)
        == stored
    )


@pytest.mark.parametrize(
    ("stored", "to_mentee", "to_mentor"),
    [
        (
            "Covers 2 of the 3 skills Isla wants to grow: SQL, design",
            "Covers 2 of the 3 skills you want to grow: SQL, design",
            "You offer 2 of the 3 skills Isla wants to grow: SQL, design",
        ),
        (
            "Covers the one skill Isla wants to grow: SQL",
            "Covers the one skill you want to grow: SQL",
            "You offer the one skill Isla wants to grow: SQL",
        ),
        (
            "Mentor is 1 level more senior",
            "Ana is 1 level more senior than you",
            "You are 1 level more senior than Isla",
        ),
        ("Isla asked for this mentor", "You asked for Ana", "Isla asked for you"),
        ("Both speak Portuguese", "Both speak Portuguese", "Both speak Portuguese"),
    ],
)
def test_each_sentence_about_a_person_is_said_to_its_reader(stored, to_mentee, to_mentor):
    # when / then
    assert reason_for(stored, reader=Reader.MENTEE, mentee_name="Isla", mentor_name="Ana") == (
        to_mentee
    )
    assert reason_for(stored, reader=Reader.MENTOR, mentee_name="Isla", mentor_name="Ana") == (
        to_mentor
    )


@given(
    max_score=st.floats(0.5, 40, allow_nan=False),
    share=st.floats(0, 1, allow_nan=False),
)
def test_a_score_reads_as_the_label_of_its_share_of_the_best_score(max_score, share):
    # when
    fit = fit_of(share * max_score, max_score=max_score)
    # then the label is the first step of the documented scale the share reaches
    assert fit is not None
    expected = next(step for step in FIT_SCALE if share * max_score / max_score >= step[0])
    assert (fit.key, fit.label) == expected[1:]
    assert 0 <= fit.percent <= 100


def test_the_scale_has_three_labels_from_strong_to_possible():
    # then
    assert fit_of(6.0, max_score=10) is not None
    assert [fit_of(score, max_score=10).label for score in (10, 6, 5.9, 4, 3.9, 0)] == [
        "Strong fit",
        "Strong fit",
        "Good fit",
        "Good fit",
        "Possible fit",
        "Possible fit",
    ]
    assert fit_of(None, max_score=10) is None
    assert fit_of(3.0, max_score=0).label == "Possible fit"
