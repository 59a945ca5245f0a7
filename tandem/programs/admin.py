"""Staff view of programmes. Read-only: changes go through the lifecycle services (the actions)."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from tandem.accounts.models import User
from tandem.core.errors import DomainError
from tandem.programs import services
from tandem.programs.models import EnrollmentQuestion, Program


class EnrollmentQuestionInline(admin.TabularInline):
    model = EnrollmentQuestion
    fields = ("position", "prompt", "kind", "audience", "is_required", "use_for_matching")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "status", "format", "starts_on", "ends_on"]
    list_filter = ["status", "format", "purpose", "access"]
    list_select_related = ["organization"]
    search_fields = ["name", "organization__name"]
    inlines = [EnrollmentQuestionInline]
    actions = ["publish", "archive", "duplicate"]

    def get_readonly_fields(self, request: HttpRequest, obj: object | None = None) -> list[str]:
        return [field.name for field in Program._meta.get_fields() if field.concrete]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def _apply(
        self,
        request: HttpRequest,
        queryset: QuerySet[Program],
        service: Callable[..., Program],
        done: str,
    ) -> None:
        actor = request.user
        assert isinstance(actor, User)  # noqa: S101 - the admin requires a signed-in user
        succeeded = 0
        for program in queryset:
            try:
                service(actor=actor, program=program)
            except DomainError as error:
                self.message_user(request, f"{program.name}: {error.detail}", messages.ERROR)
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, f"{succeeded} programme(s) {done}.", messages.SUCCESS)

    @admin.action(description="Publish the selected drafts")
    def publish(self, request: HttpRequest, queryset: QuerySet[Program]) -> None:
        self._apply(request, queryset, services.program_publish, "published")

    @admin.action(description="Archive the selected programmes (read-only, closed to enrolment)")
    def archive(self, request: HttpRequest, queryset: QuerySet[Program]) -> None:
        self._apply(request, queryset, services.program_archive, "archived")

    @admin.action(description="Duplicate the selected programmes as new drafts")
    def duplicate(self, request: HttpRequest, queryset: QuerySet[Program]) -> None:
        self._apply(request, queryset, services.program_duplicate, "duplicated")
