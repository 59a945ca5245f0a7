"""What Tandem tells people, and how each person wants to be told.

Every message to a person goes through `services.notification_send`: it reads the person's
preference for the category, keeps an in-app copy, and emails when they want email.
"""

from django.db import models
from django.db.models import Q

from tandem.accounts.models import User


class NotificationCategory(models.TextChoices):
    RELATIONSHIP = "relationship", "Your mentoring relationships (start, pause, end)"
    AGREEMENT = "agreement", "Mentoring agreement (edits and signatures)"
    GOALS = "goals", "Goals and milestones (suggestions and celebrations)"
    MEETINGS = "meetings", "Meeting invitations, changes and cancellations"
    MESSAGES = "messages", "New messages from your mentoring partner"
    FEEDBACK = "feedback", "Feedback from your mentoring partner"


class NotificationChannel(models.TextChoices):
    EMAIL = "email", "Email and in-app"
    IN_APP = "in_app", "In-app only"
    OFF = "off", "Off"


DEFAULT_CHANNEL = NotificationChannel.EMAIL


class NotificationPreference(models.Model):
    """A person's choice for one category; no row means the default (email and in-app)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_prefs")
    category = models.CharField(max_length=30, choices=NotificationCategory.choices)
    channel = models.CharField(max_length=10, choices=NotificationChannel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint("user", "category", name="notification_pref_once"),
            models.CheckConstraint(
                condition=Q(channel__in=["email", "in_app", "off"]),
                name="notification_pref_channel_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.category} → {self.channel}"


class Notification(models.Model):
    """The in-app copy of something Tandem told a person."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    category = models.CharField(max_length=30, choices=NotificationCategory.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.title
