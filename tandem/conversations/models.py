"""Messages: one thread per relationship, and one per group circle.

Private to the people in the thread: managers and admins never read them, the model is not
in the Django admin, and the timeline says only that someone sent a message."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from tandem.accounts.models import User
from tandem.relationships.models import Circle, Relationship

# Exactly one of relationship and circle names the thread.
ONE_THREAD = Q(relationship__isnull=False, circle__isnull=True) | Q(
    relationship__isnull=True, circle__isnull=False
)


class Message(models.Model):
    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="messages_sent"
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=ONE_THREAD, name="message_in_one_thread"),
            models.CheckConstraint(condition=~Q(body=""), name="message_not_empty"),
        ]
        indexes = [
            models.Index(fields=["relationship", "created_at"]),
            models.Index(fields=["circle", "created_at"]),
        ]

    def __str__(self) -> str:
        # Never the body: this may end up in a log or an error page.
        return f"Message {self.pk}"


class MessageRead(models.Model):
    """How far a person has read a thread: messages after `last_read_at` are unread."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    last_read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=ONE_THREAD, name="message_read_one_thread"),
            models.UniqueConstraint(
                "user",
                "relationship",
                condition=Q(relationship__isnull=False),
                name="message_read_once_per_relationship",
            ),
            models.UniqueConstraint(
                "user",
                "circle",
                condition=Q(circle__isnull=False),
                name="message_read_once_per_circle",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read up to {self.last_read_at:%Y-%m-%d %H:%M}"
