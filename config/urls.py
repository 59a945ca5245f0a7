from django.contrib import admin
from django.urls import include, path

from config.api import api
from tandem.workspace import views as workspace_views

urlpatterns = [
    path("admin/", admin.site.urls),
    # set_language: the signed-out pages' language switcher posts here (a cookie); a signed-in
    # person's own choice is on their profile and wins (tandem/accounts/languages.py).
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("accounts/", include("tandem.people.account_urls")),
    path("provisioning/", include("tandem.provisioning.urls")),
    path("scim/v2/", include("tandem.provisioning.scim_urls")),
    path("audit/", include("tandem.audit.urls")),
    path("people/", include("tandem.people.urls")),
    path("programs/", include("tandem.participants.program_urls")),
    path("", workspace_views.home, name="home"),
    path("", include("tandem.pwa.urls")),
    path("notifications/", include("tandem.notifications.urls")),
    path("", include("tandem.notifications.organization_urls")),
    path("", include("tandem.webhooks.urls")),
    path("", include("tandem.sso.urls")),
    path("", include("tandem.workspace.urls")),
    path("", include("tandem.relationships.urls")),
    path("", include("tandem.agreements.urls")),
    path("", include("tandem.goals.urls")),
    path("", include("tandem.meetings.urls")),
    path("", include("tandem.actions.urls")),
    path("", include("tandem.journals.urls")),
    path("", include("tandem.conversations.urls")),
    path("", include("tandem.feedback.urls")),
    path("", include("tandem.resources.urls")),
    path("", include("tandem.assessments.urls")),
    path("", include("tandem.surveys.urls")),
    path("", include("tandem.journeys.urls")),
    path("", include("tandem.nudges.urls")),
    path("", include("tandem.outcomes.urls")),
    path("", include("tandem.privacy.urls")),
    path("", include("tandem.health.urls")),
    path("", include("tandem.matching.urls")),
    path("", include("tandem.participants.urls")),
    path("", include("tandem.analytics.urls")),
]
