import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import PAIR_ACTOR_NAMES
from tandem.actions.models import ActionItem
from tandem.actions.tests.factories import ActionItemFactory
from tandem.relationships.services import relationship_transition

HTMX = {"HX-Request": "true"}
PARTIES = {"mentor", "mentee"}


def _state() -> list[dict]:
    return list(ActionItem.objects.order_by("pk").values())


def _login(client, pair, name):
    user = pair.by_name(name)
    if user is not None:
        client.force_login(user)
    return user


def _assert_denied(response, name, url):
    if name == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("name", PAIR_ACTOR_NAMES)
def test_list_page_matrix(pair, client, name):
    # given
    ActionItemFactory(relationship=pair.relationship, title="Practise listening")
    _login(client, pair, name)
    url = reverse("actions:list", args=[pair.relationship.pk])
    # when
    response = client.get(url)
    # then
    if name in PARTIES:
        html = response.content.decode()
        assert response.status_code == 200
        assert "Practise listening" in html
        assert 'data-testid="add-action"' in html
        assert 'data-testid="close-action"' in html
        assert f'href="/relationships/{pair.relationship.pk}/"' in html
    else:
        _assert_denied(response, name, url)


@pytest.mark.parametrize("name", PAIR_ACTOR_NAMES)
def test_create_matrix(pair, client, name):
    # given
    _login(client, pair, name)
    # when
    response = client.post(
        reverse("actions:create", args=[pair.relationship.pk]),
        {"title": "Research a certification", "owner": pair.mentee.pk, "due_on": "2030-05-03"},
        headers=HTMX,
    )
    # then
    if name in PARTIES:
        assert response.status_code == 200
        assert "Research a certification" in response.content.decode()
        assert list(ActionItem.objects.values_list("title", "owner_id", "due_on")) == [
            ("Research a certification", pair.mentee.pk, datetime.date(2030, 5, 3))
        ]
    else:
        _assert_denied(response, name, "")
        assert _state() == []


@pytest.mark.parametrize("name", PAIR_ACTOR_NAMES)
def test_close_reopen_delete_matrix(pair, client, name):
    # given
    item = ActionItemFactory(
        relationship=pair.relationship, owner=pair.mentee, created_by=pair.mentee
    )
    _login(client, pair, name)
    before = _state()
    args = [pair.relationship.pk, item.pk]
    # when
    closed = client.post(
        reverse("actions:close", args=args),
        {"outcome": "done", "reflection": "Felt easier"},
        headers=HTMX,
    )
    after_close = _state()
    reopened = client.post(reverse("actions:reopen", args=args), headers=HTMX)
    deleted = client.post(reverse("actions:delete", args=args), headers=HTMX)
    # then
    if name in PARTIES:
        assert [closed.status_code, reopened.status_code, deleted.status_code] == [200, 200, 200]
        assert (after_close[0]["status"], after_close[0]["reflection"]) == ("done", "Felt easier")
        if name == "mentee":
            assert _state() == []
        else:
            assert (
                "Only the person who agreed this action or its owner can delete it."
                in deleted.content.decode()
            )
            assert ActionItem.objects.get().status == "open"
    else:
        for response in (closed, reopened, deleted):
            _assert_denied(response, name, "")
        assert _state() == before


def test_create_with_an_empty_title_shows_the_error_inline_and_writes_nothing(pair, client):
    # given
    client.force_login(pair.mentor)
    # when
    response = client.post(
        reverse("actions:create", args=[pair.relationship.pk]),
        {"title": "", "owner": pair.mentee.pk},
        headers=HTMX,
    )
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_title_error"' in html
    assert _state() == []


def test_create_without_htmx_redirects_and_refuses_with_400(pair, client):
    # given
    client.force_login(pair.mentor)
    url = reverse("actions:create", args=[pair.relationship.pk])
    # when
    ok = client.post(url, {"title": "Ask one open question", "owner": pair.mentor.pk})
    bad = client.post(url, {"title": "", "owner": pair.mentor.pk})
    # then
    assert ok.status_code == 302
    assert ok["Location"] == reverse("actions:list", args=[pair.relationship.pk])
    assert bad.status_code == 400
    assert ActionItem.objects.count() == 1


def test_overdue_actions_are_flagged(pair, client):
    # given
    ActionItemFactory(
        relationship=pair.relationship,
        title="Late one",
        due_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    client.force_login(pair.mentee)
    # when
    response = client.get(reverse("actions:list", args=[pair.relationship.pk]))
    # then
    assert response.content.decode().count(">Overdue</span>") == 1


def test_completed_relationship_shows_the_record_without_forms(pair, client):
    # given
    ActionItemFactory(relationship=pair.relationship, title="Kept")
    relationship_transition(
        actor=pair.mentor, relationship_id=pair.relationship.pk, action="complete"
    )
    client.force_login(pair.mentee)
    # when
    response = client.get(reverse("actions:list", args=[pair.relationship.pk]))
    # then
    html = response.content.decode()
    assert "Kept" in html
    assert 'data-testid="add-action"' not in html
    assert "its actions are kept as a record" in html


def test_list_page_query_budget(pair, client, django_assert_max_num_queries):
    # given
    for index in range(12):
        ActionItemFactory(
            relationship=pair.relationship,
            title=f"Open {index}",
            due_on=datetime.date(2030, 1, index + 1),
        )
    for index in range(12):
        item = ActionItemFactory(relationship=pair.relationship, title=f"Closed {index}")
        ActionItem.objects.filter(pk=item.pk).update(
            status="done", closed_at=timezone.now(), reflection="noticed"
        )
    client.force_login(pair.mentor)
    # when
    with django_assert_max_num_queries(10):
        response = client.get(reverse("actions:list", args=[pair.relationship.pk]))
    # then
    html = response.content.decode()
    assert html.count('data-testid="close-action"') == 12
    assert html.count('data-testid="reopen-action"') == 12
