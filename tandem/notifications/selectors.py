"""Reads about notifications; always the caller's own (but for the operators' outbox counts)."""

import datetime

from django.db.models import Count, QuerySet

from tandem.accounts.models import Role, User
from tandem.notifications.models import (
    DEFAULT_DAILY_CAP,
    MANAGER_CATEGORIES,
    ChannelSettings,
    DeliveryChannel,
    Notification,
    NotificationCategory,
    NotificationChannel,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
    PushSubscription,
    QuietHours,
    default_channel,
)
from tandem.people.selectors import profile_timezone_get


def channel_by_user(*, user_ids: list[int], category: str) -> dict[int, str]:
    """Each user's channel for `category` (one query, defaults filled in)."""
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=user_ids, category=category).values_list(
            "user_id", "channel"
        )
    )
    return {user_id: chosen.get(user_id) or default_channel(category) for user_id in user_ids}


def preference_list_for_user(*, actor: User) -> list[tuple[str, str, str, bool]]:
    """(category, label, channel, push) for every category the caller is offered (the managers'
    own only to programme managers and organisation admins), their choice or the default."""
    chosen = {
        category: (channel, push)
        for category, channel, push in NotificationPreference.objects.filter(
            user=actor
        ).values_list("category", "channel", "push")
    }
    manager = actor.role in (Role.ORG_ADMIN, Role.PROGRAM_MANAGER)
    return [
        (
            category.value,
            str(category.label),
            *(chosen.get(category) or (default_channel(category), False)),
        )
        for category in NotificationCategory
        if manager or category not in MANAGER_CATEGORIES
    ]


def channel_settings_for_org(*, organization_id: int | None) -> tuple[bool, int]:
    """(web push on, daily cap) of an organisation; the defaults when it never chose."""
    row = (
        ChannelSettings.objects.filter(organization=organization_id)
        .values_list("push_enabled", "daily_cap")
        .first()
    )
    return row or (True, DEFAULT_DAILY_CAP)


def push_subscription_count_for_user(*, actor: User) -> int:
    return PushSubscription.objects.filter(user=actor).count()


def channel_failures_for_org_admin(*, actor: User, limit: int = 50) -> list[OutboxMessage]:
    """The latest messages a channel beside email could not deliver to people of the caller's
    organisation (each then fell back to email), newest first: who, which channel, what, why.
    Organisation admins only (anyone else gets an empty list)."""
    if actor.role != Role.ORG_ADMIN:
        return []
    return list(
        OutboxMessage.objects.filter(
            recipient__organization=actor.organization_id, status=OutboxStatus.FAILED
        )
        .exclude(channel=DeliveryChannel.EMAIL)
        .select_related("recipient")
        .only(
            "id",
            "channel",
            "category",
            "subject",
            "last_error",
            "created_at",
            "recipient__email",
            "recipient__organization_id",
        )
        .order_by("-id")[:limit]
    )


def notification_list_for_user(*, actor: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The caller's notifications, newest first (only unread ones with `unread_only`)."""
    queryset = Notification.objects.filter(user=actor).order_by("-created_at", "-id")
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset


def unread_count_for_user(*, actor: User) -> int:
    return Notification.objects.filter(user=actor, read_at__isnull=True).count()


def quiet_hours_for_user(*, actor: User) -> tuple[datetime.time | None, datetime.time | None, str]:
    """The caller's quiet hours (start, end; None when they have none) and their timezone."""
    quiet = QuietHours.objects.filter(user=actor).values_list("start", "end").first()
    zone = profile_timezone_get(user=actor)
    start, end = quiet if quiet is not None else (None, None)
    return start, end, zone


def outbox_keys_since(
    *, rules: list[str], since: datetime.datetime
) -> list[tuple[str, datetime.datetime]]:
    """The key and time of every message of `rules` written since `since` (relationship health
    counts the nudges a pair has not answered; the key names the subject, see
    `services.outbox_enqueue`). One query; only the two columns."""
    return list(
        OutboxMessage.objects.filter(rule__in=rules, created_at__gte=since)
        .order_by()
        .values_list("key", "created_at")
    )


def users_opted_in(*, category: str) -> QuerySet[User]:
    """The active people who opted in to `category`, an opt-in one (off unless chosen: the
    monthly report), with a channel other than off; by id. Not scoped to an organisation: for
    the jobs that write to every organisation's people, each then reads within its own."""
    if default_channel(category) != NotificationChannel.OFF:
        raise ValueError(f"'{category}' is not an opt-in category.")
    chosen = NotificationPreference.objects.filter(category=category).exclude(
        channel=NotificationChannel.OFF
    )
    return User.objects.filter(is_active=True, pk__in=chosen.values("user_id")).order_by("pk")


def outbox_backlog_counts() -> dict[str, int]:
    """How many outbox rows wait (pending) and how many gave up (failed), organisation-wide,
    for the operators' metrics. One grouped query; statuses with no row count 0."""
    counts = dict.fromkeys((OutboxStatus.PENDING, OutboxStatus.FAILED), 0)
    rows = (
        OutboxMessage.objects.filter(status__in=list(counts))
        .order_by()
        .values_list("status")
        .annotate(count=Count("id"))
    )
    for status, count in rows:
        counts[status] = count
    return {str(status): count for status, count in counts.items()}
