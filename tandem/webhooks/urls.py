from django.urls import path

from tandem.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("organization/webhooks/", views.endpoint_list, name="list"),
    path("organization/webhooks/<int:endpoint_id>/", views.endpoint_detail, name="detail"),
    path(
        "organization/webhooks/<int:endpoint_id>/rotate-secret/",
        views.endpoint_rotate_secret,
        name="rotate_secret",
    ),
    path(
        "organization/webhooks/<int:endpoint_id>/disable/", views.endpoint_disable, name="disable"
    ),
    path("organization/webhooks/<int:endpoint_id>/enable/", views.endpoint_enable, name="enable"),
    path("organization/webhooks/<int:endpoint_id>/test/", views.endpoint_send_test, name="test"),
]
