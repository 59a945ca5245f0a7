"""Django admin for platform staff. Actions call services; nothing private lives here yet."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from tandem.core.errors import DomainError
from tandem.core.forms import SingleLineAdminMixin
from tandem.people import services
from tandem.people.models import PeopleImport, Profile, Skill


@admin.register(Skill)
class SkillAdmin(SingleLineAdminMixin, admin.ModelAdmin):
    single_line_fields = ("name", "category")
    list_display = ["name", "category", "organization", "updated_at"]
    list_filter = ["organization"]
    list_select_related = ["organization"]
    search_fields = ["name", "category"]
    actions = ["delete_through_service"]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        # Deleting goes through the service, which keeps its permission rule.
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Delete the selected skills (removes them from every profile)")
    def delete_through_service(self, request: HttpRequest, queryset: QuerySet[Skill]) -> None:
        for skill in queryset:
            try:
                services.skill_delete(actor=request.user, skill=skill)  # type: ignore[arg-type]
            except DomainError as error:
                self.message_user(request, f"{skill.name}: {error.detail}", messages.ERROR)


@admin.register(Profile)
class ProfileAdmin(SingleLineAdminMixin, admin.ModelAdmin):
    single_line_fields = ("job_title", "department", "location")
    list_display = ["user", "job_title", "department", "location", "timezone", "updated_at"]
    list_filter = ["department"]
    list_select_related = ["user", "user__organization"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "job_title"]
    raw_id_fields = ["user", "manager"]
    filter_horizontal = ["skills_offered", "skills_wanted"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(PeopleImport)
class PeopleImportAdmin(admin.ModelAdmin):
    list_display = ["filename", "organization", "created_by", "status", "size", "created_at"]
    list_filter = ["status"]
    list_select_related = ["organization", "created_by"]
    exclude = ["content"]
    readonly_fields = [
        "organization",
        "created_by",
        "filename",
        "checksum",
        "size",
        "status",
        "summary",
        "committed_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
