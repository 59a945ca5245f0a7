"""Every write about notifications. Domain services call `notification_send` or `outbox_enqueue`
explicitly (no signals), inside their own transaction: the in-app copy and the outbox row commit
with the state they describe, or not at all. Emails leave only through the outbox
(`outbox_deliver_batch`, run by `outbox_deliver_task` and `manage.py deliver_outbox`)."""

import base64
import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.core.errors import FieldError, InvalidInput
from tandem.notifications.models import (
    CATEGORIES_WITHOUT_OFF,
    DEFAULT_CHANNEL,
    Notification,
    NotificationCategory,
    NotificationChannel,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
    QuietHours,
    outbox_message_id,
)
from tandem.notifications.quiet import quiet_hours_end

# Keep IN (...) lists well below SQLite's variable limit.
_CHUNK = 10_000


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: str | bytes
    mimetype: str


@dataclass(frozen=True)
class OutboxItem:
    """One email (and in-app copy) to enqueue; see `outbox_enqueue` for the fields."""

    key: str
    rule: str
    recipient: User
    category: str
    subject: str
    text: str
    url: str = ""
    # A tandem.programs Program (typed loosely: programs sits above notifications).
    program: models.Model | None = None
    attachments: Sequence[Attachment] = field(default_factory=tuple)
    html: str | None = None


def _absolute(url: str) -> str:
    if not url or url.startswith("http"):
        return url
    return str(settings.SITE_URL).rstrip("/") + url


def mail_domain() -> str:
    """The domain of Tandem's Message-IDs (the site's host)."""
    return urlsplit(str(settings.SITE_URL)).hostname or "tandem.invalid"


def _stored_attachment(attachment: Attachment) -> dict[str, str]:
    if isinstance(attachment.content, bytes):
        content, encoding = base64.b64encode(attachment.content).decode("ascii"), "base64"
    else:
        content, encoding = attachment.content, "text"
    return {
        "filename": attachment.filename,
        "mimetype": attachment.mimetype,
        "content": content,
        "encoding": encoding,
    }


def _chunks(values: list[int]) -> Iterable[list[int]]:
    for index in range(0, len(values), _CHUNK):
        yield values[index : index + _CHUNK]


def _channels(user_ids: list[int], categories: set[str]) -> dict[tuple[int, str], str]:
    chosen: dict[tuple[int, str], str] = {}
    for chunk in _chunks(user_ids):
        for user_id, category, channel in NotificationPreference.objects.filter(
            user_id__in=chunk, category__in=categories
        ).values_list("user_id", "category", "channel"):
            chosen[(user_id, category)] = channel
    return chosen


def _quiet_hours(
    user_ids: list[int],
) -> dict[int, tuple[datetime.time, datetime.time, str | None]]:
    quiet: dict[int, tuple[datetime.time, datetime.time, str | None]] = {}
    for chunk in _chunks(user_ids):
        for user_id, start, end, zone in QuietHours.objects.filter(user_id__in=chunk).values_list(
            "user_id", "start", "end", "user__profile__timezone"
        ):
            quiet[user_id] = (start, end, zone)
    return quiet


def _kick_delivery(message_ids: list[int]) -> None:
    # Imported here: the task module imports this one.
    from tandem.notifications.tasks import outbox_deliver_task

    outbox_deliver_task.enqueue(worker_id=f"kick-{uuid.uuid4().hex[:12]}", message_ids=message_ids)


def _enqueue(items: Sequence[OutboxItem]) -> tuple[list[OutboxMessage], list[Notification]]:
    """Write the outbox rows of `items` whose key is new (one bulk insert that ignores existing
    keys), then the in-app copies of the new ones. Returns the new pending rows and the in-app
    copies."""
    people = [item for item in items if item.recipient.is_active]
    if not people:
        return [], []
    for item in people:
        if item.category not in NotificationCategory.values:
            raise InvalidInput.for_field(
                "category", f"'{item.category}' is not a notification category."
            )
    user_ids = sorted({item.recipient.pk for item in people})
    chosen = _channels(user_ids, {item.category for item in people})
    quiet = _quiet_hours(user_ids)
    now = timezone.now()
    batch = uuid.uuid4().hex
    domain = mail_domain()
    rows = []
    channel_of: dict[str, str] = {}
    for item in people:
        channel = chosen.get((item.recipient.pk, item.category), DEFAULT_CHANNEL)
        channel_of[item.key] = channel
        emailed = channel == NotificationChannel.EMAIL
        start, end, zone = quiet.get(item.recipient.pk, (None, None, None))
        rows.append(
            OutboxMessage(
                key=item.key,
                rule=item.rule,
                category=item.category,
                recipient_id=item.recipient.pk,
                program_id=item.program.pk if item.program is not None else None,
                subject=item.subject[:200],
                # A skipped row only remembers the key (idempotence), not the content.
                text_body=item.text if emailed else "",
                html_body=(item.html or "") if emailed else "",
                url=item.url,
                attachments=[_stored_attachment(a) for a in item.attachments] if emailed else [],
                status=OutboxStatus.PENDING if emailed else OutboxStatus.SKIPPED,
                next_attempt_at=now,
                not_before=quiet_hours_end(now=now, timezone_name=zone, start=start, end=end)
                if emailed
                else now,
                message_id=outbox_message_id(item.key, domain),
                batch=batch,
            )
        )
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    new = list(OutboxMessage.objects.filter(batch=batch).order_by("id"))
    by_key = {item.key: item for item in people}
    notifications = Notification.objects.bulk_create(
        Notification(
            user_id=row.recipient_id,
            category=row.category,
            title=row.subject,
            body=by_key[row.key].text,
            url=row.url,
        )
        for row in new
        if channel_of[row.key] != NotificationChannel.OFF
    )
    return [row for row in new if row.status == OutboxStatus.PENDING], notifications


@transaction.atomic
def outbox_enqueue(
    *,
    key: str,
    rule: str,
    recipient: User,
    category: str,
    subject: str,
    text: str,
    url: str = "",
    program: models.Model | None = None,
    attachments: Sequence[Attachment] = (),
    html: str | None = None,
) -> OutboxMessage | None:
    """Owe `recipient` one message, once per `key` ("<rule>:<subject>:<recipient_id>:<period>").

    Call it inside the transaction that changes the state the message is about. It applies the
    recipient's preference for `category`: off writes no in-app copy and no email, in-app only
    writes the in-app `Notification`, email writes both and a pending `OutboxMessage` whose
    `not_before` is the end of the recipient's quiet hours. Every case records the key (a row with
    status skipped when no email is due), so a second call with the same key does nothing and
    returns None; the insert relies on the unique key, never on a check first. Returns the pending
    outbox row, or None when there is no email to send (duplicate key, inactive recipient, or a
    preference without email). Delivery is kicked once the caller's transaction commits.
    """
    new, _ = _enqueue(
        [
            OutboxItem(
                key=key,
                rule=rule,
                recipient=recipient,
                category=category,
                subject=subject,
                text=text,
                url=url,
                program=program,
                attachments=attachments,
                html=html,
            )
        ]
    )
    return new[0] if new else None


@transaction.atomic
def outbox_enqueue_many(items: list[OutboxItem]) -> int:
    """`outbox_enqueue` for a batch (the scheduler's): a bounded number of queries whatever the
    batch size (preferences and quiet hours of every recipient read at once, one bulk insert,
    one read-back, one bulk insert of in-app copies; IN lists chunked by 10,000). Returns how many
    emails were newly enqueued (pending rows); repeated keys add nothing."""
    return len(_enqueue(items)[0])


def notification_send(
    *,
    recipients: Iterable[User],
    category: str,
    subject: str,
    body: str,
    url: str = "",
    attachments: Sequence[Attachment] = (),
) -> list[Notification]:
    """Tell each recipient something (the previous, direct path; moving onto the outbox next)."""
    if category not in NotificationCategory.values:
        raise InvalidInput.for_field("category", f"'{category}' is not a notification category.")
    from django.core.mail import EmailMultiAlternatives

    from tandem.notifications.selectors import channel_by_user

    people = {user.pk: user for user in recipients if user.is_active}
    channels = channel_by_user(user_ids=list(people), category=category)
    rows = Notification.objects.bulk_create(
        Notification(user_id=user_id, category=category, title=subject[:200], body=body, url=url)
        for user_id, channel in channels.items()
        if channel != NotificationChannel.OFF
    )
    emails = [
        people[user_id].email
        for user_id, channel in channels.items()
        if channel == NotificationChannel.EMAIL
    ]
    if emails:
        link = _absolute(url)
        text = f"{body}\n\n{link}\n" if link else f"{body}\n"
        text += (
            "\nYou receive this because of your notification settings in Tandem: "
            f"{_absolute('/notifications/preferences/')}\n"
        )

        def send() -> None:
            for address in emails:
                message = EmailMultiAlternatives(subject=subject, body=text, to=[address])
                for attachment in attachments:
                    message.attach(attachment.filename, attachment.content, attachment.mimetype)
                message.send()

        transaction.on_commit(send)
    return rows


@transaction.atomic
def notification_preferences_update(*, actor: User, channels: dict[str, str]) -> None:
    """Set the caller's channel per category. Unknown categories or channels change nothing."""
    errors = (
        [
            FieldError(category, f"'{category}' is not a notification category.")
            for category in channels
            if category not in NotificationCategory.values
        ]
        + [
            FieldError(category, f"'{channel}' is not a channel (email, in_app or off).")
            for category, channel in channels.items()
            if channel not in NotificationChannel.values
        ]
        + [
            FieldError(category, "This category cannot be turned off; choose in-app only.")
            for category, channel in channels.items()
            if category in CATEGORIES_WITHOUT_OFF and channel == NotificationChannel.OFF
        ]
    )
    if errors:
        raise InvalidInput("Some notification settings are not valid.", errors=errors)
    for category, channel in channels.items():
        NotificationPreference.objects.update_or_create(
            user=actor, category=category, defaults={"channel": channel}
        )


def notification_mark_read(*, actor: User, notification_ids: list[int] | None = None) -> int:
    """Mark the caller's notifications read (all unread ones when no ids). Returns how many."""
    unread = Notification.objects.filter(user=actor, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
