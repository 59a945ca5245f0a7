"""Self-matching over the API: an authorization matrix on every endpoint, the shapes, the
errors as problem+json, and query budgets on the lists."""

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from conftest import ACTOR_NAMES
from tandem.matching.models import (
    MatchingSettings,
    MatchRequest,
    RequestStatus,
    SuggestionDecline,
)
from tandem.matching.requests import selectors
from tandem.matching.requests.services import match_request_accept
from tandem.matching.tests.requests_world import (
    ask,
    mentee_in,
    mentor_in,
    need_approval,
    request_rows,
    skills,
)
from tandem.participants.models import Participant
from tandem.relationships.models import Relationship

S = RequestStatus


def _state() -> tuple[list[dict], list[dict], list[dict], list[dict]]:
    """Everything a self-matching endpoint could change, to compare before and after."""
    return (
        request_rows(),
        list(Relationship.objects.order_by("pk").values()),
        list(SuggestionDecline.objects.order_by("pk").values()),
        list(Participant.objects.order_by("pk").values("pk", "matched_count")),
    )


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    return body


def _iso(value) -> str | None:
    return None if value is None else DjangoJSONEncoder().default(value)


def _person(participant: Participant) -> dict:
    user = participant.user
    return {
        "participant_id": participant.pk,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "job_title": user.profile.job_title,
        "department": user.profile.department,
    }


def _fit_json(score: float | None, max_score: float) -> dict | None:
    """The documented scale (tandem.matching.fit), written out again here."""
    if score is None:
        return None
    share = score / max_score
    key, label = (
        ("strong", "Strong fit")
        if share >= 0.6
        else ("good", "Good fit")
        if share >= 0.4
        else ("possible", "Possible fit")
    )
    return {"key": key, "label": label, "percent": round(100 * share), "max_score": max_score}


def _request_json(match_request: MatchRequest) -> dict:
    match_request.refresh_from_db()
    return {
        "id": match_request.pk,
        "program_id": match_request.program_id,
        "mentee": _person(match_request.mentee),
        "mentor": _person(match_request.mentor),
        "note": match_request.note,
        "status": match_request.status,
        "response_message": match_request.response_message,
        "score": match_request.score,
        "fit": _fit_json(
            match_request.score, selectors.program_max_score(program=match_request.program)
        ),
        "contributions": match_request.contributions,
        "reasons": match_request.reasons,
        "created_at": _iso(match_request.created_at),
        "expires_at": _iso(match_request.expires_at),
        "decided_at": _iso(match_request.decided_at),
    }


def _matrix(expected: dict[str, int]) -> list[tuple[str, int]]:
    assert sorted(expected) == sorted(ACTOR_NAMES)
    return [(name, expected[name]) for name in ACTOR_NAMES]


# --- GET /programs/{id}/matching/suggestions ---------------------------------------------


@pytest.mark.parametrize(
    ("actor_name", "status"),
    _matrix(
        {
            "anonymous": 401,
            "outsider": 404,
            "member": 403,
            "mentee": 200,
            "mentor": 403,
            "other_manager": 403,
            "manager": 403,
            "admin": 403,
        }
    ),
)
def test_suggestions_matrix(cast, api_as, actor_name, status):
    # when
    response = api_as(cast.by_name(actor_name)).get(
        f"programs/{cast.program.pk}/matching/suggestions"
    )
    # then
    if status != 200:
        _problem(response, status)
        return
    assert response.status_code == 200
    assert [row["mentor"]["participant_id"] for row in response.json()["suggestions"]] == [
        cast.mentor_participant.pk
    ]


def test_suggestions_shape_with_score_reasons_and_open_request(cast, api_as):
    # given the mentee shares two skills with Ada and one with Bo, and asked Bo already
    wanted = skills(cast.program, "Python", "Negotiation")
    ada = mentor_in(cast.program, "Ada", offers=wanted)
    bo = mentor_in(cast.program, "Bo", offers=wanted[:1], capacity=3)
    cast.mentee.profile.skills_wanted.set(wanted)
    asked = ask(cast.mentee_participant, bo)
    expected = {
        mentor.pk: selectors.pair_explanation(mentee=cast.mentee_participant, mentor=mentor)
        for mentor in (ada, bo)
    }
    # when
    response = api_as(cast.mentee).get(f"programs/{cast.program.pk}/matching/suggestions")
    # then
    body = response.json()
    assert response.status_code == 200
    assert {
        k: body[k] for k in ("mentee_participant_id", "open_requests", "max_open_requests")
    } == {
        "mentee_participant_id": cast.mentee_participant.pk,
        "open_requests": 1,
        "max_open_requests": 3,
    }
    ids = [row["mentor"]["participant_id"] for row in body["suggestions"]]
    assert ids[:2] == [ada.pk, bo.pk]
    assert sorted(ids) == sorted([ada.pk, bo.pk, cast.mentor_participant.pk])
    first, second = body["suggestions"][:2]
    max_score = selectors.program_max_score(program=cast.program)
    assert first == {
        "mentor": _person(ada),
        "score": round(expected[ada.pk].score, 2),
        "fit": _fit_json(expected[ada.pk].score, max_score),
        # said to the mentee reading them: "you", never their own name
        "reasons": [
            reason.replace(f"skills {cast.mentee.short_name} wants", "skills you want")
            for reason in expected[ada.pk].reasons
        ],
        "contributions": {str(k): v for k, v in expected[ada.pk].contributions.items()},
        "places_left": 2,
        "open_request_id": None,
    }
    assert all(cast.mentee.short_name not in reason for reason in first["reasons"])
    assert (second["places_left"], second["open_request_id"]) == (3, asked.pk)
    assert first["reasons"] != []


def test_suggestions_refused_when_self_matching_is_off(cast, api_as):
    # given
    MatchingSettings.objects.create(program=cast.program, allow_self_matching=False)
    # when
    response = api_as(cast.mentee).get(f"programs/{cast.program.pk}/matching/suggestions")
    # then
    assert _problem(response, 400)["detail"] == (
        "In Leadership cohort the programme's managers match mentees with mentors; mentees do "
        "not choose a mentor themselves."
    )


def test_suggestions_query_budget(cast, api_as, django_assert_max_num_queries):
    # given fifteen mentors offering skills the mentee wants, and two open requests
    wanted = skills(cast.program, "Python", "Rust", "Go")
    cast.mentee.profile.skills_wanted.set(wanted)
    mentors = [
        mentor_in(cast.program, f"Mentor{index}", offers=wanted[: index % 3 + 1])
        for index in range(15)
    ]
    for mentor in mentors[:2]:
        ask(cast.mentee_participant, mentor)
    client = api_as(cast.mentee)
    # when
    with django_assert_max_num_queries(17):
        response = client.get(f"programs/{cast.program.pk}/matching/suggestions")
    # then
    assert len(response.json()["suggestions"]) == 10


# --- POST /programs/{id}/matching/requests -----------------------------------------------


@pytest.mark.parametrize(
    ("actor_name", "status"),
    _matrix(
        {
            "anonymous": 401,
            "outsider": 404,
            "member": 403,
            "mentee": 201,
            "mentor": 403,
            "other_manager": 403,
            "manager": 403,
            "admin": 403,
        }
    ),
)
def test_request_create_matrix(cast, api_as, actor_name, status):
    # given
    before = _state()
    # when
    response = api_as(cast.by_name(actor_name)).post(
        f"programs/{cast.program.pk}/matching/requests",
        {"mentor_participant_id": cast.mentor_participant.pk, "note": "Hello"},
    )
    # then
    if status != 201:
        _problem(response, status)
        assert _state() == before
        return
    created = MatchRequest.objects.get()
    assert response.status_code == 201
    assert response.json() == _request_json(created)
    assert (created.status, created.note) == (S.PENDING, "Hello")


def test_request_create_errors_are_problem_json(cast, api_as):
    # given the mentee already asked three mentors
    for name in ("Ada", "Bo", "Cy"):
        ask(cast.mentee_participant, mentor_in(cast.program, name))
    client = api_as(cast.mentee)
    url = f"programs/{cast.program.pk}/matching/requests"
    before = _state()
    # when
    too_many = client.post(url, {"mentor_participant_id": cast.mentor_participant.pk})
    unknown = client.post(url, {"mentor_participant_id": 999_999})
    malformed = client.post(url, {"note": "no mentor"})
    # then
    assert _problem(too_many, 409) == {
        "type": "https://tandem.example/problems/conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "You already have 3 open requests, the most you can have at once. Withdraw "
        "one or wait for an answer before asking another mentor.",
    }
    assert _problem(unknown, 404)["detail"] == "No such mentor in Leadership cohort."
    assert _problem(malformed, 422)["errors"] == [
        {"field": "mentor_participant_id", "message": "Field required"}
    ]
    assert _state() == before


# --- GET /programs/{id}/matching/requests ------------------------------------------------


@pytest.mark.parametrize(
    ("actor_name", "status"),
    _matrix(
        {
            "anonymous": 401,
            "outsider": 404,
            "member": 403,
            "mentee": 403,
            "mentor": 403,
            "other_manager": 403,
            "manager": 200,
            "admin": 200,
        }
    ),
)
def test_program_requests_matrix(cast, api_as, actor_name, status):
    # given
    need_approval(cast.program)
    created = ask(cast.mentee_participant, cast.mentor_participant)
    # when
    response = api_as(cast.by_name(actor_name)).get(
        f"programs/{cast.program.pk}/matching/requests", {"status": "awaiting_approval"}
    )
    # then
    if status != 200:
        _problem(response, status)
        return
    assert response.json() == {"items": [_request_json(created)], "count": 1, "next": None}


def test_program_requests_query_budget(cast, api_as, django_assert_max_num_queries):
    # given fifteen mentees each asking the mentor
    cast.mentor_participant.capacity = 20
    cast.mentor_participant.save(update_fields=["capacity"])
    for index in range(15):
        ask(mentee_in(cast.program, f"Mentee{index}"), cast.mentor_participant)
    client = api_as(cast.manager)
    # when
    with django_assert_max_num_queries(6):
        response = client.get(f"programs/{cast.program.pk}/matching/requests")
    # then
    assert response.json()["count"] == 15


# --- GET /me/match-requests --------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor_name", "expected"),
    [
        ("anonymous", None),
        ("outsider", 0),
        ("member", 0),
        ("mentee", 1),
        ("mentor", 1),
        ("other_manager", 0),
        ("manager", 0),
        ("admin", 0),
    ],
)
def test_my_requests_matrix(cast, api_as, actor_name, expected):
    # given
    created = ask(cast.mentee_participant, cast.mentor_participant)
    # when
    response = api_as(cast.by_name(actor_name)).get("me/match-requests")
    # then
    if expected is None:
        _problem(response, 401)
        return
    assert response.json() == {
        "items": [_request_json(created)] * expected,
        "count": expected,
        "next": None,  # a seek page (decision 0020) not full: the last
    }


def test_my_requests_filter_by_direction_and_status(cast, api_as):
    # given the mentor received two requests, one of them past its expiry
    other = mentee_in(cast.program, "Ann")
    fresh = ask(cast.mentee_participant, cast.mentor_participant)
    lapsed = ask(other, cast.mentor_participant)
    MatchRequest.objects.filter(pk=lapsed.pk).update(expires_at=timezone.now())
    client = api_as(cast.mentor)
    # when
    incoming = client.get("me/match-requests", {"direction": "incoming"}).json()
    outgoing = client.get("me/match-requests", {"direction": "outgoing"}).json()
    pending = client.get("me/match-requests", {"status": "pending"}).json()
    expired = client.get("me/match-requests", {"status": "expired"}).json()
    # then
    assert [row["id"] for row in incoming["items"]] == [lapsed.pk, fresh.pk]
    assert outgoing == {"items": [], "count": 0, "next": None}
    assert [row["id"] for row in pending["items"]] == [fresh.pk]
    assert [(row["id"], row["status"]) for row in expired["items"]] == [(lapsed.pk, "expired")]


def test_my_requests_query_budget(cast, api_as, django_assert_max_num_queries):
    # given
    cast.mentor_participant.capacity = 20
    cast.mentor_participant.save(update_fields=["capacity"])
    for index in range(15):
        ask(mentee_in(cast.program, f"Mentee{index}"), cast.mentor_participant)
    client = api_as(cast.mentor)
    # when
    with django_assert_max_num_queries(5):
        response = client.get("me/match-requests")
    # then
    assert response.json()["count"] == 15


# --- GET /match-requests/{id} ------------------------------------------------------------


SEES_THE_REQUEST = {
    "anonymous": 401,
    "outsider": 404,
    "member": 404,
    "mentee": 200,
    "mentor": 200,
    "other_manager": 404,
    "manager": 200,
    "admin": 200,
}


@pytest.mark.parametrize(("actor_name", "status"), _matrix(SEES_THE_REQUEST))
def test_request_get_matrix(cast, api_as, actor_name, status):
    # given
    created = ask(cast.mentee_participant, cast.mentor_participant)
    # when
    response = api_as(cast.by_name(actor_name)).get(f"match-requests/{created.pk}")
    # then
    if status != 200:
        _problem(response, status)
        return
    assert response.json() == _request_json(created)


# --- POST /match-requests/{id}/accept | decline ------------------------------------------


MENTOR_ONLY = {
    "anonymous": 401,
    "outsider": 404,
    "member": 404,
    "mentee": 403,
    "mentor": 200,
    "other_manager": 404,
    "manager": 403,
    "admin": 403,
}


@pytest.mark.parametrize(("actor_name", "status"), _matrix(MENTOR_ONLY))
def test_accept_matrix(cast, api_as, actor_name, status):
    # given
    created = ask(cast.mentee_participant, cast.mentor_participant)
    before = _state()
    # when
    response = api_as(cast.by_name(actor_name)).post(
        f"match-requests/{created.pk}/accept", {"message": "Welcome"}
    )
    # then
    if status != 200:
        _problem(response, status)
        assert _state() == before
        return
    assert response.json() == _request_json(created)
    assert (created.status, created.response_message) == (S.ACCEPTED, "Welcome")
    assert (
        Relationship.objects.filter(
            mentor=cast.mentor_participant, mentee=cast.mentee_participant
        ).count()
        == 1
    )


def test_accept_with_a_bare_post(cast, api_as):
    # given
    created = ask(cast.mentee_participant, cast.mentor_participant)
    client = api_as(cast.mentor)
    # when
    response = client.client.generic(
        "POST", f"/api/v1/match-requests/{created.pk}/accept", headers=client.headers
    )
    # then
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"


def test_a_mentor_cannot_accept_another_mentors_request(cast, api_as):
    # given
    other = mentor_in(cast.program, "Ada")
    created = ask(cast.mentee_participant, cast.mentor_participant)
    before = _state()
    # when
    response = api_as(other.user).post(f"match-requests/{created.pk}/accept")
    # then
    assert _problem(response, 404)["detail"] == "No such match request."
    assert _state() == before


def test_a_mentee_cannot_accept_their_own_request(cast, api_as):
    # given
    created = ask(cast.mentee_participant, cast.mentor_participant)
    before = _state()
    # when
    response = api_as(cast.mentee).post(f"match-requests/{created.pk}/accept")
    # then
    assert _problem(response, 403)["detail"] == (
        f"Only {cast.mentor}, the mentor asked, can accept it."
    )
    assert _state() == before


def test_accepting_when_full_is_a_clear_409(cast, api_as):
    # given a mentor with one place, asked by two mentees; the first is accepted
    cast.mentor_participant.capacity = 1
    cast.mentor_participant.save(update_fields=["capacity"])
    first = ask(cast.mentee_participant, cast.mentor_participant)
    second = ask(mentee_in(cast.program, "Ann"), cast.mentor_participant)
    match_request_accept(actor=cast.mentor, request_id=first.pk)
    before = _state()
    # when
    response = api_as(cast.mentor).post(f"match-requests/{second.pk}/accept")
    # then
    assert _problem(response, 409)["detail"] == (
        f"{cast.mentor} has no mentee places left in this programme."
    )
    assert _state() == before


@pytest.mark.parametrize(("actor_name", "status"), _matrix(MENTOR_ONLY))
def test_decline_matrix(cast, api_as, actor_name, status):
    # given
    created = ask(cast.mentee_participant, cast.mentor_participant)
    before = _state()
    # when
    response = api_as(cast.by_name(actor_name)).post(
        f"match-requests/{created.pk}/decline",
        {"message": "Sorry", "do_not_suggest_again": True},
    )
    # then
    if status != 200:
        _problem(response, status)
        assert _state() == before
        return
    assert response.json() == _request_json(created)
    assert (created.status, created.response_message) == (S.DECLINED, "Sorry")
    assert list(SuggestionDecline.objects.values_list("mentor_id", "mentee_id")) == [
        (cast.mentor_participant.pk, cast.mentee_participant.pk)
    ]


# --- POST /match-requests/{id}/withdraw --------------------------------------------------


@pytest.mark.parametrize(
    ("actor_name", "status"),
    _matrix(
        {
            "anonymous": 401,
            "outsider": 404,
            "member": 404,
            "mentee": 200,
            "mentor": 403,
            "other_manager": 404,
            "manager": 403,
            "admin": 403,
        }
    ),
)
def test_withdraw_matrix(cast, api_as, actor_name, status):
    # given
    created = ask(cast.mentee_participant, cast.mentor_participant)
    before = _state()
    # when
    response = api_as(cast.by_name(actor_name)).post(f"match-requests/{created.pk}/withdraw")
    # then
    if status != 200:
        _problem(response, status)
        assert _state() == before
        return
    assert response.json() == _request_json(created)
    assert created.status == S.WITHDRAWN


# --- POST /match-requests/{id}/approve | reject ------------------------------------------


MANAGERS_ONLY = {
    "anonymous": 401,
    "outsider": 404,
    "member": 404,
    "mentee": 403,
    "mentor": 403,
    "other_manager": 404,
    "manager": 200,
    "admin": 200,
}


@pytest.mark.parametrize(("actor_name", "status"), _matrix(MANAGERS_ONLY))
@pytest.mark.parametrize(("action", "outcome"), [("approve", S.PENDING), ("reject", S.DECLINED)])
def test_approval_matrix(cast, api_as, actor_name, status, action, outcome):
    # given
    need_approval(cast.program)
    created = ask(cast.mentee_participant, cast.mentor_participant)
    before = _state()
    # when
    response = api_as(cast.by_name(actor_name)).post(f"match-requests/{created.pk}/{action}")
    # then
    if status != 200:
        _problem(response, status)
        assert _state() == before
        return
    assert response.json() == _request_json(created)
    assert created.status == outcome


def test_approving_a_decided_request_is_409(cast, api_as):
    # given
    created = ask(cast.mentee_participant, cast.mentor_participant)
    before = _state()
    # when
    response = api_as(cast.manager).post(f"match-requests/{created.pk}/approve")
    # then
    assert _problem(response, 409)["detail"] == (
        "This request cannot be approved: its status is 'waiting for the mentor'."
    )
    assert _state() == before


# --- POST /programs/{id}/matching/suggestion-declines ------------------------------------


@pytest.mark.parametrize(
    ("actor_name", "status"),
    _matrix(
        {
            "anonymous": 401,
            "outsider": 404,
            "member": 404,
            "mentee": 404,
            "mentor": 201,
            "other_manager": 404,
            "manager": 201,
            "admin": 201,
        }
    ),
)
def test_suggestion_decline_matrix(cast, api_as, actor_name, status):
    # given
    before = _state()
    # when
    response = api_as(cast.by_name(actor_name)).post(
        f"programs/{cast.program.pk}/matching/suggestion-declines",
        {
            "mentor_participant_id": cast.mentor_participant.pk,
            "mentee_participant_id": cast.mentee_participant.pk,
        },
    )
    # then
    if status != 201:
        _problem(response, status)
        assert _state() == before
        return
    decline = SuggestionDecline.objects.get()
    assert response.json() == {
        "id": decline.pk,
        "mentor_participant_id": cast.mentor_participant.pk,
        "mentee_participant_id": cast.mentee_participant.pk,
        "created_at": _iso(decline.created_at),
    }
