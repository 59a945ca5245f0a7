"""What notifications holds about a person: in-app notifications, emails and pushes owed or sent
to them, their channel preferences and quiet hours, the browsers they let Tandem push to, and
where they are reached on Slack and Teams."""

from urllib.parse import urlsplit

from tandem.accounts.models import User
from tandem.core.personal_data import ErasureReport, Section, identifiers_of, rows_of, scrub_rows
from tandem.notifications.models import (
    ChatAddress,
    Notification,
    NotificationPreference,
    OutboxMessage,
    PushSubscription,
    QuietHours,
)

COVERS = (
    "notifications.Notification",
    "notifications.NotificationPreference",
    "notifications.QuietHours",
    "notifications.OutboxMessage",
    "notifications.PushSubscription",
    "notifications.ChatAddress",
)


def export(user: User) -> list[Section]:
    return [
        Section(
            "notifications",
            "Your in-app notifications.",
            rows_of(
                Notification.objects.filter(user=user),
                ("id", "category", "title", "body", "url", "created_at", "read_at"),
            ),
        ),
        Section(
            "emails",
            "Emails Tandem sent or owes you (subject, text, status).",
            rows_of(
                OutboxMessage.objects.filter(recipient=user),
                (
                    "id",
                    "category",
                    "subject",
                    "text_body",
                    "url",
                    "channel",
                    "status",
                    "created_at",
                    "sent_at",
                ),
            ),
        ),
        Section(
            "notification_preferences",
            "How you chose to be told about each kind of event.",
            rows_of(
                NotificationPreference.objects.filter(user=user),
                ("category", "channel", "push", "slack", "teams"),
            ),
        ),
        Section(
            "quiet_hours",
            "Your quiet hours.",
            rows_of(QuietHours.objects.filter(user=user), ("start", "end")),
        ),
        Section(
            "push_subscriptions",
            # The keys are the browser's secret for decrypting pushes: never exported.
            "The browsers you let Tandem send push notifications to (their push service address).",
            rows_of(PushSubscription.objects.filter(user=user), ("endpoint", "created_at")),
        ),
        Section(
            "chat_addresses",
            # The Teams URL carries the workflow's signature (a secret): only its host.
            "Where Tandem reaches you on Slack (your user id there) and Teams (your workflow's "
            "host).",
            [
                {
                    "slack_user_id": address.slack_user_id,
                    "teams_webhook_host": urlsplit(address.teams_webhook_url).hostname or ""
                    if address.teams_webhook_url
                    else "",
                }
                for address in ChatAddress.objects.filter(user=user)
            ],
        ),
    ]


def erase(user: User) -> ErasureReport:
    # Everything addressed to the person goes. What others were sent about them (a partner's
    # "new message from ...", a manager's "... was deactivated") stays for them, the name
    # replaced: including the emails this erasure itself queues, still in the outbox.
    report = ErasureReport()
    for model in (Notification, NotificationPreference, QuietHours, PushSubscription, ChatAddress):
        report.delete(model.objects.filter(user=user))
    report.delete(OutboxMessage.objects.filter(recipient=user))
    names = identifiers_of(user)
    report.kept(
        "notifications.Notification",
        scrub_rows(
            Notification.objects.filter(user__organization=user.organization),
            ("title", "body"),
            names,
        ),
    )
    return report.kept(
        "notifications.OutboxMessage",
        scrub_rows(
            OutboxMessage.objects.filter(recipient__organization=user.organization),
            ("subject", "text_body", "html_body"),
            names,
            html_fields=("html_body",),
        ),
    )
