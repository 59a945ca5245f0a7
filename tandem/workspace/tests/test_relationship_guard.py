"""Every HTML page of a pair goes through the one view guard,
`relationships.permissions.relationship_access_for_request`: the pair gets the page, everyone
else a 404 (managers too, but for the lifecycle page), and nobody signed out gets past login."""

import pytest
from django.urls import reverse

from conftest import PAIR_ACTOR_NAMES
from tandem.relationships.models import Relationship

# (url name, whether the programme's managers may use it)
PAGES = [
    ("workspace:detail", False),
    ("actions:list", False),
    ("agreements:detail", False),
    ("assessments:page", False),
    ("feedback:list", False),
    ("goals:list", False),
    ("journals:list", False),
    ("journeys:relationship", False),
    ("meetings:list", False),
    ("relationships:status", True),
]


def _state() -> list[tuple]:
    return list(Relationship.objects.order_by("pk").values_list("pk", "status", "updated_at"))


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
@pytest.mark.parametrize(("url_name", "managers_too"), PAGES, ids=[p[0] for p in PAGES])
def test_each_pair_page_answers_the_pair_and_hides_the_relationship_from_everyone_else(
    client, pair, actor_name, url_name, managers_too
):
    # given someone of the matrix, signed in unless anonymous
    actor = pair.by_name(actor_name)
    if actor is not None:
        client.force_login(actor)
    before = _state()
    # when they open the pair's page
    response = client.get(reverse(url_name, args=[pair.relationship.pk]))
    # then the pair (and, for the lifecycle page, its managers) get it; others a 404
    if actor is None:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    else:
        allowed = {"mentor", "mentee"} | ({"manager", "admin"} if managers_too else set())
        assert response.status_code == (200 if actor_name in allowed else 404)
    # and reading changed nothing
    assert _state() == before


@pytest.mark.parametrize(("url_name", "managers_too"), PAGES, ids=[p[0] for p in PAGES])
def test_a_relationship_that_does_not_exist_is_a_404_like_one_that_is_not_yours(
    client, pair, url_name, managers_too
):
    # given the mentor, when they ask for a relationship id nobody has
    client.force_login(pair.mentor)
    missing = Relationship.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
    response = client.get(reverse(url_name, args=[missing]))
    # then it is the same 404 as someone else's
    assert response.status_code == 404
