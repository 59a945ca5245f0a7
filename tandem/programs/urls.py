from django.urls import path

from tandem.programs import views

app_name = "programs"

# The list (programs/) and the detail page (programs/<id>/) show enrolment counts, so
# `tandem.participants.program_urls` serves them and mounts these patterns beside them in
# this namespace.
#
# The participants app serves programs/<id>/participants/, .../participants/export/ and
# .../enroll/ from its own urls; nothing here may shadow those paths.
urlpatterns = [
    path("new/", views.program_create, name="create"),
    path("<int:program_id>/edit/", views.program_edit, name="edit"),
    path("<int:program_id>/publish/", views.program_publish, name="publish"),
    path("<int:program_id>/archive/", views.program_archive, name="archive"),
    path("<int:program_id>/duplicate/", views.program_duplicate, name="duplicate"),
    path("<int:program_id>/form/", views.question_builder, name="form"),
    path("<int:program_id>/form/preview/<str:role>/", views.question_preview, name="form_preview"),
    path("<int:program_id>/form/questions/", views.question_create, name="question_create"),
    path(
        "<int:program_id>/form/questions/<int:question_id>/",
        views.question_edit,
        name="question_edit",
    ),
    path(
        "<int:program_id>/form/questions/<int:question_id>/delete/",
        views.question_delete,
        name="question_delete",
    ),
    path(
        "<int:program_id>/form/questions/<int:question_id>/move/",
        views.question_move,
        name="question_move",
    ),
]
