from django.urls import path

from tandem.workspace import views

app_name = "workspace"
urlpatterns = [
    path("relationships/<int:relationship_id>/", views.workspace_detail, name="detail"),
    path(
        "programs/<int:program_id>/relationships/",
        views.program_relationships,
        name="program_relationships",
    ),
]
