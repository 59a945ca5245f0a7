import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from conftest import PAIR_ACTOR_NAMES
from tandem.goals.models import Goal, GoalChange, Milestone
from tandem.goals.tests.conftest import goals_state
from tandem.goals.tests.factories import GoalFactory, MilestoneFactory, in_days


def _iso(value) -> str | None:
    return None if value is None else DjangoJSONEncoder().default(value)


# (name, method, path under relationships/{rid}/goals, payload, mentee status, mentor status)
ENDPOINTS = [
    ("list", "get", "", None, 200, 200),
    ("create", "post", "", {"title": "T", "measure": "M", "target_on": "{future}"}, 201, 403),
    (
        "suggest",
        "post",
        "/suggestions",
        {"title": "T", "measure": "M", "target_on": "{future}"},
        409,
        201,
    ),
    ("get", "get", "/{active}", None, 200, 200),
    ("patch", "patch", "/{active}", {"title": "New"}, 200, 403),
    ("accept", "post", "/{suggested}/accept", None, 200, 403),
    ("decline", "post", "/{suggested}/decline", None, 200, 403),
    ("achieve", "post", "/{active}/achieve", None, 200, 403),
    ("drop", "post", "/{active}/drop", None, 200, 403),
    ("reopen", "post", "/{achieved}/reopen", None, 200, 403),
    ("comments", "get", "/{active}/comments", None, 200, 200),
    ("comment", "post", "/{active}/comments", {"body": "Nice"}, 201, 201),
    ("history", "get", "/{active}/history", None, 200, 200),
    ("milestone_create", "post", "/{active}/milestones", {"title": "Step"}, 201, 403),
    ("milestone_patch", "patch", "/{active}/milestones/{open}", {"title": "Step 2"}, 200, 403),
    ("milestone_delete", "delete", "/{active}/milestones/{open}", None, 204, 403),
    ("milestone_complete", "post", "/{active}/milestones/{open}/complete", None, 200, 403),
    ("milestone_reopen", "post", "/{active}/milestones/{done}/reopen", None, 200, 403),
]


def _call(client, goals, pair, method, path, payload):
    path = path.format(
        active=goals.active.pk,
        suggested=goals.suggested.pk,
        achieved=goals.achieved.pk,
        open=goals.open_milestone.pk,
        done=goals.done_milestone.pk,
    )
    url = f"relationships/{pair.relationship.pk}/goals{path}"
    if payload is not None:
        payload = {
            k: (in_days(10).isoformat() if v == "{future}" else v) for k, v in payload.items()
        }
    if method == "delete":
        return client.delete(url)
    return getattr(client, method)(url, payload)


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
@pytest.mark.parametrize(
    ("endpoint", "method", "path", "payload", "mentee_status", "mentor_status"),
    ENDPOINTS,
    ids=[e[0] for e in ENDPOINTS],
)
def test_goal_endpoints_authorization_matrix(
    pair, goals, api_as, actor_name, endpoint, method, path, payload, mentee_status, mentor_status
):
    # given
    client = api_as(pair.by_name(actor_name))
    before = goals_state()
    # when
    response = _call(client, goals, pair, method, path, payload)
    # then
    expected = {"anonymous": 401, "mentee": mentee_status, "mentor": mentor_status}.get(
        actor_name, 404
    )
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert goals_state() == before
    elif method != "get":
        assert goals_state() != before


def test_mentor_edit_is_refused_with_a_clear_message(pair, goals, api_as):
    # when
    response = api_as(pair.mentor).patch(
        f"relationships/{pair.relationship.pk}/goals/{goals.active.pk}", {"title": "Mine"}
    )
    # then
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Goals belong to the mentee: as the mentor you can suggest a goal or comment on one, "
        "but not change it."
    )


def test_goal_shape_with_milestones_and_progress(pair, goals, api_as):
    # when
    response = api_as(pair.mentor).get(
        f"relationships/{pair.relationship.pk}/goals/{goals.active.pk}"
    )
    # then
    goal = Goal.objects.get(pk=goals.active.pk)
    opened, done = goals.open_milestone, Milestone.objects.get(pk=goals.done_milestone.pk)
    mentee = pair.mentee
    assert response.json() == {
        "id": goal.pk,
        "relationship_id": pair.relationship.pk,
        "title": "Lead a team meeting",
        "measure": "Chair two meetings",
        "target_on": in_days(60).isoformat(),
        "status": "active",
        "progress_mode": "derived",
        "manual_progress": 0,
        "progress": 50,
        "created_by": {"id": mentee.pk, "name": mentee.get_full_name()},
        "achieved_at": None,
        "order": 0,
        "created_at": _iso(goal.created_at),
        "updated_at": _iso(goal.updated_at),
        "milestones": [
            {
                "id": opened.pk,
                "goal_id": goal.pk,
                "title": "Agenda",
                "due_on": in_days(7).isoformat(),
                "done_at": None,
                "done_by": None,
                "order": 0,
            },
            {
                "id": done.pk,
                "goal_id": goal.pk,
                "title": "Ask",
                "due_on": in_days(3).isoformat(),
                "done_at": _iso(done.done_at),
                "done_by": {"id": mentee.pk, "name": mentee.get_full_name()},
                "order": 1,
            },
        ],
    }


def test_create_with_a_past_target_date_names_the_field(pair, api_as):
    # given
    before = goals_state()
    # when
    response = api_as(pair.mentee).post(
        f"relationships/{pair.relationship.pk}/goals",
        {"title": "T", "measure": "M", "target_on": in_days(-3).isoformat()},
    )
    # then
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["target_on"]
    assert goals_state() == before


def test_list_filters_by_status_and_hides_declined_by_default(pair, goals, api_as):
    # given
    client = api_as(pair.mentee)
    base = f"relationships/{pair.relationship.pk}/goals"
    client.post(f"{base}/{goals.suggested.pk}/decline")
    # when
    everything = client.get(base).json()
    declined = client.get(base, {"status": "declined"}).json()
    # then
    assert [g["title"] for g in everything["items"]] == ["Lead a team meeting", "Read a book"]
    assert [g["title"] for g in declined["items"]] == ["Present at the town hall"]


def test_milestone_patch_clears_the_due_date_only_when_sent(pair, goals, api_as):
    # given
    client = api_as(pair.mentee)
    url = (
        f"relationships/{pair.relationship.pk}/goals/{goals.active.pk}"
        f"/milestones/{goals.open_milestone.pk}"
    )
    # when
    kept = client.patch(url, {"title": "Agenda sent"}).json()
    cleared = client.patch(url, {"due_on": None}).json()
    # then
    assert (kept["title"], kept["due_on"]) == ("Agenda sent", in_days(7).isoformat())
    assert (cleared["title"], cleared["due_on"]) == ("Agenda sent", None)


def test_history_lists_changes_newest_first(pair, goals, api_as):
    # when
    response = api_as(pair.mentor).get(
        f"relationships/{pair.relationship.pk}/goals/{goals.active.pk}/history"
    )
    # then
    rows = response.json()["items"]
    assert [(r["field"], r["subject"]) for r in rows] == [
        ("milestone_done", "Ask"),
        ("milestone_added", "Ask"),
        ("milestone_added", "Agenda"),
        ("created", ""),
    ]
    assert rows[0]["description"] == "reached the milestone “Ask”"
    assert rows[0]["actor"] == {"id": pair.mentee.pk, "name": pair.mentee.get_full_name()}
    assert GoalChange.objects.filter(goal=goals.active).count() == 4


def _many_goals(pair, count: int = 6) -> None:
    for _ in range(count):
        goal = GoalFactory(relationship=pair.relationship, created_by=pair.mentee)
        for n in range(3):
            done = n > 0
            MilestoneFactory(
                goal=goal,
                done_by=pair.mentee if done else None,
                done_at=timezone.now() if done else None,
            )


def test_list_query_budget(pair, goals, api_as, django_assert_max_num_queries):
    # given
    _many_goals(pair)
    client = api_as(pair.mentor)
    # when
    with django_assert_max_num_queries(7):
        response = client.get(f"relationships/{pair.relationship.pk}/goals")
    # then
    assert response.json()["count"] == 9


def test_comments_and_history_query_budget(pair, goals, api_as, django_assert_max_num_queries):
    # given
    client = api_as(pair.mentee)
    base = f"relationships/{pair.relationship.pk}/goals/{goals.active.pk}"
    for n in range(5):
        client.post(f"{base}/comments", {"body": f"Comment {n}"})
        client.patch(base, {"title": f"Title {n}"})
    # when
    with django_assert_max_num_queries(7):
        comments = client.get(f"{base}/comments")
    with django_assert_max_num_queries(7):
        history = client.get(f"{base}/history")
    # then
    assert comments.json()["count"] == 5
    assert history.json()["count"] == 9
