"""Webhooks: an organisation's HTTPS endpoints, subscribed to event types, and the outbox of
what Tandem owes each of them.

An event is written by the service that causes it, in its own transaction
(`services.webhook_emit`): one `WebhookDelivery` per subscribed, enabled endpoint, holding the
exact JSON body that every attempt sends. Workers deliver them (`delivery.webhook_deliver_batch`)
under a lease, like the email outbox; each attempt is logged (`WebhookAttempt`) with the
response code the admin sees.
"""

from django.db import models
from django.db.models import Q

from tandem.accounts.models import Organization, User
from tandem.core.encryption import EncryptedTextField
from tandem.core.models import TimeStampedModel


class WebhookEndpoint(TimeStampedModel):
    """An HTTPS URL an organisation admin subscribed to some event types.

    The signing secret ("whsec_" + base64) is encrypted at rest and shown once, when created or
    rotated. After a rotation the previous secret keeps signing beside the new one until
    `previous_secret_until`, so receivers can switch without losing a message.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.CharField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    # The event types (`events.EVENT_TYPES`) this endpoint receives.
    event_types = models.JSONField(default=list)
    is_enabled = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    # Failed attempts in a row; a success resets it, `WEBHOOKS_DISABLE_AFTER_FAILURES` disables.
    consecutive_failures = models.PositiveIntegerField(default=0)
    secret = EncryptedTextField()
    previous_secret = EncryptedTextField(null=True, blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_enabled=True) | Q(disabled_at__isnull=False),
                name="webhook_endpoint_disabled_has_time",
            )
        ]

    def __str__(self) -> str:
        return self.url


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event Tandem owes one endpoint, written in the transaction of the change it tells.

    `event_id` is the Standard Webhooks `webhook-id` (the same on every attempt, so a receiver
    can ignore a repeat); `body` is the JSON sent, composed once. A worker claims the row
    (`claimed_by`, `claimed_until`), marks it sending, then sent, each mark conditional on its
    lease. A failure goes back to pending after a backoff until `max_attempts`, then failed.
    """

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.CharField(max_length=40)
    event_type = models.CharField(max_length=60)
    body = models.TextField()
    status = models.CharField(
        max_length=10,
        choices=WebhookDeliveryStatus.choices,
        default=WebhookDeliveryStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=8)
    next_attempt_at = models.DateTimeField()
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            # an endpoint's delivery log, newest first, paged by a cursor (decision 0020)
            models.Index(fields=["endpoint", "-id"], name="webhook_delivery_log"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_event_once"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "failed"]),
                name="webhook_delivery_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="webhook_delivery_sent_has_sent_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One try at a delivery, for the admin's log: when, the response code (None: no answer),
    the error, how long it took. Never the body sent or received."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {self.attempted_at:%Y-%m-%d %H:%M:%S}: {self.status_code}"
