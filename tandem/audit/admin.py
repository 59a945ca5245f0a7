"""The audit trail in the Django admin, for platform staff: read-only, every organisation.

django-auditlog registers its own admin for the log entry model; it assumes every entry is
about a row, which an event such as a failed sign-in for an unknown address is not, so this
plain read-only one replaces it.
"""

from django.contrib import admin
from django.http import HttpRequest

from tandem.audit.models import AuditEntry, AuditSettings

if admin.site.is_registered(AuditEntry):
    admin.site.unregister(AuditEntry)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["timestamp", "organization_id", "event", "actor", "object_repr", "remote_addr"]
    list_filter = ["event"]
    list_select_related = ["actor", "content_type"]
    search_fields = ["event", "object_repr", "actor__email", "actor_email"]
    date_hierarchy = "timestamp"
    fields = (
        "timestamp",
        "organization_id",
        "event",
        "actor",
        "actor_email",
        "remote_addr",
        "content_type",
        "object_pk",
        "object_repr",
        "changes",
        "additional_data",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Entries leave by retention (`audit_purge`) or erasure, never by hand.
        return False


@admin.register(AuditSettings)
class AuditSettingsAdmin(admin.ModelAdmin):
    list_display = ["organization_id", "retention_days", "updated_at"]
