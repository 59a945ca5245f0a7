from django.contrib import admin
from django.urls import include, path

from config.api import api
from tandem.participants import views as participant_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("tandem.accounts.urls")),
    path("people/", include("tandem.people.urls")),
    path("programs/", include("tandem.programs.urls")),
    path("", participant_views.home, name="home"),
    path("", include("tandem.matching.urls")),
    path("", include("tandem.participants.urls")),
]
