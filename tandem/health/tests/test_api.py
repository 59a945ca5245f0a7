"""/api/v1/programs/{id}/health…, /api/v1/relationships/{id}/health…: managers only, the
whole response checked, query budgets flat in the number of pairs, denials change nothing."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.core.aggregates import week_of
from tandem.health.models import HealthNote
from tandem.health.services import health_refresh
from tandem.health.tests.helpers import ACTORS, MANAGERS, make_quiet, more_pairs, state
from tandem.notifications.models import OutboxMessage


def _denied(response, actor_name: str) -> None:
    if actor_name == "anonymous":
        assert response.status_code == 401
    else:
        assert response.status_code == (404 if actor_name == "outsider" else 403)
    assert response.headers["Content-Type"] == "application/problem+json"


def _endpoints(pair) -> list[tuple[str, str, dict | None]]:
    program_id, relationship_id = pair.cast.program.pk, pair.relationship.pk
    return [
        ("get", f"/api/v1/programs/{program_id}/health", None),
        ("get", f"/api/v1/programs/{program_id}/health/summary", None),
        ("post", f"/api/v1/programs/{program_id}/health/refresh", {}),
        ("get", f"/api/v1/relationships/{relationship_id}/health", None),
        ("post", f"/api/v1/relationships/{relationship_id}/health/nudge", {}),
        ("post", f"/api/v1/relationships/{relationship_id}/health/notes", {"text": "Call her"}),
    ]


@pytest.mark.parametrize("actor_name", ACTORS)
@pytest.mark.parametrize("endpoint", range(6))
def test_matrix(pair, api_as, actor_name, endpoint):
    # given
    make_quiet(pair.relationship)
    health_refresh()
    before = state()
    method, url, body = _endpoints(pair)[endpoint]
    client = api_as(pair.by_name(actor_name))
    # when
    response = client.get(url) if method == "get" else client.post(url, body)
    # then
    if actor_name in MANAGERS:
        assert response.status_code in (200, 201), response.content
    else:
        _denied(response, actor_name)
        assert state() == before


def test_list_shows_each_score_with_its_components(pair, api_as):
    # given: the pair under test quiet for 50 days, never met; the other pair new. Managers
    # know activity by the week: 50 days back is 7 or 8 week-starts back, by today's weekday
    make_quiet(pair.relationship)
    now = timezone.now()
    quiet = (week_of(now) - week_of(now - datetime.timedelta(days=50))).days
    quiet_points = min(50, (quiet - 14) * 5 // 4)
    health_refresh(now=now)
    # when
    response = api_as(pair.cast.manager).get(f"/api/v1/programs/{pair.cast.program.pk}/health")
    # then: worst first
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 2
    first, second = body["items"]
    assert first == {
        "relationship_id": pair.relationship.pk,
        "status": "active",
        "mentor": {"user_id": pair.mentor.pk, "name": pair.mentor.display_name},
        "mentee": {"user_id": pair.mentee.pk, "name": pair.mentee.display_name},
        "score": 100 - quiet_points - 20,
        "bucket": "at_risk",
        "bucket_label": "At risk",
        "sentence": f"nothing on the timeline for {quiet // 7} weeks; "
        "no meeting held in 50 days since the start; agreed every month",
        "components": [
            {
                "key": "quiet",
                "points": quiet_points,
                "text": f"nothing on the timeline for {quiet // 7} weeks",
            },
            {
                "key": "cadence",
                "points": 10,
                "text": "no meeting held in 50 days since the start; agreed every month",
            },
            {"key": "goals", "points": 10, "text": "no goal set yet"},
        ],
        "computed_at": first["computed_at"],
    }
    shown = datetime.datetime.fromisoformat(first["computed_at"])
    assert datetime.timedelta(0) <= now - shown < datetime.timedelta(milliseconds=1)
    assert (second["relationship_id"], second["bucket"], second["sentence"]) == (
        pair.other_relationship.pk,
        "too_early",
        "started 0 days ago",
    )


def test_list_filters_by_bucket_and_summary_counts(pair, api_as):
    # given
    make_quiet(pair.relationship)
    health_refresh()
    client = api_as(pair.cast.manager)
    program_id = pair.cast.program.pk
    # when
    at_risk = client.get(f"/api/v1/programs/{program_id}/health", params={"bucket": "at_risk"})
    summary = client.get(f"/api/v1/programs/{program_id}/health/summary")
    # then
    assert [item["relationship_id"] for item in at_risk.json()["items"]] == [pair.relationship.pk]
    body = summary.json()
    assert body["buckets"] == {"at_risk": 1, "needs_checkin": 0, "on_track": 0, "too_early": 1}
    assert (body["program_id"], body["unscored"]) == (program_id, 0)
    assert body["computed_at"] is not None


def test_list_query_count_is_the_same_for_5_and_50_pairs(pair, api_as, django_assert_num_queries):
    # given
    client = api_as(pair.cast.manager)
    url = f"/api/v1/programs/{pair.cast.program.pk}/health"
    more_pairs(pair.cast.program, 3)
    health_refresh()
    client.get(url)  # the token's first use of the day is written once
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).json()["count"] == 5
    more_pairs(pair.cast.program, 45)
    health_refresh()
    # when / then
    with django_assert_num_queries(len(few)):
        assert client.get(url).json()["count"] == 50


def test_nudge_enqueues_once_a_day_for_both(pair, api_as):
    # given
    client = api_as(pair.cast.manager)
    url = f"/api/v1/relationships/{pair.relationship.pk}/health/nudge"
    # when
    first = client.post(url, {})
    second = client.post(url, {})
    # then
    assert first.json() == {"enqueued": 2}
    assert second.json() == {"enqueued": 0}
    keys = sorted(OutboxMessage.objects.filter(rule="health_nudge").values_list("key", flat=True))
    assert [key.rsplit(":", 2)[0] for key in keys] == [f"health_nudge:{pair.relationship.pk}"] * 2
    assert {int(key.split(":")[2]) for key in keys} == {pair.mentor.pk, pair.mentee.pk}


@pytest.mark.parametrize(
    ("text", "status"), [("", 422), ("   ", 400), ("x" * 2001, 422), ("Call them Monday", 201)]
)
def test_note_is_checked(pair, api_as, text, status):
    # when
    response = api_as(pair.cast.manager).post(
        f"/api/v1/relationships/{pair.relationship.pk}/health/notes", {"text": text}
    )
    # then
    assert response.status_code == status
    if status == 201:
        assert response.json()["text"] == text
        assert list(HealthNote.objects.values_list("text", flat=True)) == [text]
    else:
        assert response.json()["errors"][0]["field"].endswith("text")
        assert not HealthNote.objects.exists()


def test_pair_health_shows_history_and_notes(pair, api_as):
    # given
    make_quiet(pair.relationship)
    health_refresh()
    client = api_as(pair.cast.manager)
    client.post(f"/api/v1/relationships/{pair.relationship.pk}/health/notes", {"text": "Ring"})
    # when
    body = client.get(f"/api/v1/relationships/{pair.relationship.pk}/health").json()
    # then
    assert body["current"]["bucket"] == "at_risk"
    assert [row["bucket"] for row in body["history"]] == ["at_risk"]
    assert body["history"][0]["score"] == body["current"]["score"]
    assert [(note["author"], note["text"]) for note in body["notes"]] == [
        (pair.cast.manager.display_name, "Ring")
    ]


def test_an_unknown_bucket_is_refused_by_name(pair, api_as):
    # when
    response = api_as(pair.cast.manager).get(
        f"/api/v1/programs/{pair.cast.program.pk}/health", params={"bucket": "doomed"}
    )
    # then
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["bucket"]
