from django.urls import path

from tandem.resources import views

app_name = "resources"

RESOURCE = "resources/<int:resource_id>/"
PROGRAM = "programs/<int:program_id>/resources/"

urlpatterns = [
    path("resources/", views.library, name="library"),
    path(RESOURCE, views.detail, name="detail"),
    path(RESOURCE + "done/", views.mark_done, name="done"),
    path(RESOURCE + "rating/", views.rate, name="rate"),
    path(RESOURCE + "items/<int:item_id>/", views.checklist_item, name="checklist_item"),
    path(
        RESOURCE + "lessons/<int:lesson_id>/complete/",
        views.lesson_complete,
        name="lesson_complete",
    ),
    path(RESOURCE + "check/", views.knowledge_check, name="check"),
    path(PROGRAM, views.program_resources, name="program_resources"),
    path(
        PROGRAM + "<int:resource_id>/edit/",
        views.program_resource_edit,
        name="program_resource_edit",
    ),
    path(
        PROGRAM + "<int:resource_id>/<slug:action>/",
        views.program_resource_visibility,
        name="program_resource_visibility",
    ),
]
