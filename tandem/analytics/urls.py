from django.urls import path

from tandem.analytics import views

app_name = "analytics"
urlpatterns = [
    path("analytics/", views.organization_dashboard, name="organization"),
    path("analytics/pairs/", views.organization_pairs, name="organization_pairs"),
    path("analytics/<slug:table>.<str:fmt>", views.organization_export, name="organization_export"),
    path("programs/<int:program_id>/analytics/", views.program_dashboard, name="program"),
    path("programs/<int:program_id>/analytics/pairs/", views.program_pairs, name="program_pairs"),
    path(
        "programs/<int:program_id>/analytics/<slug:table>.<str:fmt>",
        views.program_export,
        name="program_export",
    ),
]
