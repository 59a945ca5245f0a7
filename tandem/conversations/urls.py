from django.urls import path

from tandem.conversations import views

app_name = "conversations"
urlpatterns = [
    path(
        "relationships/<int:relationship_id>/messages/",
        views.relationship_thread,
        name="relationship_thread",
    ),
    path(
        "relationships/<int:relationship_id>/messages/send/",
        views.relationship_post,
        name="relationship_post",
    ),
    path("circles/<int:circle_id>/messages/", views.circle_thread, name="circle_thread"),
    path("circles/<int:circle_id>/messages/send/", views.circle_post, name="circle_post"),
]
