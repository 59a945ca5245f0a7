"""The adapter: a programme's people, answers and rules as the engine's problem."""

import datetime
import math

import numpy as np
import pytest

from tandem.matching.adapters import (
    EXCLUDED_BY_RULE,
    EXCLUDED_DECLINED,
    EXCLUDED_EARLIER,
    EXCLUDED_REPORTING_LINE,
    MatchingConfig,
    Pool,
    default_weights,
    matching_config_for,
    matching_pool,
    matching_problem_build,
    matching_problem_for_program,
    reporting_chain_pairs,
    workday_in_utc,
)
from tandem.matching.engine import DepartmentPreference, QuestionMode, Weights
from tandem.matching.models import PairRuleKind
from tandem.matching.tests.factories import (
    MatchingSettingsFactory,
    PairRuleFactory,
    SuggestionDeclineFactory,
    enrol_person,
)
from tandem.participants.models import Answer, ParticipantRole, ParticipantStatus
from tandem.people.tests.factories import ProfileFactory, SkillFactory
from tandem.programs.models import ProgramFormat, ProgramPurpose, QuestionAudience, QuestionKind
from tandem.programs.tests.factories import EnrollmentQuestionFactory, ProgramFactory
from tandem.relationships.models import Relationship, RelationshipStatus

pytestmark = pytest.mark.django_db

MENTOR = ParticipantRole.MENTOR
JANUARY = datetime.datetime(2027, 1, 15, 12, 0, tzinfo=datetime.UTC)


def _dense(matrix) -> list[list[int]]:
    return matrix.toarray().astype(int).tolist()


def _pairs(arrays) -> list[tuple[int, int]]:
    mentees, mentors = arrays
    return sorted(zip(mentees.tolist(), mentors.tolist(), strict=True))


# --- who takes part ----------------------------------------------------------------------


def test_pool_takes_waiting_mentees_and_mentors_with_free_places(cast):
    # given the cast's mentor (2 places) and mentee, plus people who must be left out
    program = cast.program
    matched_mentee = enrol_person(program, participant={"matched_count": 1})
    withdrawn = enrol_person(program, participant={"status": ParticipantStatus.WITHDRAWN})
    enrol_person(program, participant={"status": ParticipantStatus.PENDING})
    busy_mentor = enrol_person(program, role=MENTOR, capacity=3, participant={"matched_count": 1})
    enrol_person(program, role=MENTOR, capacity=1, participant={"matched_count": 1})
    enrol_person(program, role=MENTOR, capacity=2, participant={"is_accepting_mentees": False})
    # when
    pool = matching_pool(program=program)
    # then
    assert pool.mentee_ids == (cast.mentee_participant.pk,)
    assert pool.mentor_ids == (cast.mentor_participant.pk, busy_mentor.pk)
    assert pool.capacity == (2, 2)
    assert (pool.pins, pool.exclusions) == ((), ())
    assert matched_mentee.pk not in pool.mentee_ids
    assert withdrawn.pk not in pool.mentee_ids


def test_pool_caps_circles_at_the_programmes_circle_size():
    # given a group programme with circles of at most 3
    program = ProgramFactory(format=ProgramFormat.GROUP, max_circle_size=3)
    big = enrol_person(program, role=MENTOR, capacity=8)
    started = enrol_person(program, role=MENTOR, capacity=8, participant={"matched_count": 2})
    small = enrol_person(program, role=MENTOR, capacity=2)
    # when
    pool = matching_pool(program=program)
    # then
    assert pool.mentor_ids == (big.pk, started.pk, small.pk)
    assert pool.capacity == (3, 1, 2)


def test_reporting_chain_forbids_the_manager_and_everyone_above():
    # given users 1 <- 2 <- 3 <- 4 (4 is the top) and a loop 7 <-> 8
    managers = {1: 2, 2: 3, 3: 4, 7: 8, 8: 7}
    mentee_users = {101: 1, 107: 7}
    mentor_users = {202: 2, 204: 4, 205: 5, 208: 8}
    # when
    pairs = reporting_chain_pairs(
        mentee_users=mentee_users, mentor_users=mentor_users, managers=managers
    )
    # then
    assert sorted(pairs) == [(101, 202), (101, 204), (107, 208)]


def test_pool_excludes_reporting_line_rules_declines_and_earlier_pairs():
    # given a chain: the mentee reports to Lead, who reports to Director; all three enrolled
    program = ProgramFactory()
    director = ProfileFactory(user__organization=program.organization).user
    lead = ProfileFactory(user__organization=program.organization, manager=director).user
    mentee = enrol_person(program, manager=lead)
    other_mentee = enrol_person(program)
    third_mentee = enrol_person(program)
    lead_mentor = enrol_person(program, role=MENTOR)
    lead_mentor.user = lead
    lead_mentor.save(update_fields=["user"])
    director_mentor = enrol_person(program, role=MENTOR, capacity=2)
    director_mentor.user = director
    director_mentor.save(update_fields=["user"])
    stranger = enrol_person(program, role=MENTOR, capacity=3)
    PairRuleFactory(mentor=stranger, mentee=other_mentee, kind=PairRuleKind.EXCLUDE)
    SuggestionDeclineFactory(mentor=director_mentor, mentee=other_mentee)
    Relationship.objects.create(
        program=program,
        mentor=stranger,
        mentee=third_mentee,
        source="manual",
        status=RelationshipStatus.ENDED,
    )
    # when
    pool = matching_pool(program=program)
    # then
    assert pool.exclusions == tuple(
        sorted(
            [
                (mentee.pk, lead_mentor.pk, EXCLUDED_REPORTING_LINE),
                (mentee.pk, director_mentor.pk, EXCLUDED_REPORTING_LINE),
                (other_mentee.pk, stranger.pk, EXCLUDED_BY_RULE),
                (other_mentee.pk, director_mentor.pk, EXCLUDED_DECLINED),
                (third_mentee.pk, stranger.pk, EXCLUDED_EARLIER),
            ]
        )
    )


def test_pool_keeps_valid_pins_only():
    # given pins: one fine, one forbidden, a second for the same mentee, one beyond capacity
    program = ProgramFactory()
    boss = ProfileFactory(user__organization=program.organization).user
    first, second, third = (enrol_person(program, manager=boss) for _ in range(3))
    mentor = enrol_person(program, role=MENTOR, capacity=1)
    boss_mentor = enrol_person(program, role=MENTOR, capacity=2)
    boss_mentor.user = boss
    boss_mentor.save(update_fields=["user"])
    other = enrol_person(program, role=MENTOR, capacity=2)
    PairRuleFactory(mentor=mentor, mentee=first, kind=PairRuleKind.PIN)
    PairRuleFactory(mentor=other, mentee=first, kind=PairRuleKind.PIN)
    PairRuleFactory(mentor=boss_mentor, mentee=second, kind=PairRuleKind.PIN)
    PairRuleFactory(mentor=mentor, mentee=third, kind=PairRuleKind.PIN)
    # when the draft being re-run also pins the third mentee to `other`
    pool = matching_pool(program=program, extra_pins=[(third.pk, other.pk)])
    # then
    assert pool.pins == ((third.pk, other.pk), (first.pk, mentor.pk))


def test_pool_survives_the_round_trip_through_a_runs_inputs():
    pool = Pool(
        mentee_ids=(1, 2),
        mentor_ids=(5,),
        capacity=(2,),
        pins=((1, 5),),
        exclusions=((2, 5, EXCLUDED_BY_RULE),),
    )
    assert pool.as_inputs() == {
        "mentees": [1, 2],
        "mentors": [5],
        "capacity": [2],
        "pins": [[1, 5]],
        "exclusions": [[2, 5, "rule"]],
    }
    assert Pool.from_inputs(pool.as_inputs()) == pool


# --- features ----------------------------------------------------------------------------


def test_workday_is_converted_to_utc_hours_for_todays_offset():
    assert workday_in_utc("America/New_York", now=JANUARY) == (14.0, 22.0)
    assert workday_in_utc("Asia/Kolkata", now=JANUARY) == (3.5, 11.5)
    assert workday_in_utc("Pacific/Auckland", now=JANUARY) == (20.0, 4.0)
    july = JANUARY.replace(month=7)
    assert workday_in_utc("Europe/London", now=july) == (8.0, 16.0)
    start, end = workday_in_utc("Mars/Olympus", now=JANUARY)
    assert math.isnan(start)
    assert math.isnan(end)


def test_problem_describes_profiles_answers_and_constraints():
    # given a programme with skills, profiles and three questions used for matching
    program = ProgramFactory()
    org = program.organization
    python, sql, speaking = (
        SkillFactory(organization=org, name=name) for name in ("Python", "SQL", "Speaking")
    )
    topic = EnrollmentQuestionFactory(
        program=program,
        kind=QuestionKind.SINGLE_CHOICE,
        choices=["Career", "Craft", "Confidence"],
        use_for_matching=True,
        prompt="Topic?",
    )
    pace = EnrollmentQuestionFactory(
        program=program, kind=QuestionKind.SCALE, use_for_matching=True, prompt="Pace?"
    )
    focus = EnrollmentQuestionFactory(
        program=program, kind=QuestionKind.SKILLS, use_for_matching=True, prompt="Focus?"
    )
    EnrollmentQuestionFactory(program=program, kind=QuestionKind.TEXT, use_for_matching=True)
    EnrollmentQuestionFactory(
        program=program,
        kind=QuestionKind.SCALE,
        use_for_matching=True,
        audience=QuestionAudience.MENTEE,
    )
    EnrollmentQuestionFactory(program=program, kind=QuestionKind.SCALE, use_for_matching=False)
    ada = enrol_person(
        program,
        first_name="Ada",
        last_name="Lovelace",
        wants=[python, speaking],
        goals="Speak at conferences",
        seniority=2,
        department="Research",
        timezone="Europe/London",
        languages=["English", "French"],
    )
    bob = enrol_person(
        program, first_name="Bob", last_name="Byte", department="", timezone="Nowhere/Else"
    )
    grace = enrol_person(
        program,
        role=MENTOR,
        capacity=2,
        first_name="Grace",
        last_name="Hopper",
        offers=[python, sql],
        bio="Compilers",
        goals="Give back",
        seniority=5,
        department="Engineering",
        timezone="America/New_York",
        languages=["english "],
    )
    for participant, topic_answer, pace_answer, focus_answer in (
        (ada, "Confidence", 2, [speaking.pk]),
        (grace, "Craft", 5, [sql.pk, python.pk]),
    ):
        Answer.objects.create(participant=participant, question=topic, value=topic_answer)
        Answer.objects.create(participant=participant, question=pace, value=pace_answer)
        Answer.objects.create(participant=participant, question=focus, value=focus_answer)
    MatchingSettingsFactory(
        program=program,
        weights={"skills": 5, "goals": 0, "not_a_criterion": 3},
        rules={"department": "same", "questions": {str(topic.pk): "different"}},
    )
    # when
    built = matching_problem_for_program(program=program)
    built_again = matching_problem_build(
        program=program, pool=built.pool, config=matching_config_for(program), now=JANUARY
    )
    # then the maps
    assert built.mentee_ids == [ada.pk, bob.pk]
    assert built.mentor_ids == [grace.pk]
    assert built.mentee_index == {ada.pk: 0, bob.pk: 1}
    assert built.pair_indices(bob.pk, grace.pk) == (1, 0)
    problem = built_again.problem
    # and the people
    assert problem.skill_names == ["Python", "SQL", "Speaking"]
    assert problem.department_names == ["Research", "Engineering"]
    assert problem.language_names == ["English", "French"]
    assert problem.mentees.names == ["Ada Lovelace", "Bob Byte"]
    assert _dense(problem.mentees.skills) == [[1, 0, 1], [0, 0, 0]]
    assert _dense(problem.mentors.skills) == [[1, 1, 0]]
    assert problem.mentees.text == ["Speak at conferences", ""]
    assert problem.mentors.text == ["Compilers\nGive back"]
    assert problem.mentees.seniority.tolist() == [2, 0]
    assert problem.mentors.seniority.tolist() == [5]
    assert problem.mentees.department.tolist() == [0, -1]
    assert problem.mentors.department.tolist() == [1]
    assert problem.mentees.work_start_utc[0] == 9.0
    assert math.isnan(problem.mentees.work_start_utc[1])
    assert (problem.mentors.work_start_utc[0], problem.mentors.work_end_utc[0]) == (14.0, 22.0)
    assert _dense(problem.mentees.languages) == [[1, 1], [0, 0]]
    assert _dense(problem.mentors.languages) == [[1, 0]]
    assert problem.capacity.tolist() == [2]
    # and the questions: text, one-sided and unflagged ones are left out
    assert [q.label for q in problem.questions] == ["Topic?", "Pace?", "Focus?"]
    topic_feature, pace_feature, focus_feature = problem.questions
    assert (topic_feature.kind, topic_feature.mode) == ("choice", QuestionMode.DIFFERENT)
    assert topic_feature.option_labels == ["Career", "Craft", "Confidence"]
    assert _dense(topic_feature.mentee_values) == [[0, 0, 1], [0, 0, 0]]
    assert _dense(topic_feature.mentor_values) == [[0, 1, 0]]
    assert (pace_feature.kind, pace_feature.mode, pace_feature.value_range) == (
        "number",
        QuestionMode.CLOSER,
        4.0,
    )
    assert pace_feature.mentee_values[0] == 2.0
    assert np.isnan(pace_feature.mentee_values[1])
    assert pace_feature.mentor_values.tolist() == [5.0]
    assert (focus_feature.kind, focus_feature.mode) == ("choice", QuestionMode.SAME)
    assert focus_feature.option_labels == ["Python", "SQL", "Speaking"]
    assert _dense(focus_feature.mentee_values) == [[0, 0, 1], [0, 0, 0]]
    assert _dense(focus_feature.mentor_values) == [[1, 1, 0]]
    # and the settings: saved values over the programme's defaults
    assert problem.weights == Weights(
        skills=5.0,
        goals=0.0,
        seniority=2.0,
        department=1.0,
        timezone=2.0,
        language=1.0,
        questions=2.0,
    )
    assert problem.settings.department == DepartmentPreference.SAME
    assert (problem.settings.seniority_gap_min, problem.settings.seniority_gap_max) == (1, 3)
    assert _pairs(problem.forbidden) == []
    assert _pairs(problem.pinned) == []


def test_problem_carries_forbidden_and_pinned_pairs_as_indices():
    # given
    program = ProgramFactory()
    boss = ProfileFactory(user__organization=program.organization).user
    first = enrol_person(program)
    second = enrol_person(program, manager=boss)
    mentor = enrol_person(program, role=MENTOR, capacity=2)
    boss_mentor = enrol_person(program, role=MENTOR)
    boss_mentor.user = boss
    boss_mentor.save(update_fields=["user"])
    PairRuleFactory(mentor=mentor, mentee=first, kind=PairRuleKind.PIN)
    # when
    built = matching_problem_for_program(program=program)
    # then
    assert _pairs(built.problem.forbidden) == [(1, 1)]
    assert _pairs(built.problem.pinned) == [(0, 0)]
    assert built.forbidden_reason == {(1, 1): EXCLUDED_REPORTING_LINE}
    assert (first.pk, second.pk) == tuple(built.mentee_ids)


@pytest.mark.parametrize(
    ("purpose", "expected"),
    [
        (ProgramPurpose.CAREER, {"skills": 4, "goals": 2, "seniority": 2, "questions": 2}),
        (ProgramPurpose.LEADERSHIP, {"skills": 4, "goals": 2, "seniority": 5, "questions": 2}),
        (ProgramPurpose.DIVERSITY, {"skills": 2, "goals": 4, "seniority": 2, "questions": 4}),
        (ProgramPurpose.SKILLS, {"skills": 5, "goals": 2, "seniority": 1, "questions": 2}),
    ],
)
def test_default_weights_follow_the_programmes_purpose(purpose, expected):
    weights = default_weights(purpose)
    assert {name: weights[name] for name in expected} == expected


def test_leadership_programmes_want_a_wider_seniority_gap_by_default():
    program = ProgramFactory.build(purpose=ProgramPurpose.LEADERSHIP)
    config = MatchingConfig.for_program(program, None)
    assert (config.rules["seniority_gap_min"], config.rules["seniority_gap_max"]) == (2, 4)


def test_building_a_large_programme_takes_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    # given 150 mentees and 50 mentors with skills, a reporting line and answers
    program = ProgramFactory()
    org = program.organization
    skills = [SkillFactory(organization=org) for _ in range(12)]
    question = EnrollmentQuestionFactory(
        program=program, kind=QuestionKind.SINGLE_CHOICE, choices=["A", "B"], use_for_matching=True
    )
    boss = ProfileFactory(user__organization=org).user
    people = [
        enrol_person(
            program,
            role=MENTOR if index % 4 == 0 else ParticipantRole.MENTEE,
            manager=boss if index % 3 == 0 else None,
            wants=[skills[index % 12], skills[(index + 1) % 12]],
            offers=skills[index % 5 : index % 5 + 3],
            languages=["English"],
        )
        for index in range(200)
    ]
    Answer.objects.bulk_create(
        Answer(participant=person, question=question, value="AB"[index % 2])
        for index, person in enumerate(people)
    )
    PairRuleFactory(mentor=people[0], mentee=people[1], kind=PairRuleKind.PIN)
    # when
    with django_assert_max_num_queries(12):
        built = matching_problem_for_program(program=program)
    # then
    assert (len(built.mentee_ids), len(built.mentor_ids)) == (150, 50)
    assert built.problem.mentees.skills.sum() == 300
    assert _pairs(built.problem.pinned) == [(0, 0)]
