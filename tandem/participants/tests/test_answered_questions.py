"""What programmes do with enrolment questions people have answered. The answers are this app's
rows, so these tests live here and write them with this app's model: programs sits below
participants and its tests may not import them."""

import itertools

import pytest

from tandem.core.errors import Conflict, FieldError
from tandem.participants.models import Answer
from tandem.programs import services
from tandem.programs.models import EnrollmentQuestion, QuestionKind
from tandem.programs.tests.factories import EnrollmentQuestionFactory

KIND_CHANGES = [
    (old, new) for old, new in itertools.product(QuestionKind.values, repeat=2) if old != new
]
CHOICES = {
    QuestionKind.SINGLE_CHOICE: ["Video", "In person"],
    QuestionKind.MULTIPLE_CHOICE: ["Video", "In person"],
}


def _question_rows():
    return list(EnrollmentQuestion.objects.order_by("pk").values())


def _answer(question, participant, value):
    return Answer.objects.create(participant=participant, question=question, value=value)


@pytest.fixture
def form(cast):
    """The cast's programme's enrolment form: a free-text question and a single choice."""
    first = EnrollmentQuestionFactory(program=cast.program, prompt="Why mentoring?", position=0)
    second = EnrollmentQuestionFactory(
        program=cast.program,
        prompt="Preferred format?",
        kind="single_choice",
        choices=["Video", "In person"],
        position=1,
    )
    return first, second


def test_question_list_returns_the_form_in_order(cast, form, api_as, django_assert_max_num_queries):
    # given
    first, second = form
    for index in range(6):
        question = EnrollmentQuestionFactory(program=cast.program, position=10 + index)
        _answer(question, cast.mentee_participant, "x")
    _answer(first, cast.mentee_participant, "Growth")
    client = api_as(cast.mentee)
    # when
    with django_assert_max_num_queries(4):
        response = client.get(f"programs/{cast.program.pk}/questions")
    # then
    assert response.status_code == 200
    body = response.json()
    assert len(body) == 8
    assert body[:2] == [
        {
            "id": first.pk,
            "prompt": "Why mentoring?",
            "help_text": "",
            "kind": "text",
            "audience": "both",
            "is_required": False,
            "use_for_matching": False,
            "position": 0,
            "choices": [],
            "min_value": None,
            "max_value": None,
            "answer_count": 1,
        },
        {
            "id": second.pk,
            "prompt": "Preferred format?",
            "help_text": "",
            "kind": "single_choice",
            "audience": "both",
            "is_required": False,
            "use_for_matching": False,
            "position": 1,
            "choices": ["Video", "In person"],
            "min_value": None,
            "max_value": None,
            "answer_count": 0,
        },
    ]
    assert [item["answer_count"] for item in body[2:]] == [1] * 6


def test_changing_the_kind_of_an_answered_question_is_a_409(cast, form, api_as):
    # given
    _, question = form
    _answer(question, cast.mentee_participant, "Video")
    before = _question_rows()
    # when
    response = api_as(cast.manager).patch(
        f"programs/{cast.program.pk}/questions/{question.pk}", {"kind": "text"}
    )
    # then
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "People have already answered 'Preferred format?', so its kind cannot change from "
        "single choice to free text: their answers would no longer fit. Add a new question "
        "instead."
    )
    assert _question_rows() == before


@pytest.mark.parametrize(("old", "new"), KIND_CHANGES)
def test_kind_cannot_change_once_answered(cast, old, new):
    # given a question of any kind that someone answered
    question = services.question_create(
        actor=cast.manager,
        program=cast.program,
        prompt="Team size?",
        kind=old,
        choices=CHOICES.get(old, []),
    )
    _answer(question, cast.mentee_participant, "Video")
    before = _question_rows()
    # when it is given any other kind
    with pytest.raises(Conflict) as caught:
        services.question_update(
            actor=cast.manager, question=question, kind=new, choices=CHOICES.get(new, [])
        )
    # then
    assert caught.value.detail == (
        f"People have already answered 'Team size?', so its kind cannot change from "
        f"{QuestionKind(old).label.lower()} to {QuestionKind(new).label.lower()}: their "
        "answers would no longer fit. Add a new question instead."
    )
    assert caught.value.errors == [
        FieldError("kind", "This question already has answers, so its kind is fixed.")
    ]
    assert _question_rows() == before


def test_answered_question_can_still_be_reworded(cast):
    # given
    question = services.question_create(
        actor=cast.manager, program=cast.program, prompt="Team size?", kind="number"
    )
    _answer(question, cast.mentee_participant, 4)
    # when
    services.question_update(
        actor=cast.manager, question=question, prompt="How big is your team?", kind="number"
    )
    # then
    question.refresh_from_db()
    assert (question.prompt, question.kind) == ("How big is your team?", "number")
