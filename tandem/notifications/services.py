"""Every write about notifications. Domain services call `notification_send` explicitly (no
signals); it respects each recipient's preference and sends email only after the caller's
transaction commits, so a rolled-back change never emails anyone."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.core.errors import FieldError, InvalidInput
from tandem.notifications.models import (
    Notification,
    NotificationCategory,
    NotificationChannel,
    NotificationPreference,
)
from tandem.notifications.selectors import channel_by_user


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: str | bytes
    mimetype: str


def _absolute(url: str) -> str:
    if not url or url.startswith("http"):
        return url
    return settings.SITE_URL.rstrip("/") + url


def notification_send(
    *,
    recipients: Iterable[User],
    category: str,
    subject: str,
    body: str,
    url: str = "",
    attachments: Sequence[Attachment] = (),
) -> list[Notification]:
    """Tell each recipient something: an in-app notification unless they turned the category
    off, and an email (with `attachments`, e.g. an ICS invitation) when they chose email.

    The email goes out on commit of the caller's transaction. Returns the in-app rows made.
    """
    if category not in NotificationCategory.values:
        raise InvalidInput.for_field("category", f"'{category}' is not a notification category.")
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
            # One message per person: recipients never see each other's addresses.
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
    errors = [
        FieldError(category, f"'{category}' is not a notification category.")
        for category in channels
        if category not in NotificationCategory.values
    ] + [
        FieldError(category, f"'{channel}' is not a channel (email, in_app or off).")
        for category, channel in channels.items()
        if channel not in NotificationChannel.values
    ]
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
