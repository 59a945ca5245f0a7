from django.urls import path

from tandem.assessments import views

app_name = "assessments"

urlpatterns = [
    path("relationships/<int:relationship_id>/assessment/", views.assessment_page, name="page"),
    path(
        "relationships/<int:relationship_id>/assessment/<str:moment>/share/",
        views.assessment_share,
        name="share",
    ),
    path("programs/<int:program_id>/assessments/", views.program_assessments, name="program"),
    path(
        "programs/<int:program_id>/assessments/competencies/",
        views.competency_create,
        name="competency_create",
    ),
    path(
        "programs/<int:program_id>/assessments/competencies/<int:competency_id>/",
        views.competency_edit,
        name="competency_edit",
    ),
    path(
        "programs/<int:program_id>/assessments/competencies/<int:competency_id>/active/",
        views.competency_activate,
        name="competency_activate",
    ),
]
