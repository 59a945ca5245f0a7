"""Reads about notifications; always the caller's own (but for the operators' outbox counts)."""

import datetime
from typing import NamedTuple
from urllib.parse import urlsplit

from django.db.models import (
    BooleanField,
    CharField,
    Count,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Concat

from tandem.accounts.models import Role, User
from tandem.notifications.models import (
    DEFAULT_DAILY_CAP,
    MANAGER_CATEGORIES,
    ChannelSettings,
    ChatAddress,
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


class PreferenceRow(NamedTuple):
    category: str
    label: str
    channel: str
    push: bool
    slack: bool
    teams: bool


def preference_list_for_user(*, actor: User) -> list[PreferenceRow]:
    """(category, label, channel, push, slack, teams) for every category the caller is offered
    (the managers' own only to programme managers and organisation admins), their choice or
    the default."""
    chosen = {
        category: (channel, push, slack, teams)
        for category, channel, push, slack, teams in NotificationPreference.objects.filter(
            user=actor
        ).values_list("category", "channel", "push", "slack", "teams")
    }
    manager = actor.role in (Role.ORG_ADMIN, Role.PROGRAM_MANAGER)
    return [
        PreferenceRow(
            category.value,
            str(category.label),
            *(chosen.get(category) or (default_channel(category), False, False, False)),
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


class ChannelSwitches(NamedTuple):
    push_enabled: bool
    slack_enabled: bool
    slack_token_set: bool
    teams_enabled: bool
    daily_cap: int

    @property
    def slack_offered(self) -> bool:
        """People may choose Slack: on, and a bot token to send with."""
        return self.slack_enabled and self.slack_token_set


def channel_switches_for_org(*, organization_id: int | None) -> ChannelSwitches:
    """Every switch of an organisation's channels beside email (one query; the defaults when
    it never chose). Whether a Slack token is set, never the token."""
    row = (
        ChannelSettings.objects.filter(organization=organization_id)
        .annotate(
            no_token=ExpressionWrapper(Q(slack_bot_token__isnull=True), output_field=BooleanField())
        )
        .values_list("push_enabled", "slack_enabled", "no_token", "teams_enabled", "daily_cap")
        .first()
    )
    if row is None:
        return ChannelSwitches(True, False, False, False, DEFAULT_DAILY_CAP)
    push_on, slack_on, no_token, teams_on, cap = row
    return ChannelSwitches(push_on, slack_on, not no_token, teams_on, cap)


def teams_webhook_hint_for_user(*, actor: User) -> str:
    """The caller's Teams webhook URL shown as its host and a hint ("" when none): the full
    URL carries the workflow's signature, so it is not shown back."""
    url = ChatAddress.objects.filter(user=actor).values_list("teams_webhook_url", flat=True).first()
    if not url:
        return ""
    return f"{urlsplit(url).hostname or ''}/…"


def push_subscription_count_for_user(*, actor: User) -> int:
    return PushSubscription.objects.filter(user=actor).count()


def channel_failure_queryset_for_org_admin(*, actor: User) -> QuerySet[OutboxMessage]:
    """The messages a channel beside email could not deliver to people of the caller's
    organisation, newest first: who, which channel, what, why, and `fallback_status`, the
    status of the email owed instead (None: none was owed, the person gets this category by
    email anyway). Organisation admins only (anyone else gets none)."""
    if actor.role != Role.ORG_ADMIN:
        return OutboxMessage.objects.none()
    fallback = OutboxMessage.objects.filter(
        key=Concat(OuterRef("key"), Value("#email"), output_field=CharField())
    ).values("status")[:1]
    return (
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
            "key",
            "recipient__email",
            "recipient__organization_id",
        )
        .annotate(fallback_status=Subquery(fallback))
        .order_by("-id")
    )


def channel_failures_for_org_admin(*, actor: User, limit: int = 50) -> list[OutboxMessage]:
    """The latest `limit` of `channel_failure_queryset_for_org_admin` (the API's list)."""
    if actor.role != Role.ORG_ADMIN:
        return []
    return list(channel_failure_queryset_for_org_admin(actor=actor)[:limit])


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
