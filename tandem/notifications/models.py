"""What Tandem tells people, and how each person wants to be told.

Every message to a person goes through `services.outbox_enqueue` (or `notification_send`, built on
it): it reads the person's preference for the category, keeps an in-app copy, and writes an
`OutboxMessage` when they want email. Workers deliver the outbox (`services.outbox_deliver_batch`).
"""

import hashlib

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import Organization, User
from tandem.core.encryption import EncryptedTextField


class NotificationCategory(models.TextChoices):
    RELATIONSHIP = "relationship", _("Your mentoring relationships (start, pause, end)")
    AGREEMENT = "agreement", _("Mentoring agreement (edits and signatures)")
    GOALS = "goals", _("Goals and milestones (suggestions and celebrations)")
    MEETINGS = "meetings", _("Meeting invitations, changes and cancellations")
    MESSAGES = "messages", _("New messages from your mentoring partner")
    FEEDBACK = "feedback", _("Feedback from your mentoring partner")
    WELCOME = "welcome", _("Welcome and match announcements")
    REMINDERS = "reminders", _("Reminders (meetings, check-ins, an unsigned agreement, due goals)")
    JOURNEY = "journey", _("Journey steps and prompts (mid-point review, closing)")
    NUDGES = "nudges", _("Nudges when a relationship has gone quiet")
    DIGEST = "digest", _("Weekly digest for programme managers")
    MONTHLY_REPORT = (
        "monthly_report",
        _("Monthly programme report: each programme's key figures (managers and admins)"),
    )
    INTEGRATIONS = "integrations", _("Integrations (a webhook endpoint disabled after failures)")
    PRIVACY = "privacy", _("Your personal data (an export ready to download)")


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("Email and in-app")
    IN_APP = "in_app", _("In-app only")
    OFF = "off", _("Off")


DEFAULT_CHANNEL = NotificationChannel.EMAIL
# Categories a person opts in to: no preference row means off. The monthly report is a
# summary nobody asked for until they do.
DEFAULT_CHANNELS: dict[str, str] = {NotificationCategory.MONTHLY_REPORT: NotificationChannel.OFF}
# Categories only programme managers and organisation admins are offered (and may set): a mentee
# is never sent the managers' digest, a report or an integration's failure, so is not asked.
MANAGER_CATEGORIES: frozenset[str] = frozenset(
    {
        NotificationCategory.DIGEST,
        NotificationCategory.MONTHLY_REPORT,
        NotificationCategory.INTEGRATIONS,
    }
)


def default_channel(category: str) -> str:
    """The channel of `category` for a person who never chose one."""
    return DEFAULT_CHANNELS.get(category, DEFAULT_CHANNEL)


# Categories a person may not switch off entirely (in-app only is the least they keep): the
# link to an export they asked for is an answer to their request, not a communication.
CATEGORIES_WITHOUT_OFF: frozenset[str] = frozenset({NotificationCategory.PRIVACY})


class DeliveryChannel(models.TextChoices):
    """Where one outbox row goes. Email is the base channel (`NotificationChannel`); the others
    are added to it per category (decision record 0021)."""

    EMAIL = "email", _("Email")
    PUSH = "push", _("Web push")
    SLACK = "slack", _("Slack direct message")
    TEAMS = "teams", _("Microsoft Teams")


# The channels a person adds to a category beside the base choice, each a boolean column of
# `NotificationPreference` named like the channel.
EXTRA_CHANNELS: tuple[str, ...] = (
    DeliveryChannel.PUSH,
    DeliveryChannel.SLACK,
    DeliveryChannel.TEAMS,
)


class NotificationPreference(models.Model):
    """A person's choice for one category; no row means the default (email and in-app).

    `channel` is the base: email and in-app, in-app only, or off. The booleans add a channel
    each (web push, Slack, Teams) unless the base is off; in-app is always kept unless off."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_prefs")
    category = models.CharField(max_length=30, choices=NotificationCategory.choices)
    channel = models.CharField(max_length=10, choices=NotificationChannel.choices)
    push = models.BooleanField(default=False)
    slack = models.BooleanField(default=False)
    teams = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint("user", "category", name="notification_pref_once"),
            models.CheckConstraint(
                condition=Q(channel__in=["email", "in_app", "off"]),
                name="notification_pref_channel_valid",
            ),
            # Off means nothing reaches the person, through any channel.
            models.CheckConstraint(
                condition=~Q(channel="off") | Q(push=False, slack=False, teams=False),
                name="notification_pref_off_has_no_extra",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.category} → {self.channel}"


class Notification(models.Model):
    """The in-app copy of something Tandem told a person."""

    # No index of its own: the (user, read_at, -created_at) index below starts with it.
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    category = models.CharField(max_length=30, choices=NotificationCategory.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"]),
            # The centre's order, whole: a seek page (`after=`) walks it from the cursor.
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_newest"),
            # The centre's "Unread" tab: the same order over the unread rows alone, so a page
            # does not step over everything already read.
            models.Index(
                fields=["user", "-created_at", "-id"],
                condition=models.Q(read_at__isnull=True),
                name="notification_user_unread_new",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class QuietHours(models.Model):
    """A person's quiet hours: no email is delivered between `start` and `end` in their profile's
    timezone (an overnight window, e.g. 22:00-07:00, crosses midnight). In-app copies still appear
    at once. No row (or no times) means no quiet hours."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="quiet_hours")
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(start=models.F("end")), name="quiet_hours_not_empty"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: quiet {self.start:%H:%M}-{self.end:%H:%M}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # Written for idempotence only: the person wanted no email (in-app only, or off).
    SKIPPED = "skipped", "Skipped"


def outbox_message_id(key: str, domain: str) -> str:
    """The Message-ID of the email for `key`: stable across attempts and workers, unique per key."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"<outbox.{digest}@{domain}>"


class OutboxMessage(models.Model):
    """One email Tandem owes one person, written in the same transaction as the state it depends
    on. `key` (e.g. "<rule>:<subject>:<recipient_id>:<period>") makes writing it idempotent; a
    worker claims it with a lease (`claimed_by`, `claimed_until`), marks it sending, then sent.
    Failures go back to pending with a later `next_attempt_at` until `max_attempts`, then failed.
    """

    key = models.CharField(max_length=255)
    # Email rows keep the caller's key; a row of another channel adds "#<channel>" to it.
    channel = models.CharField(
        max_length=10, choices=DeliveryChannel.choices, default=DeliveryChannel.EMAIL
    )
    rule = models.CharField(max_length=60)
    category = models.CharField(max_length=30, choices=NotificationCategory.choices)
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="outbox_messages")
    # The programme the email is about, as it was when the message was enqueued: its id for
    # the record, and the name and colour the email is dressed in. Copied rather than linked:
    # programs sits above notifications, and an email is composed when it is owed (like its
    # subject and body), so a retry sends the same email. No index: nothing looks rows up by
    # programme, and each index is one more write per row, which the scheduler pays hundreds
    # of thousands of times.
    program_id = models.BigIntegerField(null=True, blank=True)
    program_name = models.CharField(max_length=200, blank=True, default="")
    program_colour = models.CharField(max_length=7, blank=True, default="")
    subject = models.CharField(max_length=200)
    text_body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    # [{"filename", "mimetype", "content", "encoding": "text" | "base64"}]
    attachments = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=5)
    next_attempt_at = models.DateTimeField()
    not_before = models.DateTimeField(help_text="The end of the recipient's quiet hours")
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Derived from the key (unique with it), so it needs no index of its own: every index costs
    # the scheduler's bulk writes.
    message_id = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
        ]
        constraints = [
            # A constraint rather than unique=True: PostgreSQL then skips the second (LIKE)
            # index Django adds to a unique CharField.
            models.UniqueConstraint(fields=["key"], name="outbox_key_once"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "failed", "skipped"]),
                name="outbox_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="outbox_sent_has_sent_at",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=["email", "push", "slack", "teams"]),
                name="outbox_channel_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"


DEFAULT_DAILY_CAP = 20


class ChannelSettings(models.Model):
    """An organisation's switches for the channels beside email: each can be turned off for
    everyone (rows already owed then fall back to email), and `daily_cap` bounds how many
    messages one person receives through them in 24 hours (the rest stay in-app). No row means
    web push on, Slack and Teams off (they need the admin: a bot token, a decision to let
    people's messages reach another company's service) and the default cap.

    `slack_bot_token` is the organisation's Slack app's bot token (xoxb-…), encrypted at rest
    and never shown again once set (null: none)."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="channel_settings"
    )
    push_enabled = models.BooleanField(default=True)
    slack_enabled = models.BooleanField(default=False)
    teams_enabled = models.BooleanField(default=False)
    slack_bot_token = EncryptedTextField(null=True, blank=True)
    daily_cap = models.PositiveSmallIntegerField(default=DEFAULT_DAILY_CAP)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(daily_cap__gte=1, daily_cap__lte=500), name="channel_daily_cap_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization}: channels"


class PushSubscription(models.Model):
    """One browser's Web Push subscription (RFC 8030) of one person: the push service's
    endpoint and the keys a message is encrypted to (RFC 8291). Deleted when the push service
    answers 404 or 410 (the browser unsubscribed or the subscription expired)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("user", "endpoint", name="push_subscription_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.endpoint[:60]}"


class ChatAddress(models.Model):
    """Where one person is reached on the chat channels: their Slack user id (found once by
    email through `users.lookupByEmail`, cached here, forgotten when Slack no longer knows
    it) and the Teams Workflows webhook they pasted (it posts to the chat they chose; secret
    like a password, so encrypted at rest and never shown back in full). No row: neither."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="chat_address")
    slack_user_id = models.CharField(max_length=40, blank=True)
    # The bot token's organisation the id belongs to is the person's own; an id is per
    # Slack workspace, so a changed token clears it (`channel_settings_update`).
    teams_webhook_url = EncryptedTextField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: chat addresses"
