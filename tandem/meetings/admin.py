"""Meetings in the Django admin, for operators debugging a schedule: times and states only.
A meeting's title, place, video link, shared notes, agenda questions and check-in lines are
the pair's own words (a title like "Talk about leaving my team" says as much as a note), so
none of them is shown here; a meeting is named by its id and relationship."""

from django.contrib import admin

from tandem.meetings.models import Meeting


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["id", "relationship", "starts_at", "timezone", "status", "sequence"]
    list_filter = ["status"]
    fields = (
        "relationship",
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

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        # A meeting is cancelled by the pair (which tells both); deleting it here would not.
        return False
