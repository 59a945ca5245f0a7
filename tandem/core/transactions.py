"""Transactions that meet other transactions: locks taken in one order, and a lost race
answered with a Conflict instead of a server error.

PostgreSQL breaks a deadlock (SQLSTATE 40P01) or a serialization failure (40001) by
failing one of the transactions; SQLite, whose IMMEDIATE transactions queue for its one
write lock, gives up with "database is locked" when the busy timeout runs out. Each of these
means "someone else was writing the same rows at the same moment", never a fault of the
request, so a use case wrapped in `atomic_with_retry` runs once more from the start and, if it
loses again, answers `TryAgain` (a Conflict, 409). What is not wrapped is still caught at the
edge: `problem.py` answers the API with problem+json and `LockFailureMiddleware` answers an
HTML page with a friendly 409 page, so a lost race is never a 500.

The lock order every path keeps is written in docs/architecture.md ("Lock order");
`lock_rows` takes bare rows of one table in ascending primary key, the order within a table.
"""

import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar

from django.db import DatabaseError, OperationalError, connection, models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext, gettext_noop

from tandem.core.errors import Conflict

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")
M = TypeVar("M", bound=models.Model)

DEADLOCK_DETECTED = "40P01"
SERIALIZATION_FAILURE = "40001"
_LOCK_FAILURE_STATES = frozenset({DEADLOCK_DETECTED, SERIALIZATION_FAILURE})
# SQLite's words when a writer gave up waiting (file database after the busy timeout; a
# shared-cache in-memory database at once).
_SQLITE_LOCKED = ("database is locked", "database table is locked")

# Marked for translation here, translated where it is shown (problem.py, the 409 page).
TRY_AGAIN = gettext_noop(
    "Someone else was changing the same thing at the same moment, so nothing was saved. "
    "Please try again."
)


class TryAgain(Conflict):
    """A use case lost a race for its rows twice (deadlock, serialization failure, or a lock
    wait that timed out); nothing it did was kept, and doing it again is safe."""

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(gettext(TRY_AGAIN) if detail is None else detail)
        self.title = gettext_noop("Try again")
        self.code = "try-again"


def is_lock_failure(error: BaseException) -> bool:
    """Whether `error` is the database refusing a transaction because another one held the
    rows it needed (and not a fault of this request: a constraint, a syntax error, a lost
    connection)."""
    if not isinstance(error, DatabaseError):
        return False
    cause = error.__cause__
    # psycopg 3 names the state `sqlstate`; psycopg2 named it `pgcode`.
    state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if state in _LOCK_FAILURE_STATES:
        return True
    return isinstance(error, OperationalError) and any(
        words in str(error).lower() for words in _SQLITE_LOCKED
    )


def atomic_with_retry(function: Callable[P, R]) -> Callable[P, R]:
    """`transaction.atomic`, run a second time from the start when the first attempt loses a
    race for its rows; `TryAgain` (409) when the second loses too.

    Only for use cases that do nothing outside the database before they commit: their mail
    goes through the outbox (rows in the same transaction) and their tasks are enqueued
    `on_commit`, so a rolled-back attempt has told nobody. Inside a caller's transaction it
    cannot retry (the caller's earlier work went with the failure): it runs once and lets the
    database's error through unchanged, for the outermost retrying use case to run again from
    its start, or for the edge (problem.py, LockFailureMiddleware) to answer 409.
    """

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                return function(*args, **kwargs)
        for attempt in (1, 2):
            try:
                with transaction.atomic():
                    return function(*args, **kwargs)
            except DatabaseError as error:
                if not is_lock_failure(error):
                    raise
                logger.warning(
                    "%s lost a race for its rows (attempt %s of 2): %s",
                    function.__qualname__,
                    attempt,
                    error,
                )
                if attempt == 2:
                    raise TryAgain() from error
        raise AssertionError("unreachable: the second attempt returns or raises")

    return run


def locking(queryset: QuerySet[M]) -> QuerySet[M]:
    """`queryset` taking the lock order's row lock on exactly its own rows, in ascending
    primary key: no ordering but the key's (a default ordering that joins another table, or a
    select_related, would lock the joined rows too, in an order nobody chose).

    FOR NO KEY UPDATE on PostgreSQL: it orders writers against each other like FOR UPDATE,
    but lets other transactions insert rows that refer to a locked row (their foreign-key
    check takes FOR KEY SHARE), so an insert elsewhere never waits in the middle of the order.
    SQLite has no row locks (a write transaction holds the whole database): a plain query.
    """
    no_key = connection.features.has_select_for_no_key_update
    return queryset.select_related(None).order_by("pk").select_for_update(no_key=no_key)


def lock_rows(model: type[models.Model], pks: Iterable[Any]) -> None:
    """Lock the rows of `model` with these primary keys, bare, in ascending primary key."""
    ordered = sorted(set(pks))
    if ordered:
        list(locking(model._default_manager.filter(pk__in=ordered)).values_list("pk", flat=True))


class LockFailureMiddleware:
    """The last line for HTML pages: a lost race that no use case turned into `TryAgain`
    answers a friendly 409 page instead of a server error. (The API's own handler in
    `problem.py` answers problem+json before this sees it.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        if not (isinstance(exception, TryAgain) or is_lock_failure(exception)):
            return None
        logger.warning("A page lost a race for its rows: %s", exception)
        return HttpResponse(
            render_to_string("409.html", {"detail": gettext(TRY_AGAIN)}, request=request),
            status=409,
        )
