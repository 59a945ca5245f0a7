"""The organisation admin's page of notification channels, mounted at the site's root beside
the other /organization/ pages."""

from django.urls import path

from tandem.notifications import channel_views

app_name = "notification_channels"

urlpatterns = [
    path(
        "organization/notification-channels/",
        channel_views.channel_settings_page,
        name="settings",
    ),
]
