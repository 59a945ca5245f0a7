from django.urls import path

from tandem.actions import views

app_name = "actions"

urlpatterns = [
    path("relationships/<int:relationship_id>/actions/", views.action_list, name="list"),
    path("relationships/<int:relationship_id>/actions/new/", views.action_create, name="create"),
    path(
        "relationships/<int:relationship_id>/actions/<int:action_item_id>/close/",
        views.action_close,
        name="close",
    ),
    path(
        "relationships/<int:relationship_id>/actions/<int:action_item_id>/reopen/",
        views.action_reopen,
        name="reopen",
    ),
    path(
        "relationships/<int:relationship_id>/actions/<int:action_item_id>/delete/",
        views.action_delete,
        name="delete",
    ),
]
