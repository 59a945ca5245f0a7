from django.urls import path

from tandem.workspace import meeting_mode, views

MODE = "relationships/<int:relationship_id>/meetings/<int:meeting_id>/mode/"

app_name = "workspace"
urlpatterns = [
    path("relationships/<int:relationship_id>/", views.workspace_detail, name="detail"),
    path(MODE, meeting_mode.meeting_mode, name="meeting_mode"),
    path(MODE + "agenda/", meeting_mode.meeting_mode_agenda, name="meeting_mode_agenda"),
    path(MODE + "notes/", meeting_mode.meeting_mode_notes, name="meeting_mode_notes"),
    path(MODE + "actions/", meeting_mode.meeting_mode_action, name="meeting_mode_action"),
    path(MODE + "steps/<int:step_id>/", meeting_mode.meeting_mode_step, name="meeting_mode_step"),
    path("circles/<int:circle_id>/", views.circle_detail, name="circle"),
    path("people/<int:user_id>/", views.person_detail, name="person"),
    path(
        "programs/<int:program_id>/relationships/",
        views.program_relationships,
        name="program_relationships",
    ),
]
