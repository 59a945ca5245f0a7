"""The managers' pages: /programs/<id>/health/ (the list), /relationships/<id>/health/ (one
pair), and the actions posted from them. Managers only; denials change nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.health.models import HealthNote
from tandem.health.services import health_refresh
from tandem.health.tests.helpers import ACTORS, MANAGERS, make_quiet, more_pairs, state
from tandem.notifications.models import OutboxMessage


def _denied(response, actor_name: str, url: str) -> None:
    if actor_name == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"
    else:
        assert response.status_code == (404 if actor_name == "outsider" else 403)


def _pages(pair) -> list[tuple[str, str, dict | None]]:
    program_id, relationship_id = pair.cast.program.pk, pair.relationship.pk
    return [
        ("get", reverse("health:program", args=[program_id]), None),
        ("get", reverse("health:pair", args=[relationship_id]), None),
        ("post", reverse("health:program_refresh", args=[program_id]), {}),
        ("post", reverse("health:pair", args=[relationship_id]), {"text": "Call them"}),
        ("post", reverse("health:pair_nudge", args=[relationship_id]), {}),
    ]


@pytest.mark.parametrize("actor_name", ACTORS)
@pytest.mark.parametrize("page", range(5))
def test_matrix(pair, client, actor_name, page):
    # given
    make_quiet(pair.relationship)
    health_refresh()
    before = state()
    method, url, data = _pages(pair)[page]
    user = pair.by_name(actor_name)
    if user is not None:
        client.force_login(user)
    # when
    response = client.get(url) if method == "get" else client.post(url, data)
    # then
    if actor_name in MANAGERS:
        assert response.status_code == (200 if method == "get" else 302)
    else:
        _denied(response, actor_name, url)
        assert state() == before


def test_list_page_shows_buckets_reasons_freshness_and_actions(pair, client):
    # given
    make_quiet(pair.relationship)
    health_refresh()
    client.force_login(pair.cast.manager)
    # when
    html = client.get(reverse("health:program", args=[pair.cast.program.pk])).content.decode()
    # then
    assert '<span class="badge text-bg-danger">At risk</span>' in html
    assert "nothing on the timeline for " in html
    assert "<summary>Components</summary>" in html
    assert "Scores computed" in html
    assert reverse("health:pair_nudge", args=[pair.relationship.pk]) in html
    assert reverse("relationships:status", args=[pair.relationship.pk]) in html
    # and the bucket filter narrows the list
    filtered = client.get(
        reverse("health:program", args=[pair.cast.program.pk]), {"bucket": "on_track"}
    ).content.decode()
    assert "nothing on the timeline for " not in filtered


def test_list_page_query_count_is_the_same_for_5_and_50_pairs(
    pair, client, django_assert_num_queries
):
    # given
    client.force_login(pair.cast.manager)
    url = reverse("health:program", args=[pair.cast.program.pk])
    more_pairs(pair.cast.program, 3)
    health_refresh()
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    more_pairs(pair.cast.program, 45)
    health_refresh()
    # when / then
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert response.content.decode().count("Nudge the pair") == 50


def test_pair_page_history_notes_and_nudge(pair, client):
    # given
    make_quiet(pair.relationship)
    health_refresh()
    client.force_login(pair.cast.manager)
    url = reverse("health:pair", args=[pair.relationship.pk])
    # when: a note, then a nudge (twice: the second writes nothing)
    saved = client.post(url, {"text": "Ring on Monday"})
    client.post(reverse("health:pair_nudge", args=[pair.relationship.pk]), {"back": "pair"})
    again = client.post(reverse("health:pair_nudge", args=[pair.relationship.pk]), {"back": "pair"})
    html = client.get(url).content.decode()
    # then
    assert saved.status_code == 302
    assert again["Location"] == url
    assert "Ring on Monday" in html
    assert 'data-testid="health-history"' in html
    assert OutboxMessage.objects.filter(rule="health_nudge").count() == 2


def test_an_empty_note_is_refused_and_changes_nothing(pair, client):
    # given
    client.force_login(pair.cast.manager)
    # when
    response = client.post(reverse("health:pair", args=[pair.relationship.pk]), {"text": "  "})
    # then
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not HealthNote.objects.exists()


def test_a_managers_reads_write_nothing(pair, client, api_as):
    # given
    make_quiet(pair.relationship)
    health_refresh()
    client.force_login(pair.cast.manager)
    api = api_as(pair.cast.manager)
    program_id, relationship_id = pair.cast.program.pk, pair.relationship.pk
    before = state()
    # when
    statuses = [
        client.get(reverse("health:program", args=[program_id])).status_code,
        client.get(reverse("health:pair", args=[relationship_id])).status_code,
        api.get(f"/api/v1/programs/{program_id}/health").status_code,
        api.get(f"/api/v1/programs/{program_id}/health/summary").status_code,
        api.get(f"/api/v1/relationships/{relationship_id}/health").status_code,
    ]
    # then
    assert statuses == [200] * 5
    assert state() == before
