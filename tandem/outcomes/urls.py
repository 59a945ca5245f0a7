from django.urls import path

from tandem.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("outcomes/", views.outcomes_page, name="report"),
    path("outcomes/export.<str:export_format>", views.outcomes_export, name="export"),
    path("outcomes/import/", views.outcomes_import, name="import"),
    path(
        "outcomes/import/<int:import_id>/commit/",
        views.outcomes_import_commit,
        name="import_commit",
    ),
    path("outcomes/settings/", views.outcomes_settings, name="settings"),
]
