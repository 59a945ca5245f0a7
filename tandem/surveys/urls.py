from django.urls import path

from tandem.surveys import views

app_name = "surveys"

urlpatterns = [
    path("surveys/", views.my_surveys, name="mine"),
    path("surveys/invitations/<int:invitation_id>/", views.invitation_page, name="invitation"),
    path("surveys/<int:survey_id>/", views.survey_page, name="survey"),
    path("surveys/<int:survey_id>/edit/", views.survey_edit_page, name="edit"),
    path("programs/<int:program_id>/surveys/", views.program_surveys, name="program"),
    path("programs/<int:program_id>/surveys/new/", views.survey_create_page, name="create"),
    path(
        "programs/<int:program_id>/surveys/defaults/",
        views.program_surveys_defaults,
        name="program_defaults",
    ),
]
