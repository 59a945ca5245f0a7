"""Django admin for platform staff. State changes go through the services, never the ORM."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from tandem.core.errors import DomainError
from tandem.participants import services
from tandem.participants.models import Answer, Participant


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    can_delete = False
    fields = ["question", "value"]
    readonly_fields = ["question", "value"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["user", "program", "role", "status", "capacity", "enrolled_at"]
    list_filter = ["status", "role", "program__organization"]
    list_select_related = ["user", "program"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "program__name"]
    # The lifecycle is changed by the actions below (which call the services), not by editing.
    readonly_fields = [
        "program",
        "user",
        "role",
        "status",
        "capacity",
        "motivation",
        "enrolled_at",
        "decided_at",
        "decided_by",
        "decision_note",
        "withdrawn_at",
        "withdrawal_reason",
        "created_at",
        "updated_at",
    ]
    inlines = [AnswerInline]
    actions = ["approve", "decline", "withdraw"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def _apply(
        self,
        request: HttpRequest,
        queryset: QuerySet[Participant],
        service: Callable[..., Participant],
        done: str,
    ) -> None:
        changed = 0
        for participant in queryset:
            try:
                service(actor=request.user, participant_id=participant.pk)
            except DomainError as error:
                self.message_user(request, f"{participant}: {error.detail}", messages.ERROR)
            else:
                changed += 1
        if changed:
            self.message_user(request, f"{changed} participant(s) {done}.", messages.SUCCESS)

    @admin.action(description="Approve the selected applications")
    def approve(self, request: HttpRequest, queryset: QuerySet[Participant]) -> None:
        self._apply(request, queryset, services.participant_approve, "approved")

    @admin.action(description="Decline the selected applications")
    def decline(self, request: HttpRequest, queryset: QuerySet[Participant]) -> None:
        self._apply(request, queryset, services.participant_decline, "declined")

    @admin.action(description="Withdraw the selected participants")
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Participant]) -> None:
        self._apply(request, queryset, services.participant_withdraw, "withdrawn")
