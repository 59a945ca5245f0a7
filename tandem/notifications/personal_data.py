"""What notifications holds about a person: in-app notifications, emails owed or sent to them,
their channel preferences and quiet hours."""

from tandem.accounts.models import User
from tandem.core.personal_data import Section, rows_of
from tandem.notifications.models import (
    Notification,
    NotificationPreference,
    OutboxMessage,
    QuietHours,
)

COVERS = (
    "notifications.Notification",
    "notifications.NotificationPreference",
    "notifications.QuietHours",
    "notifications.OutboxMessage",
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
                    "status",
                    "created_at",
                    "sent_at",
                ),
            ),
        ),
        Section(
            "notification_preferences",
            "How you chose to be told about each kind of event.",
            rows_of(NotificationPreference.objects.filter(user=user), ("category", "channel")),
        ),
        Section(
            "quiet_hours",
            "Your quiet hours.",
            rows_of(QuietHours.objects.filter(user=user), ("start", "end")),
        ),
    ]
