from django.urls import path

from tandem.privacy import views

app_name = "privacy"

urlpatterns = [
    path("me/data/", views.my_exports, name="exports"),
    path("people/<int:user_id>/data/", views.person_exports, name="person_exports"),
    path("me/data/erase/", views.my_erasure, name="erase"),
    path("privacy/retention/", views.retention, name="retention"),
    path("people/<int:user_id>/data/erase/", views.person_erasure, name="person_erase"),
    path("erasure-requests/<int:erasure_id>/cancel/", views.erasure_cancel, name="erasure_cancel"),
    path("data-exports/<int:export_id>/progress/", views.export_progress, name="progress"),
    path("data-exports/<int:export_id>/download/", views.export_download, name="download"),
]
