from django.urls import path

from tandem.people import views

app_name = "people"

urlpatterns = [
    path("", views.people_list, name="list"),
    path("me/", views.profile, name="profile"),
    path("skills/", views.skills, name="skills"),
]
