"""The Django admin for platform staff. Changes that have rules go through the services."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from tandem.accounts import services
from tandem.accounts.models import ApiToken, Invitation, Organization, User
from tandem.core.errors import DomainError
from tandem.core.forms import SingleLineAdminMixin


@admin.register(Organization)
class OrganizationAdmin(SingleLineAdminMixin, admin.ModelAdmin):
    single_line_fields = ("name",)
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]


@admin.register(User)
class UserAdmin(SingleLineAdminMixin, DjangoUserAdmin):
    single_line_fields = ("first_name", "last_name")
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "organization", "role", "is_active"]
    list_filter = ["organization", "role", "is_active", "is_staff"]
    list_select_related = ["organization"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "organization", "role")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined", "last_seen_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "organization", "role", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ["last_login", "date_joined", "last_seen_at"]
    actions = ["deactivate"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # A person's organisation is fixed once they exist: their programmes, pairs and
            # history belong to it, and no service moves them between tenants.
            fields.append("organization")
        return fields

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        """Save a change with its role and sign-in applied by the services (org admins'
        rules, an organisation keeps an active admin); if a service refuses, nothing is saved
        and the refusal is shown on the form's page."""
        if not change:
            super().save_model(request, obj, form, change)
            return
        stored = User.objects.get(pk=obj.pk)
        wanted_role, wanted_active = obj.role, obj.is_active
        # The plain save writes every other field; role and is_active stay as stored until
        # the services have allowed them.
        obj.role, obj.is_active = stored.role, stored.is_active
        try:
            with transaction.atomic():
                super().save_model(request, obj, form, change)
                if wanted_role != stored.role:
                    services.user_set_role(actor=request.user, user=obj, role=wanted_role)  # type: ignore[arg-type]
                if wanted_active != stored.is_active:
                    services.user_set_active(actor=request.user, user=obj, is_active=wanted_active)  # type: ignore[arg-type]
        except DomainError as error:
            self.message_user(request, f"{obj.email}: {error.detail}", messages.ERROR)
            request._tandem_refused = True  # type: ignore[attr-defined]  # read by response_change
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if not getattr(request, "_tandem_refused", False):
            super().save_related(request, form, formsets, change)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        if not getattr(request, "_tandem_refused", False):
            return super().log_change(request, obj, message)
        return None

    def response_change(self, request: HttpRequest, obj: User) -> HttpResponse:
        if getattr(request, "_tandem_refused", False):
            # Back to the form, without the "changed successfully" message: nothing changed.
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    @admin.action(description="Deactivate the selected people (keeps their history)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset.select_related("organization"):
            try:
                services.user_set_active(actor=request.user, user=user, is_active=False)  # type: ignore[arg-type]
            except DomainError as error:
                self.message_user(request, f"{user.email}: {error.detail}", messages.ERROR)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "status", "created_at"]
    list_filter = ["status", "role"]
    list_select_related = ["organization"]
    search_fields = ["email"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    readonly_fields = ["digest", "prefix"]
    search_fields = ["user__email", "name"]
