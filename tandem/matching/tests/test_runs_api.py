"""The bulk matching API: an authorization matrix on every endpoint, shapes, errors, budgets."""

import pytest
from django.core import mail
from django.core.serializers.json import DjangoJSONEncoder

from conftest import ACTOR_NAMES
from tandem.matching.models import (
    MatchingSettings,
    MatchProposal,
    MatchRun,
    PairRule,
    RunStatus,
)
from tandem.matching.runs import services as runs
from tandem.matching.tests.factories import MatchRunFactory
from tandem.matching.tests.test_runs import ALL_ROWS, _rows, _start, _team
from tandem.matching.tests.test_runs_views import _large_draft
from tandem.participants.models import Participant
from tandem.relationships.models import Relationship


def _iso(value) -> str | None:
    return None if value is None else DjangoJSONEncoder().default(value)


def _assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    return body


def _person(participant: Participant) -> dict:
    user = participant.user
    return {
        "participant_id": participant.pk,
        "user_id": user.pk,
        "name": user.full_name,
        "email": user.email,
    }


def _state() -> list[list[dict]]:
    return _rows(*ALL_ROWS, MatchingSettings, Participant)


def _endpoints(team, run) -> dict[str, tuple[str, str, dict | None, int]]:
    """name -> (method, path, body, status when allowed)."""
    program, ada, bob = team.program.pk, team.ada, team.bob
    first = MatchProposal.objects.get(run=run, mentee=ada).pk
    second = MatchProposal.objects.get(run=run, mentee=bob).pk
    return {
        "settings_get": ("get", f"programs/{program}/matching/settings", None, 200),
        "settings_put": (
            "put",
            f"programs/{program}/matching/settings",
            {"weights": {"skills": 5}, "department": "same"},
            200,
        ),
        "run_start": (
            "post",
            f"programs/{program}/matching/runs",
            {"objective": "stable", "seed": 4},
            202,
        ),
        "run_list": ("get", f"programs/{program}/matching/runs", None, 200),
        "run_get": ("get", f"matching/runs/{run.pk}", None, 200),
        "proposal_list": ("get", f"matching/runs/{run.pk}/proposals", None, 200),
        "proposal_add": (
            "post",
            f"matching/runs/{run.pk}/proposals",
            {"mentee_id": team.cy.pk, "mentor_id": team.linus.pk},
            201,
        ),
        "unmatched_list": ("get", f"matching/runs/{run.pk}/unmatched", None, 200),
        "pin": ("post", f"matching/runs/{run.pk}/proposals/{first}/pin", None, 200),
        "unpin": ("post", f"matching/runs/{run.pk}/proposals/{first}/unpin", None, 200),
        "remove": ("post", f"matching/runs/{run.pk}/proposals/{first}/remove", None, 200),
        "swap": ("post", f"matching/runs/{run.pk}/swap", {"a": first, "b": second}, 200),
        "rerun": ("post", f"matching/runs/{run.pk}/rerun", None, 202),
        "publish": ("post", f"matching/runs/{run.pk}/publish", None, 200),
        "discard": ("post", f"matching/runs/{run.pk}/discard", None, 200),
    }


ENDPOINTS = [
    "settings_get",
    "settings_put",
    "run_start",
    "run_list",
    "run_get",
    "proposal_list",
    "proposal_add",
    "unmatched_list",
    "pin",
    "unpin",
    "remove",
    "swap",
    "rerun",
    "publish",
    "discard",
]
DENIED = {"anonymous": 401, "outsider": 404, "member": 403, "mentee": 403, "mentor": 403}
DENIED["other_manager"] = 403


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_endpoint_matrix(
    cast, api_as, django_capture_on_commit_callbacks, endpoint, actor_name
):
    # given a draft (Bob's pair taken out, freeing Linus, to add one by hand; Ada's pinned
    # to unpin it)
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    method, path, body, allowed = _endpoints(team, run)[endpoint]
    if endpoint == "proposal_add":
        bob = MatchProposal.objects.get(run=run, mentee=team.bob)
        runs.match_proposal_remove(actor=cast.manager, run_id=run.pk, proposal_id=bob.pk)
    if endpoint == "unpin":
        ada = MatchProposal.objects.get(run=run, mentee=team.ada)
        runs.match_proposal_pin(actor=cast.manager, run_id=run.pk, proposal_id=ada.pk)
    client = api_as(cast.by_name(actor_name))
    before = _state()
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = getattr(client, method)(path, body)
    # then
    if actor_name in DENIED:
        _assert_problem(response, DENIED[actor_name])
        assert _state() == before
        assert callbacks == []
        assert mail.outbox == []
        return
    assert response.status_code == allowed, response.content
    if method == "get":
        assert _state() == before
    else:
        assert _state() != before


# --- shapes ------------------------------------------------------------------------------


def test_run_shape(cast, api_as, django_capture_on_commit_callbacks):
    # given
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    # when
    body = api_as(cast.manager).get(f"matching/runs/{run.pk}").json()
    # then
    run.refresh_from_db()
    assert body == {
        "id": run.pk,
        "program_id": team.program.pk,
        "objective": "total",
        "status": "draft",
        "seed": 0,
        "progress": 100,
        "weights": run.weights,
        "rules": run.rules,
        "statistics": run.statistics,
        "certified_gap": 0.0,
        "error": "",
        "created_by": cast.manager.pk,
        "created_at": _iso(run.created_at),
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "published_at": None,
    }
    assert body["statistics"]["matched"] == 2


def test_starting_a_run_answers_202_with_the_run_to_poll(
    cast, api_as, django_capture_on_commit_callbacks
):
    # given
    team = _team(cast)
    client = api_as(cast.manager)
    # when (the task has not run yet)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            f"programs/{team.program.pk}/matching/runs", {"objective": "fair", "seed": 9}
        )
    # then
    assert response.status_code == 202
    body = response.json()
    run = MatchRun.objects.get()
    assert (body["id"], body["status"], body["progress"], body["seed"], body["statistics"]) == (
        run.pk,
        "queued",
        0,
        9,
        None,
    )
    assert len(callbacks) == 1
    # when the worker runs it, polling shows the draft
    callbacks[0]()
    polled = client.get(f"matching/runs/{run.pk}").json()
    assert (polled["status"], polled["progress"]) == ("draft", 100)


def test_proposals_and_unmatched_shapes(cast, api_as, django_capture_on_commit_callbacks):
    # given
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    client = api_as(cast.manager)
    # when
    proposals = client.get(f"matching/runs/{run.pk}/proposals", {"sort": "mentee"}).json()
    unmatched = client.get(f"matching/runs/{run.pk}/unmatched").json()
    # then
    ada = MatchProposal.objects.get(run=run, mentee=team.ada)
    bob = MatchProposal.objects.get(run=run, mentee=team.bob)
    assert proposals["count"] == 2
    assert [row["id"] for row in proposals["items"]] == [bob.pk, ada.pk]  # Byte < Lovelace
    assert proposals["items"][1] == {
        "id": ada.pk,
        "mentor": _person(team.grace),
        "mentee": _person(team.ada),
        "score": 6.0,
        "contributions": ada.contributions,
        "reasons": ada.reasons,
        "is_pinned": False,
    }
    assert unmatched == {
        "count": 1,
        "items": [
            {
                "mentee": _person(team.cy),
                "reason": "no_capacity_left",
                "detail": "All allowed mentors are full.",
            }
        ],
    }
    searched = client.get(f"matching/runs/{run.pk}/proposals", {"search": "torvalds"}).json()
    assert [row["id"] for row in searched["items"]] == [bob.pk]
    bad_sort = client.get(f"matching/runs/{run.pk}/proposals", {"sort": "random"})
    assert _assert_problem(bad_sort, 422)["errors"][0]["field"] == "sort"


def test_settings_shape_and_update(cast, api_as):
    # given
    from tandem.programs.models import QuestionKind
    from tandem.programs.tests.factories import EnrollmentQuestionFactory

    question = EnrollmentQuestionFactory(
        program=cast.program,
        kind=QuestionKind.SINGLE_CHOICE,
        choices=["A", "B"],
        use_for_matching=True,
        prompt="Style?",
    )
    client = api_as(cast.manager)
    path = f"programs/{cast.program.pk}/matching/settings"
    # when
    default = client.get(path).json()
    updated = client.put(
        path,
        {
            "weights": {"goals": 5},
            "question_modes": {str(question.pk): "different"},
            "requests_need_approval": True,
        },
    )
    # then
    assert default == {
        "weights": {
            "skills": 4,
            "goals": 2,
            "seniority": 2,
            "department": 1,
            "timezone": 2,
            "language": 1,
            "questions": 2,
        },
        "seniority_gap_min": 1,
        "seniority_gap_max": 3,
        "department": "different",
        "require_shared_language": False,
        "questions": [
            {
                "question_id": question.pk,
                "prompt": "Style?",
                "kind": "single_choice",
                "mode": "same",
                "modes": ["same", "different"],
            }
        ],
        "allow_self_matching": True,
        "requests_need_approval": False,
        # by default the mentor's accept starts the pair
        "accepted_requests_need_kickoff": False,
        "request_expiry_days": 14,
    }
    assert updated.status_code == 200
    body = updated.json()
    assert body["weights"]["goals"] == 5
    assert body["questions"][0]["mode"] == "different"
    assert body["requests_need_approval"] is True
    stored = MatchingSettings.objects.get(program=cast.program)
    assert (stored.weights["goals"], stored.rules["questions"]) == (
        5,
        {str(question.pk): "different"},
    )


def test_settings_errors_are_problem_json_and_change_nothing(cast, api_as):
    response = api_as(cast.manager).put(
        f"programs/{cast.program.pk}/matching/settings",
        {"weights": {"skills": 6}, "request_expiry_days": 400},
    )
    assert _assert_problem(response, 400) == {
        "type": "https://tandem.example/problems/invalid-input",
        "title": "Some of the input is not valid",
        "status": 400,
        "detail": "The weight of skills must be a whole number from 0 to 5. Requests expire after "
        "1 to 90 days.",
        "errors": [
            {
                "field": "weights.skills",
                "message": "The weight of skills must be a whole number from 0 to 5.",
            },
            {"field": "request_expiry_days", "message": "Requests expire after 1 to 90 days."},
        ],
    }
    assert MatchingSettings.objects.count() == 0


def test_swap_conflict_is_409_and_changes_nothing(cast, api_as, django_capture_on_commit_callbacks):
    # given Ada may never pair with Linus
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    PairRule.objects.create(
        program=team.program, mentor=team.linus, mentee=team.ada, kind="exclude"
    )
    first = MatchProposal.objects.get(run=run, mentee=team.ada)
    second = MatchProposal.objects.get(run=run, mentee=team.bob)
    before = _state()
    # when
    response = api_as(cast.manager).post(
        f"matching/runs/{run.pk}/swap", {"a": first.pk, "b": second.pk}
    )
    # then
    assert _assert_problem(response, 409)["errors"] == [
        {
            "field": "pair",
            "message": "Linus Torvalds and Ada Lovelace: a manager said never to pair them.",
        }
    ]
    assert _state() == before


def test_swap_answers_both_pairs(cast, api_as, django_capture_on_commit_callbacks):
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    first = MatchProposal.objects.get(run=run, mentee=team.ada)
    second = MatchProposal.objects.get(run=run, mentee=team.bob)
    body = (
        api_as(cast.manager)
        .post(f"matching/runs/{run.pk}/swap", {"a": first.pk, "b": second.pk})
        .json()
    )
    assert [(row["mentee"]["participant_id"], row["mentor"]["participant_id"]) for row in body] == [
        (team.ada.pk, team.linus.pk),
        (team.bob.pk, team.grace.pk),
    ]


def test_publish_through_the_api(cast, api_as, django_capture_on_commit_callbacks):
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(cast.admin).post(f"matching/runs/{run.pk}/publish")
    body = response.json()
    assert (response.status_code, body["status"]) == (200, "published")
    assert body["published_at"] is not None
    assert Relationship.objects.filter(program=team.program, source="bulk").count() == 2
    assert len(mail.outbox) == 4
    again = api_as(cast.admin).post(f"matching/runs/{run.pk}/publish")
    assert (
        _assert_problem(again, 409)["detail"] == "This run cannot be published: it is 'published'."
    )


def test_a_run_of_another_programme_is_not_found_by_id(cast, api_as):
    run = MatchRunFactory(status=RunStatus.DRAFT)  # another organisation's programme
    _assert_problem(api_as(cast.admin).get(f"matching/runs/{run.pk}"), 404)
    _assert_problem(api_as(cast.admin).get("matching/runs/999999"), 404)


# --- query budgets -----------------------------------------------------------------------


def test_run_list_query_budget(cast, api_as, django_assert_max_num_queries):
    for _ in range(25):
        MatchRunFactory(program=cast.program, created_by=cast.manager)
    client = api_as(cast.manager)
    with django_assert_max_num_queries(8):
        response = client.get(f"programs/{cast.program.pk}/matching/runs", {"limit": 20})
    body = response.json()
    assert (body["count"], len(body["items"])) == (25, 20)


def test_proposal_and_unmatched_lists_query_budget(cast, api_as, django_assert_max_num_queries):
    run = _large_draft(cast.program)
    client = api_as(cast.manager)
    with django_assert_max_num_queries(9):
        proposals = client.get(f"matching/runs/{run.pk}/proposals", {"limit": 100, "offset": 500})
    with django_assert_max_num_queries(9):
        unmatched = client.get(f"matching/runs/{run.pk}/unmatched", {"limit": 100})
    assert (proposals.json()["count"], len(proposals.json()["items"])) == (2000, 100)
    assert (unmatched.json()["count"], len(unmatched.json()["items"])) == (40, 40)
