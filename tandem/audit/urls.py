from django.urls import path

from tandem.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_list, name="list"),
    path("export.csv", views.audit_export, name="export"),
    path("settings/", views.audit_settings, name="settings"),
]
