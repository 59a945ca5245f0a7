"""Action items — "working the idea": something one of the pair commits to practise before the
next meeting, with an owner, an optional due date, an outcome (done / not done) and a short
reflection on what was noticed. Check-ins create them through `services.action_item_create`;
the next meeting's agenda lists the open ones (`selectors.action_item_list_open`).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from tandem.accounts.models import User
from tandem.relationships.models import Relationship


class ActionItemStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("action status", "Open")
    DONE = "done", pgettext_lazy("action status", "Done")
    NOT_DONE = "not_done", pgettext_lazy("action status", "Not done")


class ActionItem(models.Model):
    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="action_items"
    )
    title = models.CharField(max_length=200)
    # One of the pair (checked by the service: the database cannot see through the relationship).
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="action_items")
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ActionItemStatus.choices, default=ActionItemStatus.OPEN
    )
    reflection = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The idempotency key a client chose for the request that created the item (meeting mode
    # queues captures made offline and sends them again when the connection returns): a retried
    # request finds the item it already made instead of adding a second one.
    client_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = [models.F("due_on").asc(nulls_last=True), "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "done", "not_done"]),
                name="action_item_status_valid",
            ),
            # Open means not closed; done or not done means closed at some time.
            models.CheckConstraint(
                condition=(Q(status="open") & Q(closed_at__isnull=True))
                | (~Q(status="open") & Q(closed_at__isnull=False)),
                name="action_item_closed_at_matches_status",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="action_item_title_not_empty"),
            models.UniqueConstraint(
                fields=["relationship", "client_key"],
                condition=Q(client_key__isnull=False),
                name="action_item_client_key_once_per_relationship",
            ),
        ]
        indexes = [models.Index(fields=["relationship", "status", "due_on"])]

    def __str__(self) -> str:
        return self.title
