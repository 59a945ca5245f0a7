"""/metrics: Prometheus's text format behind a bearer token, request, database and domain
gauges."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone
from django_prometheus.db import execute_total
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from conftest import ACTOR_NAMES, Cast
from tandem.accounts.tests.factories import UserFactory
from tandem.notifications.models import NotificationCategory, OutboxMessage, OutboxStatus
from tandem.notifications.services import outbox_enqueue
from tandem.nudges.services import scheduler_lease_take

TOKEN = "metrics-token-for-tests-0123456789abcdef"
BEARER = f"Bearer {TOKEN}"


def scrape(client: Client | None = None) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = (client or Client()).get("/metrics", HTTP_AUTHORIZATION=BEARER)
    assert response.status_code == 200
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def client_as(cast: Cast, name: str) -> Client:
    client = Client()
    user = cast.by_name(name)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_without_a_token_configured_metrics_do_not_exist(cast: Cast, name: str) -> None:
    with override_settings(METRICS_TOKEN=""):
        response = client_as(cast, name).get("/metrics", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 404


@override_settings(METRICS_TOKEN=TOKEN)
@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_a_session_is_not_enough_only_the_token_opens_metrics(cast: Cast, name: str) -> None:
    client = client_as(cast, name)
    # a signed-in admin, like anyone, needs the token
    response = client.get("/metrics")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"django_http" not in response.content
    # with it, anyone's client reads the metrics
    assert client.get("/metrics", HTTP_AUTHORIZATION=BEARER).status_code == 200


@override_settings(METRICS_TOKEN=TOKEN)
@settings(max_examples=40, deadline=None)
@given(
    header=st.one_of(
        st.text(max_size=80).map(lambda value: f"Bearer {value}"),
        st.sampled_from(
            [
                TOKEN,
                f"Basic {TOKEN}",
                f"Bearer {TOKEN[:-1]}",
                f"Bearer {TOKEN}x",
                f"Bearer {TOKEN.upper()}",
                "Bearer",
                "",
            ]
        ),
    )
)
@pytest.mark.django_db
def test_any_other_authorization_is_refused(header: str) -> None:
    if header.strip() in (BEARER, f"Bearer  {TOKEN}"):
        return
    response = Client().get("/metrics", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


@override_settings(METRICS_TOKEN=TOKEN)
@pytest.mark.django_db
def test_metrics_are_prometheus_text_with_request_metrics() -> None:
    client = Client()
    client.get("/health/live")
    response = client.get("/metrics", HTTP_AUTHORIZATION=BEARER)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    names = {family.name for family in text_string_to_metric_families(response.content.decode())}
    assert {
        "django_http_requests_before_middlewares",
        "django_http_responses_total_by_status",
        "tandem_outbox_messages",
        "tandem_scheduler_lease_expires_in_seconds",
        "tandem_scheduler_lease_taken",
    } <= names


def _owe(count: int, *, status: str, start: int = 0) -> None:
    user = UserFactory()
    for number in range(start, start + count):
        outbox_enqueue(
            key=f"test:{status}:{number}",
            rule="test",
            recipient=user,
            category=NotificationCategory.MEETINGS,
            subject="Hello",
            text="Hello.",
        )
    if status != OutboxStatus.PENDING:
        sent_at = timezone.now() if status == OutboxStatus.SENT else None
        OutboxMessage.objects.filter(key__startswith=f"test:{status}:").update(
            status=status, sent_at=sent_at
        )


@override_settings(METRICS_TOKEN=TOKEN)
@pytest.mark.django_db
def test_the_outbox_gauges_count_pending_and_failed_rows() -> None:
    # given nothing owed
    samples = scrape()
    assert samples[("tandem_outbox_messages", (("status", "pending"),))] == 0
    assert samples[("tandem_outbox_messages", (("status", "failed"),))] == 0
    # when three are owed, two of them failed, and one was sent
    _owe(3, status=OutboxStatus.PENDING)
    _owe(2, status=OutboxStatus.FAILED)
    _owe(1, status=OutboxStatus.SENT)
    samples = scrape()
    assert samples[("tandem_outbox_messages", (("status", "pending"),))] == 3
    assert samples[("tandem_outbox_messages", (("status", "failed"),))] == 2
    assert ("tandem_outbox_messages", (("status", "sent"),)) not in samples


@override_settings(METRICS_TOKEN=TOKEN)
@pytest.mark.django_db
def test_the_lease_gauges_follow_the_scheduler() -> None:
    # given no scheduler ever
    samples = scrape()
    assert samples[("tandem_scheduler_lease_taken", ())] == 0
    assert ("tandem_scheduler_lease_expires_in_seconds", ()) not in samples
    # when one takes the lease for two minutes
    scheduler_lease_take(holder="h", now=timezone.now(), seconds=120)
    samples = scrape()
    assert samples[("tandem_scheduler_lease_taken", ())] == 1
    assert 100 < samples[("tandem_scheduler_lease_expires_in_seconds", ())] <= 120
    # and when it stopped ten minutes ago
    scheduler_lease_take(holder="h", now=timezone.now() - timedelta(minutes=12), seconds=120)
    samples = scrape()
    assert -610 < samples[("tandem_scheduler_lease_expires_in_seconds", ())] < -590


@override_settings(METRICS_TOKEN=TOKEN)
@pytest.mark.parametrize("rows", [5, 50])
@pytest.mark.django_db
def test_a_scrape_costs_two_queries_whatever_the_backlog(
    rows: int, django_assert_num_queries: Callable[..., object]
) -> None:
    _owe(rows, status=OutboxStatus.PENDING)
    _owe(rows, status=OutboxStatus.FAILED, start=rows)
    client = Client()
    with django_assert_num_queries(2):  # type: ignore[attr-defined]
        response = client.get("/metrics", HTTP_AUTHORIZATION=BEARER)
    assert response.status_code == 200


@override_settings(
    SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["tandem.example.com"], METRICS_TOKEN=TOKEN
)
@pytest.mark.django_db
def test_a_scrape_by_address_is_answered_under_production_settings() -> None:
    response = Client(HTTP_HOST="10.0.3.7:8000").get("/metrics", HTTP_AUTHORIZATION=BEARER)
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_instrumented_database_backend_counts_queries() -> None:
    # given django-prometheus's drop-in backend over the test database (what base.py configures
    # with DATABASE_METRICS=true), on SQLite or PostgreSQL alike
    vendor = connection.vendor
    engine = connection.settings_dict["ENGINE"].replace(
        "django.db.backends.", "django_prometheus.db.backends.", 1
    )
    module = __import__(f"{engine}.base", fromlist=["DatabaseWrapper"])
    wrapper = module.DatabaseWrapper({**connection.settings_dict, "ENGINE": engine}, "metrics")
    counter = execute_total.labels("metrics", vendor)
    try:
        # (PostgreSQL sets the connection's time zone on connecting: not ours to count)
        wrapper.ensure_connection()
        before = counter._value.get()
        # when it runs two queries
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
            cursor.execute("SELECT 2")
    finally:
        wrapper.close()
    # then both were counted
    assert counter._value.get() == before + 2
