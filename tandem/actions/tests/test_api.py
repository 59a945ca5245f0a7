import datetime

import pytest

from conftest import PAIR_ACTOR_NAMES
from tandem.actions.models import ActionItem
from tandem.actions.tests.factories import ActionItemFactory

PARTIES = {"mentor", "mentee"}


def _state() -> list[dict]:
    return list(ActionItem.objects.order_by("pk").values())


def _expected_denial(name: str) -> int:
    return 401 if name == "anonymous" else 404


def _url(pair, suffix: str = "") -> str:
    return f"relationships/{pair.relationship.pk}/actions{suffix}"


@pytest.mark.parametrize("name", PAIR_ACTOR_NAMES)
def test_list_matrix(pair, api_as, name):
    # given
    item = ActionItemFactory(relationship=pair.relationship, title="Shadow a colleague")
    ActionItemFactory(relationship=pair.other_relationship, title="Not theirs")
    # when
    response = api_as(pair.by_name(name)).get(_url(pair))
    # then
    if name in PARTIES:
        assert response.status_code == 200
        assert response.json()["count"] == 1
        row = response.json()["items"][0]
        assert datetime.datetime.fromisoformat(
            row["created_at"]
        ) - item.created_at < datetime.timedelta(milliseconds=1)
        assert row | {"created_at": None} == {
            "id": item.pk,
            "relationship_id": pair.relationship.pk,
            "title": "Shadow a colleague",
            "owner": {
                "id": pair.mentee.pk,
                "first_name": pair.mentee.first_name,
                "last_name": pair.mentee.last_name,
            },
            "due_on": None,
            "status": "open",
            "reflection": "",
            "closed_at": None,
            "created_by_id": pair.mentor.pk,
            "created_at": None,
        }
    else:
        assert response.status_code == _expected_denial(name)
        assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("name", PAIR_ACTOR_NAMES)
def test_create_matrix(pair, api_as, name):
    # when
    response = api_as(pair.by_name(name)).post(
        _url(pair),
        {"title": "Interview a colleague", "owner_id": pair.mentee.pk, "due_on": "2030-05-03"},
    )
    # then
    if name in PARTIES:
        assert response.status_code == 201
        assert list(
            ActionItem.objects.values_list("title", "owner_id", "due_on", "created_by_id")
        ) == [
            (
                "Interview a colleague",
                pair.mentee.pk,
                datetime.date(2030, 5, 3),
                pair.by_name(name).pk,
            )
        ]
        assert response.json()["id"] == ActionItem.objects.get().pk
    else:
        assert response.status_code == _expected_denial(name)
        assert _state() == []


@pytest.mark.parametrize("name", PAIR_ACTOR_NAMES)
def test_patch_close_reopen_delete_matrix(pair, api_as, name):
    # given
    item = ActionItemFactory(
        relationship=pair.relationship, owner=pair.mentee, created_by=pair.mentee
    )
    client = api_as(pair.by_name(name))
    before = _state()
    # when
    patched = client.patch(_url(pair, f"/{item.pk}"), {"title": "Renamed"})
    closed = client.post(_url(pair, f"/{item.pk}/close"), {"outcome": "done", "reflection": "ok"})
    reopened = client.post(_url(pair, f"/{item.pk}/reopen"))
    deleted = client.delete(_url(pair, f"/{item.pk}"))
    # then
    statuses = [r.status_code for r in (patched, closed, reopened, deleted)]
    if name == "mentee":
        assert statuses == [200, 200, 200, 204]
        assert _state() == []
    elif name == "mentor":
        assert statuses == [200, 200, 200, 403]
        assert ActionItem.objects.values_list("title", "status").get() == ("Renamed", "open")
    else:
        assert statuses == [_expected_denial(name)] * 4
        assert _state() == before


def test_list_filters_by_status(pair, api_as):
    # given
    ActionItemFactory(relationship=pair.relationship, title="Open one")
    closed = ActionItemFactory(relationship=pair.relationship, title="Closed one")
    api_as(pair.mentor).post(_url(pair, f"/{closed.pk}/close"), {"outcome": "not_done"})
    # when
    response = api_as(pair.mentee).get(_url(pair), {"status": "not_done"})
    # then
    assert [row["title"] for row in response.json()["items"]] == ["Closed one"]


def test_list_with_an_unknown_status_is_422(pair, api_as):
    # when
    response = api_as(pair.mentee).get(_url(pair), {"status": "later"})
    # then
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "status"


def test_patch_null_due_on_clears_it_and_missing_fields_stay(pair, api_as):
    # given
    item = ActionItemFactory(
        relationship=pair.relationship, title="Keep", due_on=datetime.date(2030, 1, 1)
    )
    # when
    response = api_as(pair.mentor).patch(_url(pair, f"/{item.pk}"), {"due_on": None})
    # then
    assert response.status_code == 200
    assert ActionItem.objects.values_list("title", "due_on").get() == ("Keep", None)


def test_create_with_an_owner_outside_the_pair_names_the_field(pair, api_as):
    # when
    response = api_as(pair.mentor).post(
        _url(pair), {"title": "X", "owner_id": pair.other_mentee.pk}
    )
    # then
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "owner_id", "message": "The owner must be the mentor or the mentee of this pair."}
    ]
    assert _state() == []


def test_close_twice_is_409(pair, api_as):
    # given
    item = ActionItemFactory(relationship=pair.relationship)
    api_as(pair.mentor).post(_url(pair, f"/{item.pk}/close"), {"outcome": "done"})
    before = _state()
    # when
    response = api_as(pair.mentee).post(_url(pair, f"/{item.pk}/close"), {"outcome": "not_done"})
    # then
    assert response.status_code == 409
    assert _state() == before


def test_list_query_budget(pair, api_as, django_assert_max_num_queries):
    # given
    for index in range(15):
        ActionItemFactory(relationship=pair.relationship, title=f"Idea {index}")
    client = api_as(pair.mentee)
    # when
    with django_assert_max_num_queries(6):
        response = client.get(_url(pair))
    # then
    assert response.json()["count"] == 15
