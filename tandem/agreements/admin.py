"""Django admin for platform staff: the programmes' templates only, read-only.

A pair's agreement, its signatures and kept versions are the pair's own words (managers and
admins get 404 on them everywhere else), so they are left out of the admin; templates change
through the programme's template page, where the service checks who may.
"""

from django.contrib import admin
from django.http import HttpRequest

from tandem.agreements.models import AgreementTemplate


@admin.register(AgreementTemplate)
class AgreementTemplateAdmin(admin.ModelAdmin):
    list_display = ["program", "updated_by", "updated_at"]
    list_select_related = ["program", "updated_by"]
    search_fields = ["program__name"]
    readonly_fields = [field.name for field in AgreementTemplate._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
