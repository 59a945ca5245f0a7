"""The surveys API: who may call each endpoint, and what each answers (state checked after)."""

import datetime

import pytest
from django.utils import timezone

from conftest import ACTOR_NAMES, PAIR_ACTOR_NAMES
from tandem.core.aggregates import current_period
from tandem.notifications.models import Notification
from tandem.participants.models import ParticipantRole
from tandem.participants.tests.factories import ParticipantFactory
from tandem.relationships.models import Relationship, RelationshipStatus
from tandem.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    SurveyVersion,
)
from tandem.surveys.services import response_submit
from tandem.surveys.tests.factories import defaults_of, invite, simple_definition

MANAGERS = ("manager", "admin")


def _pair_denied(name: str) -> int:
    return 401 if name == "anonymous" else 404


def _manager_denied(name: str) -> int:
    return {"anonymous": 401, "outsider": 404}.get(name, 403)


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def _state() -> tuple:
    return (
        list(Survey.objects.values_list("pk", "title", "is_active", "audience")),
        list(SurveyVersion.objects.values_list("pk", "number", "definition")),
        list(SurveyInvitation.objects.values_list("pk", "version_id")),
        list(SurveyResponse.objects.values_list("pk")),
        list(SurveyAnswer.objects.values_list("pk")),
        Notification.objects.count(),
    )


@pytest.fixture
def invited(pair):
    """The mentee invited to the pairing-fit survey of the pair."""
    survey = defaults_of(pair.cast.program.pk)["pairing_fit"]
    return invite(survey, pair.relationship, pair.mentee, "first-meeting")


# --- a person's own surveys ----------------------------------------------------------------


@pytest.mark.parametrize("name", PAIR_ACTOR_NAMES)
def test_my_invitations_list_only_my_own(
    pair, invited, api_as, name, django_assert_max_num_queries
):
    actor = pair.by_name(name)
    with django_assert_max_num_queries(6):
        response = api_as(actor).get("/api/v1/surveys/invitations")
    if name == "anonymous":
        _problem(response, 401)
        return
    assert response.status_code == 200
    if name == "mentee":
        assert response.json() == [
            {
                "id": invited.pk,
                "survey_title": "How is the pairing going?",
                "program_name": "Leadership cohort",
                "relationship_id": pair.relationship.pk,
                "occasion": "first-meeting",
                "created_at": response.json()[0]["created_at"],
                "is_answered": False,
            }
        ]
    else:
        assert response.json() == []


def test_my_invitations_list_has_a_query_budget(pair, api_as, django_assert_max_num_queries):
    # given: twenty invitations across surveys
    surveys = defaults_of(pair.cast.program.pk)
    for survey in surveys.values():
        for n in range(4):
            invite(survey, pair.relationship, pair.mentee, f"day-{n}")
    # then
    with django_assert_max_num_queries(6):
        response = api_as(pair.mentee).get("/api/v1/surveys/invitations")
    assert len(response.json()) == 4 * len(surveys)


@pytest.mark.parametrize("name", PAIR_ACTOR_NAMES)
def test_invitation_detail_answers_its_person_only(pair, invited, api_as, name):
    response = api_as(pair.by_name(name)).get(f"/api/v1/surveys/invitations/{invited.pk}")
    if name != "mentee":
        _problem(response, _pair_denied(name))
        return
    body = response.json()
    assert (body["id"], body["version"], body["is_answered"], body["my_answers"]) == (
        invited.pk,
        1,
        False,
        [],
    )
    assert [q["key"] for q in body["definition"]["questions"]] == ["fit", "first_meeting", "help"]


@pytest.mark.parametrize("name", PAIR_ACTOR_NAMES)
def test_answering_is_for_the_invited_person_only(pair, invited, api_as, name):
    before = _state()
    response = api_as(pair.by_name(name)).post(
        f"/api/v1/surveys/invitations/{invited.pk}/response",
        {"answers": {"fit": "good_fit", "first_meeting": 4, "help": " More time "}},
    )
    if name != "mentee":
        _problem(response, _pair_denied(name))
        assert _state() == before
        return
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["invitation_id"], body["version"]) == (invited.pk, 1)
    assert sorted(
        (a["question_key"], a["number"], a["choices"], a["text"]) for a in body["answers"]
    ) == [
        ("first_meeting", 4, [], ""),
        ("fit", None, ["good_fit"], ""),
        ("help", None, [], "More time"),
    ]
    # and the person reads their own answers back; the partner still gets 404
    mine = api_as(pair.mentee).get(f"/api/v1/surveys/invitations/{invited.pk}").json()
    assert mine["is_answered"] is True
    assert len(mine["my_answers"]) == 3
    _problem(api_as(pair.mentor).get(f"/api/v1/surveys/invitations/{invited.pk}"), 404)


def test_wrong_answers_are_400_naming_each_question_and_a_second_answer_is_409(
    invited, pair, api_as
):
    before = _state()
    body = _problem(
        api_as(pair.mentee).post(
            f"/api/v1/surveys/invitations/{invited.pk}/response",
            {"answers": {"fit": "maybe", "first_meeting": 9}},
        ),
        400,
    )
    assert sorted(e["field"] for e in body["errors"]) == ["answers.first_meeting", "answers.fit"]
    assert _state() == before
    url = f"/api/v1/surveys/invitations/{invited.pk}/response"
    assert (
        api_as(pair.mentee)
        .post(url, {"answers": {"fit": "good_fit", "first_meeting": 3}})
        .status_code
        == 201
    )
    after = _state()
    _problem(
        api_as(pair.mentee).post(url, {"answers": {"fit": "good_fit", "first_meeting": 3}}), 409
    )
    assert _state() == after


# --- the managers' endpoints ---------------------------------------------------------------


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_survey_list_matrix(cast, api_as, name, django_assert_max_num_queries):
    defaults_of(cast.program.pk)
    with django_assert_max_num_queries(9):
        response = api_as(cast.by_name(name)).get(f"/api/v1/programs/{cast.program.pk}/surveys")
    if name not in MANAGERS:
        _problem(response, _manager_denied(name))
        return
    assert [(s["template_key"], s["version"]) for s in response.json()] == [
        ("pairing_fit", 1),
        ("pulse", 1),
        ("midpoint", 1),
        ("closing_mentee", 1),
        ("closing_mentor", 1),
        ("nps", 1),
    ]


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_survey_create_and_edit_matrix(cast, api_as, name):
    survey = defaults_of(cast.program.pk)["pulse"]
    before = _state()
    client = api_as(cast.by_name(name))
    created = client.post(
        f"/api/v1/programs/{cast.program.pk}/surveys",
        {"title": "Ours", "trigger": "halfway", "definition": simple_definition()},
    )
    edited = client.patch(f"/api/v1/surveys/{survey.pk}", {"title": "Renamed", "is_active": False})
    if name not in MANAGERS:
        _problem(created, _manager_denied(name))
        _problem(edited, _manager_denied(name))
        assert _state() == before
        return
    assert created.status_code == 201, created.content
    assert (created.json()["title"], created.json()["kind"], created.json()["version"]) == (
        "Ours",
        "custom",
        1,
    )
    assert edited.status_code == 200
    survey.refresh_from_db()
    assert (survey.title, survey.is_active) == ("Renamed", False)


def test_an_invalid_definition_is_400_naming_the_path(cast, api_as):
    before = _state()
    body = _problem(
        api_as(cast.manager).post(
            f"/api/v1/programs/{cast.program.pk}/surveys",
            {
                "title": "Ours",
                "trigger": "halfway",
                "definition": {
                    "questions": [
                        {"key": "a", "type": "single_choice", "text": "?", "choices": ["x"]}
                    ]
                },
            },
        ),
        400,
    )
    assert [e["field"] for e in body["errors"]] == ["definition.questions.0.choices"]
    assert _state() == before


def test_the_definition_schema_is_published(cast, api_as):
    body = api_as(cast.member).get("/api/v1/surveys/definition-schema").json()
    assert body["title"] == "SurveyDefinition"
    assert body["required"] == ["questions"]


# --- results: aggregates only ------------------------------------------------------------


def _people_answering(pair, count: int, *, closed: bool) -> Survey:
    """`count` mentees (the pair's first, then new pairs) answer the NPS survey, in a closed
    month (`closed`) or in this one."""
    cast = pair.cast
    survey = defaults_of(cast.program.pk)["nps"]
    relationships = [pair.relationship, pair.other_relationship]
    while len(relationships) < count:
        mentor = ParticipantFactory(program=cast.program, role=ParticipantRole.MENTOR, capacity=1)
        mentee = ParticipantFactory(program=cast.program, user__organization=cast.org)
        relationships.append(
            Relationship.objects.create(
                program=cast.program,
                mentor=mentor,
                mentee=mentee,
                status=RelationshipStatus.ACTIVE,
                source="manual",
                activated_at=timezone.now(),
            )
        )
    for score, relationship in enumerate(relationships[:count]):
        invitation = invite(survey, relationship, relationship.mentee.user, "day-90")
        response_submit(
            actor=relationship.mentee.user,
            invitation_id=invitation.pk,
            answers={"recommend": 6 + score % 5, "reason": f"Reason {score}"},
        )
    if closed:
        sent = timezone.make_aware(
            datetime.datetime.combine(current_period(), datetime.time(12))
        ) - datetime.timedelta(days=45)
        SurveyInvitation.objects.filter(survey=survey).update(created_at=sent)
        SurveyResponse.objects.filter(invitation__survey=survey).update(
            submitted_at=sent + datetime.timedelta(days=1)
        )
    return survey


@pytest.mark.parametrize("name", [*ACTOR_NAMES, "other_mentor", "other_mentee"])
def test_results_matrix(pair, api_as, name):
    survey = _people_answering(pair, 5, closed=True)
    response = api_as(pair.by_name(name)).get(f"/api/v1/surveys/{survey.pk}/results")
    if name not in MANAGERS:
        _problem(response, _manager_denied(name))
        return
    body = response.json()
    assert body["response_rate"] == 100.0
    assert (body["min_group"], body["invited_people"]) == (5, 5)
    recommend, reason = body["questions"]
    assert (recommend["people"], recommend["mean"], recommend["nps"]) == (5, 8.0, 20)
    assert reason["texts"] == [f"Reason {n}" for n in range(5)]
    assert "mentee" not in str(body).lower()


@pytest.mark.parametrize(("count", "closed"), [(3, True), (4, True), (5, False), (8, False)])
def test_results_are_withheld_below_the_minimum_group_or_in_the_open_month(
    pair, api_as, count, closed
):
    survey = _people_answering(pair, count, closed=closed)
    body = api_as(pair.cast.manager).get(f"/api/v1/surveys/{survey.pk}/results").json()
    assert body["response_rate"] is None
    assert body["invited_people"] == 0
    assert [
        (q["people"], q["mean"], q["nps"], q["counts"], q["texts"]) for q in body["questions"]
    ] == [
        (0, None, None, {}, []),
        (0, None, None, {}, []),
    ]


@pytest.mark.parametrize("people", [5, 12])
def test_results_have_a_query_budget(pair, api_as, people, django_assert_max_num_queries):
    survey = _people_answering(pair, people, closed=True)
    # the same whatever the number of people (authentication and guards included)
    with django_assert_max_num_queries(12):
        body = api_as(pair.cast.manager).get(f"/api/v1/surveys/{survey.pk}/results").json()
    assert body["invited_people"] == people


@pytest.mark.parametrize(
    ("change", "status", "timing"),
    [
        ({"trigger": "halfway", "repeat_days": None}, 200, ("halfway", 30, None)),
        ({"trigger": "end", "offset_days": 7, "repeat_days": None}, 200, ("end", 7, None)),
        ({"trigger": "after_match", "repeat_days": 14}, 200, ("after_match", 30, 14)),
        ({"trigger": "halfway"}, 400, ("after_match", 30, 60)),  # the pulse repeats
        ({"trigger": "sometimes"}, 422, ("after_match", 30, 60)),
    ],
)
def test_a_survey_is_sent_at_a_new_moment(cast, api_as, change, status, timing):
    # given the shipped pulse: 30 days after the match, then every 60
    survey = defaults_of(cast.program.pk)["pulse"]
    # when
    response = api_as(cast.manager).patch(f"/api/v1/surveys/{survey.pk}", change)
    # then
    assert response.status_code == status, response.content
    survey.refresh_from_db()
    assert (survey.trigger, survey.offset_days, survey.repeat_days) == timing
    if status == 400:
        assert [error["field"] for error in response.json()["errors"]] == ["repeat_days"]
