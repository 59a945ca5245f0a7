from django.urls import path

from tandem.meetings import views

app_name = "meetings"

MEETING = "relationships/<int:relationship_id>/meetings/<int:meeting_id>/"

urlpatterns = [
    path("relationships/<int:relationship_id>/meetings/", views.meeting_list, name="list"),
    path(MEETING, views.meeting_detail, name="detail"),
    path(MEETING + "edit/", views.meeting_edit, name="edit"),
    path(MEETING + "cancel/", views.meeting_cancel, name="cancel"),
    path(MEETING + "held/", views.meeting_held, name="held"),
    path(MEETING + "notes/", views.meeting_notes, name="notes"),
    path(MEETING + "agenda/", views.agenda_add, name="agenda_add"),
    path(MEETING + "agenda/<int:item_id>/remove/", views.agenda_remove, name="agenda_remove"),
    path(MEETING + "checkin/", views.meeting_checkin, name="checkin"),
    path(MEETING + "invite.ics", views.meeting_invite, name="invite"),
    path("calendar/", views.feed_settings, name="feed_settings"),
    path("calendar/new/", views.feed_rotate, name="feed_rotate"),
    path("calendar/off/", views.feed_revoke, name="feed_revoke"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
]
