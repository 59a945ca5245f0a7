import pytest
from django.urls import reverse

from conftest import PAIR_ACTOR_NAMES
from tandem.feedback.models import Feedback
from tandem.feedback.tests.factories import MenteeFeedbackFactory, MentorFeedbackFactory
from tandem.feedback.tests.test_services import MENTEE_TEXT, MENTOR_TEXT

HTMX = {"HX-Request": "true"}
PARTIES = {"mentor", "mentee"}


def _login(client, pair, name):
    user = pair.by_name(name)
    if user is not None:
        client.force_login(user)


def _denied(response, name):
    if name == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("name", PAIR_ACTOR_NAMES)
def test_page_matrix_shows_the_viewers_form_and_the_history(pair, client, name):
    # given
    MentorFeedbackFactory(relationship=pair.relationship, strengths="Clear framing in the review.")
    _login(client, pair, name)
    # when
    response = client.get(reverse("feedback:list", args=[pair.relationship.pk]))
    # then
    if name in PARTIES:
        html = response.content.decode()
        assert response.status_code == 200
        assert "Clear framing in the review." in html
        assert f'data-testid="feedback-form-{name}"' in html
        other = "mentee" if name == "mentor" else "mentor"
        assert f'data-testid="feedback-form-{other}"' not in html
        assert f'href="/relationships/{pair.relationship.pk}/"' in html
    else:
        _denied(response, name)


@pytest.mark.parametrize("name", PAIR_ACTOR_NAMES)
def test_give_matrix(pair, client, name):
    # given
    _login(client, pair, name)
    data = MENTEE_TEXT if name == "mentee" else MENTOR_TEXT
    # when
    response = client.post(
        reverse("feedback:give", args=[pair.relationship.pk]), data, headers=HTMX
    )
    # then
    if name in PARTIES:
        assert response.status_code == 200
        assert "your feedback was shared" in response.content.decode()
        assert Feedback.objects.get().author_id == pair.by_name(name).pk
    else:
        _denied(response, name)
        assert Feedback.objects.count() == 0


def test_give_with_vague_text_shows_the_errors_inline_and_writes_nothing(pair, client):
    # given
    client.force_login(pair.mentor)
    # when
    response = client.post(
        reverse("feedback:give", args=[pair.relationship.pk]),
        {"strengths": "good", "to_develop": "stuff", "suggestion": MENTOR_TEXT["suggestion"]},
        headers=HTMX,
    )
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_strengths_error"' in html
    assert 'id="id_to_develop_error"' in html
    assert Feedback.objects.count() == 0


def test_give_without_htmx_redirects_or_answers_400(pair, client):
    # given
    client.force_login(pair.mentee)
    url = reverse("feedback:give", args=[pair.relationship.pk])
    # when
    ok = client.post(url, MENTEE_TEXT)
    bad = client.post(url, {"what_helped": MENTEE_TEXT["what_helped"]})
    # then
    assert ok.status_code == 302
    assert bad.status_code == 400
    assert Feedback.objects.count() == 1


def test_page_query_budget(pair, client, django_assert_max_num_queries):
    # given
    for _ in range(8):
        MentorFeedbackFactory(relationship=pair.relationship)
        MenteeFeedbackFactory(relationship=pair.relationship)
    client.force_login(pair.mentee)
    # when
    with django_assert_max_num_queries(10):
        response = client.get(reverse("feedback:list", args=[pair.relationship.pk]))
    # then
    assert response.content.decode().count('<article class="card mb-3"') == 10
