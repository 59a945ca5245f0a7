"""/health/ and /health/live: what a load balancer asks, answered without a user or a host."""

import logging
from collections.abc import Callable

import pytest
from django.db import OperationalError
from django.test import Client, override_settings

from conftest import ACTOR_NAMES, Cast
from tandem.operations import health
from tandem.operations.logs import ContextFilter

ALL_OK = {
    "status": "ok",
    "checks": {"database": "ok", "cache": "ok", "queue": "ok", "scheduler": "ok"},
}
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"
LOCAL_REDIS = "redis://127.0.0.1:6379/15"
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def failing(*names: str) -> dict[str, object]:
    checks = {name: ("fail" if name in names else "ok") for name in ALL_OK["checks"]}  # type: ignore[union-attr]
    return {"status": "fail", "checks": checks}


def client_as(cast: Cast, name: str) -> Client:
    client = Client()
    user = cast.by_name(name)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_health_answers_everyone_the_same_without_authentication(
    cast: Cast, scheduler_running: Callable[..., None], name: str
) -> None:
    # given a running scheduler
    scheduler_running()
    # when anyone, signed in or not, asks
    response = client_as(cast, name).get("/health/")
    # then the instance is ready, and the body says which checks passed and nothing else
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response.json() == ALL_OK


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_liveness_answers_everyone_without_a_query(
    cast: Cast, name: str, django_assert_num_queries: Callable[..., object]
) -> None:
    client = client_as(cast, name)
    with django_assert_num_queries(0):  # type: ignore[attr-defined]
        response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_liveness_does_not_depend_on_the_database(monkeypatch: pytest.MonkeyPatch) -> None:
    # given a database that fails every check
    monkeypatch.setattr(health, "check_database", _raise(OperationalError))
    # then the process is still alive (the load balancer restarts nothing for a database outage)
    assert Client().get("/health/live").status_code == 200


def _raise(error: type[Exception]) -> Callable[..., None]:
    def check(*args: object, **kwargs: object) -> None:
        raise error("down")

    return check


@pytest.mark.django_db
def test_no_scheduler_ever_fails_the_scheduler_check() -> None:
    response = Client().get("/health/")
    assert response.status_code == 503
    assert response.json() == failing("scheduler")


@pytest.mark.parametrize(
    ("ago", "status"),
    [
        (0, 200),  # just renewed
        (119, 200),  # the lease is still held
        (120 + 100, 200),  # ran out 100 s ago: within the grace (120 s)
        (120 + 130, 503),  # ran out beyond the grace: no scheduler runs
        (24 * 3600, 503),
    ],
)
def test_the_scheduler_check_follows_the_lease(
    scheduler_running: Callable[..., None], ago: int, status: int
) -> None:
    scheduler_running(ago=ago)
    response = Client().get("/health/")
    assert response.status_code == status
    assert response.json() == (ALL_OK if status == 200 else failing("scheduler"))


@override_settings(HEALTH_CHECK_SCHEDULER=False)
@pytest.mark.django_db
def test_the_scheduler_check_can_be_turned_off() -> None:
    response = Client().get("/health/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "queue": "ok"},
    }


def test_a_database_failure_fails_the_database_check(
    scheduler_running: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    scheduler_running()

    class Broken:
        def cursor(self) -> None:
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", Broken())
    response = Client().get("/health/")
    assert response.status_code == 503
    assert response.json() == failing("database")


def test_an_unreachable_cache_fails_the_cache_check(
    scheduler_running: Callable[..., None],
) -> None:
    scheduler_running()
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
        }
    }
    with override_settings(CACHES=caches):
        response = Client().get("/health/")
    assert response.status_code == 503
    assert response.json() == failing("cache")


def test_a_cache_that_keeps_nothing_fails_the_cache_check(
    scheduler_running: Callable[..., None],
) -> None:
    scheduler_running()
    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with override_settings(CACHES=dummy):
        response = Client().get("/health/")
    assert response.status_code == 503
    assert response.json() == failing("cache")


@pytest.mark.parametrize(("url", "status"), [(LOCAL_REDIS, 200), (UNREACHABLE_REDIS, 503)])
def test_the_queue_check_pings_redis_when_redis_url_is_set(
    scheduler_running: Callable[..., None], url: str, status: int
) -> None:
    scheduler_running()
    with override_settings(REDIS_URL=url):
        response = Client().get("/health/")
    assert response.status_code == status
    assert response.json() == (ALL_OK if status == 200 else failing("queue"))


def test_the_queue_check_reads_the_database_backend_table(
    scheduler_running: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    scheduler_running()
    with override_settings(REDIS_URL="", TASKS=DB_TASKS):
        assert Client().get("/health/").json() == ALL_OK

        class Unreadable:
            @property
            def objects(self) -> None:
                raise OperationalError('relation "django_tasks_database_dbtaskresult" is gone')

        monkeypatch.setattr(health, "DBTaskResult", Unreadable())
        response = Client().get("/health/")
    assert response.status_code == 503
    assert response.json() == failing("queue")


@pytest.mark.django_db
def test_every_failing_check_is_named_and_none_hides_another() -> None:
    # given no scheduler, an unreachable Redis for the queue, and a cache that keeps nothing
    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with override_settings(REDIS_URL=UNREACHABLE_REDIS, CACHES=dummy):
        response = Client().get("/health/")
    assert response.status_code == 503
    assert response.json() == failing("cache", "queue", "scheduler")


@pytest.mark.django_db
def test_the_body_carries_no_internals_and_the_log_carries_the_reason(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given an unreachable Redis (its address and the error are internals)
    caplog.handler.addFilter(ContextFilter())
    with (
        caplog.at_level(logging.WARNING, logger="tandem.operations.health"),
        override_settings(REDIS_URL=UNREACHABLE_REDIS),
    ):
        response = Client().get("/health/", HTTP_X_REQUEST_ID="probe-42")
    # then the body names the checks only
    assert "127.0.0.1" not in response.content.decode()
    assert "refused" not in response.content.decode().lower()
    # and the log says why, under the probe's request id
    reasons = {
        record.getMessage(): record
        for record in caplog.records
        if record.name == "tandem.operations.health"
    }
    assert set(reasons) == {"health check queue failed", "health check scheduler failed"}
    record = reasons["health check queue failed"]
    assert record.request_id == "probe-42"  # type: ignore[attr-defined]
    assert record.exc_info is not None


@override_settings(SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["tandem.example.com"])
def test_a_plain_http_probe_by_address_is_answered_under_production_settings(
    scheduler_running: Callable[..., None],
) -> None:
    # given production's HTTPS redirect and host list, and a probe over plain HTTP by address
    scheduler_running()
    client = Client(HTTP_HOST="10.0.3.7:8000")
    # then the pages still redirect or refuse the host
    assert client.get("/accounts/login/").status_code in (301, 400)
    # but the probes are answered
    for path in ("/health/", "/health", "/health/live"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Location" not in response


@pytest.mark.django_db
def test_the_probes_answer_get_and_head_only() -> None:
    client = Client()
    for path in ("/health/", "/health/live"):
        assert client.head(path).status_code in (200, 503)
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(path)
            assert response.status_code == 405
            assert response["Allow"] == "GET, HEAD"


def test_the_probes_are_not_rate_limited_and_their_cost_is_fixed(
    scheduler_running: Callable[..., None],
    django_assert_max_num_queries: Callable[..., object],
) -> None:
    # given a load balancer probing every second from one address
    scheduler_running()
    client = Client(REMOTE_ADDR="10.0.0.2")
    for _ in range(60):
        # then every probe is answered, each with the same few queries
        with django_assert_max_num_queries(5):  # type: ignore[attr-defined]
            assert client.get("/health/").status_code == 200
        assert client.get("/health/live").status_code == 200
