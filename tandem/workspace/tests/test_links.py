"""Links on a pair's pages are built by their owners (`{% url %}`, `reverse`): every internal
link each page renders, for either person of the pair, resolves to a view."""

import re

import pytest
from django.urls import Resolver404, resolve, reverse

from tandem.workspace.tests.test_relationship_guard import PAGES

LINK = re.compile(r'href="(/[^"#?]*)')


@pytest.mark.parametrize("side", ["mentor", "mentee"])
@pytest.mark.parametrize("url_name", [name for name, _ in PAGES])
def test_every_internal_link_on_a_pair_page_resolves(client, pair, side, url_name):
    # given one of the pair, signed in
    client.force_login(getattr(pair, side))
    # when they open the page
    response = client.get(reverse(url_name, args=[pair.relationship.pk]))
    assert response.status_code == 200
    links = set(LINK.findall(response.content.decode()))
    # then it links back to the pair's workspace, and every link it renders has a view
    assert reverse("workspace:detail", args=[pair.relationship.pk]) in links | {
        reverse(url_name, args=[pair.relationship.pk])
    }
    dead = []
    for link in sorted(links):
        if link.startswith(("/static/", "/api/v1/")):
            continue
        try:
            resolve(link)
        except Resolver404:
            dead.append(link)
    assert dead == []
