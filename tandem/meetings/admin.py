"""Meetings in the Django admin, for managers debugging a schedule: times and states only.
Shared notes, agenda questions and check-in lines are private to the pair, so they are not
shown here."""

from django.contrib import admin

from tandem.meetings.models import Meeting


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "relationship", "starts_at", "timezone", "status", "sequence"]
    list_filter = ["status"]
    fields = (
        "relationship",
        "title",
        "starts_at",
        "timezone",
        "duration_minutes",
        "status",
        "sequence",
        "uid",
        "held_at",
        "cancelled_at",
    )
    readonly_fields = fields
    list_select_related = ["relationship__mentor__user", "relationship__mentee__user"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
