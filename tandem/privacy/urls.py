from django.urls import path

from tandem.privacy import views

app_name = "privacy"

urlpatterns = [
    path("me/data/", views.my_exports, name="exports"),
    path("people/<int:user_id>/data/", views.person_exports, name="person_exports"),
    path("data-exports/<int:export_id>/progress/", views.export_progress, name="progress"),
    path("data-exports/<int:export_id>/download/", views.export_download, name="download"),
]
