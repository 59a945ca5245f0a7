"""core.transactions: a use case that loses a race for its rows runs once more, then answers
TryAgain (409); every other database error passes through untouched; a lost race that
reaches the edge is a 409 (problem+json for the API, a page for HTML), never a 500.

Django's own Session model stands in for a domain table (the kernel knows no domain).
"""

import datetime
import itertools
import json
from collections.abc import Callable

import psycopg
import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.db import (
    DatabaseError,
    IntegrityError,
    OperationalError,
    ProgrammingError,
    connection,
    transaction,
)
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ninja import NinjaAPI

from tandem.core.problem import install_failure_handlers, install_problem_handlers
from tandem.core.transactions import (
    TRY_AGAIN,
    LockFailureMiddleware,
    TryAgain,
    atomic_with_retry,
    is_lock_failure,
    lock_rows,
)

EXPIRES = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
_keys = itertools.count()


def _wrapped(driver_error: Exception, django_class: type[DatabaseError]) -> DatabaseError:
    """The driver's error as Django hands it over: its own class, the driver's as the cause."""
    try:
        try:
            raise driver_error
        except Exception as cause:
            raise django_class(str(cause)) from cause
    except DatabaseError as error:
        return error


# Every way a database says "another transaction had your rows".
LOCK_FAILURES: dict[str, Callable[[], DatabaseError]] = {
    "postgresql deadlock (40P01)": lambda: _wrapped(
        psycopg.errors.DeadlockDetected("deadlock detected"), OperationalError
    ),
    "postgresql serialization failure (40001)": lambda: _wrapped(
        psycopg.errors.SerializationFailure("could not serialize access"), OperationalError
    ),
    "sqlite busy timeout": lambda: _wrapped(Exception("database is locked"), OperationalError),
    "sqlite shared-cache lock": lambda: _wrapped(
        Exception("database table is locked: django_session"), OperationalError
    ),
}
# Database errors that are the request's own fault or a real outage: never retried or hidden.
OTHER_ERRORS: dict[str, Callable[[], DatabaseError]] = {
    "unique violation (23505)": lambda: _wrapped(
        psycopg.errors.UniqueViolation("duplicate key"), IntegrityError
    ),
    "check violation (23514)": lambda: _wrapped(
        psycopg.errors.CheckViolation("violates check constraint"), IntegrityError
    ),
    "undefined table (42P01)": lambda: _wrapped(
        psycopg.errors.UndefinedTable("relation does not exist"), ProgrammingError
    ),
    "lost connection": lambda: _wrapped(
        psycopg.OperationalError("server closed the connection unexpectedly"), OperationalError
    ),
    "sqlite no such table": lambda: _wrapped(Exception("no such table: x"), OperationalError),
}


def _flaky_use_case(
    failures: list[Callable[[], DatabaseError]],
) -> tuple[Callable[[], str], list[str]]:
    """A use case that writes a row, then fails with the next of `failures` (while any are
    left), else succeeds; and the keys it wrote, attempt by attempt."""
    attempts: list[str] = []
    remaining = list(failures)

    @atomic_with_retry
    def use_case() -> str:
        key = f"attempt-{next(_keys)}"
        attempts.append(key)
        Session.objects.create(session_key=key, session_data="", expire_date=EXPIRES)
        if remaining:
            raise remaining.pop(0)()
        return key

    return use_case, attempts


@pytest.mark.parametrize("kind", sorted(LOCK_FAILURES))
def test_each_lock_failure_is_recognised(kind):
    # given / when / then
    assert is_lock_failure(LOCK_FAILURES[kind]()) is True


@pytest.mark.parametrize("kind", sorted(OTHER_ERRORS))
def test_other_database_errors_are_not_lock_failures(kind):
    # given / when / then
    assert is_lock_failure(OTHER_ERRORS[kind]()) is False
    assert is_lock_failure(ValueError("database is locked")) is False


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(kinds=st.lists(st.sampled_from(sorted(LOCK_FAILURES)), min_size=0, max_size=4))
@pytest.mark.django_db(transaction=True)
def test_a_lost_race_is_retried_once_then_answered_try_again(kinds):
    # given a use case that loses the race len(kinds) times before it would succeed
    Session.objects.all().delete()
    use_case, attempts = _flaky_use_case([LOCK_FAILURES[kind] for kind in kinds])
    # when it is called outside any transaction
    if len(kinds) <= 1:
        result = use_case()
        # then it ran len(kinds) + 1 times and only the last attempt's row is kept
        assert len(attempts) == len(kinds) + 1
        assert result == attempts[-1]
        assert list(Session.objects.values_list("session_key", flat=True)) == [attempts[-1]]
    else:
        with pytest.raises(TryAgain) as refusal:
            use_case()
        # then it ran twice, answered 409 "try again", and kept nothing of either attempt
        assert len(attempts) == 2
        assert (refusal.value.status, refusal.value.code, refusal.value.detail) == (
            409,
            "try-again",
            TRY_AGAIN,
        )
        assert is_lock_failure(refusal.value.__cause__)
        assert Session.objects.count() == 0


@pytest.mark.parametrize("kind", sorted(OTHER_ERRORS))
@pytest.mark.django_db(transaction=True)
def test_other_errors_pass_through_after_one_attempt(kind):
    # given a use case that fails with an error that is not a lost race
    use_case, attempts = _flaky_use_case([OTHER_ERRORS[kind]])
    # when
    with pytest.raises(DatabaseError) as raised:
        use_case()
    # then it was not retried, not disguised, and its row is gone
    assert len(attempts) == 1
    assert not isinstance(raised.value, TryAgain)
    assert type(raised.value) is type(OTHER_ERRORS[kind]())
    assert Session.objects.count() == 0


@pytest.mark.parametrize("kind", sorted(LOCK_FAILURES))
@pytest.mark.django_db(transaction=True)
def test_inside_a_callers_transaction_it_leaves_the_retry_to_the_outermost(kind):
    # given a use case called inside another retrying use case, which wrote a row first
    use_case, attempts = _flaky_use_case([LOCK_FAILURES[kind]])
    callers: list[str] = []

    @atomic_with_retry
    def caller() -> str:
        callers.append("called")
        Session.objects.create(
            session_key=f"caller-{len(callers)}", session_data="", expire_date=EXPIRES
        )
        return use_case()

    # when the inner one loses the race once
    result = caller()
    # then the outer one ran again from its start (the inner error passed through it
    # unchanged) and only the second run's rows are kept
    assert (len(callers), len(attempts)) == (2, 2)
    assert sorted(Session.objects.values_list("session_key", flat=True)) == sorted(
        ["caller-2", result]
    )


@pytest.mark.parametrize("kind", sorted(LOCK_FAILURES))
@pytest.mark.django_db(transaction=True)
def test_inside_a_plain_transaction_the_error_reaches_the_caller_unchanged(kind):
    # given a use case called inside a transaction that does not retry
    use_case, attempts = _flaky_use_case([LOCK_FAILURES[kind]])

    @transaction.atomic
    def caller() -> None:
        Session.objects.create(session_key="caller", session_data="", expire_date=EXPIRES)
        use_case()

    # when it loses the race
    with pytest.raises(DatabaseError) as raised:
        caller()
    # then it ran once, the error is the database's own (the edge answers it 409), and
    # nothing is kept
    assert len(attempts) == 1
    assert not isinstance(raised.value, TryAgain)
    assert is_lock_failure(raised.value)
    assert Session.objects.count() == 0


@pytest.mark.django_db
def test_lock_rows_locks_only_the_rows_asked_in_ascending_key():
    # given three rows
    for key in ("c", "a", "b"):
        Session.objects.create(session_key=key, session_data="", expire_date=EXPIRES)
    # when two of them are locked, named out of order and one twice
    with CaptureQueriesContext(connection) as queries:
        lock_rows(Session, ["c", "a", "c"])
    # then one query that reads the key alone from the one table, ordered by it (column 1),
    # and takes a row lock that lets other rows refer to these on PostgreSQL
    (query,) = [q["sql"] for q in queries.captured_queries]
    select, rest = query.split(" FROM ", 1)
    assert select == 'SELECT "django_session"."session_key" AS "pk"'
    assert " JOIN " not in rest.upper()
    assert rest.startswith('"django_session" WHERE "django_session"."session_key" IN (')
    lock = " FOR NO KEY UPDATE" if connection.vendor == "postgresql" else ""
    assert rest.endswith(f" ORDER BY 1 ASC{lock}")


def _api_raising(error: BaseException) -> HttpResponse:
    api = NinjaAPI(urls_namespace=f"lock-failure-test-{next(_keys)}")
    install_problem_handlers(api)
    install_failure_handlers(api)

    return api.on_exception(RequestFactory().post("/act"), error)


@pytest.mark.parametrize("kind", sorted(LOCK_FAILURES))
def test_the_api_answers_an_unretried_lost_race_with_409_problem_json(kind):
    # given / when a lock failure reaches the API's handlers
    response = _api_raising(LOCK_FAILURES[kind]())
    # then 409 problem+json saying to try again
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content) == {
        "type": "https://tandem.example/problems/try-again",
        "title": "Try again",
        "status": 409,
        "detail": TRY_AGAIN,
    }


@pytest.mark.parametrize("kind", sorted(OTHER_ERRORS))
def test_the_api_answers_other_database_errors_as_the_crash_they_are(kind):
    # given / when another database error reaches the API's handlers
    response = _api_raising(OTHER_ERRORS[kind]())
    # then not a 409 "try again": a 500, logged, in problem+json like every API error
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content)["title"] == "Internal server error"


@pytest.mark.parametrize(
    "error",
    [*(LOCK_FAILURES[kind]() for kind in sorted(LOCK_FAILURES)), TryAgain()],
    ids=[*sorted(LOCK_FAILURES), "try again"],
)
@pytest.mark.django_db
def test_an_html_page_answers_a_lost_race_with_a_friendly_409(error):
    # given a page whose view lost a race
    middleware = LockFailureMiddleware(lambda request: HttpResponse("unreachable"))
    request = RequestFactory().post("/programs/1/")
    request.user = AnonymousUser()
    # when
    response = middleware.process_exception(request, error)
    # then a 409 page that says what happened and what to do
    assert response is not None
    assert response.status_code == 409
    assert TRY_AGAIN in response.content.decode()


@pytest.mark.parametrize("kind", sorted(OTHER_ERRORS))
def test_an_html_page_leaves_other_errors_to_django(kind):
    # given / when / then
    middleware = LockFailureMiddleware(lambda request: HttpResponse("unreachable"))
    request = RequestFactory().post("/programs/1/")
    assert middleware.process_exception(request, OTHER_ERRORS[kind]()) is None
    assert middleware.process_exception(request, ValueError("database is locked")) is None
