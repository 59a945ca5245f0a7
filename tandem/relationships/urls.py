from django.urls import path

from tandem.relationships import views

app_name = "relationships"
urlpatterns = [
    path(
        "relationships/<int:relationship_id>/status/",
        views.relationship_status,
        name="status",
    ),
]
