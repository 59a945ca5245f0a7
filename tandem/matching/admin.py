"""Django admin for platform staff. Runs change through the services, never the ORM."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from tandem.core.errors import DomainError
from tandem.matching.models import (
    MatchingSettings,
    MatchProposal,
    MatchRequest,
    MatchRun,
    MatchUnmatched,
    PairRule,
    SuggestionDecline,
)
from tandem.matching.runs import services


class _ReadOnly(admin.ModelAdmin):
    """Shown for support; every change goes through the product's pages or API."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ProposalInline(admin.TabularInline):
    model = MatchProposal
    extra = 0
    fields = readonly_fields = ("mentee", "mentor", "score", "is_pinned", "reasons")
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[MatchProposal]:
        return super().get_queryset(request).select_related("mentee__user", "mentor__user")


class UnmatchedInline(admin.TabularInline):
    model = MatchUnmatched
    extra = 0
    fields = readonly_fields = ("mentee", "reason", "detail")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[MatchUnmatched]:
        return super().get_queryset(request).select_related("mentee__user")


@admin.register(MatchRun)
class MatchRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "program", "objective", "status", "progress", "created_by", "created_at"]
    list_filter = ["status", "objective", "program__organization"]
    list_select_related = ["program", "created_by"]
    search_fields = ["program__name"]
    readonly_fields = [
        "program",
        "created_by",
        "objective",
        "status",
        "seed",
        "weights",
        "rules",
        "inputs",
        "progress",
        "statistics",
        "certified_gap",
        "error",
        "started_at",
        "finished_at",
        "published_at",
        "published_by",
        "created_at",
        "updated_at",
    ]
    inlines = [ProposalInline, UnmatchedInline]
    actions = ["publish", "discard"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _apply(
        self,
        request: HttpRequest,
        queryset: QuerySet[MatchRun],
        service: Callable[..., MatchRun],
        done: str,
    ) -> None:
        changed = 0
        for run in queryset:
            try:
                service(actor=request.user, run_id=run.pk)
            except DomainError as error:
                self.message_user(request, f"{run}: {error.detail}", messages.ERROR)
            else:
                changed += 1
        if changed:
            self.message_user(request, f"{changed} run(s) {done}.", messages.SUCCESS)

    @admin.action(description="Publish the selected drafts")
    def publish(self, request: HttpRequest, queryset: QuerySet[MatchRun]) -> None:
        self._apply(request, queryset, services.match_run_publish, "published")

    @admin.action(description="Discard the selected runs")
    def discard(self, request: HttpRequest, queryset: QuerySet[MatchRun]) -> None:
        self._apply(request, queryset, services.match_run_discard, "discarded")


@admin.register(MatchingSettings)
class MatchingSettingsAdmin(_ReadOnly):
    list_display = ["program", "allow_self_matching", "requests_need_approval", "updated_at"]
    list_select_related = ["program"]
    search_fields = ["program__name"]


@admin.register(PairRule)
class PairRuleAdmin(_ReadOnly):
    list_display = ["program", "mentee", "mentor", "kind", "created_by", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["program", "mentee__user", "mentor__user", "created_by"]


@admin.register(SuggestionDecline)
class SuggestionDeclineAdmin(_ReadOnly):
    list_display = ["mentee", "mentor", "created_at"]
    list_select_related = ["mentee__user", "mentor__user"]


@admin.register(MatchRequest)
class MatchRequestAdmin(_ReadOnly):
    list_display = ["pk", "program", "mentee", "mentor", "status", "expires_at", "created_at"]
    # The mentee's note and the mentor's reply are messages between the two of them.
    exclude = ["note", "response_message"]
    list_filter = ["status", "program__organization"]
    list_select_related = ["program", "mentee__user", "mentor__user"]
