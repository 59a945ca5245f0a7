"""The webhooks API: every operation over every actor (org admins only, their own
organisation's endpoints), what each answers, the secret shown once, bad input refused with
the field named and nothing changed, and the list endpoints' query budgets."""

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ACTOR_NAMES
from tandem.webhooks.events import EVENT_TYPES
from tandem.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tandem.webhooks.services import person_deactivated_emit
from tandem.webhooks.tests.factories import endpoint_for

ENDPOINT_ROUTES = [
    ("get", "webhooks/endpoints/{id}", None, 200),
    ("patch", "webhooks/endpoints/{id}", {"description": "CRM sync"}, 200),
    ("post", "webhooks/endpoints/{id}/rotate-secret", {}, 200),
    ("post", "webhooks/endpoints/{id}/disable", {}, 200),
    ("post", "webhooks/endpoints/{id}/test", {}, 202),
    ("get", "webhooks/endpoints/{id}/deliveries", None, 200),
]
ROLE_REFUSED = {"member": 403, "mentee": 403, "mentor": 403, "other_manager": 403, "manager": 403}


def _state():
    return (
        [model_to_dict(row) for row in WebhookEndpoint.objects.order_by("pk")],
        list(WebhookDelivery.objects.order_by("pk").values_list("pk", "status")),
    )


@pytest.fixture
def endpoint(cast):
    endpoint, _ = endpoint_for(cast.admin, "https://hooks.northwind.example/tandem")
    return endpoint


@pytest.mark.parametrize("actor", ACTOR_NAMES)
@pytest.mark.parametrize(("method", "path", "body", "admin_status"), ENDPOINT_ROUTES)
def test_endpoint_operations_matrix(
    cast, api_as, endpoint, actor, method, path, body, admin_status
):
    # given
    expected = {"anonymous": 401, "outsider": 404, **ROLE_REFUSED, "admin": admin_status}[actor]
    before = _state()
    client = api_as(cast.by_name(actor))
    # when
    url = path.format(id=endpoint.pk)
    response = client.get(url) if method == "get" else getattr(client, method)(url, body)
    # then
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert _state() == before
    else:
        assert "secret" not in response.json() or path.endswith("rotate-secret")


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_enable_matrix(cast, api_as, endpoint, actor):
    # given: a disabled endpoint
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_enabled=False, disabled_at=timezone.now(), disabled_reason="by hand"
    )
    expected = {"anonymous": 401, "outsider": 404, **ROLE_REFUSED, "admin": 200}[actor]
    before = _state()
    # when
    response = api_as(cast.by_name(actor)).post(f"webhooks/endpoints/{endpoint.pk}/enable")
    # then
    assert response.status_code == expected
    endpoint.refresh_from_db()
    assert endpoint.is_enabled is (expected == 200)
    if expected != 200:
        assert _state() == before


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_list_and_create_and_catalogue_matrix(cast, api_as, endpoint, actor):
    # given
    client = api_as(cast.by_name(actor))
    refused = {"anonymous": 401, **ROLE_REFUSED}
    before = _state()
    # when
    listed = client.get("webhooks/endpoints")
    catalogue = client.get("webhooks/event-types")
    created = client.post(
        "webhooks/endpoints",
        {"url": "https://hooks.example.com/x", "event_types": ["meeting.held"]},
    )
    # then
    if actor in refused:
        assert [listed.status_code, catalogue.status_code, created.status_code] == [
            refused[actor]
        ] * 3
        assert _state() == before
        return
    assert (listed.status_code, catalogue.status_code, created.status_code) == (200, 200, 201)
    own = [endpoint.pk] if actor == "admin" else []
    assert [item["id"] for item in listed.json()["items"]] == own
    assert [item["type"] for item in catalogue.json()] == list(EVENT_TYPES)
    new = WebhookEndpoint.objects.get(pk=created.json()["id"])
    assert new.organization_id == cast.by_name(actor).organization_id
    assert created.json()["secret"] == new.secret
    assert new.secret.startswith("whsec_")


def test_the_secret_is_shown_once_and_stored_encrypted(cast, api_as):
    # given
    client = api_as(cast.admin)
    created = client.post(
        "webhooks/endpoints",
        {"url": "https://hooks.example.com/x", "event_types": ["goal.completed"]},
    ).json()
    # when
    shown_again = client.get(f"webhooks/endpoints/{created['id']}").json()
    listed = client.get("webhooks/endpoints").json()["items"]
    rotated = client.post(f"webhooks/endpoints/{created['id']}/rotate-secret").json()
    # then
    assert "secret" not in shown_again
    assert all("secret" not in item for item in listed)
    assert rotated["secret"] != created["secret"]
    assert rotated["previous_secret_until"] is not None
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT secret, previous_secret FROM webhooks_webhookendpoint WHERE id = %s",
            [created["id"]],
        )
        stored = cursor.fetchone()
    assert created["secret"] not in stored
    assert rotated["secret"] not in stored
    assert all(value.startswith("gAAAA") for value in stored)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://hooks.example.com/x", "event_types": ["meeting.held"]}, "url"),
        ({"url": "https://169.254.169.254/", "event_types": ["meeting.held"]}, "url"),
        ({"url": "https://u:p@hooks.example.com/", "event_types": ["meeting.held"]}, "url"),
        ({"url": "https://hooks.example.com/x", "event_types": []}, "event_types"),
        ({"url": "https://hooks.example.com/x", "event_types": ["journal.written"]}, "event_types"),
        (
            {
                "url": "https://hooks.example.com/x",
                "event_types": ["meeting.held"],
                "description": "a\nb",
            },
            "description",
        ),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(cast, api_as, endpoint, body, field):
    # given
    before = _state()
    client = api_as(cast.admin)
    # when
    created = client.post("webhooks/endpoints", body)
    edited = client.patch(f"webhooks/endpoints/{endpoint.pk}", body)
    # then
    for response in (created, edited):
        assert response.status_code == 400, response.content
        assert [error["field"] for error in response.json()["errors"]] == [field]
    assert _state() == before


@settings(
    max_examples=25,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(event_types=st.lists(st.sampled_from([*EVENT_TYPES, "webhook.test", "x"]), max_size=12))
def test_any_list_of_event_types_is_kept_in_order_or_refused_whole(
    cast, api_as, endpoint, event_types
):
    # given
    before = _state()
    # when
    response = api_as(cast.admin).patch(
        f"webhooks/endpoints/{endpoint.pk}", {"event_types": event_types}
    )
    # then
    valid = bool(event_types) and all(name in EVENT_TYPES for name in event_types)
    if valid:
        assert response.status_code == 200
        assert response.json()["event_types"] == [n for n in EVENT_TYPES if n in event_types]
    else:
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "event_types"
        assert _state() == before


def test_disable_twice_is_a_conflict(cast, api_as, endpoint):
    client = api_as(cast.admin)
    assert client.post(f"webhooks/endpoints/{endpoint.pk}/disable").status_code == 200
    again = client.post(f"webhooks/endpoints/{endpoint.pk}/disable")
    assert again.status_code == 409
    assert client.post(f"webhooks/endpoints/{endpoint.pk}/enable").status_code == 200
    assert client.post(f"webhooks/endpoints/{endpoint.pk}/enable").status_code == 409


def _deliveries(cast, endpoint, count):
    for person in range(count):
        person_deactivated_emit(
            organization_id=cast.org.pk,
            person_id=person,
            email=f"p{person}@northwind.test",
            deactivated_at=timezone.now(),
        )
    for row in WebhookDelivery.objects.filter(endpoint=endpoint):
        WebhookAttempt.objects.bulk_create(
            WebhookAttempt(delivery=row, attempted_at=timezone.now(), status_code=code)
            for code in (500, 200)
        )


@pytest.mark.parametrize("count", [2, 25])
def test_the_delivery_log_shows_codes_in_a_flat_number_of_queries(
    cast, api_as, endpoint, count, django_assert_max_num_queries
):
    # given
    _deliveries(cast, endpoint, count)
    client = api_as(cast.admin)
    # when
    with django_assert_max_num_queries(8):
        response = client.get(f"webhooks/endpoints/{endpoint.pk}/deliveries", {"limit": 50})
    # then
    items = response.json()["items"]
    assert len(items) == count
    assert all([a["status_code"] for a in item["attempt_log"]] == [500, 200] for item in items)
    assert items[0]["event_type"] == "person.deactivated"
    assert "body" not in items[0]


@pytest.mark.parametrize("count", [1, 15])
def test_the_endpoint_list_takes_a_flat_number_of_queries(
    cast, api_as, count, django_assert_max_num_queries
):
    for index in range(count):
        endpoint_for(cast.admin, f"https://h{index}.example.com/")
    client = api_as(cast.admin)
    with django_assert_max_num_queries(6):
        response = client.get("webhooks/endpoints", {"limit": 50})
    assert response.json()["count"] == count


def test_send_test_event_writes_one_delivery_for_that_endpoint(cast, api_as, endpoint):
    response = api_as(cast.admin).post(f"webhooks/endpoints/{endpoint.pk}/test")
    assert response.status_code == 202
    row = WebhookDelivery.objects.get()
    assert (row.endpoint_id, row.event_type, row.status) == (endpoint.pk, "webhook.test", "pending")
    assert response.json()["event_id"] == row.event_id
