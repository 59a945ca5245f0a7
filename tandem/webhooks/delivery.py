"""Delivering the webhook outbox, the email outbox's way (decision records 0006 and 0011).

Workers claim due rows under a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, one conditional
UPDATE on SQLite); every later mark is conditional on still holding it, so two workers never
both send a row. "Sent" is committed before the receiver can read the whole request
(`transport.post`): a crash can lose a call in that window, never make it twice. A failure goes
back to pending after an exponential backoff with jitter, and ends in "failed" after
`max_attempts`. Each attempt is logged with its response code. An endpoint that fails
`WEBHOOKS_DISABLE_AFTER_FAILURES` attempts in a row is disabled and its admins are emailed.
"""

import datetime
import logging
import random
import time
import uuid

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.core.delivery import DeliveryReport
from tandem.core.outbound import NotSent, OutcomeUnknown, TargetRefused, post
from tandem.notifications.models import NotificationCategory
from tandem.notifications.services import outbox_enqueue
from tandem.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
)
from tandem.webhooks.services import signing_secrets
from tandem.webhooks.signing import signed_headers

logger = logging.getLogger(__name__)

S = WebhookDeliveryStatus
LEASE_SECONDS = 5 * 60
# The first retry waits about this long; each next one twice as long, up to the cap.
BACKOFF_BASE_SECONDS = 60
BACKOFF_CAP_SECONDS = 6 * 3600


def backoff(attempts: int, *, rng: random.Random | None = None) -> datetime.timedelta:
    """The wait after `attempts` failed attempts: exponential (base * 2^(attempts-1), capped)
    with "equal jitter" (a random half of it on top of the other half), so endpoints that fail
    together do not all come back at the same second."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    half = ceiling / 2
    return datetime.timedelta(seconds=half + (rng or random).uniform(0, half))


def _due(now: datetime.datetime) -> Q:
    # "sending" with an expired lease: a worker died before committing "sent" (the receiver
    # never read a complete request), so the row is owed again.
    return (
        Q(status__in=[S.PENDING, S.SENDING])
        & Q(next_attempt_at__lte=now)
        & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        & Q(endpoint_id__in=WebhookEndpoint.objects.filter(is_enabled=True).values("pk"))
    )


def _claim(
    *, worker_id: str, limit: int, lease: datetime.timedelta, delivery_ids: list[int] | None
) -> list[WebhookDelivery]:
    now = timezone.now()
    until = now + lease
    due = WebhookDelivery.objects.filter(_due(now))
    if delivery_ids is not None:
        due = due.filter(pk__in=delivery_ids)
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            ids = list(
                due.select_for_update(skip_locked=True, of=("self",))
                .order_by("id")
                .values_list("id", flat=True)[:limit]
            )
            WebhookDelivery.objects.filter(pk__in=ids).update(
                claimed_by=worker_id, claimed_until=until
            )
    else:
        WebhookDelivery.objects.filter(
            _due(now), pk__in=due.order_by("id").values("id")[:limit]
        ).update(claimed_by=worker_id, claimed_until=until)
    return list(
        WebhookDelivery.objects.filter(claimed_by=worker_id, claimed_until=until)
        .select_related("endpoint")
        .order_by("id")
    )


def _mine(row: WebhookDelivery, worker_id: str) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(
        pk=row.pk, claimed_by=worker_id, claimed_until=row.claimed_until
    )


def _log(row: WebhookDelivery, *, started: float, status_code: int | None, error: str = "") -> None:
    WebhookAttempt.objects.create(
        delivery=row,
        attempted_at=timezone.now(),
        status_code=status_code,
        error=error[:500],
        duration_ms=int((time.monotonic() - started) * 1000),
    )


def _endpoint_succeeded(endpoint_id: int) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint_id, consecutive_failures__gt=0).update(
        consecutive_failures=0
    )


def _endpoint_failed(endpoint: WebhookEndpoint) -> None:
    """Count a failed attempt; at the threshold, disable the endpoint (once, whoever races)
    and email the organisation's admins in the same transaction."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    limit = settings.WEBHOOKS_DISABLE_AFTER_FAILURES
    with transaction.atomic():
        now = timezone.now()
        reason = f"Disabled automatically after {limit} failed attempts in a row."
        disabled = WebhookEndpoint.objects.filter(
            pk=endpoint.pk, is_enabled=True, consecutive_failures__gte=limit
        ).update(is_enabled=False, disabled_at=now, disabled_reason=reason, updated_at=now)
        if not disabled:
            return
        admins = User.objects.filter(
            organization_id=endpoint.organization_id, role=Role.ORG_ADMIN, is_active=True
        ).order_by("pk")
        for admin in admins:
            outbox_enqueue(
                key=f"webhook_disabled:{endpoint.pk}:{admin.pk}:{now.isoformat()}",
                rule="webhook_disabled",
                recipient=admin,
                category=NotificationCategory.INTEGRATIONS,
                subject="A webhook endpoint was disabled after repeated failures",
                text=(
                    f"Tandem stopped sending to {endpoint.url}: {reason} Calls owed to it wait. "
                    "Check the delivery log, fix the receiver, then enable it again."
                ),
                url=reverse("webhooks:detail", args=[endpoint.pk]),
            )


def _record_failure(
    row: WebhookDelivery,
    worker_id: str,
    *,
    error: str,
    status_code: int | None,
    from_status: str,
    report: DeliveryReport,
    permanent: bool = False,
) -> None:
    now = timezone.now()
    final = permanent or row.attempts >= row.max_attempts
    changed = (
        _mine(row, worker_id)
        .filter(status=from_status)
        .update(
            status=S.FAILED if final else S.PENDING,
            next_attempt_at=now if final else now + backoff(row.attempts),
            claimed_by="",
            claimed_until=None,
            sent_at=None,
            last_status_code=status_code,
            last_error=error[:2000],
        )
    )
    if changed and final:
        report.failed += 1
    elif changed:
        report.retrying += 1
    else:
        report.lost_lease += 1
    _endpoint_failed(row.endpoint)


def _deliver_one(
    row: WebhookDelivery, *, worker_id: str, lease: datetime.timedelta, report: DeliveryReport
) -> None:
    until = timezone.now() + lease
    if not (
        _mine(row, worker_id)
        .filter(status__in=[S.PENDING, S.SENDING])
        .update(status=S.SENDING, attempts=F("attempts") + 1, claimed_until=until)
    ):
        report.lost_lease += 1
        return
    row.status, row.attempts, row.claimed_until = S.SENDING, row.attempts + 1, until
    now = timezone.now()
    body = row.body.encode("utf-8")
    headers = signed_headers(
        signing_secrets=signing_secrets(row.endpoint, now),
        message_id=row.event_id,
        at=now,
        body=body,
    )
    committed = False

    def commit() -> bool:
        nonlocal committed
        committed = bool(
            _mine(row, worker_id)
            .filter(status=S.SENDING)
            .update(status=S.SENT, sent_at=timezone.now(), last_error="")
        )
        return committed

    started = time.monotonic()
    status_now = lambda: S.SENT if committed else S.SENDING  # noqa: E731
    try:
        answer = post(
            url=row.endpoint.url,
            body=body,
            headers=headers,
            commit=commit,
            timeout=settings.WEBHOOKS_TIMEOUT_SECONDS,
        )
    except OutcomeUnknown as error:
        # The receiver may have processed it: kept as sent (at most once).
        logger.warning("Webhook %s: outcome unknown after commit (%s).", row.pk, error)
        _log(row, started=started, status_code=None, error=f"No answer: {error}")
        report.sent += 1
        return
    except TargetRefused as error:
        _log(row, started=started, status_code=None, error=f"Refused: {error}")
        _record_failure(
            row,
            worker_id,
            error=f"Refused: {error}",
            status_code=None,
            from_status=status_now(),
            report=report,
        )
        return
    except (NotSent, OSError, ValueError) as error:
        _log(row, started=started, status_code=None, error=str(error))
        _record_failure(
            row,
            worker_id,
            error=str(error),
            status_code=None,
            from_status=status_now(),
            report=report,
        )
        return
    if answer is None:
        report.lost_lease += 1
        return
    _log(row, started=started, status_code=answer.status)
    if 200 <= answer.status < 300:
        _mine(row, worker_id).filter(status=S.SENT).update(
            last_status_code=answer.status, claimed_by="", claimed_until=None
        )
        _endpoint_succeeded(row.endpoint_id)
        report.sent += 1
        return
    _record_failure(
        row,
        worker_id,
        error=f"HTTP {answer.status}",
        status_code=answer.status,
        from_status=S.SENT,
        report=report,
    )


def webhook_deliver_batch(
    *,
    worker_id: str,
    limit: int = 50,
    lease_seconds: int = LEASE_SECONDS,
    delivery_ids: list[int] | None = None,
) -> DeliveryReport:
    """Claim up to `limit` due deliveries of enabled endpoints for `worker_id` and call each
    receiver once. Run it outside a transaction (each mark commits on its own).
    `delivery_ids` limits the batch to those rows (the kick after an emit)."""
    lease = datetime.timedelta(seconds=lease_seconds)
    rows = _claim(worker_id=worker_id, limit=limit, lease=lease, delivery_ids=delivery_ids)
    report = DeliveryReport(claimed=len(rows))
    for row in rows:
        _deliver_one(row, worker_id=worker_id, lease=lease, report=report)
    return report


def webhook_due_count() -> int:
    """How many deliveries are due now (the command loops while there are)."""
    return WebhookDelivery.objects.filter(_due(timezone.now())).count()


def webhook_kick_if_due(*, now: datetime.datetime) -> bool:
    """Kick delivery when calls are due (a retry whose backoff ended, an endpoint enabled
    again): the scheduler runs it every minute. A kick too many is harmless (rows are claimed
    under a lease). Returns whether it kicked."""
    waiting = WebhookDelivery.objects.filter(_due(now)).exists()
    if waiting:
        # Imported here: the task module imports this one.
        from tandem.webhooks.tasks import webhook_deliver_task

        worker_id = f"scheduler-{uuid.uuid4().hex[:12]}"
        transaction.on_commit(lambda: webhook_deliver_task.enqueue(worker_id=worker_id))
    return waiting
