from django.urls import path

from tandem.nudges import views

app_name = "nudges"
urlpatterns = [
    path("programs/<int:program_id>/nudges/", views.nudge_settings, name="settings"),
]
