"""The surveys' pages: who sees each, the answer form, the editor, results withheld."""

import json

import pytest
from django.urls import reverse

from conftest import PAIR_ACTOR_NAMES
from tandem.surveys.models import SurveyAnswer, SurveyResponse, SurveyVersion
from tandem.surveys.services import response_submit
from tandem.surveys.tests.factories import defaults_of, invite, simple_definition
from tandem.surveys.tests.test_api import _people_answering

MANAGERS = ("manager", "admin")


def _login(client, user) -> None:
    if user is not None:
        client.force_login(user)


def _manager_denied(response, name: str, url: str) -> None:
    if name == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"
    else:
        assert response.status_code == (404 if name == "outsider" else 403)


@pytest.fixture
def invited(pair):
    survey = defaults_of(pair.cast.program.pk)["pairing_fit"]
    return invite(survey, pair.relationship, pair.mentee, "first-meeting")


@pytest.mark.parametrize("name", PAIR_ACTOR_NAMES)
def test_my_surveys_page_lists_only_my_own(
    pair, invited, client, name, django_assert_max_num_queries
):
    _login(client, pair.by_name(name))
    url = reverse("surveys:mine")
    with django_assert_max_num_queries(8):
        response = client.get(url)
    if name == "anonymous":
        assert response.status_code == 302
        return
    html = response.content.decode()
    assert response.status_code == 200
    if name == "mentee":
        assert reverse("surveys:invitation", args=[invited.pk]) in html
        assert "waiting for you" in html
    else:
        assert 'data-testid="no-surveys"' in html


@pytest.mark.parametrize("name", PAIR_ACTOR_NAMES)
def test_the_answer_page_is_its_person_only(pair, invited, client, name):
    _login(client, pair.by_name(name))
    url = reverse("surveys:invitation", args=[invited.pk])
    get = client.get(url)
    post = client.post(url, {"answer-fit": "good_fit", "answer-first_meeting": "4"})
    if name == "anonymous":
        assert (get.status_code, post.status_code) == (302, 302)
        assert SurveyResponse.objects.count() == 0
        return
    if name != "mentee":
        assert (get.status_code, post.status_code) == (404, 404)
        assert SurveyResponse.objects.count() == 0
        return
    assert get.status_code == 200
    assert 'data-testid="survey-form"' in get.content.decode()
    assert post.status_code == 302
    assert sorted(SurveyAnswer.objects.values_list("question_key", "number", "choices")) == [
        ("first_meeting", 4, []),
        ("fit", None, ["good_fit"]),
    ]
    after = client.get(url).content.decode()
    assert 'data-testid="my-answers"' in after
    assert "A good fit" in after


def test_the_answer_form_names_each_wrong_question_and_stores_nothing(pair, invited, client):
    client.force_login(pair.mentee)
    url = reverse("surveys:invitation", args=[invited.pk])
    response = client.post(url, {"answer-first_meeting": "7"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="error-fit"' in html
    assert 'data-testid="error-first_meeting"' in html
    assert 'data-testid="error-help"' not in html
    assert SurveyResponse.objects.count() == 0


@pytest.mark.parametrize("name", PAIR_ACTOR_NAMES)
def test_programme_surveys_page_matrix(pair, client, name, django_assert_max_num_queries):
    defaults_of(pair.cast.program.pk)
    _login(client, pair.by_name(name))
    url = reverse("surveys:program", args=[pair.cast.program.pk])
    with django_assert_max_num_queries(12):
        response = client.get(url)
    if name not in MANAGERS:
        _manager_denied(response, name, url)
        return
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('href="/surveys/') == 6


@pytest.mark.parametrize("name", PAIR_ACTOR_NAMES)
def test_survey_page_shows_aggregates_only_to_managers(pair, client, name):
    survey = _people_answering(pair, 5, closed=True)
    _login(client, pair.by_name(name))
    url = reverse("surveys:survey", args=[survey.pk])
    response = client.get(url)
    if name not in MANAGERS:
        _manager_denied(response, name, url)
        return
    html = response.content.decode()
    assert "Response rate: 100.0% of 5 people" in html
    assert "Average 8.0 · NPS 20 · 5 people" in html
    for n in range(5):
        assert f"<li>Reason {n}</li>" in html
    assert pair.mentee.email not in html


def test_survey_page_withholds_below_the_minimum_group(pair, client):
    survey = _people_answering(pair, 4, closed=True)
    client.force_login(pair.cast.manager)
    html = client.get(reverse("surveys:survey", args=[survey.pk])).content.decode()
    assert "Response rate: not published yet" in html
    assert "Reason 0" not in html
    assert html.count("Withheld until at least 5 people have answered.") == 2


def test_the_editor_makes_a_new_version_once_answered(pair, client, invited):
    # given: answered
    response_submit(
        actor=pair.mentee, invitation_id=invited.pk, answers={"fit": "good_fit", "first_meeting": 5}
    )
    client.force_login(pair.cast.manager)
    url = reverse("surveys:survey", args=[invited.survey_id])
    # when: broken JSON, then a valid definition
    broken = client.post(url, {"title": "Fit", "is_active": "1", "definition": "{"})
    saved = client.post(
        url, {"title": "Fit", "is_active": "1", "definition": json.dumps(simple_definition())}
    )
    # then
    assert broken.status_code == 400
    assert saved.status_code == 302
    assert list(
        SurveyVersion.objects.filter(survey_id=invited.survey_id).values_list("number", flat=True)
    ) == [1, 2]
