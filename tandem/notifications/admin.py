"""Admins see the outbox's delivery state (never the private bodies) and can retry failures."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from tandem.notifications import services
from tandem.notifications.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "key",
        "recipient",
        "category",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error_short",
    ]
    list_filter = ["status", "category", "rule"]
    list_select_related = ["recipient"]
    search_fields = ["key", "recipient__email", "message_id"]
    ordering = ["-id"]
    # The subject, bodies and attachments are private to the recipient: not shown.
    fields = [
        "key",
        "rule",
        "category",
        "recipient",
        "program_id",
        "program_name",
        "status",
        "attempts",
        "max_attempts",
        "next_attempt_at",
        "not_before",
        "claimed_by",
        "claimed_until",
        "sent_at",
        "message_id",
        "last_error",
        "created_at",
    ]
    actions = ["retry"]

    @admin.display(description="Last error")
    def last_error_short(self, message: OutboxMessage) -> str:
        return message.last_error[:80]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description="Retry the selected failed emails")
    def retry(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = services.outbox_retry(message_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} email(s) will be sent again.", messages.SUCCESS)
