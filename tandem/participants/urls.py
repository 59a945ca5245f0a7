from django.urls import path

from tandem.participants import bulk_views, views

app_name = "participants"

urlpatterns = [
    path(
        "programs/<int:program_id>/participants/",
        views.program_participants,
        name="program_participants",
    ),
    path(
        "programs/<int:program_id>/participants/export/",
        views.program_participants_export,
        name="program_participants_export",
    ),
    path(
        "programs/<int:program_id>/participants/people/",
        views.member_search,
        name="member_search",
    ),
    path(
        "programs/<int:program_id>/participants/bulk/",
        bulk_views.program_participants_bulk,
        name="program_participants_bulk",
    ),
    path("people/bulk/", bulk_views.people_bulk, name="people_bulk"),
    path("programs/<int:program_id>/enroll/", views.enroll, name="enroll"),
    path("participants/<int:participant_id>/withdraw/", views.withdraw, name="withdraw"),
    path("participants/<int:participant_id>/approve/", views.approve, name="approve"),
    path("participants/<int:participant_id>/decline/", views.decline, name="decline"),
]
