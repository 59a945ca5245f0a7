from django.urls import path

from tandem.health import views

app_name = "health"
urlpatterns = [
    path("programs/<int:program_id>/health/", views.program_health, name="program"),
    path(
        "programs/<int:program_id>/health/refresh/",
        views.program_health_refresh,
        name="program_refresh",
    ),
    path("relationships/<int:relationship_id>/health/", views.pair_health, name="pair"),
    path(
        "relationships/<int:relationship_id>/health/nudge/",
        views.pair_health_nudge,
        name="pair_nudge",
    ),
]
