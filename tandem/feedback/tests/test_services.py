import pytest
from django.contrib import admin
from django.core import mail
from django.db import IntegrityError, transaction

from conftest import PAIR_ACTOR_NAMES
from tandem.core.errors import Conflict, FieldError, InvalidInput, NotFound
from tandem.feedback import services
from tandem.feedback.models import Feedback
from tandem.feedback.tests.factories import MenteeFeedbackFactory, MentorFeedbackFactory
from tandem.notifications.models import Notification
from tandem.relationships.models import RelationshipEvent, RelationshipEventKind
from tandem.relationships.services import relationship_transition

MENTOR_TEXT = {
    "strengths": "You listened without interrupting in our last call.",
    "to_develop": "Saying no to extra work when you are already full.",
    "suggestion": "Decline one meeting this week and note how it felt.",
}
MENTEE_TEXT = {
    "what_helped": "The career map exercise in our second meeting.",
    "what_to_change": "More time on my actual projects.",
    "usefulness": 4,
}


def _state() -> tuple[list[dict], list[dict], list[dict]]:
    return (
        list(Feedback.objects.order_by("pk").values()),
        list(Notification.objects.filter(category="feedback").order_by("pk").values()),
        list(
            RelationshipEvent.objects.filter(kind=RelationshipEventKind.FEEDBACK)
            .order_by("pk")
            .values()
        ),
    )


def test_mentor_gives_feedback_to_the_mentee(pair, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        feedback = services.feedback_give(
            actor=pair.mentor, relationship_id=pair.relationship.pk, **MENTOR_TEXT
        )
    # then
    assert Feedback.objects.values().get(pk=feedback.pk) | {"created_at": None} == {
        "id": feedback.pk,
        "relationship_id": pair.relationship.pk,
        "author_id": pair.mentor.pk,
        "direction": "mentor_to_mentee",
        **MENTOR_TEXT,
        "what_helped": "",
        "what_to_change": "",
        "usefulness": None,
        "created_at": None,
    }
    name = pair.mentor.get_full_name()
    assert list(
        RelationshipEvent.objects.filter(kind="feedback").values_list("actor_id", "summary")
    ) == [(pair.mentor.pk, f"{name} gave feedback")]
    notification = Notification.objects.get(category="feedback")
    assert (notification.user_id, notification.category, notification.title) == (
        pair.mentee.pk,
        "feedback",
        f"{name} gave you feedback",
    )
    assert notification.url == f"/relationships/{pair.relationship.pk}/feedback/"
    assert [message.to for message in mail.outbox] == [[pair.mentee.email]]
    email = mail.outbox[0]
    for text in MENTOR_TEXT.values():
        assert text not in email.subject
        assert text not in email.body
        assert text not in notification.body


def test_mentee_gives_feedback_on_the_mentoring(pair):
    # when
    feedback = services.feedback_give(
        actor=pair.mentee, relationship_id=pair.relationship.pk, **MENTEE_TEXT
    )
    # then
    row = Feedback.objects.values(
        "direction", "what_helped", "what_to_change", "usefulness", "strengths"
    ).get(pk=feedback.pk)
    assert row == {"direction": "mentee_to_mentor", "strengths": "", **MENTEE_TEXT}
    assert Notification.objects.get(category="feedback").user_id == pair.mentor.pk


@pytest.mark.parametrize(
    ("name", "fields", "errors"),
    [
        (
            "mentor",
            {"strengths": "", "to_develop": "ok", "suggestion": MENTOR_TEXT["suggestion"]},
            [
                FieldError("strengths", "Name a strength you saw, and when you saw it."),
                FieldError(
                    "to_develop",
                    "Be specific: at least 15 characters. "
                    "Name one thing to develop, as specifically as you can.",
                ),
            ],
        ),
        (
            "mentor",
            {**MENTOR_TEXT, "what_helped": "sneaked in here", "usefulness": 3},
            [
                FieldError("what_helped", "Only the mentee answers this."),
                FieldError("usefulness", "Only the mentee answers this."),
            ],
        ),
        (
            "mentee",
            {"what_helped": MENTEE_TEXT["what_helped"], "usefulness": 6},
            [FieldError("usefulness", "Rate how useful the mentoring is, from 1 to 5.")],
        ),
        (
            "mentee",
            {"what_helped": MENTEE_TEXT["what_helped"]},
            [FieldError("usefulness", "Rate how useful the mentoring is, from 1 to 5.")],
        ),
        (
            "mentee",
            {"strengths": "You are great at this", "what_helped": "x" * 4001, "usefulness": 5},
            [
                FieldError("strengths", "Only the mentor answers this."),
                FieldError("what_helped", "Keep it to 4000 characters."),
            ],
        ),
    ],
)
def test_invalid_feedback_names_the_fields_and_writes_nothing(pair, name, fields, errors):
    # given
    before = _state()
    # when
    with pytest.raises(InvalidInput) as raised:
        services.feedback_give(
            actor=pair.by_name(name), relationship_id=pair.relationship.pk, **fields
        )
    # then
    assert raised.value.errors == errors
    assert _state() == before
    assert mail.outbox == []


@pytest.mark.parametrize("name", PAIR_ACTOR_NAMES[1:-2])
def test_anyone_outside_the_pair_cannot_give_feedback(pair, name):
    # when
    with pytest.raises(NotFound):
        services.feedback_give(
            actor=pair.by_name(name), relationship_id=pair.relationship.pk, **MENTOR_TEXT
        )
    # then
    assert _state() == ([], [], [])


def test_feedback_in_an_ended_relationship_is_a_conflict(pair):
    # given
    relationship_transition(
        actor=pair.mentor, relationship_id=pair.relationship.pk, action="end", reason="moved"
    )
    before = _state()
    # when / then
    with pytest.raises(Conflict):
        services.feedback_give(
            actor=pair.mentor, relationship_id=pair.relationship.pk, **MENTOR_TEXT
        )
    assert _state() == before


def test_the_database_keeps_each_direction_to_its_own_questions(pair):
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        MentorFeedbackFactory(relationship=pair.relationship, suggestion="")
    with pytest.raises(IntegrityError), transaction.atomic():
        MenteeFeedbackFactory(relationship=pair.relationship, usefulness=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        MenteeFeedbackFactory(relationship=pair.relationship, strengths="mixed up")


def test_feedback_is_not_in_the_django_admin():
    assert Feedback not in admin.site._registry
