"""Surveys in the Django admin, for support: each survey's settings and its versions (the
questions a manager wrote), and each invitation's status (sent, answered or not). Never an
answer: responses and answers are not registered and no page here reads them. Read-only:
every change goes through the managers' pages or the API, where versioning applies."""

from typing import Any

from django.contrib import admin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest

from tandem.surveys.models import Survey, SurveyInvitation, SurveyResponse, SurveyVersion


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SurveyVersionInline(_ReadOnly, admin.TabularInline):
    model = SurveyVersion
    extra = 0
    fields = readonly_fields = ("number", "created_at", "created_by", "definition")
    can_delete = False
    show_change_link = False


@admin.register(Survey)
class SurveyAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = [
        "title",
        "program",
        "kind",
        "audience",
        "trigger",
        "offset_days",
        "repeat_days",
        "is_active",
    ]
    list_filter = ["kind", "trigger", "is_active"]
    list_select_related = ["program"]
    search_fields = ["title", "program__name"]
    fields = readonly_fields = (
        "program",
        "title",
        "kind",
        "template_key",
        "audience",
        "trigger",
        "offset_days",
        "repeat_days",
        "is_active",
        "created_at",
        "updated_at",
    )
    inlines = [SurveyVersionInline]


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["id", "survey", "relationship", "user", "occasion", "version", "is_answered"]
    list_filter = ["occasion"]
    list_select_related = ["survey", "relationship", "user", "version"]
    search_fields = ["survey__title", "user__email"]
    fields = readonly_fields = (
        "survey",
        "version",
        "relationship",
        "user",
        "occasion",
        "created_at",
        "is_answered",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[SurveyInvitation]:
        answered = SurveyResponse.objects.filter(invitation_id=OuterRef("pk"))
        return super().get_queryset(request).annotate(answered=Exists(answered))

    @admin.display(boolean=True, description="Answered", ordering="answered")
    def is_answered(self, invitation: SurveyInvitation) -> bool:
        return bool(getattr(invitation, "answered", False))
