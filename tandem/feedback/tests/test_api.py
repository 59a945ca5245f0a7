import pytest

from conftest import PAIR_ACTOR_NAMES
from tandem.feedback.models import Feedback
from tandem.feedback.tests.factories import MenteeFeedbackFactory, MentorFeedbackFactory
from tandem.feedback.tests.test_services import MENTEE_TEXT, MENTOR_TEXT

PARTIES = {"mentor", "mentee"}


def _state() -> list[dict]:
    return list(Feedback.objects.order_by("pk").values())


def _url(pair, suffix: str = "") -> str:
    return f"relationships/{pair.relationship.pk}/feedback{suffix}"


def _denied(response, name):
    assert response.status_code == (401 if name == "anonymous" else 404)
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("name", PAIR_ACTOR_NAMES)
def test_list_and_get_matrix(pair, api_as, name):
    # given
    feedback = MentorFeedbackFactory(relationship=pair.relationship)
    MenteeFeedbackFactory(relationship=pair.other_relationship)
    client = api_as(pair.by_name(name))
    # when
    listed = client.get(_url(pair))
    got = client.get(_url(pair, f"/{feedback.pk}"))
    # then
    if name in PARTIES:
        assert listed.status_code == 200
        assert [row["id"] for row in listed.json()["items"]] == [feedback.pk]
        body = got.json()
        assert body | {"created_at": None} == {
            "id": feedback.pk,
            "relationship_id": pair.relationship.pk,
            "author": {
                "id": pair.mentor.pk,
                "first_name": pair.mentor.first_name,
                "last_name": pair.mentor.last_name,
            },
            "direction": "mentor_to_mentee",
            "strengths": feedback.strengths,
            "to_develop": feedback.to_develop,
            "suggestion": feedback.suggestion,
            "what_helped": "",
            "what_to_change": "",
            "usefulness": None,
            "created_at": None,
        }
    else:
        _denied(listed, name)
        _denied(got, name)


@pytest.mark.parametrize("name", PAIR_ACTOR_NAMES)
def test_create_matrix(pair, api_as, name):
    # given
    payload = MENTEE_TEXT if name == "mentee" else MENTOR_TEXT
    # when
    response = api_as(pair.by_name(name)).post(_url(pair), payload)
    # then
    if name in PARTIES:
        assert response.status_code == 201
        row = Feedback.objects.get()
        assert (row.author_id, response.json()["id"]) == (pair.by_name(name).pk, row.pk)
        assert (
            response.json()["direction"]
            == f"{name}_to_{'mentee' if name == 'mentor' else 'mentor'}"
        )
    else:
        _denied(response, name)
        assert _state() == []


def test_feedback_of_another_relationship_is_not_found(pair, api_as):
    # given
    other = MentorFeedbackFactory(relationship=pair.other_relationship)
    # when
    response = api_as(pair.mentor).get(_url(pair, f"/{other.pk}"))
    # then
    assert response.status_code == 404


def test_create_invalid_names_the_field(pair, api_as):
    # when
    response = api_as(pair.mentee).post(_url(pair), {"what_helped": MENTEE_TEXT["what_helped"]})
    # then
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "usefulness", "message": "Rate how useful the mentoring is, from 1 to 5."}
    ]
    assert _state() == []


def test_list_query_budget(pair, api_as, django_assert_max_num_queries):
    # given
    for _ in range(8):
        MentorFeedbackFactory(relationship=pair.relationship)
        MenteeFeedbackFactory(relationship=pair.relationship)
    client = api_as(pair.mentor)
    # when
    with django_assert_max_num_queries(6):
        response = client.get(_url(pair))
    # then
    assert response.json()["count"] == 16
