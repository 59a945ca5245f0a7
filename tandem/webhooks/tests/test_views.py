"""The admin's webhook pages over every actor: list and create (the secret shown once),
the endpoint's page (edit, delivery log), rotate, disable, enable, send a test event."""

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import ACTOR_NAMES
from tandem.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tandem.webhooks.services import person_deactivated_emit
from tandem.webhooks.tests.factories import endpoint_for

# Anyone but the organisation's admin: the page does not exist for them.
REFUSED = {
    "anonymous": 302,
    "outsider": 404,
    "member": 404,
    "mentee": 404,
    "mentor": 404,
    "other_manager": 404,
    "manager": 404,
}


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


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
@pytest.mark.parametrize(
    ("name", "method", "admin_status"),
    [
        ("detail", "get", 200),
        ("detail", "post", 302),
        ("rotate_secret", "post", 200),
        ("disable", "post", 302),
        ("test", "post", 302),
    ],
)
def test_endpoint_pages_matrix(cast, endpoint, actor, name, method, admin_status):
    # given
    client = client_for(cast.by_name(actor))
    before = _state()
    url = reverse(f"webhooks:{name}", args=[endpoint.pk])
    form = {
        "url": "https://hooks.northwind.example/v2",
        "description": "CRM",
        "event_types": ["meeting.held"],
    }
    # when
    response = client.get(url) if method == "get" else client.post(url, form)
    # then
    expected = REFUSED.get(actor, admin_status)
    assert response.status_code == expected
    if actor != "admin":
        assert _state() == before


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_enable_page_matrix(cast, endpoint, actor):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_enabled=False, disabled_at=timezone.now()
    )
    response = client_for(cast.by_name(actor)).post(reverse("webhooks:enable", args=[endpoint.pk]))
    assert response.status_code == REFUSED.get(actor, 302)
    endpoint.refresh_from_db()
    assert endpoint.is_enabled is (actor == "admin")


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_list_page_matrix(cast, endpoint, actor):
    client = client_for(cast.by_name(actor))
    response = client.get(reverse("webhooks:list"))
    expected = {**REFUSED, "outsider": 200}.get(actor, 200)
    assert response.status_code == expected
    if expected == 200:
        assert (endpoint.url in response.content.decode()) is (actor == "admin")


def test_creating_shows_the_secret_once(cast):
    # given
    client = client_for(cast.admin)
    # when
    response = client.post(
        reverse("webhooks:list"),
        {
            "url": "https://hooks.example.com/a",
            "event_types": ["person.enrolled", "goal.completed"],
        },
    )
    # then
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert endpoint.secret in response.content.decode()
    assert endpoint.event_types == ["person.enrolled", "goal.completed"]
    page = client.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in page


def test_a_bad_url_is_shown_on_its_field_and_nothing_is_created(cast):
    response = client_for(cast.admin).post(
        reverse("webhooks:list"),
        {"url": "http://hooks.example.com/a", "event_types": ["meeting.held"]},
    )
    assert response.status_code == 400
    assert "HTTPS only" in response.content.decode()
    assert WebhookEndpoint.objects.count() == 0


def test_rotating_shows_the_new_secret_and_the_overlap(cast, endpoint):
    old = endpoint.secret
    response = client_for(cast.admin).post(reverse("webhooks:rotate_secret", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    page = response.content.decode()
    assert endpoint.secret in page
    assert old not in page
    assert "previous secret keeps signing" in page
    assert endpoint.previous_secret == old


@pytest.mark.parametrize("count", [2, 30])
def test_the_endpoint_page_shows_the_log_in_a_flat_number_of_queries(
    cast, endpoint, count, django_assert_max_num_queries
):
    # given
    for person in range(count):
        person_deactivated_emit(
            organization_id=cast.org.pk,
            person_id=person,
            email=f"p{person}@northwind.test",
            deactivated_at=timezone.now(),
        )
    for row in WebhookDelivery.objects.all():
        WebhookAttempt.objects.create(delivery=row, attempted_at=timezone.now(), status_code=502)
    client = client_for(cast.admin)
    # when
    with django_assert_max_num_queries(12):
        response = client.get(reverse("webhooks:detail", args=[endpoint.pk]))
    # then
    assert response.content.decode().count("HTTP 502") == count
