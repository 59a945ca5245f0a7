import datetime

import pytest

from conftest import ACTOR_NAMES, PAIR_ACTOR_NAMES
from tandem.assessments import services
from tandem.assessments.models import Competency, SelfAssessment
from tandem.assessments.tests.conftest import take
from tandem.assessments.tests.factories import all_scores, state
from tandem.core.aggregates import current_period, period_end

PARTY = ("mentor", "mentee")
MANAGERS = ("manager", "admin")


def _pair_denied(actor_name: str) -> int:
    return 401 if actor_name == "anonymous" else 404


def _manager_denied(actor_name: str) -> int:
    return {"anonymous": 401, "outsider": 404}.get(actor_name, 403)


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def _ratings(relationship, score=3) -> dict[str, int]:
    return {str(pk): value for pk, value in all_scores(relationship, score).items()}


# --- the pair's endpoints ----------------------------------------------------------------


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_get_overview_matrix(pair, api_as, actor_name):
    # given
    take(pair.relationship, pair.mentee, "start", 2)
    # when
    response = api_as(pair.by_name(actor_name)).get(
        f"relationships/{pair.relationship.pk}/assessments"
    )
    # then
    if actor_name not in PARTY:
        body = _problem(response, _pair_denied(actor_name))
        assert "ratings" not in body
        return
    assert response.status_code == 200
    body = response.json()
    assert [c["key"] for c in body["competencies"]][:2] == ["communication", "active_listening"]
    assert body["scale"][0] == {"score": 1, "label": "I rarely do this"}
    assert body["scale"][4] == {"score": 5, "label": "I do this well and could teach it"}
    assert (body["start_open"], body["end_open"]) == (True, False)
    assert body["partner"] == {"start": None, "end": None}  # nothing shared
    if actor_name == "mentee":
        assert {r["score"] for r in body["mine"]["start"]["ratings"]} == {2}
        assert {g["start"] for g in body["growth"]} == {2}
    else:
        assert body["mine"] == {"start": None, "end": None}


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_submit_matrix(pair, api_as, actor_name):
    # given
    before = state()
    # when
    response = api_as(pair.by_name(actor_name)).post(
        f"relationships/{pair.relationship.pk}/assessments",
        {"moment": "start", "ratings": _ratings(pair.relationship, 4)},
    )
    # then
    if actor_name not in PARTY:
        _problem(response, _pair_denied(actor_name))
        assert state() == before
        return
    assert response.status_code == 201, response.content
    body = response.json()
    saved = SelfAssessment.objects.get()
    assert saved.user == pair.by_name(actor_name)
    assert (body["moment"], body["is_shared"], len(body["ratings"])) == ("start", False, 6)
    assert {r["score"] for r in body["ratings"]} == {4}


def test_submit_names_each_missing_competency(pair, api_as):
    # given
    ratings = _ratings(pair.relationship)
    empathy = Competency.objects.get(key="empathy")
    del ratings[str(empathy.pk)]
    # when
    response = api_as(pair.mentee).post(
        f"relationships/{pair.relationship.pk}/assessments", {"moment": "start", "ratings": ratings}
    )
    # then
    body = _problem(response, 400)
    assert body["errors"] == [
        {"field": f"ratings.{empathy.pk}", "message": "Rate yourself on Empathy."}
    ]
    assert SelfAssessment.objects.count() == 0


def test_second_submit_is_409_and_closed_window_is_409(pair, api_as):
    take(pair.relationship, pair.mentee, "start", 3)
    client = api_as(pair.mentee)
    url = f"relationships/{pair.relationship.pk}/assessments"
    _problem(client.post(url, {"moment": "start", "ratings": _ratings(pair.relationship)}), 409)
    body = _problem(
        client.post(url, {"moment": "end", "ratings": _ratings(pair.relationship)}), 409
    )
    assert "closing self-assessment is not open now" in body["detail"]
    assert SelfAssessment.objects.count() == 1


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_share_matrix(pair, api_as, actor_name):
    # given both took the start
    take(pair.relationship, pair.mentee, "start", 3)
    take(pair.relationship, pair.mentor, "start", 3)
    before = state()
    # when
    response = api_as(pair.by_name(actor_name)).post(
        f"relationships/{pair.relationship.pk}/assessments/start/share"
    )
    # then
    if actor_name not in PARTY:
        _problem(response, _pair_denied(actor_name))
        assert state() == before
        return
    assert response.status_code == 200
    assert response.json()["is_shared"] is True
    assert list(SelfAssessment.objects.filter(is_shared=True).values_list("user", flat=True)) == [
        pair.by_name(actor_name).pk
    ]


def test_the_partner_sees_only_what_was_shared_and_unshare_hides_it(pair, api_as):
    # given
    take(pair.relationship, pair.mentor, "start", 4)
    url = f"relationships/{pair.relationship.pk}/assessments"
    mentee = api_as(pair.mentee)
    assert mentee.get(url).json()["partner"] == {"start": None, "end": None}
    # when
    api_as(pair.mentor).post(f"{url}/start/share")
    # then
    partner = mentee.get(url).json()["partner"]
    assert {r["score"] for r in partner["start"]["ratings"]} == {4}
    assert partner["end"] is None
    # when
    response = api_as(pair.mentor).post(f"{url}/start/unshare")
    # then
    assert response.json()["is_shared"] is False
    assert mentee.get(url).json()["partner"] == {"start": None, "end": None}


def test_overview_query_budget(cohort, pair, api_as, django_assert_max_num_queries):
    client = api_as(pair.mentee)
    with django_assert_max_num_queries(8):
        response = client.get(f"relationships/{pair.relationship.pk}/assessments")
    assert len(response.json()["competencies"]) == 7


# --- the managers' endpoints -------------------------------------------------------------


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_summary_matrix(cast, api_as, actor_name):
    # when
    response = api_as(cast.by_name(actor_name)).get(
        f"programs/{cast.program.pk}/assessments/summary"
    )
    # then
    if actor_name in MANAGERS:
        assert response.status_code == 200
        assert response.json()["min_group"] == 5
        assert response.json()["published_through"] is None
        assert len(response.json()["rows"]) == 6
    else:
        _problem(response, _manager_denied(actor_name))


def test_summary_never_shows_an_individuals_answers(pair, api_as):
    # given one pair answered with distinctive scores and notes, and shared them
    notes = dict.fromkeys(all_scores(pair.relationship), "SECRET-NOTE-about-me")
    services.assessment_submit(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        moment="start",
        ratings=all_scores(pair.relationship, 5),
        notes=notes,
    )
    take(pair.relationship, pair.mentor, "start", 1)
    services.assessment_share(
        actor=pair.mentee, relationship_id=pair.relationship.pk, moment="start"
    )
    # when
    response = api_as(pair.cast.manager).get(f"programs/{pair.cast.program.pk}/assessments/summary")
    # then: nothing published (two people, this month); no note, no person
    body = response.json()
    text = response.content.decode()
    assert "SECRET-NOTE" not in text
    assert str(pair.mentee.pk) not in {str(v) for v in body.values()}
    assert pair.mentee.email not in text
    assert {
        (r["start_people"], r["average_start"], r["end_people"], r["average_end"], r["change"])
        for r in body["rows"]
    } == {(0, None, 0, None, None)}
    assert (body["start_count"], body["end_count"], body["people_with_both"]) == (0, 0, 0)
    assert body["published_through"] is None
    # and the pair's endpoints stay closed to the manager
    _problem(
        api_as(pair.cast.manager).get(f"relationships/{pair.relationship.pk}/assessments"), 404
    )


def test_summary_query_budget(cohort, pair, api_as, django_assert_max_num_queries):
    client = api_as(pair.cast.manager)
    with django_assert_max_num_queries(8):
        response = client.get(f"programs/{pair.cast.program.pk}/assessments/summary")
    # then: eight starts published; the four ends are fewer than five people, so withheld
    body = response.json()
    assert (body["rows"][0]["start_people"], body["rows"][0]["average_start"]) == (8, 2.5)
    assert (body["rows"][0]["end_people"], body["rows"][0]["average_end"]) == (0, None)
    assert (body["start_count"], body["end_count"], body["pairs_with_both"]) == (8, 0, 0)
    assert (
        body["published_through"]
        == period_end(current_period() - datetime.timedelta(days=1)).isoformat()
    )


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
@pytest.mark.parametrize("operation", ["list", "create", "update", "delete"])
def test_competencies_matrix(cast, api_as, actor_name, operation):
    # given
    own = services.competency_create(
        actor=cast.manager, program_id=cast.program.pk, name="Networking", description="I connect."
    )
    before = state()
    client = api_as(cast.by_name(actor_name))
    base = f"programs/{cast.program.pk}/competencies"
    # when
    response = {
        "list": lambda: client.get(base),
        "create": lambda: client.post(base, {"name": "Influence", "description": "I persuade."}),
        "update": lambda: client.patch(f"{base}/{own.pk}", {"is_active": False}),
        "delete": lambda: client.delete(f"{base}/{own.pk}"),
    }[operation]()
    # then
    if actor_name not in MANAGERS:
        _problem(response, _manager_denied(actor_name))
        assert state() == before
        return
    expected = {"list": 200, "create": 201, "update": 200, "delete": 204}[operation]
    assert response.status_code == expected, response.content
    if operation == "list":
        assert [c["key"] for c in response.json()][-1] == "networking"
        assert [c["is_builtin"] for c in response.json()] == [True] * 6 + [False]
    elif operation == "create":
        assert response.json()["key"] == "influence"
        assert Competency.objects.filter(program=cast.program).count() == 2
    elif operation == "update":
        assert response.json()["is_active"] is False
        assert Competency.objects.get(pk=own.pk).is_active is False
    else:
        assert not Competency.objects.filter(pk=own.pk).exists()


def test_competency_of_another_programme_is_not_found(cast, api_as):
    empathy = Competency.objects.get(key="empathy")
    body = _problem(
        api_as(cast.manager).patch(
            f"programs/{cast.program.pk}/competencies/{empathy.pk}", {"name": "Mine now"}
        ),
        404,
    )
    assert body["detail"] == "No such competency in this programme."
    assert Competency.objects.get(pk=empathy.pk).name == "Empathy"


def test_competency_list_query_budget(cast, api_as, django_assert_max_num_queries):
    for n in range(5):
        services.competency_create(
            actor=cast.manager, program_id=cast.program.pk, name=f"Skill {n}", description="x"
        )
    client = api_as(cast.manager)
    with django_assert_max_num_queries(6):
        response = client.get(f"programs/{cast.program.pk}/competencies")
    assert len(response.json()) == 11
